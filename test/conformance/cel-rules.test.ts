import * as fs from 'fs';
import { bundleDir, tenantControlPlane, widget, widgetBundle } from './fixtures';
import { ConformanceChecker, FindingSeverity, formatFindings, type ConformanceFinding } from '../../src/conformance';

const checker = new ConformanceChecker({ bundleDir: bundleDir() });

function errors(c: ConformanceChecker, obj: any): ConformanceFinding[] {
  return c.validateObject(obj).filter((f) => f.severity === FindingSeverity.ERROR);
}

describe('CEL rules of the pinned CRDs', () => {
  test('a Flux HelmRelease with both chart and chartRef fails its rule, with the CRD message', () => {
    const release = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
        chartRef: { kind: 'OCIRepository', name: 'podinfo' },
      },
    };
    const found = errors(checker, release);
    expect(found.map((f) => [f.code, f.path])).toEqual([['cel', 'spec']]);
    expect(found[0].message).toContain('either chart or chartRef must be set');
  });

  test('a rule that fails to evaluate rejects the object (Kamaji etcd DataStore without tlsConfig: no such key)', () => {
    const dataStore = {
      apiVersion: 'kamaji.clastix.io/v1alpha1',
      kind: 'DataStore',
      metadata: { name: 'etcd' },
      spec: { driver: 'etcd', endpoints: ['etcd-0.etcd:2379'] },
    };
    const found = errors(checker, dataStore);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f).toMatchObject({ code: 'cel', path: 'spec' });
      expect(f.message).toMatch(/failed to evaluate \(.*tlsConfig.*\)/);
    }
  });

  test('a valid TenantControlPlane passes; its transition rules (oldSelf) are not evaluated on create', () => {
    const tcp = tenantControlPlane({ podCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/16', advertiseAddress: '192.0.2.10' });
    const findings = checker.validateObject(tcp);
    expect(formatFindings(findings)).toBe('');
  });

  test('isCIDR: a Kamaji podCidr that is no CIDR fails the CRD rule', () => {
    const found = errors(checker, tenantControlPlane({ podCidr: '10.244.0.0/33' }));
    expect(found.map((f) => [f.code, f.path])).toEqual([['cel', 'spec.networkProfile.podCidr']]);
    expect(found[0].message).toContain('podCidr must be empty or a valid CIDR');
  });

  test('isIP: an advertiseAddress with a leading zero is not an IP for Kubernetes', () => {
    expect(errors(checker, tenantControlPlane({ advertiseAddress: '10.0.0.01' })).map((f) => [f.code, f.path]))
      .toEqual([['cel', 'spec.networkProfile.advertiseAddress']]);
    expect(errors(checker, tenantControlPlane({ advertiseAddress: '2001:db8::10' }))).toEqual([]);
  });

  test('isCIDR over a list, and a spec-level rule across fields', () => {
    const found = errors(checker, tenantControlPlane({ loadBalancerSourceRanges: ['10.0.0.0/8', 'not-a-cidr'] }));
    expect(found.map((f) => [f.code, f.path]).sort()).toEqual([
      ['cel', 'spec'], // source ranges need serviceType LoadBalancer
      ['cel', 'spec.networkProfile.loadBalancerSourceRanges'],
    ]);
  });

  test('listTransitionRules exposes the oldSelf rules for an immutability guard', () => {
    const rules = checker.listTransitionRules('kamaji.clastix.io/v1alpha1', 'TenantControlPlane');
    expect(rules).toContainEqual({ path: 'spec.networkProfile.clusterDomain', rule: 'self == oldSelf', message: 'changing the cluster domain is not supported' });
    expect(rules.every((r) => r.rule.includes('oldSelf'))).toBe(true);
    expect(checker.listTransitionRules('v1', 'ConfigMap')).toEqual([]);
  });
});

describe('CEL features, on a schema written for the test', () => {
  let dir: string;
  let custom: ConformanceChecker;

  beforeAll(() => {
    const spec = {
      'type': 'object',
      'properties': {
        'replicas': { type: 'integer' },
        'ratio': { type: 'number' },
        'namespace': { type: 'string' },
        'pool-name': { type: 'string' },
        'name': { type: 'string', pattern: '^(?P<word>[a-z]+)$' },
      },
      'x-kubernetes-validations': [
        { rule: 'self.replicas + 1 <= 4', messageExpression: "'replicas ' + string(self.replicas) + ' is more than 3'", fieldPath: '.replicas', reason: 'FieldValueInvalid' },
        { rule: "!has(self.__namespace__) || self.__namespace__ != 'kube-system'", message: 'not kube-system' },
        { rule: "!has(self.pool__dash__name) || self.pool__dash__name.startsWith('pool-')", message: 'pool names start with pool-' },
        { rule: '!has(self.ratio) || self.ratio < 1.0', message: 'ratio below 1' },
        { rule: 'frobnicate(self)', message: 'never evaluated' },
        { rule: 'self.replicas ==', message: 'does not parse' },
      ],
    };
    dir = widgetBundle(spec);
    custom = new ConformanceChecker({ bundleDir: dir, defaultNamespace: 'default' });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('integers are CEL ints, messageExpression, fieldPath and reason are honoured', () => {
    const found = errors(custom, widget({ replicas: 5 }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'cel', path: 'spec.replicas', namespace: 'default' });
    expect(found[0].message).toContain('replicas 5 is more than 3');
    expect(found[0].message).toContain('FieldValueInvalid');
  });

  test('numbers are CEL doubles', () => {
    expect(errors(custom, widget({ replicas: 1, ratio: 0.5 }))).toEqual([]);
    expect(errors(custom, widget({ replicas: 1, ratio: 2 })).map((f) => f.message)).toEqual([expect.stringContaining('ratio below 1')]);
  });

  test('property names are escaped as Kubernetes does (__namespace__, __dash__)', () => {
    const found = errors(custom, widget({ 'replicas': 1, 'namespace': 'kube-system', 'pool-name': 'blue' }));
    expect(found.map((f) => f.message).sort()).toEqual([expect.stringContaining('not kube-system'), expect.stringContaining('pool names start with pool-')].sort());
  });

  test('rules that cannot be compiled, and RE2 patterns ECMAScript cannot read, are reported as unevaluated, not passed', () => {
    const findings = custom.validateObject(widget({ replicas: 1, name: 'abc' }));
    expect(findings.filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    const unevaluated = findings.filter((f) => f.severity === FindingSeverity.WARNING);
    expect(unevaluated.map((f) => [f.code, f.path])).toEqual([
      ['pattern-unevaluated', 'spec.name'],
      ['cel-unevaluated', 'spec'],
      ['cel-unevaluated', 'spec'],
    ]);
    expect(unevaluated[1].message).toContain('frobnicate');
  });
});
