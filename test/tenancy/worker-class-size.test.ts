// A class with several worker classes: a pool that sets no size runs its worker class's VMs (its
// machine template), not the first class's. The class patches the size only when a variable is set,
// and every reader (pool, quota shape, fleet capacity rule, report) takes the same answer.
import { App, Chart } from 'cdk8s';
import { MachineImage, TenantCluster, TenantClusterClass } from '../../src';
import { PolicyContext } from '../../src/policy/policy-context';
import { fleetCapacity } from '../../src/policy/rules/capacity/fleet-capacity';
import { evaluateEnabledIf, capiTemplateData } from '../../src/reconcile/capi-template-data';
import { ClassNodePool } from '../../src/tenancy/class-node-pool';
import { clusterShape } from '../../src/tenancy/governance/cluster-shape';

function fixture() {
  const app = new App();
  const chart = new Chart(app, 'c');
  const golden = new TenantClusterClass(chart, 'golden', {
    defaultVersion: 'v1.33.2',
    defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    workerClasses: [{ name: 'small', cpuCores: 2, memoryGiB: 4 }, { name: 'large', cpuCores: 16, memoryGiB: 64 }],
  });
  const cluster = new TenantCluster(chart, 'acme', {
    clusterClass: golden,
    nodePools: [
      { name: 'big', replicas: 2, workerClass: 'large' },
      { name: 'tuned', replicas: 1, workerClass: 'large', cpuCores: 8 },
      { name: 'default', replicas: 1 },
    ],
  });
  return { app, golden, cluster };
}

test('a pool without a size runs its worker class\'s VMs; its own size wins', () => {
  const { golden, cluster } = fixture();
  const pools = cluster.pools as ClassNodePool[];
  expect(pools.map((p) => [p.poolName, p.workerClass, p.vmCpuCores, p.vmMemoryGiB])).toEqual([
    ['big', 'large', 16, 64], ['tuned', 'large', 8, 64], ['default', 'small', 2, 4],
  ]);
  expect(golden.workerClassSize('large')).toEqual({ cpuCores: 16, memoryGiB: 64 });
  expect(() => golden.workerClassSize('huge')).toThrow(/^\[c\/golden\] workerClasses: class "golden" has no worker class "huge"\. Fix: use one of: small, large/);
});

test('the class patches a VM\'s size only where a variable is set (Cluster API keeps the template\'s otherwise)', () => {
  const { golden } = fixture();
  const patches: any[] = golden.clusterClass.toJson().spec.patches;
  const cpu = patches.find((p) => p.name === 'worker-cpu');
  const memory = patches.find((p) => p.name === 'worker-memory');
  expect(evaluateEnabledIf(cpu.enabledIf, capiTemplateData({}, {}))).toMatchObject({ ok: true, enabled: false });
  expect(evaluateEnabledIf(cpu.enabledIf, capiTemplateData({ workerCpuCores: 8 }, {}))).toMatchObject({ ok: true, enabled: true });
  expect(evaluateEnabledIf(memory.enabledIf, capiTemplateData({}, {}))).toMatchObject({ ok: true, enabled: false });
  // No class-wide default: one would override every worker class with the same size.
  const variables: any[] = golden.clusterClass.toJson().spec.variables;
  for (const name of ['workerCpuCores', 'workerMemoryGiB']) {
    expect(variables.find((v) => v.name === name).schema.openAPIV3Schema.default).toBeUndefined();
  }
});

test('the quota shape and the fleet capacity rule count the same VM sizes', () => {
  const { app, cluster } = fixture();
  expect(clusterShape(cluster).pools.map((p) => [p.name, p.vms, p.cpuCores, p.memoryGiB])).toEqual([
    ['big', 2, 16, 64], ['tuned', 1, 8, 64], ['default', 1, 2, 4],
  ]);
  const capacity = fleetCapacity(PolicyContext._build(app), {});
  expect(capacity.pools.map((p) => [p.vms, p.cpuCores, p.memoryGiB])).toEqual([[2, 16, 64], [1, 8, 64], [1, 2, 4]]);
});
