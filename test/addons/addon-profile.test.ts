import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import {
  AddonProfile, AddonSyncMode, ClusterSelector, LabelOperator, MachineImage, SynthWarnings, TenantCluster,
} from '../../src';
import { certManagerChart } from '../../src/addons/values';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');
const CILIUM = { repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' };

function tenant(chart: Chart, id: string, labels: { [k: string]: string } = {}): TenantCluster {
  // No cloud-controller-manager: its ConfigMap and ServiceAccount would sit beside the profiles' objects.
  return new TenantCluster(chart, id, { version: 'v1.33.2', defaultImage: IMAGE, labels, createGovernance: false, cloudProvider: { enabled: false } });
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

function synthError(chart: Chart): string {
  try {
    chart.toJson();
  } catch (e: any) {
    return String(e.message);
  }
  throw new Error('synth succeeded');
}

/** A cdk8s chart of add-on content, in its own App. */
function monitoringContent(): Chart {
  const content = new Chart(new App(), 'monitoring');
  new kplus.Namespace(content, 'ns', { metadata: { name: 'monitoring' } });
  new kplus.ConfigMap(content, 'dashboards', { metadata: { name: 'dashboards', namespace: 'monitoring' }, data: { 'fleet.json': '{}' } });
  return content;
}

describe('AddonProfile, emitted objects', () => {
  const { chart } = newChart();
  tenant(chart, 'acme', { 'kmetal.io/tier': 'gold' });
  tenant(chart, 'vision', { 'kmetal.io/tier': 'gpu' });
  const cni = new AddonProfile(chart, 'cni', { mandatory: true, helmCharts: [CILIUM] });
  const content = monitoringContent();
  const monitoring = new AddonProfile(chart, 'monitoring', {
    clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }),
    helmCharts: [certManagerChart({ repositoryUrl: 'https://charts.jetstack.io', values: { crds: { enabled: true }, replicaCount: 2 } })],
    dependsOn: [cni],
  });
  monitoring.addChart('dashboards', content);
  monitoring.addManifests('quota', [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'default', namespace: 'default' }, spec: { hard: { pods: '100' } } }], { secret: true });
  // Added after the profile: still rendered, because the chart is synthesized at synth time.
  new kplus.ServiceAccount(content, 'late', { metadata: { name: 'late', namespace: 'monitoring' } });
  const objects = chart.toJson();

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    const own = objects.filter((o) => ['ClusterProfile', 'ConfigMap', 'Secret'].includes(o.kind));
    expect(own).toHaveLength(4);
    expect(conformanceErrors(own)).toBe('');
  });

  test('a ClusterProfile selects clusters by the labels TenantCluster sets, synced with drift detection', () => {
    const p = findObject(objects, 'ClusterProfile', 'monitoring');
    expect(p.apiVersion).toBe('config.projectsveltos.io/v1beta1');
    expect(p.spec.clusterSelector).toEqual({ matchLabels: { 'kmetal.io/tier': 'gold' } });
    expect(p.spec.syncMode).toBe('ContinuousWithDriftDetection');
    expect(p.spec.dependsOn).toEqual(['cni']);
    expect(monitoring.selectedClusters.map((c) => c.clusterName)).toEqual(['acme']);
  });

  test('Helm charts are pinned, with values as sorted YAML', () => {
    const p = findObject(objects, 'ClusterProfile', 'monitoring');
    expect(p.spec.helmCharts).toEqual([{
      repositoryURL: 'https://charts.jetstack.io',
      repositoryName: 'cert-manager',
      chartName: 'cert-manager/cert-manager',
      chartVersion: 'v1.21.1',
      releaseName: 'cert-manager',
      releaseNamespace: 'cert-manager',
      helmChartAction: 'Install',
      values: 'crds:\n  enabled: true\nreplicaCount: 2\n',
    }]);
  });

  test('a cdk8s Chart passed as content is rendered into a ConfigMap the profile references', () => {
    const p = findObject(objects, 'ClusterProfile', 'monitoring');
    expect(p.spec.policyRefs).toEqual([
      { kind: 'ConfigMap', name: 'monitoring-dashboards', namespace: 'projectsveltos' },
      { kind: 'Secret', name: 'monitoring-quota', namespace: 'projectsveltos' },
    ]);
    const cm = findObject(objects, 'ConfigMap', 'monitoring-dashboards');
    expect(cm.metadata.namespace).toBe('projectsveltos');
    expect(Object.keys(cm.data)).toEqual(['dashboards.yaml']);
    const docs = YAML.parseAllDocuments(cm.data['dashboards.yaml']).map((d) => d.toJSON());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Namespace/monitoring', 'ConfigMap/dashboards', 'ServiceAccount/late']);
    expect(docs).toEqual(content.toJson());
    // The content's objects are not applied to the under cluster.
    expect(objects.some((o) => o.kind === 'ServiceAccount')).toBe(false);
    // ConfigMaps come before the profile that references them.
    expect(objects.indexOf(cm)).toBeLessThan(objects.indexOf(p));
  });

  test('content can go into a Secret of the type Sveltos deploys', () => {
    const secret = findObject(objects, 'Secret', 'monitoring-quota');
    expect(secret.type).toBe('addons.projectsveltos.io/cluster-profile');
    const yaml = Buffer.from(secret.data['quota.yaml'], 'base64').toString('utf8');
    expect(YAML.parse(yaml)).toMatchObject({ kind: 'ResourceQuota', spec: { hard: { pods: '100' } } });
  });

  test('a mandatory profile selects every tenant cluster, wins conflicts and is never withdrawn', () => {
    const p = findObject(objects, 'ClusterProfile', 'cni');
    expect(p.metadata.labels).toEqual({ 'kmetal.io/addon-profile': 'cni', 'kmetal.io/mandatory-addon': 'true' });
    expect(p.spec.clusterSelector).toEqual({ matchExpressions: [{ key: 'kmetal.io/tenant-cluster', operator: 'Exists' }] });
    expect(p.spec.tier).toBe(50);
    expect(p.spec.stopMatchingBehavior).toBe('LeavePolicies');
    expect(cni.selectedClusters.map((c) => c.clusterName)).toEqual(['acme', 'vision']);
  });

  test('synthesis is deterministic', () => {
    expect(YAML.stringify(chart.toJson())).toBe(YAML.stringify(objects));
  });
});

describe('AddonProfile, fleet checks', () => {
  test('a chart without a pinned version is an error', () => {
    const { chart } = newChart();
    const p = new AddonProfile(chart, 'p', { expectClusters: false });
    expectThrows(() => p.addHelmChart({ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium' } as any), 'test/p', 'helmCharts[0].version', /has no pinned version/);
    expectThrows(() => p.addHelmChart({ ...CILIUM, version: '^1.18' }), 'test/p', 'helmCharts[0].version', /not a pinned chart version/);
    expectThrows(() => p.addHelmChart({ ...CILIUM, version: 'latest' }), 'test/p', 'helmCharts[0].version', /not a pinned chart version/);
  });

  test('two profiles installing the same release into the same cluster is an error', () => {
    const { chart } = newChart();
    tenant(chart, 'acme', { 'kmetal.io/tier': 'gold' });
    tenant(chart, 'beta', { 'kmetal.io/tier': 'silver' });
    new AddonProfile(chart, 'all', { helmCharts: [CILIUM] });
    new AddonProfile(chart, 'gold', { clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }), helmCharts: [CILIUM] });
    // Same release, disjoint clusters: fine.
    new AddonProfile(chart, 'silver-only', {
      clusterSelector: ClusterSelector.matching([{ key: 'kmetal.io/tier', operator: LabelOperator.NOT_IN, values: ['gold', 'silver'] }]),
      helmCharts: [CILIUM],
      expectClusters: false,
    });
    const message = synthError(chart);
    expect(message).toContain('[test/gold] helmCharts: release kube-system/cilium is also installed by profile all (test/all) into 1 of the same clusters (acme)');
    expect(message).not.toContain('[test/silver-only]');
    expect(message).not.toContain('[test/all] helmCharts');
  });

  test('a selector matching no declared cluster is a warning, not an error', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { chart } = newChart();
      tenant(chart, 'acme');
      new AddonProfile(chart, 'nobody', { clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'platinum' }), helmCharts: [CILIUM] });
      new AddonProfile(chart, 'elsewhere', { clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'platinum' }), helmCharts: [{ ...CILIUM, releaseName: 'other' }], expectClusters: false });
      expect(() => chart.toJson()).not.toThrow();
      expect(SynthWarnings.of(chart)).toEqual([{ path: 'test/nobody', message: expect.stringContaining('matches none of the 1 tenant clusters declared in this app') }]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[kmetal\] warning \[test\/nobody\]/));
    } finally {
      warn.mockRestore();
    }
  });

  test('a mandatory profile that misses a cluster is an error', () => {
    const { chart } = newChart();
    tenant(chart, 'acme', { 'kmetal.io/tier': 'gold' });
    tenant(chart, 'beta');
    new AddonProfile(chart, 'cni', { mandatory: true, clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }), helmCharts: [CILIUM] });
    expect(synthError(chart)).toContain('[test/cni] clusterSelector: the mandatory profile misses 1 of the 2 declared clusters (beta)');
  });

  test('clusters declared after the profile are seen (the checks run at synth)', () => {
    const { chart } = newChart();
    const p = new AddonProfile(chart, 'gold', { clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }), helmCharts: [CILIUM] });
    expect(p.selectedClusters).toEqual([]);
    const c = tenant(chart, 'acme', { 'kmetal.io/tier': 'gold' });
    expect(p.selectedClusters).toEqual([c]);
    expect(SynthWarnings.of(chart)).toEqual([]);
  });

  test('dependency cycles and duplicate names are errors', () => {
    const { chart } = newChart();
    tenant(chart, 'acme');
    const a = new AddonProfile(chart, 'a', { helmCharts: [CILIUM] });
    const b = new AddonProfile(chart, 'b', { helmCharts: [{ ...CILIUM, releaseName: 'b' }], dependsOn: [a] });
    a.addDependency(b);
    new AddonProfile(chart, 'a2', { name: 'a', helmCharts: [{ ...CILIUM, releaseName: 'c' }] });
    const message = synthError(chart);
    expect(message).toContain('dependsOn: the profiles depend on each other in a cycle (a -> b -> a)');
    expect(message).toContain('[test/a2] name: ClusterProfile a is also declared by test/a');
  });

  test('a chart of the same App is refused (its objects would land on the under cluster)', () => {
    const { chart } = newChart();
    const p = new AddonProfile(chart, 'p', { expectClusters: false });
    const sameApp = new Chart(chart.node.root as App, 'content');
    expectThrows(() => p.addChart('x', sameApp), 'test/p', 'content.x', /same App/);
  });

  test('an empty content chart and an empty profile are errors at synth', () => {
    const { chart } = newChart();
    new AddonProfile(chart, 'empty', { expectClusters: false });
    const p = new AddonProfile(chart, 'p', { expectClusters: false });
    p.addChart('nothing', new Chart(new App(), 'nothing'));
    const message = synthError(chart);
    expect(message).toContain('[test/empty] helmCharts: the profile deploys nothing');
    expect(message).toContain('content.nothing: chart nothing has no objects');
  });

  test('selectors evaluate In, NotIn, Exists and DoesNotExist like Kubernetes', () => {
    const s = ClusterSelector.matching([
      { key: 'tier', operator: LabelOperator.IN, values: ['gold', 'silver'] },
      { key: 'region', operator: LabelOperator.NOT_IN, values: ['eu'] },
      { key: 'gpu', operator: LabelOperator.EXISTS },
      { key: 'legacy', operator: LabelOperator.DOES_NOT_EXIST },
    ]);
    expect(s.matches({ tier: 'gold', gpu: 'a10' })).toBe(true);
    expect(s.matches({ tier: 'gold', gpu: 'a10', region: 'eu' })).toBe(false);
    expect(s.matches({ tier: 'bronze', gpu: 'a10' })).toBe(false);
    expect(s.matches({ tier: 'gold' })).toBe(false);
    expect(s.matches({ tier: 'gold', gpu: 'x', legacy: 'y' })).toBe(false);
    expect(ClusterSelector.withLabels({ a: '1' }).intersect(ClusterSelector.withLabels({ b: '2' })).matches({ a: '1', b: '2' })).toBe(true);
  });

  test('many clusters and profiles: the fleet check stays fast', () => {
    const { chart } = newChart();
    for (let i = 0; i < 1500; i++) tenant(chart, `t${i}`, { 'kmetal.io/tier': `tier${i % 300}` });
    for (let i = 0; i < 300; i++) {
      new AddonProfile(chart, `p${i}`, { clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': `tier${i}` }), helmCharts: [CILIUM] });
    }
    const started = Date.now();
    const p0 = chart.node.findChild('p0') as AddonProfile;
    expect(p0.selectedClusters).toHaveLength(5);
    expect(SynthWarnings.of(chart)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('sync mode and tier can be chosen', () => {
    const { chart } = newChart();
    tenant(chart, 'acme');
    new AddonProfile(chart, 'p', { syncMode: AddonSyncMode.ONE_TIME, tier: 10, helmCharts: [{ ...CILIUM, repositoryUrl: 'oci://ghcr.io/example/charts' }] });
    const p = findObject(chart.toJson(), 'ClusterProfile', 'p');
    expect(p.spec.syncMode).toBe('OneTime');
    expect(p.spec.tier).toBe(10);
    expect(p.spec.helmCharts[0]).toMatchObject({ repositoryURL: 'oci://ghcr.io/example/charts/cilium', chartName: 'oci://ghcr.io/example/charts/cilium' });
    expect(conformanceErrors(ofKind(chart.toJson(), 'ClusterProfile'))).toBe('');
  });
});
