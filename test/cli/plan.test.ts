import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { memoryIo } from './support/memory-io';
import { removeFolder } from './support/tree-builder';
import {
  AddonProfile, ControlPlaneVipPool, DestructiveChangeGuard, FluxTree, MachineImage, PlatformUnderCluster, Policy, RolloutPlan, TenantClusterClass,
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
  readonly waves?: { canary?: string; standard?: string };
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
    platform.addTenantCluster(t, { clusterClass: golden, labels: t === 'acme' ? { 'kmetal.io/tier': 'canary' } : {}, nodePools: [{ name: 'general', replicas: 2 }] });
  }
  if (v.waves) {
    new RolloutPlan(platform.clusterTemplates, 'waves', {
      clusterClass: golden,
      waves: [
        { name: 'canary', clusterLabels: { 'kmetal.io/tier': 'canary' }, version: v.waves.canary },
        { name: 'standard', version: v.waves.standard, maintenanceWindow: 'Sat 02:00-06:00 UTC' },
      ],
    });
  }
  platform.addTenantCluster('initech', {
    version: 'v1.33.2',
    nodePools: [{ name: 'general', replicas: v.poolReplicas ?? 3, cpuCores: v.poolCpuCores ?? 4, memoryGiB: 8 }],
  });
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
  expect(await runKmetal(['plan', before, after], text)).toBe(code);
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
  });

  test('rollout waves: promoting a wave upgrades only its clusters, and the plan reads per wave; the class default no longer moves pinned waves', async () => {
    const before = tree({ waves: { canary: 'v1.34.1', standard: 'v1.33.2' } });
    const promoted = await plan(before, tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } }));
    expect(promoted.code).toBe(1);
    expect(promoted.doc.waves).toEqual([
      { name: 'standard', maintenanceWindow: 'Sat 02:00-06:00 UTC', clusters: 1, machines: 2, upgrades: [{ from: 'v1.33.2', to: 'v1.34.1', clusters: 1 }] },
    ]);
    expect(tenant(promoted.doc, 'acme')).toBeUndefined();
    expect(tenant(promoted.doc, 'globex').version).toEqual({ from: 'v1.33.2', to: 'v1.34.1' });
    expect(promoted.out).toContain('  wave standard: 1 cluster v1.33.2 → v1.34.1, 2 worker machines replaced (maintenance window: Sat 02:00-06:00 UTC)');
    const markdown = memoryIo();
    await runKmetal(['plan', before, tree({ waves: { canary: 'v1.34.1', standard: 'v1.34.1' } }), '--markdown'], markdown);
    expect(markdown.out()).toContain('**Rollout waves**\n\n- wave standard: 1 cluster v1.33.2 → v1.34.1');
    // Both waves pin their release: editing the class's defaultVersion upgrades no cluster.
    const bumped = await plan(before, tree({ classVersion: 'v1.34.1', waves: { canary: 'v1.34.1', standard: 'v1.33.2' } }));
    expect(bumped.doc.tenants.filter((t: any) => t.effects.includes('upgrades-control-plane'))).toEqual([]);
    expect(bumped.doc.waves).toEqual([]);
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
