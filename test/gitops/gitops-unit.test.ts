import { ApiObject, App, Chart } from 'cdk8s';
import { GitOpsUnit } from '../../src/gitops';

describe('GitOpsUnit', () => {
  test('defaults: name from path, prune, no wait, Flux intervals', () => {
    const unit = new GitOpsUnit(new App(), 'crds', { path: 'infrastructure/crds' });
    expect(unit.kustomizationName).toBe('infrastructure-crds');
    expect(unit.prune).toBe(true);
    expect(unit.wait).toBe(false);
    expect([unit.interval, unit.retryInterval, unit.timeout]).toEqual(['10m', '1m', '5m']);
    expect(unit.targetNamespace).toBeUndefined();
    expect(unit.cluster).toBeUndefined();
    expect(unit.healthChecks).toEqual([]);
  });

  test('is a Chart: chart props (namespace, labels) apply to its objects', () => {
    const unit = new GitOpsUnit(new App(), 'acme', { path: 'tenants/acme', namespace: 'acme', labels: { tenant: 'acme' } });
    const obj = new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(Chart.of(obj)).toBe(unit);
    expect(obj.toJson().metadata).toEqual({ name: 'x', namespace: 'acme', labels: { tenant: 'acme' } });
  });

  test.each([
    ['', /must be a non-empty string/],
    ['/abs/path', /is absolute.*Fix: drop the leading "\/": "abs\/path"/],
    ['tenants/../x', /contains "\.\."/],
    ['tenants/Acme_Corp', /segment "Acme_Corp".*use e\.g\. "tenants\/acme-corp"/],
    ['tenants//x', /segment ""/],
    ['tenants/x/', /segment ""/],
    ['clusters/x', /reserves for its Kustomizations/],
    ['bootstrap', /reserves for its Kustomizations/],
  ])('path %p is rejected', (p, message) => {
    expect(() => new GitOpsUnit(new App(), 'u', { path: p })).toThrow(message);
  });

  test('a derived name over 63 characters is an error naming the construct, with the fix', () => {
    const longPath = `tenants/${'a'.repeat(40)}/${'b'.repeat(30)}`;
    const app = new App();
    const parent = new Chart(app, 'fleet');
    expect(() => new GitOpsUnit(parent, 'big', { path: longPath }))
      .toThrow(/^\[fleet\/big\] kustomizationName: the name derived from path .* is 79 characters, more than the 63 .*Fix: pass kustomizationName/);
    expect(new GitOpsUnit(parent, 'ok', { path: longPath, kustomizationName: 'big-tenant' }).kustomizationName).toBe('big-tenant');
  });

  test('durations, names and namespaces are validated', () => {
    const app = new App();
    expect(() => new GitOpsUnit(app, 'a', { path: 'a', interval: '10 minutes' })).toThrow(/interval: "10 minutes" is not a Go duration/);
    expect(() => new GitOpsUnit(app, 'b', { path: 'b', timeout: '1h30x' })).toThrow(/timeout/);
    expect(() => new GitOpsUnit(app, 'c', { path: 'c', kustomizationName: 'Not_Valid' })).toThrow(/kustomizationName/);
    expect(() => new GitOpsUnit(app, 'd', { path: 'd', targetNamespace: 'UPPER' })).toThrow(/targetNamespace/);
    expect(() => new GitOpsUnit(app, 'e', { path: 'e', cluster: 'edge site' })).toThrow(/cluster/);
    expect(new GitOpsUnit(app, 'f', { path: 'f', interval: '1h30m', retryInterval: '30s', timeout: '500ms' }).interval).toBe('1h30m');
  });

  test('of / tryOf find the nearest enclosing unit', () => {
    const app = new App();
    const plain = new Chart(app, 'plain');
    const outer = new GitOpsUnit(plain, 'outer', { path: 'outer' });
    const inner = new GitOpsUnit(outer, 'inner', { path: 'inner' });
    const obj = new ApiObject(inner, 'x', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(GitOpsUnit.of(obj)).toBe(inner);
    expect(GitOpsUnit.of(inner)).toBe(inner);
    expect(GitOpsUnit.tryOf(outer)).toBe(outer);
    expect(GitOpsUnit.tryOf(plain)).toBeUndefined();
    expect(() => GitOpsUnit.of(plain)).toThrow(/not inside any GitOpsUnit/);
    expect(GitOpsUnit.isGitOpsUnit(inner)).toBe(true);
    expect(GitOpsUnit.isGitOpsUnit(plain)).toBe(false);
  });

  test('addHealthCheck validates its input and keeps insertion order', () => {
    const unit = new GitOpsUnit(new App(), 'u', { path: 'u' });
    unit.addHealthCheck({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'b' }, { apiVersion: 'v1', kind: 'Service', name: 'a', namespace: 'x' });
    expect(unit.healthChecks.map(h => h.name)).toEqual(['b', 'a']);
    expect(() => unit.addHealthCheck({ apiVersion: 'v1', kind: '', name: 'x' })).toThrow(/healthChecks\.kind/);
  });
});

describe('GitOpsUnit health check expressions', () => {
  test('are kept in order and refuse an expression without apiVersion or current', () => {
    const unit = new GitOpsUnit(new App(), 'u', { path: 'apps/u' });
    unit.addHealthCheckExpression({ apiVersion: 'example.com/v1', kind: 'Widget', current: "status.phase == 'Ready'" });
    expect(unit.healthCheckExpressions).toEqual([{ apiVersion: 'example.com/v1', kind: 'Widget', current: "status.phase == 'Ready'" }]);
    expect(() => unit.addHealthCheckExpression({ apiVersion: 'example.com/v1', current: ' ' })).toThrow(/healthCheckExprs\.current/);
  });
});
