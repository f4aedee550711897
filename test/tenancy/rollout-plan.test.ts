// Rollout waves: clusters of a class are split by labels into ordered waves, each pinned to its own
// release and image until promoted; the class's defaultVersion reaches only clusters in no wave.
import { App, Chart, Testing } from 'cdk8s';
import { isKmetalValidationError, MachineImage, RolloutPlan, TenantCluster, TenantClusterClass } from '../../src';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function fleet() {
  const app = Testing.app();
  const chart = new Chart(app, 'fleet');
  const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  const cluster = (name: string, labels: { [k: string]: string } = {}, version?: string) =>
    new TenantCluster(chart, name, { clusterClass: golden, labels, version, nodePools: [{ name: 'general', replicas: 2 }] });
  const clusters = {
    lab: cluster('lab', { 'kmetal.io/tier': 'canary' }),
    acme: cluster('acme'),
    globex: cluster('globex'),
    vision: cluster('vision', { 'kmetal.io/gpu': 'true' }),
    pinned: cluster('pinned', { 'kmetal.io/tier': 'canary' }, 'v1.33.1'),
  };
  return { app, chart, golden, clusters };
}

function topologyOf(chart: Chart, name: string): any {
  return Testing.synth(chart).find((o: any) => o.kind === 'Cluster' && o.metadata.name === name);
}

test('each cluster rolls with the first wave that selects it; pinned clusters keep their version', () => {
  const { chart, golden, clusters } = fleet();
  // Declared after the clusters: membership is read at synth.
  new RolloutPlan(chart, 'waves', {
    clusterClass: golden,
    waves: [
      { name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, version: 'v1.34.1', maintenanceWindow: 'daily 00:00-24:00 UTC' },
      { name: 'gpu', clusterLabels: { 'kmetal.io/gpu': 'true' } },
      { name: 'standard' },
    ],
  });
  expect(Object.fromEntries(Object.entries(clusters).map(([k, c]) => [k, [c.rolloutWave?.name, c.version.text]]))).toEqual({
    lab: ['canary', 'v1.34.1'], acme: ['standard', 'v1.33.2'], globex: ['standard', 'v1.33.2'], vision: ['gpu', 'v1.33.2'], pinned: ['canary', 'v1.33.1'],
  });
  const lab = topologyOf(chart, 'lab');
  expect(lab.spec.topology.version).toBe('v1.34.1');
  expect(lab.metadata.labels['kmetal.io/rollout-wave']).toBe('canary');
  expect(topologyOf(chart, 'acme').metadata.labels['kmetal.io/rollout-wave']).toBe('standard');
});

test('the class\'s defaultVersion moves only the waves that pin no version; promotion is one line', () => {
  const { app, chart, golden, clusters } = fleet();
  const plan = new RolloutPlan(chart, 'waves', {
    clusterClass: golden,
    waves: [{ name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, version: 'v1.34.1' }, { name: 'standard', version: 'v1.33.2' }],
  });
  golden.defaultVersion = 'v1.34.1';
  expect(clusters.acme.version.text).toBe('v1.33.2');
  expect(plan.versionOf(plan.waves[1]).text).toBe('v1.33.2');
  expect(() => app.synth()).not.toThrow();
});

test('a wave image reaches the wave\'s clusters as their worker image', () => {
  const { chart, golden, clusters } = fleet();
  const next = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.34.1');
  new RolloutPlan(chart, 'waves', { clusterClass: golden, waves: [{ name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, image: next }] });
  expect(clusters.lab.defaultImage).toBe(next);
  expect(clusters.acme.defaultImage).toBe(IMAGE);
  const vars = (name: string) => Object.fromEntries(topologyOf(chart, name).spec.topology.variables.map((v: any) => [v.name, v.value]));
  expect(vars('lab').workerImage).toBe('quay.io/capk/ubuntu-2404-container-disk:v1.34.1');
  expect(vars('acme').workerImage).toBe('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');
  // Clusters in no wave carry no wave label.
  expect(topologyOf(chart, 'acme').metadata.labels['kmetal.io/rollout-wave']).toBeUndefined();
});

test('waves out of order are refused at synth, naming the wave, the versions and the fix', () => {
  const { app, chart, golden } = fleet();
  new RolloutPlan(chart, 'waves', {
    clusterClass: golden,
    waves: [{ name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, version: 'v1.33.2' }, { name: 'standard', version: 'v1.34.1' }],
  });
  expect(() => app.synth()).toThrow(/\[fleet\/waves\] waves\[1\]\.version: wave "standard" runs v1\.34\.1, newer than v1\.33\.2 of wave "canary" before it.*Fix: promote the waves in order/);
});

test.each([
  [{ waves: [] }, /waves: \[\] is not a list of waves/],
  [{ waves: [{ name: 'all' }, { name: 'late', clusterLabels: { a: 'b' } }] }, /waves\[0\]\.clusterLabels: wave "all" selects every cluster left/],
  [{ waves: [{ name: 'a', clusterLabels: { x: 'y' } }, { name: 'a' }] }, /waves\[1\]\.name: wave "a" is declared twice/],
  [{ waves: [{ name: 'a', clusterLabels: {} }] }, /waves\[0\]\.clusterLabels: \{\} selects no clusters by label/],
  [{ waves: [{ name: 'a', version: '1.34' }] }, /waves\[0\]\.version/],
  [{ waves: [{ name: 'a', verison: 'v1.34.1' }] }, /waves\[0\]\.verison/],
])('bad plan %# is refused', (props, message) => {
  const { chart, golden } = fleet();
  let error: unknown;
  try {
    new RolloutPlan(chart, 'waves', { clusterClass: golden, ...(props as any) });
  } catch (e) {
    error = e;
  }
  expect(isKmetalValidationError(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
});

test('one plan per class; a user label cannot claim the wave label', () => {
  const { chart, golden } = fleet();
  new RolloutPlan(chart, 'waves', { clusterClass: golden, waves: [{ name: 'all' }] });
  expect(() => new RolloutPlan(chart, 'again', { clusterClass: golden, waves: [{ name: 'all' }] })).toThrow(/already rolls by fleet\/waves/);
  expect(() => new TenantCluster(new Chart(new App(), 'x'), 'bad', { clusterClass: golden, labels: { 'kmetal.io/rollout-wave': 'canary' } })).toThrow(/kmetal\.io\/rollout-wave/);
});
