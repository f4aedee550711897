import { App, Chart } from 'cdk8s';
import { MachineImage, NodeImage, NodePool, RolloutPlan, TenantCluster, TenantClusterClass } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

function thrown(fn: () => unknown): KmetalValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KmetalValidationError);
    return e as KmetalValidationError;
  }
  throw new Error('expected a KmetalValidationError');
}

/** What synth would report: validation messages, or the error a validation throws while rendering. */
function validationMessages(app: App): string[] {
  return app.node.findAll().flatMap((c) => {
    try {
      return c.node.validate();
    } catch (e) {
      if (e instanceof KmetalValidationError) return [e.message];
      throw e;
    }
  });
}

const workerImage = (cluster: any) => cluster.spec.topology.variables.find((v: any) => v.name === 'workerImage').value;

describe('a node image declares the kubelet release it carries', () => {
  test('a pool whose cluster runs another minor is refused, naming both versions and the fix', () => {
    const { chart } = newChart();
    const img = new NodeImage(chart, 'img', { version: 'v1.33.2', kubernetesVersion: '{version}', containerDisk: 'registry.example.com/node:{version}' });
    expect(img.kubernetesVersion).toBe('v1.33.2');
    new TenantCluster(chart, 'ok', { version: 'v1.33.5', defaultImage: img, nodePools: [{ name: 'general' }] });
    const cluster = new TenantCluster(chart, 'acme', { version: 'v1.34.1', defaultImage: img });
    const e = thrown(() => cluster.addNodePool({ name: 'general' }));
    expect(e.constructPath).toBe('test/acme/Pool-general');
    expect(e.field).toBe('image');
    expect(e.message).toMatch(/"registry.example.com\/node:v1.33.2" carries the kubelet of Kubernetes v1.33.2 \(v1.33\), but the cluster is on v1.34.1 \(v1.34\)/);
    expect(e.fix).toMatch(/image built for v1.34/);
    expect(e.fix).toMatch(/\{kubernetesVersion\}/);
  });

  test('MachineImage.containerDisk can declare it too; an undeclared image is not checked', () => {
    const { chart } = newChart();
    const declared = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0', { kubernetesVersion: 'v1.33.0' });
    const cluster = new TenantCluster(chart, 'acme', { version: 'v1.34.1' });
    expect(thrown(() => cluster.addNodePool({ name: 'a', image: declared })).message).toMatch(/v1.33.0 \(v1.33\), but the cluster is on v1.34.1/);
    cluster.addNodePool({ name: 'b', image: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0') });
    expect(thrown(() => MachineImage.containerDisk('x:1', { kubernetesVersion: '1.33' })).field).toBe('kubernetesVersion');
  });

  test('a class whose defaultImage does not fit its defaultVersion is refused; changing the version alone fails synth', () => {
    const { chart } = newChart();
    const img = MachineImage.containerDisk('registry.example.com/node:v1.33.2', { kubernetesVersion: 'v1.33.2' });
    expect(thrown(() => new TenantClusterClass(chart, 'bad', { defaultVersion: 'v1.34.1', defaultImage: img })).message).toMatch(/but class "bad" is on v1.34.1/);

    const app = new App();
    const c = new Chart(app, 'c');
    const golden = new TenantClusterClass(c, 'golden', { defaultVersion: 'v1.33.2', defaultImage: img });
    const cluster = new TenantCluster(c, 'acme', { clusterClass: golden, nodePools: [{ name: 'general' }] });
    expect(validationMessages(app)).toEqual([]);
    golden.defaultVersion = 'v1.34.1';
    const messages = validationMessages(app).join('\n');
    expect(messages).toMatch(/\[c\/golden\] defaultImage: .* but class "golden" is on v1.34.1/);
    expect(messages).toMatch(/\[c\/acme\] image: .* but the cluster is on v1.34.1/);
    // The cluster following the class cannot render its topology either.
    expect(() => cluster.cluster.toJson()).toThrow(/but the cluster is on v1.34.1/);
    // Rolling both together is fine.
    golden.defaultImage = MachineImage.containerDisk('registry.example.com/node:v1.34.1', { kubernetesVersion: 'v1.34.1' });
    expect(validationMessages(app)).toEqual([]);
    expect(workerImage(cluster.cluster.toJson())).toBe('registry.example.com/node:v1.34.1');
  });
});

describe('an image templated by {kubernetesVersion} follows each cluster', () => {
  test('plain pools and class-based clusters boot the reference of their own release', () => {
    const { chart } = newChart();
    const img = new NodeImage(chart, 'img', { version: 'r7', containerDisk: 'registry.example.com/node:{kubernetesVersion}-{version}' });
    expect(img.followsKubernetesVersion).toBe(true);
    expect(img.kubernetesVersion).toBeUndefined();
    expect(img.imageRef).toBe('registry.example.com/node:{kubernetesVersion}-r7');
    const a = new TenantCluster(chart, 'a', { version: 'v1.33.2', defaultImage: img, nodePools: [{ name: 'general' }] });
    const b = new TenantCluster(chart, 'b', { version: 'v1.34.1', defaultImage: img, nodePools: [{ name: 'general' }] });
    const disk = (c: TenantCluster) => (c.nodePools[0] as NodePool).machineTemplate.toJson()
      .spec.template.spec.virtualMachineTemplate.spec.template.spec.volumes[0].containerDisk.image;
    expect(disk(a)).toBe('registry.example.com/node:v1.33.2-r7');
    expect(disk(b)).toBe('registry.example.com/node:v1.34.1-r7');
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: img });
    new TenantCluster(chart, 'c', { clusterClass: golden, version: 'v1.34.1' });
    const objects = chart.toJson();
    expect(workerImage(findObject(objects, 'Cluster', 'c'))).toBe('registry.example.com/node:v1.34.1-r7');
    expect(ofKind(objects, 'KubevirtMachineTemplate').find((t) => t.metadata.name === 'golden-worker').spec.template.spec.virtualMachineTemplate.spec.template.spec.volumes[0].containerDisk.image)
      .toBe('registry.example.com/node:v1.33.2-r7');
    expect(conformanceErrors(objects)).toBe('');
  });

  test('a templated reference need not carry {version}; it cannot also declare a fixed release', () => {
    const { chart } = newChart();
    new NodeImage(chart, 'capk', { version: 'v1', containerDisk: 'quay.io/capk/ubuntu-2404-container-disk:{kubernetesVersion}' });
    const e = thrown(() => new NodeImage(chart, 'both', { version: 'v1', kubernetesVersion: 'v1.33.2', containerDisk: 'quay.io/x/node:{kubernetesVersion}' }));
    expect(e.field).toBe('kubernetesVersion');
    expect(() => new NodeImage(chart, 'bad', { version: 'v1', containerDisk: 'quay.io/x/NODE:{kubernetesVersion}' })).toThrow(KmetalValidationError);
  });
});

describe('rollout waves pin version and image together', () => {
  function fleet(image: any) {
    const app = new App();
    const chart = new Chart(app, 'fleet');
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: image });
    const canary = new TenantCluster(chart, 'canary', { clusterClass: golden, labels: { 'kmetal.io/rollout': 'canary' } });
    const std = new TenantCluster(chart, 'std', { clusterClass: golden });
    return { app, chart, golden, canary, std };
  }

  test('promoting a wave\'s version alone, on an image built for the old minor, is refused naming the wave', () => {
    const img = MachineImage.containerDisk('registry.example.com/node:v1.33.2', { kubernetesVersion: 'v1.33.2' });
    const f = fleet(img);
    new RolloutPlan(f.chart, 'rollout', { clusterClass: f.golden, waves: [{ name: 'canary', clusterLabels: { 'kmetal.io/rollout': 'canary' }, version: 'v1.34.1' }, { name: 'standard' }] });
    const messages = validationMessages(f.app).join('\n');
    expect(messages).toMatch(/\[fleet\/rollout\] waves\[0\]\.version: "registry.example.com\/node:v1.33.2" carries the kubelet of Kubernetes v1.33.2 \(v1.33\), but wave "canary" is on v1.34.1/);
    // The wave's cluster cannot render its topology; the other wave's can.
    expect(messages).toMatch(/\[fleet\/canary\] image: .* but the cluster is on v1.34.1/);
    expect(messages).not.toMatch(/fleet\/std/);
  });

  test('a wave that sets its image with its version rolls both, the other waves keep theirs', () => {
    const img = MachineImage.containerDisk('registry.example.com/node:v1.33.2', { kubernetesVersion: 'v1.33.2' });
    const next = MachineImage.containerDisk('registry.example.com/node:v1.34.1', { kubernetesVersion: 'v1.34.1' });
    const f = fleet(img);
    new RolloutPlan(f.chart, 'rollout', { clusterClass: f.golden, waves: [{ name: 'canary', clusterLabels: { 'kmetal.io/rollout': 'canary' }, version: 'v1.34.1', image: next }, { name: 'standard' }] });
    expect(validationMessages(f.app)).toEqual([]);
    const canary = f.canary.cluster.toJson();
    expect(canary.spec.topology.version).toBe('v1.34.1');
    expect(workerImage(canary)).toBe('registry.example.com/node:v1.34.1');
    expect(workerImage(f.std.cluster.toJson())).toBe('registry.example.com/node:v1.33.2');
  });

  test('with a templated image, promoting the version is enough', () => {
    const app = new App();
    const chart = new Chart(app, 'fleet');
    const img = new NodeImage(chart, 'img', { version: 'r1', containerDisk: 'registry.example.com/node:{kubernetesVersion}-{version}' });
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: img });
    const canary = new TenantCluster(chart, 'canary', { clusterClass: golden, labels: { 'kmetal.io/rollout': 'canary' } });
    new RolloutPlan(chart, 'rollout', { clusterClass: golden, waves: [{ name: 'canary', clusterLabels: { 'kmetal.io/rollout': 'canary' }, version: 'v1.34.1' }, { name: 'standard' }] });
    expect(validationMessages(app)).toEqual([]);
    expect(workerImage(canary.cluster.toJson())).toBe('registry.example.com/node:v1.34.1-r1');
  });
});
