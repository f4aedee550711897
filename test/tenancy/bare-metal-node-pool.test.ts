import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import {
  BareMetalHostSpec, BareMetalNodePool, BareMetalPool, ClusterInfrastructure, ControlPlaneVipPool, FluxTree, HostClaims, MachineImage,
  MetalDiskFormat, MetalImage, PlatformBoundaries, PlatformUnderCluster, TenantCluster, TenantClusterProps,
} from '../../src';
import { expectError } from '../baremetal/fixtures';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const METAL_IMAGE = MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.33.2.raw', checksum: 'b'.repeat(64), format: MetalDiskFormat.RAW });
const VM_IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function a100(n: number, extra: Partial<BareMetalHostSpec> = {}): BareMetalHostSpec {
  return {
    name: `gpu-${n}`,
    bmc: { address: `redfish-virtualmedia://10.20.0.${n}/redfish/v1/Systems/1`, credentialsName: `gpu-${n}-bmc` },
    labels: { 'kmetal.io/role': 'tenant-metal', 'kmetal.io/gpu': 'a100' },
    capacity: { cpuCores: 64, memoryGiB: 1024, gpus: [{ model: 'nvidia-a100-80gb', count: 8 }] },
    ...extra,
  };
}

/** Two A100 tenant-metal servers, one plain tenant-metal server and one under-cluster VM host, in tenant-acme. */
function servers(chart: Chart, hosts?: BareMetalHostSpec[]): BareMetalPool {
  return new BareMetalPool(chart, 'acme-servers', {
    namespace: 'tenant-acme',
    hosts: hosts ?? [
      a100(1),
      a100(2),
      a100(3, { labels: { 'kmetal.io/role': 'tenant-metal' }, capacity: { cpuCores: 32, memoryGiB: 256 } }),
      a100(4, { labels: { 'kmetal.io/role': 'worker', 'kmetal.io/gpu': 'a100' } }),
    ],
  });
}

function metalCluster(chart: Chart, props: Partial<TenantClusterProps> = {}, id = 'acme'): TenantCluster {
  return new TenantCluster(chart, id, {
    version: 'v1.33.2',
    infrastructure: ClusterInfrastructure.METAL3,
    controlPlane: { endpointAddress: '192.0.2.10' },
    ...props,
  });
}

/** Every construct validation of the app, as synth runs them. */
function validationErrors(chart: Chart): string[] {
  return chart.node.root.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${c.node.path}] ${m}`));
}

describe('a tenant cluster of whole servers (Metal3 infrastructure)', () => {
  const { chart } = newChart();
  const pool = servers(chart);
  const cluster = metalCluster(chart);
  const gpu = cluster.addNodePool({ name: 'gpu', replicas: 2, bareMetal: { pool, hostLabels: { 'kmetal.io/gpu': 'a100' }, image: METAL_IMAGE } }) as BareMetalNodePool;
  const objects = chart.toJson();
  const md = findObject(objects, 'MachineDeployment', 'acme-gpu');
  const template = findObject(objects, 'Metal3MachineTemplate', md.spec.template.spec.infrastructureRef.name);

  test('every object is valid against the pinned CRDs (schema and CEL), and the pool fits its servers', () => {
    expect(conformanceErrors(objects)).toBe('');
    expect(validationErrors(chart)).toEqual([]);
  });

  test('the Cluster\'s one infrastructure cluster is a Metal3Cluster stating the Kamaji endpoint', () => {
    const c = findObject(objects, 'Cluster', 'acme');
    expect(c.spec.infrastructureRef).toEqual({ apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3Cluster', name: 'acme' });
    expect(c.spec.clusterNetwork.apiServerPort).toBe(6443);
    expect(ofKind(objects, 'KubevirtCluster')).toEqual([]);
    const m3c = findObject(objects, 'Metal3Cluster', 'acme');
    expect(m3c.apiVersion).toBe('infrastructure.cluster.x-k8s.io/v1beta2');
    // The Kamaji provider checks this against the control plane's address (it never patches it).
    expect(m3c.spec).toEqual({ controlPlaneEndpoint: { host: '192.0.2.10', port: 6443 }, cloudProviderEnabled: false });
    expect(findObject(objects, 'KamajiControlPlane', 'acme').spec.network.serviceAddress).toBe('192.0.2.10');
  });

  test('machines are Metal3 machines selecting the pool\'s tenant-metal A100 servers only', () => {
    expect(md.spec.template.spec.infrastructureRef.kind).toBe('Metal3MachineTemplate');
    expect(md.spec.replicas).toBe(2);
    expect(template.metadata.namespace).toBe('tenant-acme');
    expect(template.spec.template.spec.hostSelector).toEqual({ matchLabels: { 'kmetal.io/gpu': 'a100', 'kmetal.io/pool': 'acme-servers', 'kmetal.io/role': 'tenant-metal' } });
    // gpu-4 carries the A100 label too, but it is an under-cluster VM host: never handed to a tenant.
    expect(gpu.infrastructure.matchingHosts.map((h) => h.hostName)).toEqual(['gpu-1', 'gpu-2']);
    expect(gpu.assignedHosts.map((h) => h.hostName)).toEqual(['gpu-1', 'gpu-2']);
    const data = findObject(objects, 'Metal3DataTemplate', template.spec.template.spec.dataTemplate.name);
    expect(data.spec.clusterName).toBe('acme');
    expect(gpu.gpus).toEqual([]);
  });

  test('scale-down returns servers to the pool wiped: cleaning on, no node reuse, replace before surge', () => {
    expect(template.spec.nodeReuse).toBe(false);
    expect(template.spec.template.spec.automatedCleaningMode).toBe('metadata');
    expect(md.spec.rollout.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  });

  test('the host claims model is what the pool reads, with the capacity of the servers it gets', () => {
    const [allocation] = HostClaims.of(chart).allocations;
    expect(allocation.claim.cluster).toBe('tenant-acme/acme');
    expect(allocation.claim.hostsWanted).toBe(2);
    expect(allocation.shortfall).toBe(0);
    expect(allocation.capacity).toMatchObject({ hostCount: 2, gpuCount: 16, cpuCores: 128 });
    expect(HostClaims.of(chart).claimedHosts.map((h) => h.hostName)).toEqual(['gpu-1', 'gpu-2']);
  });
});

describe('capacity: servers are counted per host, and claims do not share them', () => {
  test('a pool larger than the matching free hosts is refused at synth with the host count', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    metalCluster(chart).addNodePool({ name: 'gpu', replicas: 3, bareMetal: { pool, hostLabels: { 'kmetal.io/gpu': 'a100' }, image: METAL_IMAGE } });
    const errors = validationErrors(chart);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[test\/acme\/Pool-gpu\] bareMetal: pool "gpu" of tenant-acme\/acme needs 3 whole server\(s\)/);
    expect(errors[0]).toContain('only 2 of the 2 host(s) of bare-metal pool "acme-servers" matching {"kmetal.io/gpu":"a100","kmetal.io/pool":"acme-servers","kmetal.io/role":"tenant-metal"} are free');
    expect(errors[0]).toContain('Fix: lower replicas (maxReplicas when autoscaled) to at most 2, or add servers labelled {"kmetal.io/gpu":"a100","kmetal.io/role":"tenant-metal"} to pool "acme-servers"');
  });

  test('an autoscaled pool needs its maxReplicas in servers', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    metalCluster(chart).addNodePool({ name: 'any', minReplicas: 1, maxReplicas: 4, bareMetal: { pool, image: METAL_IMAGE } });
    expect(validationErrors(chart).join('\n')).toMatch(/needs 4 whole server\(s\).*only 3 of the 3 host\(s\)/);
  });

  test('two pools wanting the same servers: the assignment serves both if it can, else names the competitor', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    const cluster = metalCluster(chart);
    // "any" could take an A100 server, but the assignment gives it gpu-3 so that "gpu" gets both A100s.
    const anyPool = cluster.addNodePool({ name: 'any', replicas: 1, bareMetal: { pool, image: METAL_IMAGE } }) as BareMetalNodePool;
    const gpuPool = cluster.addNodePool({ name: 'gpu', replicas: 2, bareMetal: { pool, hostLabels: { 'kmetal.io/gpu': 'a100' }, image: METAL_IMAGE } }) as BareMetalNodePool;
    expect(validationErrors(chart)).toEqual([]);
    expect(anyPool.assignedHosts.map((h) => h.hostName)).toEqual(['gpu-3']);
    expect(gpuPool.assignedHosts.map((h) => h.hostName)).toEqual(['gpu-1', 'gpu-2']);

    const second = metalCluster(chart, { namespace: 'tenant-acme', name: 'acme-b' }, 'acme-b');
    second.addNodePool({ name: 'gpu', replicas: 1, bareMetal: { pool, hostLabels: { 'kmetal.io/gpu': 'a100' }, image: METAL_IMAGE } });
    const errors = validationErrors(chart).filter((e) => e.includes('whole server'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/acme-b\/Pool-gpu\] bareMetal: pool "gpu" of tenant-acme\/acme-b needs 1 whole server\(s\).*only 0 of the 2 host\(s\).*2 of them are needed by test\/acme\/Pool-gpu, so 1 machine\(s\) would wait forever for a server\. Fix: add servers/);
  });

  test('servers added after the pool count (the check runs at synth)', () => {
    const { chart } = newChart();
    const pool = servers(chart, [a100(1)]);
    metalCluster(chart).addNodePool({ name: 'gpu', replicas: 2, bareMetal: { pool, image: METAL_IMAGE } });
    expect(validationErrors(chart)).toHaveLength(1);
    pool.addHost(a100(2));
    expect(validationErrors(chart)).toEqual([]);
  });
});

describe('bad inputs', () => {
  test('a metal pool in a KubeVirt cluster is an error naming the fix', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    const vmCluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: VM_IMAGE });
    expectError(() => vmCluster.addNodePool({ name: 'gpu', bareMetal: { pool, image: METAL_IMAGE } }), 'test/acme', 'nodePools[0].bareMetal',
      /runs on whole servers, but the cluster's workers are KubeVirt VMs.*Fix: declare the metal pool in a cluster of its own with infrastructure: ClusterInfrastructure.METAL3/);
  });

  test('a VM pool in a Metal3 cluster is refused', () => {
    const { chart } = newChart();
    servers(chart);
    const cluster = metalCluster(chart);
    expectError(() => cluster.addNodePool({ name: 'general', replicas: 2 }), 'test/acme', 'nodePools[0].bareMetal', /has no bareMetal servers/);
  });

  test('hosts in another namespace than the cluster\'s are refused: Metal3 claims hosts only in its machines\' namespace', () => {
    const { chart } = newChart();
    const shared = new BareMetalPool(chart, 'shared', { namespace: 'metal3', hosts: [a100(1)] });
    const cluster = metalCluster(chart);
    expectError(() => cluster.addNodePool({ name: 'gpu', replicas: 1, bareMetal: { pool: shared, image: METAL_IMAGE } }), 'test/acme/Pool-gpu', 'bareMetal.pool',
      /keeps its hosts in namespace "metal3".*Fix: declare a BareMetalPool for this tenant's servers in namespace "tenant-acme"/);
  });

  test('VM sizing options do not apply to whole servers', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    const cluster = metalCluster(chart);
    expectError(() => cluster.addNodePool({ name: 'gpu', cpuCores: 16, bareMetal: { pool, image: METAL_IMAGE } }), 'test/acme/Pool-gpu', 'cpuCores', /takes whole servers/);
  });

  test('a tenant pool cannot ask for the under cluster\'s own hosts by role', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    const cluster = metalCluster(chart);
    expectError(() => cluster.addNodePool({ name: 'gpu', bareMetal: { pool, hostLabels: { 'kmetal.io/role': 'worker' }, image: METAL_IMAGE } }), 'test/acme/Pool-gpu',
      'bareMetal.hostLabels.kmetal.io/role', /tenant pools take only servers labelled kmetal.io\/role=tenant-metal/);
  });

  test('an image without a bare-metal variant is refused', () => {
    const { chart } = newChart();
    const pool = servers(chart);
    const cluster = metalCluster(chart, { defaultImage: VM_IMAGE });
    expectError(() => cluster.addNodePool({ name: 'gpu', bareMetal: { pool } }), 'test/acme/Pool-gpu', 'bareMetal.image', /not an image for bare-metal servers/);
  });

  test('a Metal3 cluster needs its control-plane address at synth (the Kamaji provider checks the Metal3Cluster\'s)', () => {
    const { chart } = newChart();
    expectError(() => new TenantCluster(chart, 'acme', { version: 'v1.33.2', infrastructure: ClusterInfrastructure.METAL3 }), 'test/acme', 'controlPlane.endpointAddress', /needs its control-plane address at synth/);
  });
});

describe('on a platform: the Flux tree passes conformance and the reconcile check', () => {
  test('hosts, credentials by reference, templates and the cluster land in the tenant\'s unit', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'metal-pools-'));
    try {
      const app = new App();
      const platform = new PlatformUnderCluster(app, 'platform', {
        releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
        defaultNodeImage: VM_IMAGE,
        provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
      });
      platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'vips', { addresses: ['192.0.2.0/28'] });
      const pool = new BareMetalPool(platform.tenantUnit('acme'), 'servers', { namespace: 'tenant-acme', hosts: [a100(1), a100(2)] });
      platform.addTenantCluster('acme', {
        version: 'v1.33.2',
        infrastructure: ClusterInfrastructure.METAL3,
        nodePools: [{ name: 'gpu', replicas: 2, bareMetal: { pool, image: METAL_IMAGE } }],
      });
      const result = FluxTree.synth(app, { outdir, appName: 'app' });
      expect(result.reconcileFindings.filter((f: any) => f.severity === 'error')).toEqual([]);
      const dir = path.join(outdir, 'app', 'tenants', 'acme');
      const docs = fs.readdirSync(dir).filter((f) => f !== 'kustomization.yaml')
        .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON()));
      const host = docs.find((d) => d.kind === 'BareMetalHost' && d.metadata.name === 'gpu-1');
      expect(host.metadata.namespace).toBe('tenant-acme');
      expect(host.spec.bmc.credentialsName).toBe('gpu-1-bmc');
      expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
      const m3c = docs.find((d) => d.kind === 'Metal3Cluster');
      expect(m3c.spec.controlPlaneEndpoint).toEqual({ host: docs.find((d) => d.kind === 'KamajiControlPlane').spec.network.serviceAddress, port: 6443 });
      expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['Metal3MachineTemplate', 'Metal3DataTemplate', 'MachineDeployment', 'Namespace']));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('platform boundaries count the servers of bare-metal pools', () => {
  test('nodes, servers per pool and GPUs of the richest matching servers are bounded', () => {
    const { chart } = newChart();
    new PlatformBoundaries(chart, 'Boundaries', { maxReplicasPerPool: 1, maxNodesPerCluster: 2, maxGpusPerCluster: 8 });
    const pool = servers(chart);
    const cluster = metalCluster(chart);
    // Two A100 hosts (8 GPUs each) and one without GPUs match role tenant-metal: two servers may be the two A100s.
    cluster.addNodePool({ name: 'gpu', replicas: 2, bareMetal: { pool, image: METAL_IMAGE } });
    const errors = validationErrors(chart).filter((e) => e.includes('platform boundaries'));
    expect(errors).toEqual([
      '[test/acme] nodePools.gpu.replicas: 2 servers are outside the platform boundaries of test/Boundaries (at most 1 per pool). Fix: lower replicas/maxReplicas to 1, or split the pool',
      expect.stringContaining('[test/acme] nodePools: 16 GPUs at most are outside'),
    ]);
  });

  test('a metal pool within the boundaries passes them', () => {
    const { chart } = newChart();
    new PlatformBoundaries(chart, 'Boundaries', { maxReplicasPerPool: 2, maxNodesPerCluster: 2, maxGpusPerCluster: 16 });
    const pool = servers(chart);
    metalCluster(chart).addNodePool({ name: 'gpu', replicas: 2, bareMetal: { pool, hostLabels: { 'kmetal.io/gpu': 'a100' }, image: METAL_IMAGE } });
    expect(validationErrors(chart).filter((e) => e.includes('platform boundaries'))).toEqual([]);
  });
});
