import { bundleDir, capiCluster } from './fixtures';
import { ConformanceChecker, FindingSeverity, formatFindings, type ConformanceFinding } from '../../src/conformance';

const checker = new ConformanceChecker({ bundleDir: bundleDir() });

function errors(obj: any): ConformanceFinding[] {
  return checker.validateObject(obj).filter((f) => f.severity === FindingSeverity.ERROR);
}

function codesAndPaths(obj: any): string[][] {
  return errors(obj).map((f) => [f.code, f.path]);
}

describe('structural schema checks', () => {
  test('a minimal CAPI v1beta2 Cluster conforms (the baseline the other cases break)', () => {
    expect(formatFindings(errors(capiCluster()))).toBe('');
  });

  test('an unknown field in a Cluster spec is an error a server would hide by pruning', () => {
    const found = errors(capiCluster({ controlPlaneEndpont: { host: '10.0.0.10', port: 6443 } }));
    expect(found.map((f) => [f.code, f.path])).toEqual([['unknown-field', 'spec.controlPlaneEndpont']]);
    expect(found[0].message).toContain('did you mean "controlPlaneEndpoint"');
    expect(found[0]).toMatchObject({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'demo', namespace: 'tenants' });
  });

  test('a string where the schema wants an integer is a type error', () => {
    const found = errors(capiCluster({ clusterNetwork: { apiServerPort: '6443' } }));
    expect(found.map((f) => [f.code, f.path])).toEqual([['type', 'spec.clusterNetwork.apiServerPort']]);
    expect(found[0].message).toMatch(/must be an integer, got string "6443"/);
  });

  test('integer bounds are checked', () => {
    expect(codesAndPaths(capiCluster({ clusterNetwork: { apiServerPort: 70000 } }))).toEqual([['maximum', 'spec.clusterNetwork.apiServerPort']]);
  });

  test('a value outside an enum names the allowed values', () => {
    const certificate = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { secretName: 'web-tls', issuerRef: { name: 'ca' }, privateKey: { algorithm: 'DSA' } },
    };
    const found = errors(certificate);
    expect(found.map((f) => [f.code, f.path])).toEqual([['enum', 'spec.privateKey.algorithm']]);
    expect(found[0].message).toContain('"RSA", "ECDSA", "Ed25519"');
  });

  test('a missing required field is reported at its own path', () => {
    const cluster = capiCluster({ topology: { version: 'v1.33.0' } });
    expect(codesAndPaths(cluster)).toEqual([['required', 'spec.topology.classRef']]);
  });

  test('a list of type map must not repeat a key', () => {
    const md = { name: 'md-0', class: 'default-worker' };
    const cluster = capiCluster({ topology: { classRef: { name: 'quick-start' }, version: 'v1.33.0', workers: { machineDeployments: [md, md] } } });
    const found = errors(cluster);
    expect(found.map((f) => [f.code, f.path])).toEqual([['duplicate', 'spec.topology.workers.machineDeployments[1]']]);
    expect(found[0].message).toContain('name="md-0"');
  });

  test('a KubeVirt VirtualMachine (schema derived from the OpenAPI document) rejects an unknown field', () => {
    const vm = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name: 'vm-0', namespace: 'tenants' },
      spec: {
        runStrategy: 'Always',
        template: {
          metadata: { labels: { 'kubevirt.io/vm': 'vm-0' } },
          spec: { domain: { devices: {}, memory: { guest: '2Gi' }, cpuCores: 2 } },
        },
      },
    };
    expect(codesAndPaths(vm)).toEqual([['unknown-field', 'spec.template.spec.domain.cpuCores']]);
    delete (vm.spec.template.spec.domain as any).cpuCores;
    expect(formatFindings(errors(vm))).toBe('');
  });

  test('Quantity fields of KubeVirt accept strings and integers, not other types', () => {
    const vm = (memory: unknown) => ({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name: 'vm-0', namespace: 'tenants' },
      spec: { template: { spec: { domain: { devices: {}, memory: { guest: memory } } } } },
    });
    expect(errors(vm('2Gi'))).toEqual([]);
    expect(errors(vm(2147483648))).toEqual([]);
    expect(codesAndPaths(vm(true))).toEqual([['type', 'spec.template.spec.domain.memory.guest']]);
    expect(codesAndPaths(vm('2 GiB'))).toEqual([['pattern', 'spec.template.spec.domain.memory.guest']]);
  });

  test('a required field satisfied by a schema default passes, as the server defaults before validating', () => {
    const oci = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      // verify.provider is required, with default "cosign"
      spec: { interval: '5m', url: 'oci://ghcr.io/stefanprodan/manifests/podinfo', verify: {} },
    };
    expect(formatFindings(errors(oci))).toBe('');
  });

  test('null values of non-nullable fields are pruned (a key with no value in YAML)', () => {
    const yaml = [
      'apiVersion: cluster.x-k8s.io/v1beta2',
      'kind: MachineDeployment',
      'metadata: { name: md-0, namespace: tenants }',
      'spec:',
      '  clusterName: demo',
      '  selector:',
      '    matchLabels:',
      '  template:',
      '    spec:',
      '      clusterName: demo',
      '      bootstrap: { dataSecretName: bootstrap }',
      '      infrastructureRef: { apiGroup: infrastructure.cluster.x-k8s.io, kind: KubevirtMachineTemplate, name: md-0 }',
    ].join('\n');
    expect(formatFindings(checker.validateYaml(yaml).filter((f) => f.severity === FindingSeverity.ERROR))).toBe('');
  });

  test('a null required field is pruned and then missing', () => {
    const oci = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '5m', url: null },
    };
    expect(codesAndPaths(oci)).toEqual([['required', 'spec.url']]);
  });

  test("the caller's object is not changed by pruning and defaulting", () => {
    const oci = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '5m', url: 'oci://x/y', verify: {}, ref: null },
    };
    const before = JSON.stringify(oci);
    checker.validateObject(oci);
    expect(JSON.stringify(oci)).toBe(before);
  });

  test('status is not validated when the kind has the status subresource (a server drops it on create)', () => {
    const cluster = { ...capiCluster(), status: { phase: 42, bogus: true } };
    const findings = checker.validateObject(cluster);
    expect(findings.filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
    expect(findings).toContainEqual(expect.objectContaining({ severity: FindingSeverity.WARNING, code: 'status-ignored', path: 'status' }));
  });
});
