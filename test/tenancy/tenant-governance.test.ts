import { Chart } from 'cdk8s';
import {
  LimitRangeType, MachineImage, PlatformBoundaries, SynthWarnings, TenantCluster, TenantClusterClass, TenantClusterProps,
  TenantGovernance, TenantOwnerKind,
} from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function cluster(chart: Chart, id: string, props: Partial<TenantClusterProps> = {}): TenantCluster {
  return new TenantCluster(chart, id, { version: 'v1.33.2', defaultImage: IMAGE, ...props });
}

function expectThrows(fn: () => unknown, path: string, field: string, text: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KmetalValidationError);
  const v = error as KmetalValidationError;
  expect(v.constructPath).toBe(path);
  expect(v.field).toBe(field);
  expect(v.message).toMatch(text);
  expect(v.message).toContain('Fix:');
}

/** The validation error cdk8s raises at synth, as text. */
function synthError(chart: Chart): string {
  try {
    chart.toJson();
  } catch (e: any) {
    return String(e.message);
  }
  throw new Error('synth succeeded');
}

describe('TenantGovernance, created with every TenantCluster', () => {
  const { chart } = newChart();
  cluster(chart, 'acme', {
    governance: {
      owners: [{ kind: TenantOwnerKind.GROUP, name: 'acme-admins', clusterRoles: ['view'] }],
      allowedStorageClasses: ['ceph-block'],
      defaultStorageClass: 'ceph-block',
      nodeSelector: { 'kmetal.io/host-pool': 'gpu' },
      limitRanges: [{ type: LimitRangeType.CONTAINER, max: { memory: '128Gi', cpu: '32' } }],
      networkPolicies: [{ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'capsule.clastix.io/tenant': 'acme' } } }] }] }],
      quota: { additional: { pods: '200' } },
    },
    etcd: { storageClassName: 'ceph-block' },
    nodePools: [
      { name: 'general', replicas: 3, cpuCores: 4, memoryGiB: 8 },
      { name: 'gpu', minReplicas: 1, maxReplicas: 4, cpuCores: 8, memoryGiB: 32, rootDiskGiB: 40, storageClassName: 'ceph-block', gpus: [{ deviceName: 'nvidia.com/GA102GL_A10', count: 2 }] },
    ],
  });
  const objects = chart.toJson();
  const tenant = findObject(objects, 'Tenant', 'acme');

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('emits a capsule.clastix.io/v1beta2 Tenant named after the cluster', () => {
    expect(tenant.apiVersion).toBe('capsule.clastix.io/v1beta2');
    expect(tenant.metadata).toEqual({ name: 'acme', labels: { 'kmetal.io/tenant': 'acme' } });
    expect(tenant.spec.owners).toEqual([{ kind: 'Group', name: 'acme-admins', clusterRoles: ['view'] }]);
    expect(tenant.spec.namespaceOptions).toEqual({ quota: 1 });
    expect(tenant.spec.storageClasses).toEqual({ allowed: ['ceph-block'], default: 'ceph-block' });
    expect(tenant.spec.nodeSelector).toEqual({ 'kmetal.io/host-pool': 'gpu' });
    expect(tenant.spec.limitRanges.items[0].limits).toEqual([{ type: 'Container', max: { memory: '128Gi', cpu: '32' } }]);
    expect(tenant.spec.networkPolicies.items[0].policyTypes).toEqual(['Ingress']);
  });

  test('derives tenant-scope quotas from the pools, control plane and etcd (with rolling-update surge)', () => {
    // general: (3+1) VMs × 4 vCPU; gpu: (4+1) × 8; API server (2+1) × 1; etcd 3 × 0.5 = 16 + 40 + 3 + 1.5
    // memory: 4 × (8 GiB + 256 Mi) + 5 × (32 GiB + 256 Mi) + 3 × 2 GiB + 3 × 1 GiB = 201 GiB + 2304 Mi
    expect(tenant.spec.resourceQuotas.scope).toBe('Tenant');
    expect(tenant.spec.resourceQuotas.items).toEqual([{
      hard: {
        'requests.cpu': '60500m',
        'requests.memory': `${201 * 1024 + 2304}Mi`,
        // 5 × 40 GiB root disks + 3 × 8 GiB etcd volumes
        'requests.storage': '224Gi',
        'count/virtualmachines.kubevirt.io': '9',
        'requests.nvidia.com/GA102GL_A10': '10',
        'pods': '200',
      },
    }]);
  });

  test('the quantities are strings in the output (not dropped by L1 converters)', () => {
    for (const v of Object.values(tenant.spec.resourceQuotas.items[0].hard)) expect(typeof v).toBe('string');
  });

  test('the cluster namespace is labelled for Capsule and ordered after the Tenant', () => {
    const ns = findObject(objects, 'Namespace', 'tenant-acme');
    expect(ns.metadata.labels).toEqual({ 'kmetal.io/tenant-cluster': 'acme', 'capsule.clastix.io/tenant': 'acme' });
    expect(objects.indexOf(tenant)).toBeLessThan(objects.indexOf(ns));
  });
});

describe('TenantGovernance, explicit quotas and shared tenants', () => {
  test('an explicit quota wins over the derived one, field by field', () => {
    const { chart } = newChart();
    cluster(chart, 'acme', {
      nodePools: [{ name: 'general', replicas: 2, cpuCores: 2, memoryGiB: 4 }],
      governance: { quota: { cpuCores: 64 } },
    });
    const hard = findObject(chart.toJson(), 'Tenant', 'acme').spec.resourceQuotas.items[0].hard;
    expect(hard['requests.cpu']).toBe('64');
    // (2+1) × (4 GiB + 256 Mi) + 3 × 2 GiB + 3 × 1 GiB
    expect(hard['requests.memory']).toBe(`${21 * 1024 + 768}Mi`);
  });

  test('a quota smaller than what the tenant\'s own pools request is an error', () => {
    const { chart } = newChart();
    const c = cluster(chart, 'acme', {
      nodePools: [{ name: 'general', replicas: 3, cpuCores: 4, memoryGiB: 8 }],
      governance: { quota: { cpuCores: 8, memoryGiB: 1000, gpus: { 'nvidia.com/GA102GL_A10': 1 } } },
    });
    // Pools added later count too: the check runs at synth.
    c.addNodePool({ name: 'gpu', replicas: 1, gpus: [{ deviceName: 'nvidia.com/GA102GL_A10', count: 2 }] });
    const message = synthError(chart);
    expect(message).toContain('[test/acme/Governance] quota.cpuCores: 8 cores is less than the tenant\'s own clusters request (17500m');
    expect(message).toContain('general 3×(4 vCPU, 8 GiB)');
    expect(message).toContain('quota.gpus.nvidia.com/GA102GL_A10: 1 is less than');
    expect(message).not.toContain('quota.memoryGiB');
  });

  test('a storage class the tenant does not allow, used by its own disks, is an error', () => {
    const { chart } = newChart();
    cluster(chart, 'acme', {
      nodePools: [{ name: 'data', replicas: 1, rootDiskGiB: 20, storageClassName: 'local-path' }],
      governance: { allowedStorageClasses: ['ceph-block'] },
      etcd: { storageClassName: 'ceph-block' },
    });
    expect(synthError(chart)).toMatch(/allowedStorageClasses: cluster acme's pool data uses storage class "local-path"/);
  });

  test('a limit range below the biggest VM is an error', () => {
    const { chart } = newChart();
    cluster(chart, 'acme', {
      nodePools: [{ name: 'big', replicas: 1, memoryGiB: 64 }],
      governance: { limitRanges: [{ type: LimitRangeType.CONTAINER, max: { memory: '32Gi' } }] },
    });
    expect(synthError(chart)).toMatch(/limitRanges: Container max memory 32Gi is below the VMs of acme\/big/);
  });

  test('one tenant for several clusters: namespaces counted, quotas summed', () => {
    const { chart } = newChart();
    const gov = new TenantGovernance(chart, 'Acme', { tenantName: 'acme' });
    const a = cluster(chart, 'acme-prod', { createGovernance: false, nodePools: [{ name: 'w', replicas: 1, cpuCores: 2 }] });
    const b = cluster(chart, 'acme-dev', { createGovernance: false, nodePools: [{ name: 'w', replicas: 1, cpuCores: 2 }] });
    gov.addCluster(a);
    gov.addCluster(b);
    const objects = chart.toJson();
    expect(ofKind(objects, 'Tenant')).toHaveLength(1);
    const tenant = findObject(objects, 'Tenant', 'acme');
    expect(tenant.spec.namespaceOptions.quota).toBe(2);
    // per cluster: (1+1) × 2 vCPU + 3 × 1 + 3 × 0.5 = 8.5
    expect(tenant.spec.resourceQuotas.items[0].hard['requests.cpu']).toBe('17');
    for (const ns of ['tenant-acme-prod', 'tenant-acme-dev']) {
      expect(findObject(objects, 'Namespace', ns).metadata.labels['capsule.clastix.io/tenant']).toBe('acme');
    }
    expect(conformanceErrors(ofKind(objects, 'Tenant'))).toBe('');
  });

  test('a cluster cannot belong to two tenants', () => {
    const { chart } = newChart();
    const c = cluster(chart, 'acme');
    const gov = new TenantGovernance(chart, 'other');
    expectThrows(() => gov.addCluster(c), 'test/other', 'clusters', /already governed by test\/acme\/Governance/);
  });

  test('two Tenants of one name are refused (Tenants are cluster-scoped)', () => {
    const { chart } = newChart();
    cluster(chart, 'acme');
    expectThrows(() => new TenantGovernance(chart, 'again', { tenantName: 'acme' }), 'test/again', 'tenantName', /already declared by test\/acme\/Governance/);
  });

  test('opting out emits no Tenant and leaves the namespace unlabelled', () => {
    const { chart } = newChart();
    const c = cluster(chart, 'acme', { createGovernance: false });
    expect(c.governance).toBeUndefined();
    const objects = chart.toJson();
    expect(ofKind(objects, 'Tenant')).toEqual([]);
    expect(findObject(objects, 'Namespace', 'tenant-acme').metadata.labels).toEqual({ 'kmetal.io/tenant-cluster': 'acme' });
  });

  test('governance options together with the opt-out are refused', () => {
    const { chart } = newChart();
    expectThrows(() => cluster(chart, 'acme', { createGovernance: false, governance: { owners: [] } }), 'test/acme', 'governance', /createGovernance: false/);
  });

  test('a cluster whose namespace is created elsewhere gets a warning, printed once per app', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { chart } = newChart();
      cluster(chart, 'acme', { createNamespace: false });
      expect(() => chart.toJson()).not.toThrow();
      chart.toJson();
      expect(SynthWarnings.of(chart)).toEqual([{
        path: 'test/acme',
        message: expect.stringContaining('must set capsule.clastix.io/tenant=acme'),
      }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^\[kmetal\] warning \[test\/acme\] namespace tenant-acme is not emitted/);
    } finally {
      warn.mockRestore();
    }
  });

  test('class-based clusters count their pools from the class variables', () => {
    const { chart } = newChart();
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE, workerClasses: [{ name: 'worker', cpuCores: 4, memoryGiB: 16 }] });
    new TenantCluster(chart, 'acme', {
      clusterClass: golden,
      nodePools: [{ name: 'a', replicas: 2 }, { name: 'b', replicas: 1, cpuCores: 8 }],
    });
    const objects = chart.toJson();
    const hard = findObject(objects, 'Tenant', 'acme').spec.resourceQuotas.items[0].hard;
    // a: 3 × 4 (class default), b: 2 × 8 (override), API server 3 × 1, etcd 1.5
    expect(hard['requests.cpu']).toBe('32500m');
    expect(conformanceErrors(ofKind(objects, 'Tenant'))).toBe('');
  });

  test('bad owners are refused with the construct path, field and fix', () => {
    const { chart } = newChart();
    expectThrows(
      () => cluster(chart, 'acme', { governance: { owners: [{ kind: TenantOwnerKind.SERVICE_ACCOUNT, name: 'ci' }] } }),
      'test/acme/Governance', 'owners[0].name', /not a service account user name/,
    );
  });
});

describe('PlatformBoundaries', () => {
  function fleet(declareFirst: boolean): { chart: Chart } {
    const { chart } = newChart();
    const declare = () => new PlatformBoundaries(chart, 'Boundaries', {
      allowedKubernetesVersions: ['v1.33', 'v1.32.4'],
      maxReplicasPerPool: 5,
      maxGpusPerCluster: 4,
      allowedImages: ['quay.io/capk/*'],
    });
    if (declareFirst) declare();
    cluster(chart, 'ok', { nodePools: [{ name: 'w', replicas: 5 }] });
    cluster(chart, 'bad', {
      version: 'v1.34.1',
      nodePools: [
        { name: 'big', minReplicas: 1, maxReplicas: 8 },
        { name: 'gpu', replicas: 3, gpus: [{ deviceName: 'nvidia.com/GA102GL_A10', count: 2 }], image: MachineImage.containerDisk('docker.io/evil/node:v1') },
      ],
    });
    if (!declareFirst) declare();
    return { chart };
  }

  test.each([true, false])('every cluster is checked at synth, whether the boundaries come first (%s) or last', (first) => {
    const message = synthError(fleet(first).chart);
    expect(message).toContain('[test/bad] version: v1.34.1 is outside the platform boundaries of test/Boundaries (allowed: v1.33, v1.32.4)');
    expect(message).toContain('[test/bad] nodePools.big.replicas: 8 VMs are outside');
    expect(message).toContain('[test/bad] nodePools.gpu.image: "docker.io/evil/node:v1" is outside');
    expect(message).toContain('[test/bad] nodePools: 6 GPUs at most are outside');
    expect(message).not.toContain('[test/ok]');
  });

  test('found on a scope with of(), nearest first', () => {
    const { chart } = newChart();
    const b = new PlatformBoundaries(chart, 'Boundaries', { maxReplicasPerPool: 3 });
    const c = cluster(chart, 'acme');
    expect(PlatformBoundaries.of(c)).toBe(b);
    expect(PlatformBoundaries.of(newChart().chart)).toBeUndefined();
  });

  test('one per scope', () => {
    const { chart } = newChart();
    new PlatformBoundaries(chart, 'A');
    expectThrows(() => new PlatformBoundaries(chart, 'B'), 'test/B', 'scope', /already declares/);
  });

  test('malformed versions are refused', () => {
    const { chart } = newChart();
    expectThrows(() => new PlatformBoundaries(chart, 'B', { allowedKubernetesVersions: ['1.33.x'] }), 'test/B', 'allowedKubernetesVersions[0]', /neither a minor/);
  });
});
