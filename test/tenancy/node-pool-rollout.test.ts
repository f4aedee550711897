// How a pool's machines are replaced: resolved once per pool (node-pool-resolver.ts) and written on
// the MachineDeployment of a plain pool and on the topology entry of a class-based pool alike.
import { Chart } from 'cdk8s';
import { MachineImage, NodePoolOptions, TenantCluster, TenantClusterClass } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function plain(pool: NodePoolOptions): { objects: any[]; cluster: TenantCluster; chart: Chart } {
  const { chart } = newChart();
  const cluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, nodePools: [pool] });
  return { objects: chart.toJson(), cluster, chart };
}

function classBased(pool: NodePoolOptions): { objects: any[]; cluster: TenantCluster } {
  const { chart } = newChart();
  const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  const cluster = new TenantCluster(chart, 'acme', { clusterClass: golden, nodePools: [pool] });
  return { objects: chart.toJson(), cluster };
}

function errorOf(fn: () => unknown): KmetalValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KmetalValidationError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('pool rollout defaults fit bare metal: no surge, one machine down at a time', () => {
  test('a plain pool\'s MachineDeployment rolls with maxSurge 0 / maxUnavailable 1 and no drain timeout', () => {
    const { objects, cluster } = plain({ name: 'general', replicas: 3 });
    const md = findObject(objects, 'MachineDeployment', 'acme-general');
    expect(md.spec.rollout).toEqual({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    expect(md.spec.template.spec.deletion).toBeUndefined();
    expect(cluster.pools[0].rollout).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(conformanceErrors(objects)).toBe('');
  });

  test('a class-based pool carries the same settings in its topology entry (the class sets none, so Cluster API\'s surge 1 would apply)', () => {
    const { objects, cluster } = classBased({ name: 'general', replicas: 3 });
    const entry = findObject(objects, 'Cluster', 'acme').spec.topology.workers.machineDeployments[0];
    expect(entry.rollout).toEqual({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    expect(entry.deletion).toBeUndefined();
    expect(cluster.pools[0].rollout).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(conformanceErrors(objects)).toBe('');
  });
});

describe('pool rollout options', () => {
  const rollout = { maxSurge: 2, maxUnavailable: 0, nodeDrainTimeoutMinutes: 15 };

  test('plain pool: surge, unavailability and the drain timeout (seconds) land on the MachineDeployment and its machines', () => {
    const { objects } = plain({ name: 'general', replicas: 3, rollout });
    const md = findObject(objects, 'MachineDeployment', 'acme-general');
    expect(md.spec.rollout.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    expect(md.spec.template.spec.deletion).toEqual({ nodeDrainTimeoutSeconds: 900 });
    expect(conformanceErrors(objects)).toBe('');
  });

  test('class-based pool: the same values in the topology entry', () => {
    const { objects, cluster } = classBased({ name: 'general', replicas: 3, rollout });
    const entry = findObject(objects, 'Cluster', 'acme').spec.topology.workers.machineDeployments[0];
    expect(entry.rollout.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    expect(entry.deletion).toEqual({ nodeDrainTimeoutSeconds: 900 });
    expect(cluster.pools[0].rollout).toEqual(rollout);
    expect(conformanceErrors(objects)).toBe('');
  });

  test.each([
    ['both 0 (Cluster API refuses it: nothing could be replaced)', { maxSurge: 0, maxUnavailable: 0 }, 'rollout.maxUnavailable', /both 0/],
    ['a negative surge', { maxSurge: -1 }, 'rollout.maxSurge', /whole number of at least 0/],
    ['a percentage (the library checks capacity in machines)', { maxSurge: '25%' as any }, 'rollout.maxSurge', /not a whole number/],
    ['a drain timeout of 0 minutes', { nodeDrainTimeoutMinutes: 0 }, 'rollout.nodeDrainTimeoutMinutes', /at least 1/],
    ['an unknown key', { maxSurgePercent: 10 } as any, 'rollout.maxSurgePercent', /./],
  ])('refuses %s, on both kinds of pool, naming the field', (_what, bad, field, text) => {
    for (const build of [plain, classBased]) {
      const e = errorOf(() => build({ name: 'general', rollout: bad }));
      expect(e.field).toBe(field);
      expect(e.constructPath).toMatch(/acme\/general$|acme\/NodePool-general$|acme/);
      expect(e.message).toMatch(text);
      expect(e.message).toContain('Fix:');
    }
  });
});

describe('the derived quota allows the pool\'s own surge', () => {
  function vmQuota(pool: NodePoolOptions): string {
    const { objects } = plain(pool);
    const tenant = objects.find((o) => o.kind === 'Tenant');
    return tenant.spec.resourceQuotas.items[0].hard['count/virtualmachines.kubevirt.io'];
  }

  test('one VM beyond the pool with the default surge 0 (the new VM may start while the old one drains), the surge when larger', () => {
    expect(vmQuota({ name: 'general', replicas: 3 })).toBe('4');
    expect(vmQuota({ name: 'general', replicas: 3, rollout: { maxSurge: 1 } })).toBe('4');
    // Without it the quota would refuse the surge VMs and the rollout would stall.
    expect(vmQuota({ name: 'general', replicas: 3, rollout: { maxSurge: 3 } })).toBe('6');
  });
});
