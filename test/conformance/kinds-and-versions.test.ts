import { bundleDir, capiCluster } from './fixtures';
import { ConformanceChecker, FindingSeverity } from '../../src/conformance';

const checker = new ConformanceChecker({ bundleDir: bundleDir(), defaultNamespace: 'default' });

function summary(obj: any): string[][] {
  return checker.validateObject(obj).map((f) => [f.severity, f.code, f.path]);
}

describe('apiVersion and kind', () => {
  test('an API group no pinned CRD serves is an error', () => {
    const found = checker.validateObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'x' } });
    expect(found.map((f) => [f.severity, f.code])).toEqual([[FindingSeverity.ERROR, 'unknown-kind']]);
    expect(found[0].message).toContain('monitoring.coreos.com');
  });

  test('a kind the group does not have is an error listing the kinds it has', () => {
    const found = checker.validateObject({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Clusters', metadata: { name: 'x' } });
    expect(found.map((f) => [f.code, f.path])).toEqual([['unknown-kind', 'kind']]);
    expect(found[0].message).toContain('Cluster, ClusterClass');
  });

  test('a version the CRD does not serve is an error naming the served versions', () => {
    const found = checker.validateObject({ ...capiCluster(), apiVersion: 'cluster.x-k8s.io/v1alpha4' });
    expect(found.map((f) => [f.code, f.path])).toEqual([['version-not-served', 'apiVersion']]);
    expect(found[0].message).toContain('cluster.x-k8s.io/v1beta2');
    expect(summary({ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'x' } })).toEqual([[FindingSeverity.ERROR, 'version-not-served', 'apiVersion']]);
  });

  test('a deprecated CRD version is a warning', () => {
    const v1beta1 = { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'demo' }, spec: {} };
    expect(summary(v1beta1)).toEqual([[FindingSeverity.WARNING, 'deprecated-version', 'apiVersion']]);
  });

  test('built-in kinds get metadata checks and one note per kind that they were not schema-checked', () => {
    const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: 'b' } });
    const found = checker.validateObjects([secret('a'), secret('b'), secret('Bad'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }]);
    expect(found.map((f) => [f.severity, f.code, f.kind])).toEqual([
      [FindingSeverity.INFO, 'no-schema', 'Secret'],
      [FindingSeverity.ERROR, 'name', 'Secret'],
      [FindingSeverity.INFO, 'no-schema', 'Deployment'],
    ]);
    const vap = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p', namespace: 'x' } };
    expect(summary(vap)).toEqual([[FindingSeverity.ERROR, 'scope', 'metadata.namespace'], [FindingSeverity.INFO, 'no-schema', '']]);
  });

  test('malformed input yields findings, never a stack trace', () => {
    expect(summary('not an object')).toEqual([[FindingSeverity.ERROR, 'malformed', '']]);
    expect(summary(null)).toEqual([[FindingSeverity.ERROR, 'malformed', '']]);
    expect(summary([1, 2])).toEqual([[FindingSeverity.ERROR, 'malformed', '']]);
    expect(summary({ kind: 'Cluster', metadata: { name: 'x' } })).toEqual([[FindingSeverity.ERROR, 'malformed', 'apiVersion']]);
    expect(summary({ apiVersion: 'v1' })).toEqual([[FindingSeverity.ERROR, 'malformed', 'kind']]);
    expect(summary({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'x' }, spec: 'oops' })).toEqual([[FindingSeverity.ERROR, 'type', 'spec']]);
  });

  test('a v1 List is validated item by item', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [capiCluster(), { ...capiCluster(), spec: { nope: true } }] };
    expect(checker.validateObject(list).map((f) => [f.code, f.path])).toEqual([['unknown-field', 'spec.nope']]);
  });

  test('an object that is not plain JSON is reported, not thrown', () => {
    const cyclic: any = { ...capiCluster(), spec: {} };
    cyclic.spec.self = cyclic;
    expect(summary(cyclic)).toEqual([[FindingSeverity.ERROR, 'malformed', '']]);
  });
});
