import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, JsonPatch } from 'cdk8s';
import { policyPlatform } from './fixture';
import { DestructiveChangeGuard, FluxTree, Policy } from '../../src';
import { transitionViolations } from '../../src/policy/private/transition';

interface Version {
  readonly tenants?: string[];
  readonly hosts?: number;
  readonly etcdDriver?: string;
}

/** The platform as of one commit: tenants, hosts, and an optional escape-hatch edit of acme's DataStore. */
function platformAt(v: Version, previousOutput?: string): { app: App; guard?: DestructiveChangeGuard } {
  const p = policyPlatform({ hosts: v.hosts ?? 3 });
  for (const t of v.tenants ?? ['acme', 'globex']) {
    const c = p.platform.addTenantCluster(t, { clusterClass: p.golden });
    if (t === 'acme' && v.etcdDriver) (c.dataStore as any).dataStore.addJsonPatch(JsonPatch.replace('/spec/driver', v.etcdDriver));
  }
  if (!previousOutput) return { app: p.app };
  const guard = new DestructiveChangeGuard({ previousOutput });
  Policy.of(p.app).addPack(guard);
  return { app: p.app, guard };
}

function committed(v: Version = {}): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-guard-'));
  FluxTree.synth(platformAt(v).app, { appName: 'kmetal', outdir: out });
  return path.join(out, 'kmetal');
}

describe('DestructiveChangeGuard', () => {
  const previous = committed();

  test('nothing to compare on a first synthesis; an unchanged platform passes', () => {
    expect(Policy.of(platformAt({}, '/does/not/exist').app).check().errors).toEqual([]);
    const { app } = platformAt({}, previous);
    const report = Policy.of(app).check();
    expect(report.findingsOf('KM-DATA-002')).toEqual([]);
    expect(report.findingsOf('KM-DATA-003')).toEqual([]);
  });

  test('KM-DATA-002: removing a tenant fails, naming every stateful object it takes with it', () => {
    const { app } = platformAt({ tenants: ['acme'] }, previous);
    const f = Policy.of(app).check().findingsOf('KM-DATA-002');
    expect(f.map((x) => x.occurrence).sort()).toEqual([
      'delete cluster.x-k8s.io/Cluster tenant-globex/globex',
      'delete core/Namespace tenant-globex',
      'delete capsule.clastix.io/Tenant globex',
      'delete kamaji.clastix.io/DataStore globex-etcd',
      'delete helm.toolkit.fluxcd.io/HelmRelease tenant-globex/globex-etcd',
    ].sort());
    const cluster = f.find((x) => x.object?.kind === 'Cluster')!;
    expect(cluster.message).toMatch(/^Cluster tenant-globex\/globex \(in .*tenants\/globex\/cluster-globex.yaml\) is gone from the output: Cluster API deletes the tenant cluster: its control plane and every worker VM\. \(It carries prune: disabled/);
    expect(cluster.fix).toContain("guard.acknowledge('delete cluster.x-k8s.io/Cluster tenant-globex/globex', '<why>')");
    expect(cluster.constructPath).toBe('<app>');
  });

  test('KM-DATA-002: a rename (a new construct id or name) is a delete plus a create, and says so', () => {
    const { app } = platformAt({ tenants: ['acme', 'globex2'] }, previous);
    const cluster = Policy.of(app).check().findingsOf('KM-DATA-002').find((x) => x.object?.kind === 'Cluster')!;
    expect(cluster.message).toMatch(/It may have been renamed: new Cluster in this output: tenant-globex2\/globex2\./);
  });

  test('KM-DATA-002: a server leaving its pool', () => {
    const { app } = platformAt({ hosts: 2 }, previous);
    expect(Policy.of(app).check().findingsOf('KM-DATA-002').map((x) => x.message)).toEqual([
      expect.stringMatching(/^BareMetalHost metal3\/metal-3 .* is gone from the output: Metal3 deprovisions the server \(its disks are wiped\) and forgets it\./),
    ]);
  });

  test('KM-DATA-003: a field the CRD declares immutable (CEL transition rule on oldSelf) would change', () => {
    const { app } = platformAt({ etcdDriver: 'PostgreSQL' }, previous);
    const f = Policy.of(app).check().findingsOf('KM-DATA-003');
    expect(f.map((x) => x.message)).toEqual([
      'DataStore acme-etcd: spec would change (driver: "etcd" → "PostgreSQL"), which its CRD forbids (driver is immutable and cannot be changed after creation); the API server refuses the update and Flux stops applying the unit',
      'DataStore acme-etcd: spec.driver would change from "etcd" to "PostgreSQL", which its CRD forbids (Datastore driver is immutable); the API server refuses the update and Flux stops applying the unit',
    ]);
    expect(f.map((x) => x.occurrence).sort()).toEqual(['change kamaji.clastix.io/DataStore acme-etcd spec', 'change kamaji.clastix.io/DataStore acme-etcd spec.driver']);
    expect(f[0].constructPath).toBe('tenant-acme/acme/Etcd/DataStore');
  });

  test('acknowledged changes pass, are reported with their reason, and go stale once they no longer happen', () => {
    const removal = platformAt({ tenants: ['acme'] }, previous);
    const changes = Policy.of(removal.app).check().findingsOf('KM-DATA-002').map((x) => x.occurrence!);
    for (const c of changes) removal.guard!.acknowledge(c, 'globex offboarded, contract ended (CHG-2207)');
    const report = Policy.of(removal.app).check();
    expect(report.errors).toEqual([]);
    expect(report.suppressedFindings.map((x) => x.occurrence)).toEqual(changes);
    expect(report.suppressions.every((s) => s.matchedFindings === 1 && s.reason === 'globex offboarded, contract ended (CHG-2207)')).toBe(true);

    // An acknowledgement for a change that does not happen is reported, so that it is removed.
    const same = platformAt({}, previous);
    same.guard!.acknowledge('delete cluster.x-k8s.io/Cluster tenant-globex/globex', 'globex offboarded, contract ended (CHG-2207)');
    expect(Policy.of(same.app).check().findingsOf('KM-POL-002')).toEqual([expect.objectContaining({ severity: 'warning', message: 'the acknowledged change "delete cluster.x-k8s.io/Cluster tenant-globex/globex" (KM-DATA-002) does not happen in this synthesis' })]);
    expect(() => same.guard!.acknowledge('remove everything', 'because I said so')).toThrow(/is not a change as findings name them/);
    expect(() => same.guard!.acknowledge('delete core/Namespace x', 'short')).toThrow(/at least 10 characters/);
  });

  test('with FluxTree writing into the folder it compares with: the failed synth writes nothing, the acknowledged one writes', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-guard-flux-'));
    const dir = path.join(out, 'kmetal');
    FluxTree.synth(platformAt({}, dir).app, { appName: 'kmetal', outdir: out });
    expect(fs.existsSync(path.join(dir, 'tenants', 'globex', 'cluster-globex.yaml'))).toBe(true);

    const next = platformAt({ tenants: ['acme'] }, dir);
    expect(() => FluxTree.synth(next.app, { appName: 'kmetal', outdir: out })).toThrow(/KM-DATA-002 error \[<app>\] \(Cluster tenant-globex\/globex\)/);
    expect(fs.existsSync(path.join(dir, 'tenants', 'globex', 'cluster-globex.yaml'))).toBe(true);

    for (const f of Policy.of(next.app).lastReport!.findingsOf('KM-DATA-002')) next.guard!.acknowledge(f.occurrence!, 'globex offboarded, contract ended (CHG-2207)');
    FluxTree.synth(next.app, { appName: 'kmetal', outdir: out });
    expect(fs.existsSync(path.join(dir, 'tenants', 'globex'))).toBe(false);
  });
});

describe('transition rules', () => {
  test('list items and map values are compared item by item, only where both sides have a value', () => {
    const rules = [{ path: 'spec.items[*].name', rule: 'self == oldSelf', message: 'names are immutable' }];
    const before = { spec: { items: [{ name: 'a' }, { name: 'b' }] } };
    expect(transitionViolations(rules, before, { spec: { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } })).toEqual([]);
    expect(transitionViolations(rules, before, { spec: { items: [{ name: 'a' }, { name: 'x' }] } })).toEqual([
      { path: 'spec.items[1].name', rule: 'self == oldSelf', message: 'names are immutable', before: 'b', after: 'x' },
    ]);
    expect(transitionViolations([{ path: 'spec', rule: 'self.size == oldSelf.size' }], { spec: { size: 1 } }, { spec: { size: 2 } })).toHaveLength(1);
  });
});
