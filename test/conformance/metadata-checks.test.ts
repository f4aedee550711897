import { bundleDir, capiCluster } from './fixtures';
import { ConformanceChecker, FindingSeverity, type ConformanceFinding } from '../../src/conformance';

const strict = new ConformanceChecker({ bundleDir: bundleDir() });
const withDefaultNamespace = new ConformanceChecker({ bundleDir: bundleDir(), defaultNamespace: 'tenants' });

function errors(obj: any, checker = strict): ConformanceFinding[] {
  return checker.validateObject(obj).filter((f) => f.severity === FindingSeverity.ERROR);
}

function codesAndPaths(obj: any, checker = strict): string[][] {
  return errors(obj, checker).map((f) => [f.code, f.path]);
}

function withMetadata(metadata: any): any {
  return { ...capiCluster(), metadata };
}

const tenant = (metadata: any) => ({
  apiVersion: 'capsule.clastix.io/v1beta2',
  kind: 'Tenant',
  metadata,
  spec: { owners: [{ kind: 'User', name: 'alice' }] },
});

describe('metadata checks', () => {
  test('a namespaced kind without a namespace is an error unless a default namespace applies', () => {
    const cluster = withMetadata({ name: 'demo' });
    expect(codesAndPaths(cluster)).toEqual([['namespace', 'metadata.namespace']]);
    expect(errors(cluster, withDefaultNamespace)).toEqual([]);
  });

  test('findings carry the namespace the object lands in', () => {
    const found = errors({ ...withMetadata({ name: 'demo' }), spec: { bogus: 1 } }, withDefaultNamespace);
    expect(found[0]).toMatchObject({ namespace: 'tenants', name: 'demo' });
  });

  test('a cluster-scoped kind must not carry a namespace', () => {
    expect(errors(tenant({ name: 'solar' }))).toEqual([]);
    const found = errors(tenant({ name: 'solar', namespace: 'default' }));
    expect(found.map((f) => [f.code, f.path])).toEqual([['scope', 'metadata.namespace']]);
    expect(found[0].message).toContain('cluster-scoped');
  });

  test('names must be DNS-1123 subdomains; namespaces DNS-1123 labels', () => {
    expect(codesAndPaths(withMetadata({ name: 'My_Cluster', namespace: 'tenants' }))).toEqual([['name', 'metadata.name']]);
    expect(codesAndPaths(withMetadata({ name: 'a'.repeat(254), namespace: 'tenants' }))).toEqual([['name', 'metadata.name']]);
    expect(errors(withMetadata({ name: 'a.b-c', namespace: 'tenants' }))).toEqual([]);
    expect(codesAndPaths(withMetadata({ name: 'demo', namespace: 'tenants.example' }))).toEqual([['namespace', 'metadata.namespace']]);
    expect(codesAndPaths(withMetadata({ namespace: 'tenants' }))).toEqual([['name', 'metadata.name']]);
    expect(errors(withMetadata({ generateName: 'demo-', namespace: 'tenants' }))).toEqual([]);
  });

  test('some built-in kinds have stricter or looser name rules', () => {
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    expect(errors(ns('tenant-a'))).toEqual([]);
    expect(codesAndPaths(ns('tenant.a'))).toEqual([['name', 'metadata.name']]);
    expect(codesAndPaths(ns('t'.repeat(64)))).toEqual([['name', 'metadata.name']]);
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1api', namespace: 'default' } };
    expect(codesAndPaths(service)).toEqual([['name', 'metadata.name']]);
    const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:kmetal:viewer' } };
    expect(errors(clusterRole)).toEqual([]);
  });

  test('label keys and values, annotation keys', () => {
    const labels = {
      'app.kubernetes.io/name': 'demo',
      'bad value': 'x',
      'ok': 'not ok!',
      'too-long': 'v'.repeat(64),
      'number': 3,
    };
    expect(codesAndPaths(withMetadata({ name: 'demo', namespace: 'tenants', labels }))).toEqual([
      ['label', 'metadata.labels["bad value"]'],
      ['label', 'metadata.labels.ok'],
      ['label', 'metadata.labels.too-long'],
      ['type', 'metadata.labels.number'],
    ]);
    const annotations = { 'Example.com/Note': 'upper case is fine in annotation keys', 'a/b/c': 'x' };
    expect(codesAndPaths(withMetadata({ name: 'demo', namespace: 'tenants', annotations }))).toEqual([
      ['annotation', 'metadata.annotations["a/b/c"]'],
    ]);
  });

  test('fields ObjectMeta does not have are errors; server-set fields are warnings', () => {
    const findings = strict.validateObject(withMetadata({ name: 'demo', namespace: 'tenants', label: { a: 'b' }, uid: '123', creationTimestamp: null }));
    expect(findings.map((f) => [f.severity, f.code, f.path])).toEqual([
      [FindingSeverity.ERROR, 'unknown-field', 'metadata.label'],
      [FindingSeverity.WARNING, 'read-only-field', 'metadata.uid'],
    ]);
  });

  test('metadata of the wrong shape is reported, not thrown', () => {
    expect(codesAndPaths(withMetadata('demo'))).toEqual([['type', 'metadata']]);
    expect(codesAndPaths({ ...capiCluster(), metadata: undefined })).toEqual([['required', 'metadata']]);
    expect(codesAndPaths(withMetadata({ name: 'demo', namespace: 'tenants', finalizers: ['bad finalizer'] }))).toEqual([['finalizer', 'metadata.finalizers[0]']]);
  });
});
