import { MachineImage, NodeNetwork, TenantCluster, TenantClusterClass } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const UBUNTU_133 = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');
const UBUNTU_134 = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.34.0');

function fleet(n: number, edit?: (cls: TenantClusterClass) => void): any[] {
  const { chart } = newChart();
  const cls = new TenantClusterClass(chart, 'golden', {
    defaultVersion: 'v1.33.2',
    defaultImage: UBUNTU_133,
    workerClasses: [{ name: 'worker', cpuCores: 2, memoryGiB: 4 }, { name: 'large', cpuCores: 16, memoryGiB: 64 }],
  });
  for (let i = 0; i < n; i++) {
    new TenantCluster(chart, `t${i}`, { clusterClass: cls, nodePools: [{ name: 'md0', replicas: 2 }] });
  }
  edit?.(cls);
  return chart.toJson();
}

describe('TenantClusterClass', () => {
  const objects = fleet(2);

  test('class, templates and clusters are valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('emits a ClusterClass with Kamaji, KubeVirt and kubeadm templates it references', () => {
    const cc = findObject(objects, 'ClusterClass', 'golden');
    expect(cc.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(cc.spec.controlPlane.templateRef).toEqual({ apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha2', kind: 'KamajiControlPlaneTemplate', name: 'golden-control-plane' });
    const workerRefs = cc.spec.workers.machineDeployments.flatMap((m: any) => [m.bootstrap.templateRef, m.infrastructure.templateRef]);
    const refs = [cc.spec.infrastructure.templateRef, ...workerRefs];
    for (const ref of [cc.spec.controlPlane.templateRef, ...refs]) {
      expect(findObject(objects, ref.kind, ref.name).metadata.namespace).toBe('kmetal-classes');
    }
    expect(cc.spec.workers.machineDeployments.map((m: any) => m.class)).toEqual(['worker', 'large']);
    expect(cc.spec.variables.map((v: any) => v.name)).toEqual(expect.arrayContaining(['dataStoreName', 'workerCpuCores', 'workerMemoryGiB', 'workerImage', 'workerSubnet', 'controlPlaneEndpointAddress']));
    const patchedPaths = cc.spec.patches.flatMap((p: any) => p.definitions.flatMap((d: any) => d.jsonPatches.map((j: any) => j.path)));
    expect(patchedPaths).toEqual(expect.arrayContaining(['/spec/template/spec/dataStoreName', '/spec/template/spec/virtualMachineTemplate/spec/template/spec/domain/cpu/cores']));
  });

  test('a cluster from the class is one Cluster with topology (plus namespace, datastore and cloud-controller-manager)', () => {
    const tenantObjects = objects.filter((o) => o.metadata.namespace === 'tenant-t0' || o.metadata.name === 'tenant-t0' || o.metadata.name === 't0-etcd');
    expect(tenantObjects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] !== 't0-ccm').map((o) => o.kind).sort()).toEqual(['Cluster', 'DataStore', 'HelmRelease', 'Namespace']);
    expect(tenantObjects.filter((o) => o.metadata.labels?.['app.kubernetes.io/instance'] === 't0-ccm').map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount']);
    const topology = findObject(objects, 'Cluster', 't0').spec.topology;
    expect(topology.classRef).toEqual({ name: 'golden', namespace: 'kmetal-classes' });
    expect(topology.version).toBe('v1.33.2');
    expect(topology.controlPlane.replicas).toBe(2);
    expect(topology.variables).toEqual(expect.arrayContaining([{ name: 'dataStoreName', value: 't0-etcd' }]));
    expect(topology.workers.machineDeployments).toEqual([{ class: 'worker', name: 'md0', replicas: 2, rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } } }]);
  });

  test('rolling the fleet: one edit of the class, every Cluster follows', () => {
    const before = ofKind(fleet(5), 'Cluster');
    const after = ofKind(fleet(5, (cls) => { cls.defaultVersion = 'v1.34.1'; cls.defaultImage = UBUNTU_134; }), 'Cluster');
    expect(before.every((c) => c.spec.topology.version === 'v1.33.2')).toBe(true);
    expect(after).toHaveLength(5);
    for (const c of after) {
      expect(c.spec.topology.version).toBe('v1.34.1');
      expect(c.spec.topology.variables).toContainEqual({ name: 'workerImage', value: 'quay.io/capk/ubuntu-2404-container-disk:v1.34.0' });
    }
  });

  test('a cluster that pins its own defaultImage boots it, and keeps it when the class\'s image moves', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    const custom = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu-gpu:v1.33.0');
    const pinned = new TenantCluster(chart, 'pinned', { clusterClass: cls, defaultImage: custom, nodePools: [{ name: 'md0' }] });
    const follower = new TenantCluster(chart, 'follower', { clusterClass: cls, nodePools: [{ name: 'md0' }] });
    cls.defaultImage = UBUNTU_134;
    const imageOf = (name: string) => findObject(chart.toJson(), 'Cluster', name).spec.topology.variables.find((v: any) => v.name === 'workerImage')?.value;
    expect(imageOf('pinned')).toBe('registry.example.com/kmetal/ubuntu-gpu:v1.33.0');
    expect(imageOf('follower')).toBe('quay.io/capk/ubuntu-2404-container-disk:v1.34.0');
    expect(pinned.defaultImage).toBe(custom);
    expect(follower.defaultImage).toBe(UBUNTU_134);
  });

  test('a class-based pool cannot be pinned to hosts (the class has no variable for it)', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    expect(() => new TenantCluster(chart, 'acme', { clusterClass: cls, nodePools: [{ name: 'md0', hostSelector: { 'kmetal.io/site': 'factory-a' } }] }))
      .toThrow(/\[test\/acme\/Pool-md0\] hostSelector: pools of a class-based cluster cannot set hostSelector/);
  });

  test('pool sizes become per-pool variable overrides; GPUs too', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    new TenantCluster(chart, 'gpu', {
      clusterClass: cls,
      variables: { workerSubnet: 'gpu-workers' },
      nodePools: [{ name: 'a100', replicas: 1, cpuCores: 16, memoryGiB: 128, gpus: [{ deviceName: 'nvidia.com/GA100_A100', count: 2 }] }],
    });
    const objs = chart.toJson();
    expect(conformanceErrors(objs)).toBe('');
    const topology = findObject(objs, 'Cluster', 'gpu').spec.topology;
    expect(topology.variables).toContainEqual({ name: 'workerSubnet', value: 'gpu-workers' });
    expect(topology.workers.machineDeployments[0].variables.overrides).toEqual([
      { name: 'workerCpuCores', value: 16 },
      { name: 'workerMemoryGiB', value: 128 },
      { name: 'workerGpuDeviceName', value: 'nvidia.com/GA100_A100' },
      { name: 'workerGpuCount', value: 2 },
    ]);
  });

  test('a variable the class does not declare is refused', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    expect(() => new TenantCluster(chart, 'x', { clusterClass: cls, variables: { workerCPU: 4 } })).toThrow(KmetalValidationError);
    expect(() => new TenantCluster(chart, 'y', { clusterClass: cls, variables: { workerCPU: 4 } })).toThrow(/\[test\/y\] variables.workerCPU: class "golden" declares no variable "workerCPU".*Fix: use one of: dataStoreName/);
  });

  test('pool settings the class cannot express are refused, not dropped', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    expect(() => new TenantCluster(chart, 'x', { clusterClass: cls, nodePools: [{ name: 'p', rootDiskGiB: 40 }] })).toThrow(/cannot set rootDiskGiB/);
    expect(() => new TenantCluster(chart, 'z', { clusterClass: cls, nodePools: [{ name: 'p', workerClass: 'nope' }] })).toThrow(/no worker class "nope"/);
  });
});

describe('TenantClusterClass networks', () => {
  test('a class-based cluster on a Kube-OVN subnet sets the workerSubnet variable from the network', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    new TenantCluster(chart, 'net', { clusterClass: cls, network: NodeNetwork.kubeOvnSubnet('net-workers') });
    expect(findObject(chart.toJson(), 'Cluster', 'net').spec.topology.variables).toContainEqual({ name: 'workerSubnet', value: 'net-workers' });
    expect(() => new TenantCluster(chart, 'mx', { clusterClass: cls, network: NodeNetwork.multus('ns/nad') })).toThrow(/cannot be expressed by the class/);
    expect(() => new TenantCluster(chart, 'both', { clusterClass: cls, network: NodeNetwork.kubeOvnSubnet('a'), variables: { workerSubnet: 'b' } })).toThrow(/contradicts network/);
  });
});

describe('TenantClusterClass control plane and version', () => {
  test('the class\'s control-plane replicas reach its clusters; a cluster may set its own', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'ha', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133, controlPlane: { replicas: 3 } });
    new TenantCluster(chart, 'a', { clusterClass: cls });
    const b = new TenantCluster(chart, 'b', { clusterClass: cls, controlPlane: { replicas: 5 } });
    const objects = chart.toJson();
    expect(findObject(objects, 'Cluster', 'a').spec.topology.controlPlane.replicas).toBe(3);
    expect(findObject(objects, 'Cluster', 'b').spec.topology.controlPlane.replicas).toBe(5);
    expect(b.controlPlaneReplicas).toBe(5);
  });

  test('a cluster cannot override what the class\'s control-plane template decides', () => {
    const { chart } = newChart();
    const cls = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: UBUNTU_133 });
    expect(() => new TenantCluster(chart, 'a', { clusterClass: cls, controlPlane: { certSans: ['api.example.com'] } }))
      .toThrow(/\[test\/a\] controlPlane\.certSans: a cluster built from class "golden" takes certSans from the class's control-plane template/);
  });
});
