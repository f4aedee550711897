import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { memoryIo } from './support/memory-io';
import { removeFolder } from './support/tree-builder';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ControlPlaneVipPool, DestructiveChangeGuard, FleetReport, FluxTree, MachineImage, PlatformUnderCluster,
  Policy, RolloutPlan, TenantClusterClass,
} from '../../src';
import { runKmetal } from '../../src/cli/main';

// `kmetal plan` reads two trees; each test synthesizes a platform twice, one change apart.

interface Variant {
  /** The golden class's Kubernetes version. */
  readonly classVersion?: string;
  /** Class-based tenants. */
  readonly tenants?: string[];
  /** initech's own pool (not class-based). */
  readonly poolReplicas?: number;
  readonly poolCpuCores?: number;
  readonly certManager?: string;
  /** The golden class's worker VM size. */
  readonly classWorkerCpuCores?: number;
  /** A Widget (a kind without a pinned schema) in acme's unit. */
  readonly widget?: string;
  /** Rollout waves of the golden class: canary (acme, labelled kmetal.io/tier=canary) at this version, then standard. */
  readonly waves?: { canary?: string; standard?: string; holdStandardWorkers?: boolean };
  /** One VM host (32 cores, 256 GiB) and the fleet report in the tree; the class pools' maxSurge. */
  readonly capacity?: { surge?: number };
  /** With capacity: a second host (8 cores, 28 GiB, labelled kmetal.io/rack=r2) and an initech pool pinned to it (2 × 4 vCPUs). */
  readonly pinned?: { memoryGiB: number; surge: number };
  /** Acknowledge these changes with a DestructiveChangeGuard against `previousOutput`, writing the policy report into the tree. */
  readonly acknowledge?: { previousOutput: string; changes: string[] };
}

const IMAGE = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu-2404:v1.33.2');

function platformAt(v: Variant, outdir: string): string {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: IMAGE,
    allowedKubernetesMinors: ['v1.33', 'v1.34'],
    ...(v.certManager ? { versions: { 'cert-manager': v.certManager } } : {}),
    // Ironic, so that the BareMetalHost of the capacity variant is provisioned (the reconcile check).
    ...(v.capacity ? { provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' } } : {}),
  });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', {
    defaultVersion: v.classVersion ?? 'v1.33.2',
    defaultImage: IMAGE,
    ...(v.classWorkerCpuCores ? { workerClasses: [{ name: 'worker', cpuCores: v.classWorkerCpuCores }] } : {}),
  });
  for (const t of v.tenants ?? ['acme', 'globex']) {
    const rollout = v.capacity?.surge !== undefined ? { rollout: { maxSurge: v.capacity.surge } } : {};
    platform.addTenantCluster(t, { clusterClass: golden, labels: t === 'acme' ? { 'kmetal.io/tier': 'canary' } : {}, nodePools: [{ name: 'general', replicas: 2, ...rollout }] });
  }
  if (v.waves) {
    new RolloutPlan(platform.clusterTemplates, 'waves', {
      clusterClass: golden,
      waves: [
        { name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, version: v.waves.canary },
        { name: 'standard', version: v.waves.standard, maintenanceWindow: 'Sat 02:00-06:00 UTC', ...(v.waves.holdStandardWorkers ? { holdWorkerUpgrades: true } : {}) },
      ],
    });
  }
  platform.addTenantCluster('initech', {
    version: 'v1.33.2',
    nodePools: [
      { name: 'general', replicas: v.poolReplicas ?? 3, cpuCores: v.poolCpuCores ?? 4, memoryGiB: 8 },
      ...(v.pinned ? [{ name: 'rack2', replicas: 2, cpuCores: 4, memoryGiB: v.pinned.memoryGiB, hostSelector: { 'kmetal.io/rack': 'r2' }, rollout: { maxSurge: v.pinned.surge } }] : []),
    ],
  });
  if (v.capacity) {
    new ApiObject(platform.configs, 'metal3-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metal3' } });
    const hosts = new BareMetalPool(platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
    hosts.addHost({ name: 'metal-1', bmc: { address: 'redfish-virtualmedia://192.168.20.1/redfish/v1/Systems/1' }, capacity: { cpuCores: 32, memoryGiB: 256 } });
    if (v.pinned) hosts.addHost({ name: 'metal-2', labels: { 'kmetal.io/rack': 'r2' }, bmc: { address: 'redfish-virtualmedia://192.168.20.2/redfish/v1/Systems/1' }, capacity: { cpuCores: 8, memoryGiB: 28 } });
    FleetReport.writeAtSynth(platform, path.join(outdir, 'app', 'report'));
  }
  if (v.widget) {
    new ApiObject(platform.tenantUnit('acme'), 'widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'tenant-acme' }, spec: { size: v.widget } } as any);
  }
  if (v.acknowledge) {
    const guard = new DestructiveChangeGuard({ previousOutput: v.acknowledge.previousOutput });
    for (const c of v.acknowledge.changes) guard.acknowledge(c, 'offboarded at the end of the contract (CHG-1234)');
    Policy.of(app).addPack(guard);
    Policy.of(app).writeReportTo(path.join(outdir, 'app', 'report'));
  }
  FluxTree.synth(app, { outdir, appName: 'app' });
  return path.join(outdir, 'app');
}

let tmp: string;
let baseline: string;
let n = 0;
function tree(v: Variant = {}): string {
  return platformAt(v, path.join(tmp, `t${n++}`));
}

async function plan(before: string, after: string, ...flags: string[]): Promise<{ code: number; doc: any; out: string; err: string }> {
  const json = memoryIo();
  const code = await runKmetal(['plan', before, after, '--json', ...flags], json);
  const text = memoryIo();
  expect(await runKmetal(['plan', before, after, ...flags], text)).toBe(code);
  return { code, doc: JSON.parse(json.out()), out: text.out(), err: json.err() + text.err() };
}

const tenant = (doc: any, name: string) => doc.tenants.find((t: any) => t.name === name);

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-plan-'));
  baseline = tree();
});
afterAll(() => removeFolder(tmp));

describe('kmetal plan', () => {
  test('an unchanged tree: exit 0, "no changes", nothing parsed', async () => {
    const { code, doc, out } = await plan(baseline, tree());
    expect(code).toBe(0);
    expect(out).toMatch(/no changes \(\d+ manifest files compared\)/);
    expect(doc.summary).toMatchObject({ changes: 0, filesChanged: 0, tenants: 0, components: 0, refused: 0 });
    expect(doc.tenants).toEqual([]);
  });

  test('a class version bump upgrades every class tenant\'s control plane and rolls its workers', async () => {
    const { code, doc, out } = await plan(baseline, tree({ classVersion: 'v1.34.1' }));
    expect(code).toBe(1);
    for (const name of ['acme', 'globex']) {
      const t = tenant(doc, name);
      expect(t.effects).toEqual(expect.arrayContaining(['upgrades-control-plane', 'rolls-machines']));
      expect(t.version).toEqual({ from: 'v1.33.2', to: 'v1.34.1' });
      expect(t.machines).toBe(2);
      const cluster = t.changes.find((c: any) => c.kind === 'Cluster');
      expect(cluster).toMatchObject({ object: `cluster.x-k8s.io/Cluster tenant-${name}/${name}`, machines: 2 });
      expect(cluster.fields).toContain('spec.topology.version');
    }
    // initech has its own version: the class does not touch it.
    expect(tenant(doc, 'initech')).toBeUndefined();
    expect(doc.summary.machines).toBe(4);
    expect(doc.refused).toEqual([]);
    expect(out).toMatch(/2 tenants \(acme, globex\): upgrades the control plane v1\.33\.2 → v1\.34\.1; rolls 2 worker machines/);
  });

  test('a class\'s worker size rolls the workers of every cluster of the class, though their Clusters do not change', async () => {
    const { code, doc, out } = await plan(baseline, tree({ classWorkerCpuCores: 8 }));
    expect(code).toBe(1);
    const templates = doc.components.find((c: any) => c.name === 'infrastructure/cluster-templates');
    expect(templates.effects[0]).toBe('rolls-machines');
    expect(templates.changes.find((c: any) => c.kind === 'KubevirtMachineTemplate').detail).toMatch(/^worker template of ClusterClass golden \(worker\)/);
    for (const name of ['acme', 'globex']) {
      const t = tenant(doc, name);
      expect(t).toMatchObject({ effects: ['rolls-machines', 'in-place'], machines: 2 });
      expect(t.changes.map((c: any) => [c.kind, c.effects[0]])).toEqual([['Cluster', 'rolls-machines'], ['Tenant', 'in-place']]);
      expect(t.changes[0].detail).toMatch(/^rolls with its class: 2 machines of pool general/);
      expect(t.changes[0].derivedFrom).toBe('infrastructure.cluster.x-k8s.io/KubevirtMachineTemplate kmetal-classes/golden-worker');
    }
    expect(tenant(doc, 'initech')).toBeUndefined();
    expect(doc.summary.machines).toBe(4);
    // Counted once, as the template's change: the tenants' rolls follow from it.
    const every = [...doc.tenants, ...doc.components].flatMap((g: any) => g.changes);
    expect(doc.summary.changes).toBe(every.filter((c: any) => !c.derivedFrom).length);
    expect(every.filter((c: any) => c.derivedFrom)).toHaveLength(2);
    expect(out).toMatch(/2 tenants \(acme, globex\): rolls 2 worker machines; 1 in place/);
    // The component's own line says what changed (its machines are counted under the tenants).
    expect(templates.summary).toBe('changes 1 machine template (the workers of the clusters using it roll)');
    expect(out).toContain('  infrastructure/cluster-templates: changes 1 machine template');
  });

  test('rollout waves: promoting a wave upgrades only its clusters, and the plan reads per wave; the class default no longer moves pinned waves', async () => {
    const before = tree({ waves: { canary: 'v1.34.1', standard: 'v1.33.2' } });
    // Inside the standard wave's window (2026-12-05 is a Saturday); outside it, see the window test.
    const promoted = await plan(before, tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } }), '--at', '2026-12-05T03:00Z');
    expect(promoted.code).toBe(1);
    expect(promoted.doc.waves).toEqual([
      { name: 'standard', maintenanceWindow: 'Sat 02:00-06:00 UTC', clusters: 1, machines: 2, upgrades: [{ from: 'v1.33.2', to: 'v1.34.1', clusters: 1 }] },
    ]);
    expect(tenant(promoted.doc, 'acme')).toBeUndefined();
    expect(tenant(promoted.doc, 'globex').version).toEqual({ from: 'v1.33.2', to: 'v1.34.1' });
    expect(promoted.out).toContain('  wave standard: 1 cluster v1.33.2 → v1.34.1, 2 worker machines replaced (maintenance window: Sat 02:00-06:00 UTC)');
    const markdown = memoryIo();
    await runKmetal(['plan', before, tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } }), '--markdown', '--at', '2026-12-05T03:00Z'], markdown);
    expect(markdown.out()).toContain('**Rollout waves**\n\n- wave standard: 1 cluster v1.33.2 → v1.34.1');
    // Both waves pin their release: editing the class's defaultVersion upgrades no cluster.
    const bumped = await plan(before, tree({ classVersion: 'v1.34.1', waves: { canary: 'v1.34.1', standard: 'v1.33.2' } }));
    expect(bumped.doc.tenants.filter((t: any) => t.effects.includes('upgrades-control-plane'))).toEqual([]);
    expect(bumped.doc.waves).toEqual([]);
  });

  test('a wave that holds worker upgrades upgrades only its control planes; lifting the hold rolls the held workers', async () => {
    const before = tree({ waves: { canary: 'v1.34.1', standard: 'v1.33.2' } });
    const controlPlanes = tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1', holdStandardWorkers: true } });
    const held = await plan(before, controlPlanes, '--at', '2026-12-02T12:00Z');
    expect(held.code).toBe(1);
    const globex = tenant(held.doc, 'globex');
    expect(globex.effects).toContain('upgrades-control-plane');
    expect(globex.effects).not.toContain('rolls-machines');
    expect(globex.machines).toBe(0);
    const cluster = globex.changes.find((c: any) => c.kind === 'Cluster');
    expect(cluster).toMatchObject({ heldMachines: 2 });
    expect(cluster.detail).toContain('pool general: upgrade held (the wave holds worker upgrades), its 2 machines stay on v1.33.2 until the hold is removed');
    // No machine rolls, so a Wednesday merge is not outside the Saturday window.
    expect(held.doc.waves).toEqual([{ name: 'standard', maintenanceWindow: 'Sat 02:00-06:00 UTC', clusters: 1, machines: 0, heldMachines: 2, upgrades: [{ from: 'v1.33.2', to: 'v1.34.1', clusters: 1 }] }]);
    expect(held.doc.capacity?.surgingPools ?? 0).toBe(0);
    expect(held.out).toContain('wave standard: 1 cluster v1.33.2 → v1.34.1, 2 worker machines held on the old version');
    const lifted = await plan(controlPlanes, tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } }), '--at', '2026-12-05T03:00Z');
    expect(tenant(lifted.doc, 'globex')).toMatchObject({ effects: ['rolls-machines'], machines: 2 });
    expect(lifted.doc.waves).toEqual([{ name: 'standard', maintenanceWindow: 'Sat 02:00-06:00 UTC', clusters: 1, machines: 2, upgrades: [] }]);
  });

  // One VM host: (32 − 2) × 4 = 120 vCPUs, 256 − 8 = 248 GiB. At steady state acme and globex run
  // 2 × (2 vCPUs, 4 GiB) each, initech 3 × (4 vCPUs, 8 GiB): 20 vCPUs, 41.75 GiB with the
  // virt-launcher overhead, so 100 vCPUs and 206.25 GiB are free.
  test('capacity during a change: pools roll without surge by default; the free capacity comes from the after tree\'s fleet report', async () => {
    const { code, doc, out } = await plan(tree({ capacity: {} }), tree({ capacity: {}, classVersion: 'v1.34.1' }));
    expect(code).toBe(1);
    expect(doc.capacity).toEqual({
      machines: 4,
      pools: 2,
      surgingPools: 0,
      surgeVms: 0,
      report: 'report/report.json',
      surgeCpuCores: 0,
      surgeMemoryGiB: 0,
      surgeGpus: [],
      freeCpuCores: 100,
      freeMemoryGiB: 206.25,
      freeGpus: [],
      fits: true,
    });
    expect(out).toContain('capacity during the change: no surge VMs (2 rolling pools replace machines within their size); 100 vCPUs, 206.3 GiB free on the VM hosts (report/report.json)');
  });

  test('a surge that fits is shown against the free capacity; one that does not fit refuses the plan (exit 3)', async () => {
    // 2 pools × 2 surge VMs (capped at the pools' 2 replicas) × (2 vCPUs, 4.25 GiB): 8 vCPUs, 17 GiB.
    const fits = await plan(tree({ capacity: { surge: 2 } }), tree({ capacity: { surge: 2 }, classVersion: 'v1.34.1' }));
    expect(fits.code).toBe(1);
    expect(fits.doc.capacity).toMatchObject({ surgingPools: 2, surgeVms: 4, surgeCpuCores: 8, surgeMemoryGiB: 17, fits: true });
    expect(tenant(fits.doc, 'acme').changes.find((c: any) => c.kind === 'Cluster')).toMatchObject({ surgeVms: 2 });
    expect(fits.out).toContain('capacity during the change: 4 surge VMs from 2 of 2 rolling pools (8 vCPUs, 17 GiB) against 100 vCPUs, 206.3 GiB free on the VM hosts');

    // The same fleet on a host already nearly full: a second tenant of 24 × (4 vCPUs, 8 GiB)
    // leaves 4 vCPUs and 8.25 GiB free, below the surge.
    const full = { capacity: { surge: 2 }, poolReplicas: 27 };
    const refused = await plan(tree(full), tree({ ...full, classVersion: 'v1.34.1' }));
    expect(refused.code).toBe(3);
    expect(refused.doc.capacity).toMatchObject({ surgeVms: 4, freeCpuCores: 4, freeMemoryGiB: 8.25, fits: false });
    expect(refused.doc.capacity.problems).toEqual([
      '8 vCPUs of surge VMs, but the VM hosts have 4 free',
      '17 GiB of surge VMs, but the VM hosts have 8.25 GiB free',
    ]);
    expect(refused.out).toMatch(/: DOES NOT FIT\n  refused: 8 vCPUs of surge VMs, but the VM hosts have 4 free/);
    const markdown = memoryIo();
    expect(await runKmetal(['plan', tree(full), tree({ ...full, classVersion: 'v1.34.1' }), '--markdown'], markdown)).toBe(3);
    expect(markdown.out()).toContain('> **Refused**: the rolling pools\' surge VMs do not fit the VM hosts\' free capacity');
  });

  // metal-2 offers (8 − 2) × 4 = 24 vCPUs and 28 − 8 = 20 GiB; the pinned pool at 8 GiB takes
  // 2 × 4 vCPUs and 2 × 8.25 GiB, leaving 16 vCPUs and 3.5 GiB: a surge VM (4 vCPUs, 8.25 GiB) does
  // not fit there, though the fleet as a whole has room for it.
  test('a pool pinned to hosts surges on those hosts: its surge is checked against their headroom, not the fleet\'s', async () => {
    const before = tree({ capacity: {}, pinned: { memoryGiB: 7, surge: 1 } });
    const refused = await plan(before, tree({ capacity: {}, pinned: { memoryGiB: 8, surge: 1 } }));
    expect(refused.code).toBe(3);
    expect(refused.doc.capacity).toMatchObject({
      surgingPools: 1,
      surgeVms: 1,
      surgeCpuCores: 0,
      surgeMemoryGiB: 0,
      hostGroups: [{ hostLabels: { 'kmetal.io/rack': 'r2' }, surgeVms: 1, surgeCpuCores: 4, surgeMemoryGiB: 8.25, freeCpuCores: 16, freeMemoryGiB: 3.5, fits: false }],
      fits: false,
    });
    expect(refused.doc.capacity.freeMemoryGiB).toBeGreaterThan(100);
    expect(refused.doc.capacity.problems).toEqual(['1 surge VM(s) of pools pinned to kmetal.io/rack=r2 need 4 vCPUs and 8.25 GiB, but the 1 host(s) labelled so have 16 vCPUs and 3.5 GiB free']);
    expect(refused.out).toContain('capacity during the change: 1 surge VM from 1 of 1 rolling pool; 1 VM pinned to kmetal.io/rack=r2 (4 vCPUs, 8.3 GiB) against 16 vCPUs, 3.5 GiB free on those hosts (does not fit): DOES NOT FIT\n');
    // Without a surge the pool replaces one machine at a time on its hosts: nothing to check there.
    const fits = await plan(tree({ capacity: {}, pinned: { memoryGiB: 7, surge: 0 } }), tree({ capacity: {}, pinned: { memoryGiB: 8, surge: 0 } }));
    expect(fits.code).toBe(1);
    expect(fits.doc.capacity.hostGroups).toBeUndefined();
  });

  test('without a fleet report in the tree a surge is reported as not checked, not refused', async () => {
    const before = tree({ waves: { canary: 'v1.34.1', standard: 'v1.33.2' } });
    const { code, doc } = await plan(before, tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } }));
    expect(code).toBe(1);
    // The library's pools surge 0: nothing to check, and nothing is claimed about free capacity.
    expect(doc.capacity).toEqual({ machines: 2, pools: 1, surgingPools: 0, surgeVms: 0 });
  });

  test('maintenance windows: a wave whose machines roll is flagged when --at is outside its window', async () => {
    const before = tree({ waves: { canary: 'v1.34.1', standard: 'v1.33.2' } });
    const after = tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } });
    // 2026-12-05 is a Saturday: 03:00 UTC is inside "Sat 02:00-06:00 UTC", 07:00 is not.
    const inside = await plan(before, after, '--at', '2026-12-05T03:00Z');
    expect(inside.doc.at).toBe('2026-12-05T03:00:00.000Z');
    expect(inside.doc.waves[0].outsideWindow).toBeUndefined();
    const outside = await plan(before, after, '--at', '2026-12-05T07:00Z');
    expect(outside.code).toBe(1);
    expect(outside.doc.waves[0]).toMatchObject({ name: 'standard', outsideWindow: true });
    expect(outside.out).toContain('(maintenance window: Sat 02:00-06:00 UTC) — OUTSIDE the window at 2026-12-05T07:00:00.000Z');
    // A time in another zone is the same instant: 2026-12-05T04:30+02:00 is 02:30 UTC, inside.
    expect((await plan(before, after, '--at', '2026-12-05T04:30+02:00')).doc.waves[0].outsideWindow).toBeUndefined();
    const bad = memoryIo();
    expect(await runKmetal(['plan', before, after, '--at', 'saturday'], bad)).toBe(2);
    expect(bad.err()).toMatch(/--at "saturday" is not a time; give ISO 8601 with a zone/);
  });

  test('a pool resize changes in place: no machine is replaced', async () => {
    const { code, doc } = await plan(baseline, tree({ poolReplicas: 5 }));
    expect(code).toBe(1);
    expect(doc.tenants.map((t: any) => t.name)).toEqual(['initech']);
    const t = tenant(doc, 'initech');
    expect(t.effects).toEqual(['in-place']);
    expect(t.machines).toBe(0);
    expect(t.changes).toEqual([
      // The tenant's Capsule quota follows its pools.
      expect.objectContaining({ kind: 'Tenant', effects: ['in-place'], fields: ['spec.resourceQuotas.items'] }),
      expect.objectContaining({ kind: 'MachineDeployment', effects: ['in-place'], detail: 'scales 3 → 5', fields: ['spec.replicas'] }),
    ]);
  });

  test('a pool CPU change rolls its machines: a new machine template, the old one replaced', async () => {
    const { code, doc } = await plan(baseline, tree({ poolCpuCores: 8 }));
    expect(code).toBe(1);
    const t = tenant(doc, 'initech');
    expect(t.effects).toEqual(['rolls-machines', 'in-place']);
    expect(t.machines).toBe(3);
    expect(t.changes.filter((c: any) => c.effects[0] === 'in-place').map((c: any) => c.kind)).toEqual(['Tenant']);
    const md = t.changes.find((c: any) => c.kind === 'MachineDeployment');
    expect(md).toMatchObject({ effects: ['rolls-machines'], machines: 3 });
    expect(md.detail).toMatch(/^3 machines replaced \(machine template initech-general-\w+ → initech-general-\w+\)$/);
    // The two templates are the roll, not a loss and a gain.
    const templates = t.changes.filter((c: any) => c.kind === 'KubevirtMachineTemplate');
    expect(templates).toHaveLength(2);
    expect(templates.every((c: any) => c.effects[0] === 'rolls-machines' && c.machines === undefined)).toBe(true);
    expect(doc.summary.byEffect.destroyed).toBeUndefined();
  });

  test('a tenant removal destroys its objects; the guarded ones are refused (exit 3) until acknowledged, with the ids the guard takes', async () => {
    const after = tree({ tenants: ['acme'] });
    const { code, doc, out } = await plan(baseline, after);
    expect(code).toBe(3);
    const globex = tenant(doc, 'globex');
    expect(globex.effects[0]).toBe('destroyed');
    expect(globex.summary).toMatch(/^is destroyed; .*5 destructive changes not acknowledged/);
    expect(doc.refused.sort()).toEqual([
      'delete capsule.clastix.io/Tenant globex',
      'delete cluster.x-k8s.io/Cluster tenant-globex/globex',
      'delete core/Namespace tenant-globex',
      'delete helm.toolkit.fluxcd.io/HelmRelease tenant-globex/globex-etcd',
      'delete kamaji.clastix.io/DataStore globex-etcd',
    ]);
    // Not guarded, still destroyed: the rest of the tenant's unit and its Flux Kustomization.
    expect(globex.changes.filter((c: any) => c.effects[0] === 'destroyed' && !c.destructive).length).toBeGreaterThan(0);
    expect(globex.changes.some((c: any) => c.kind === 'Kustomization' && c.file.startsWith('clusters/'))).toBe(true);
    expect(out).toMatch(/^refused by policy: 5 destructive changes not acknowledged/m);
    expect(out).toContain("guard.acknowledge('delete core/Namespace tenant-globex', '<why>')");

    // The printed ids are what the guard accepts: acknowledged in code, the plan passes (exit 1).
    const acked = tree({ tenants: ['acme'], acknowledge: { previousOutput: baseline, changes: doc.refused } });
    const second = await plan(baseline, acked);
    expect(second.doc.refused).toEqual([]);
    expect(second.doc.summary).toMatchObject({ destructive: 5, refused: 0 });
    expect(tenant(second.doc, 'globex').changes.find((c: any) => c.kind === 'Cluster').destructive)
      .toEqual([expect.objectContaining({ change: 'delete cluster.x-k8s.io/Cluster tenant-globex/globex', acknowledged: true, reason: expect.stringMatching(/CHG-1234/) })]);
    expect(second.code).toBe(1);
  });

  test('a platform chart bump is a change of that component', async () => {
    const { code, doc, out } = await plan(baseline, tree({ certManager: 'v1.22.0' }));
    expect(code).toBe(1);
    expect(doc.tenants).toEqual([]);
    const certManager = doc.components.find((c: any) => c.name === 'cert-manager');
    expect(certManager).toMatchObject({ effects: ['upgrades-component'], version: { from: 'v1.21.1', to: 'v1.22.0' } });
    expect(certManager.changes[0]).toMatchObject({ kind: 'HelmRelease', detail: expect.stringMatching(/^chart cert-manager v1\.21\.1 → v1\.22\.0/) });
    expect(out).toMatch(/^platform components:\n {2}cert-manager: upgrades v1\.21\.1 → v1\.22\.0/m);
  });

  test('a kind plan does not know is reported, never dropped', async () => {
    const before = tree({ widget: 'small' });
    const { code, doc, out } = await plan(before, tree({ widget: 'large' }));
    expect(code).toBe(1);
    expect(doc.unknownKinds).toEqual(['example.com/Widget']);
    expect(tenant(doc, 'acme').changes).toEqual([expect.objectContaining({ kind: 'Widget', effects: ['in-place'], unknownKind: true, fields: ['spec.size'] })]);
    expect(out).toMatch(/kinds plan does not know .*example\.com\/Widget/);
    const created = await plan(baseline, before);
    expect(tenant(created.doc, 'acme').changes).toEqual([expect.objectContaining({ kind: 'Widget', effects: ['created'], unknownKind: true })]);
  });

  test('--markdown writes a pull-request comment: counts, the tenants affected, collapsed details', async () => {
    const io = memoryIo();
    expect(await runKmetal(['plan', baseline, tree({ classVersion: 'v1.34.1', tenants: ['acme'] }), '--markdown'], io)).toBe(3);
    const md = io.out();
    expect(md).toMatch(/^### kmetal plan$/m);
    expect(md).toMatch(/^\| upgrades the control plane \| 1 \| 1 \| 0 \|$/m);
    expect(md).toMatch(/^\*\*Tenant clusters affected: 2\*\*$/m);
    expect(md).toMatch(/^\| acme \| upgrades the control plane v1\.33\.2 → v1\.34\.1; rolls 2 worker machines/m);
    expect(md).toMatch(/\*\*Refused by policy\*\*: 5 destructive changes not acknowledged/);
    expect(md).toMatch(/<details><summary>Every change<\/summary>[\s\S]*- \*\*globex\*\*[\s\S]*<\/details>/);
  });

  test('a git ref and a folder: the ref is read at the folder\'s path in the repository', async () => {
    const repo = path.join(tmp, 'repo');
    fs.mkdirSync(path.join(repo, 'dist'), { recursive: true });
    fs.cpSync(baseline, path.join(repo, 'dist', 'app'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'before');
    fs.rmSync(path.join(repo, 'dist', 'app'), { recursive: true });
    fs.cpSync(tree({ poolReplicas: 5 }), path.join(repo, 'dist', 'app'), { recursive: true });
    const io = memoryIo();
    const code = await runKmetal(['plan', 'HEAD', 'dist/app', '--json'], { ...io, cwd: repo });
    const doc = JSON.parse(io.out());
    expect(doc).toMatchObject({ before: 'HEAD:dist/app', after: 'dist/app', summary: { changes: 2, filesChanged: 2 } });
    expect(tenant(doc, 'initech').changes.map((c: any) => c.detail)).toContain('scales 3 → 5');
    expect(code).toBe(1);
  });

  test('errors are one line with exit code 2: no such folder nor ref, wrong arguments', async () => {
    const io = memoryIo();
    expect(await runKmetal(['plan', path.join(tmp, 'nope'), baseline], io)).toBe(2);
    expect(io.err()).toMatch(/^kmetal: .*nope: no such folder, and not a git ref here .*\n$/);
    const usage = memoryIo();
    expect(await runKmetal(['plan', baseline], usage)).toBe(2);
    expect(usage.err()).toMatch(/plan needs two trees/);
    const both = memoryIo();
    expect(await runKmetal(['plan', baseline, baseline, '--json', '--markdown'], both)).toBe(2);
  });
});

describe('DestructiveChangeGuard.acknowledge', () => {
  test('takes the id as printed; the core group spelled otherwise is refused with the id to write', () => {
    const guard = new DestructiveChangeGuard({ previousOutput: '/does/not/exist' });
    expect(() => guard.acknowledge('delete core/Namespace tenant-x', 'tenant offboarded (CHG-1)')).not.toThrow();
    expect(() => guard.acknowledge('delete /Namespace tenant-x', 'tenant offboarded (CHG-1)')).toThrow(/write "delete core\/Namespace tenant-x"/);
    expect(() => guard.acknowledge('delete v1/Namespace tenant-x', 'tenant offboarded (CHG-1)')).toThrow(/write "delete core\/Namespace tenant-x"/);
    expect(() => guard.acknowledge('delete v1beta2/Cluster tenant-x/x', 'tenant offboarded (CHG-1)')).toThrow(/names a version/);
    expect(() => guard.acknowledge('change kamaji.clastix.io/DataStore x', 'no field named')).toThrow(/is not a change as findings name them/);
  });
});
