// Cluster API's own rollout controls, declared on waves and pools: upgrade concurrency on the
// Cluster, a hold of the worker sequence and a per-pool deferral on the topology entries
// (cluster-api v1.14.0, api/core/v1beta2/common_types.go; desired_state.go isMachineDeploymentDeferred).
import { Chart, Testing } from 'cdk8s';
import { isKmetalValidationError, MachineImage, RolloutPlan, RolloutWave, TenantCluster, TenantClusterClass } from '../../src';
import { topologyEntryDeferred } from '../../src/tenancy/cluster-api-annotations';
import { conformanceErrors, findObject } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function fleet(waves: RolloutWave[]) {
  const app = Testing.app();
  const chart = new Chart(app, 'fleet');
  const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  const pools = [
    { name: 'general', replicas: 2 },
    { name: 'batch', minReplicas: 1, maxReplicas: 4, rollout: { deferUpgrade: true } },
    { name: 'edge', replicas: 1 },
  ];
  new TenantCluster(chart, 'lab', { clusterClass: golden, labels: { 'kmetal.io/tier': 'canary' }, nodePools: pools });
  new TenantCluster(chart, 'acme', { clusterClass: golden, nodePools: pools });
  new RolloutPlan(chart, 'waves', { clusterClass: golden, waves });
  const objects = Testing.synth(chart);
  return { objects, cluster: (name: string) => findObject(objects, 'Cluster', name) };
}

const CANARY: RolloutWave = { name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, upgradeConcurrency: 2 };

test('upgradeConcurrency is the Cluster annotation of the wave\'s clusters only, as the webhook\'s integer', () => {
  const { objects, cluster } = fleet([CANARY, { name: 'standard' }]);
  expect(cluster('lab').metadata.annotations['topology.cluster.x-k8s.io/upgrade-concurrency']).toBe('2');
  expect(cluster('acme').metadata.annotations?.['topology.cluster.x-k8s.io/upgrade-concurrency']).toBeUndefined();
  expect(conformanceErrors(objects)).toBe('');
});

test('a deferred pool carries defer-upgrade beside its autoscaler bounds; the other pools do not', () => {
  const { cluster } = fleet([CANARY, { name: 'standard' }]);
  const entries = cluster('acme').spec.topology.workers.machineDeployments;
  expect(entries.map((e: any) => e.name)).toEqual(['general', 'batch', 'edge']);
  expect(entries[1].metadata.annotations).toEqual({
    'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '1',
    'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '4',
    'topology.cluster.x-k8s.io/defer-upgrade': 'kmetal: rollout.deferUpgrade',
  });
  expect(entries[0].metadata).toBeUndefined();
  // Cluster API's rule: only the deferred pool is held.
  expect(entries.map((_: any, i: number) => topologyEntryDeferred(entries, i))).toEqual([false, true, false]);
});

test('holdWorkerUpgrades holds the first pool\'s sequence, which holds every pool of the wave\'s clusters', () => {
  const { objects, cluster } = fleet([CANARY, { name: 'standard', holdWorkerUpgrades: true }]);
  const held = cluster('acme').spec.topology.workers.machineDeployments;
  expect(held[0].metadata.annotations).toEqual({ 'topology.cluster.x-k8s.io/hold-upgrade-sequence': 'kmetal: rollout wave holds worker upgrades' });
  expect(held.slice(1).map((e: any) => e.metadata?.annotations?.['topology.cluster.x-k8s.io/hold-upgrade-sequence'])).toEqual([undefined, undefined]);
  expect(held.map((_: any, i: number) => topologyEntryDeferred(held, i))).toEqual([true, true, true]);
  // The canary wave does not hold.
  const canary = cluster('lab').spec.topology.workers.machineDeployments;
  expect(canary.map((_: any, i: number) => topologyEntryDeferred(canary, i))).toEqual([false, true, false]);
  expect(conformanceErrors(objects)).toBe('');
});

test.each([
  [{ upgradeConcurrency: 0 }, 'waves[0].upgradeConcurrency', /0 is not a number of pools/],
  [{ upgradeConcurrency: 1.5 }, 'waves[0].upgradeConcurrency', /1\.5 is not a number of pools/],
  [{ upgradeConcurrency: '2' as any }, 'waves[0].upgradeConcurrency', /"2" is not a number of pools/],
  [{ holdWorkerUpgrades: 'yes' as any }, 'waves[0].holdWorkerUpgrades', /"yes" is not true or false/],
])('a wave with %j is refused naming the field', (bad, field, message) => {
  const chart = new Chart(Testing.app(), 'fleet');
  const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  try {
    new RolloutPlan(chart, 'waves', { clusterClass: golden, waves: [{ name: 'all', ...bad }] });
    throw new Error('not refused');
  } catch (e) {
    expect(isKmetalValidationError(e)).toBe(true);
    expect((e as any).field).toBe(field);
    expect((e as Error).message).toMatch(message);
  }
});

test('deferUpgrade on a pool of a cluster without a class is refused: nothing would read it', () => {
  const chart = new Chart(Testing.app(), 'fleet');
  expect(() => new TenantCluster(chart, 'initech', {
    version: 'v1.33.2',
    defaultImage: IMAGE,
    nodePools: [{ name: 'general', rollout: { deferUpgrade: true } }],
  })).toThrow(/rollout\.deferUpgrade: true on a pool of a cluster without a class.*Fix: build the cluster from a TenantClusterClass, or hold the whole cluster by pinning its version/s);
});

test('deferUpgrade must be a boolean, checked on both kinds of pool alike', () => {
  const chart = new Chart(Testing.app(), 'fleet');
  const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  expect(() => new TenantCluster(chart, 'a', { clusterClass: golden, nodePools: [{ name: 'general', rollout: { deferUpgrade: 1 as any } }] }))
    .toThrow(/rollout\.deferUpgrade.*1 is not true or false/s);
  expect(() => new TenantCluster(chart, 'b', { version: 'v1.33.2', defaultImage: IMAGE, nodePools: [{ name: 'general', rollout: { deferUpgrade: 1 as any } }] }))
    .toThrow(/rollout\.deferUpgrade.*1 is not true or false/s);
});
