// Rollout waves gated on health: a Flux Kustomization per wave (but the last) health-checks the
// wave's Clusters with CEL over their v1beta2 conditions, and the next wave's units depend on it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as yaml from 'yaml';
import {
  AddonProfile, ConformanceChecker, ControlPlaneVipPool, FluxTree, MachineImage, PlatformUnderCluster, RolloutPlan, RolloutPlanProps, TenantCluster,
  TenantClusterClass,
} from '../../src';
import { evaluateCel, toCel } from '../../src/policy/private/cel';
import { CLUSTER_HEALTH } from '../../src/tenancy/rollout-gate';

const IMAGE = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu-2404:v1.33.2');
const TIERS: { [tenant: string]: string } = { lab: 'canary', acme: 'standard', globex: 'standard', vision: 'gpu' };

function fleet(plan: Partial<RolloutPlanProps> = {}, extra?: (p: PlatformUnderCluster, golden: TenantClusterClass) => void) {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', { releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests', defaultNodeImage: IMAGE, allowedKubernetesMinors: ['v1.33'] });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
  new AddonProfile(platform.configs, 'cni', { mandatory: true, helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }] });
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  for (const [name, tier] of Object.entries(TIERS)) {
    platform.addTenantCluster(name, { clusterClass: golden, labels: { 'kmetal.io/tier': tier }, nodePools: [{ name: 'general', replicas: 2 }] });
  }
  new RolloutPlan(platform.clusterTemplates, 'waves', {
    clusterClass: golden,
    waves: [
      { name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' } },
      { name: 'standard', clusterLabels: { 'kmetal.io/tier': 'standard' } },
      { name: 'gpu' },
    ],
    ...plan,
  });
  extra?.(platform, golden);
  return app;
}

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-gate-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function kustomizations(app: App, name: string): Map<string, any> {
  const outdir = path.join(tmp, name);
  FluxTree.synth(app, { outdir, appName: 'app', conformance: ConformanceChecker.default() });
  const dir = path.join(outdir, 'app', 'clusters', 'under');
  const out = new Map<string, any>();
  for (const f of fs.readdirSync(dir).filter((x) => x !== 'kustomization.yaml')) {
    const doc = yaml.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    out.set(doc.metadata.name, doc);
  }
  return out;
}

const deps = (k: any): string[] => (k.spec.dependsOn ?? []).map((d: any) => d.name);

describe('RolloutPlan gates each wave on the previous wave\'s health', () => {
  test('one gate per wave but the last, health-checking that wave\'s Clusters; the next wave\'s units depend on it, once each', () => {
    const ks = kustomizations(fleet(), 'gated');
    expect([...ks.keys()].filter((n) => n.startsWith('rollout-')).sort()).toEqual(['rollout-golden-canary', 'rollout-golden-standard']);
    const canary = ks.get('rollout-golden-canary');
    expect(canary.spec.healthChecks).toEqual([{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: 'lab', namespace: 'tenant-lab' }]);
    expect(canary.spec.healthCheckExprs).toEqual([CLUSTER_HEALTH]);
    expect(canary.spec.wait).toBe(false);
    // After the class's unit, which creates the namespace of the gate's record.
    expect(deps(canary)).toEqual(['infrastructure-cluster-templates']);
    expect(ks.get('rollout-golden-standard').spec.healthChecks.map((h: any) => h.name)).toEqual(['acme', 'globex']);

    expect(deps(ks.get('tenants-lab'))).toEqual(['infrastructure-cluster-templates']);
    expect(deps(ks.get('tenants-acme'))).toEqual(['infrastructure-cluster-templates', 'rollout-golden-canary']);
    expect(deps(ks.get('tenants-globex'))).toEqual(['infrastructure-cluster-templates', 'rollout-golden-canary']);
    expect(deps(ks.get('tenants-vision'))).toEqual(['infrastructure-cluster-templates', 'rollout-golden-standard']);
    // No unit depends on the gate of its own wave, nor on more than one gate.
    for (const k of ks.values()) expect(deps(k).filter((d) => d.startsWith('rollout-')).length).toBeLessThanOrEqual(1);
  });

  test('gateOnPreviousWave: false emits no gate and no dependency', () => {
    const ks = kustomizations(fleet({ gateOnPreviousWave: false }), 'ungated');
    expect([...ks.keys()].filter((n) => n.startsWith('rollout-'))).toEqual([]);
    expect(deps(ks.get('tenants-vision'))).toEqual(['infrastructure-cluster-templates']);
  });

  test('a unit holding clusters of two waves is refused: it would wait for its own cluster\'s health', () => {
    const app = fleet({}, (platform, golden) => {
      // A second cluster in lab's unit, in the standard wave.
      new TenantCluster(platform.tenantUnit('lab'), 'lab-two', { clusterClass: golden, labels: { 'kmetal.io/tier': 'standard' }, nodePools: [{ name: 'general', replicas: 1 }] });
    });
    expect(() => kustomizations(app, 'mixed')).toThrow(/clusters of waves "canary" \(.*lab.*\) and "standard" share unit "tenants-lab", which would wait for the health of a cluster it applies itself/);
  });
});

describe('the Cluster health expressions (CEL, as Flux evaluates them on the object)', () => {
  // Flux binds the object's top-level fields, so `status` is a variable of the expression.
  const status = (conditions: Array<[string, string, string?]>) => ({
    status: toCel({ conditions: conditions.map(([type, s, reason]) => ({ type, status: s, ...(reason ? { reason } : {}) })) }),
  });
  const current = (b: any) => evaluateCel(CLUSTER_HEALTH.current, b);
  const failed = (b: any) => evaluateCel(CLUSTER_HEALTH.failed!, b);

  test('healthy only when available, topology reconciled and workers up to date', () => {
    expect(current(status([['Available', 'True'], ['TopologyReconciled', 'True'], ['WorkerMachinesUpToDate', 'True']]))).toEqual({ ok: true, value: true });
    // Mid-upgrade: Cluster API keeps Available but the topology is not reconciled yet.
    expect(current(status([['Available', 'True'], ['TopologyReconciled', 'False', 'ClusterUpgrading'], ['WorkerMachinesUpToDate', 'True']]))).toEqual({ ok: true, value: false });
    // Workers rolling.
    expect(current(status([['Available', 'True'], ['TopologyReconciled', 'True'], ['WorkerMachinesUpToDate', 'False']]))).toEqual({ ok: true, value: false });
    expect(current(status([]))).toEqual({ ok: true, value: false });
  });

  test('failed when the topology controller fails', () => {
    expect(failed(status([['TopologyReconciled', 'False', 'ReconcileFailed']]))).toEqual({ ok: true, value: true });
    expect(failed(status([['TopologyReconciled', 'False', 'ClusterUpgrading']]))).toEqual({ ok: true, value: false });
  });
});
