import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { AddonProfile, ControlPlaneVipPool, FluxTree, GitOpsUnit, MachineImage, PlatformUnderCluster, PruneProtection, TenantCluster } from '../../src';
import { KmetalValidation, KmetalValidationProps } from '../../src/plugin';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

interface Options {
  readonly labReplicas?: number;
  readonly protect?: boolean;
  readonly bogusField?: boolean;
}

/** The example app (two tenants, lab with one API server), synthesized as `cdk8s synth` does it. */
function synthesize(dir: string, o: Options = {}): { manifests: string[]; metadata: { [name: string]: { path: string } } } {
  const app = new App({ outdir: dir, recordConstructMetadata: true });
  const chart = new Chart(app, 'tenants');
  new AddonProfile(chart, 'cni', { mandatory: true, helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }] });
  new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, nodePools: [{ name: 'general', replicas: 3 }] });
  const lab = new TenantCluster(chart, 'lab', { version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { replicas: o.labReplicas ?? 1 }, nodePools: [{ name: 'general', replicas: 1 }] });
  if (o.bogusField) lab.controlPlane!.addJsonPatch(JsonPatch.add('/spec/bogus', 1));
  if (o.protect ?? true) PruneProtection.applyTo(app);
  app.synth();
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'construct-metadata.json'), 'utf8'));
  const metadata: { [name: string]: { path: string } } = {};
  for (const [name, m] of Object.entries<any>(raw.resources)) metadata[name] = { path: m.path };
  return { manifests: fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)), metadata };
}

async function run(props: KmetalValidationProps, o: Options = {}): Promise<{ json: any; text: string; logs: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-plugin-'));
  try {
    const { manifests, metadata } = synthesize(dir, o);
    const context = new ValidationContext(manifests, 'cdk8s-kmetal', '0.0.0', metadata, false);
    const logs: string[] = [];
    (context.logger as any).log = (m: string) => logs.push(m);
    await new KmetalValidation(props).validate(context);
    return { json: context.report.toJson(), text: context.report.toString(), logs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('KmetalValidation over the manifests of a cdk8s app', () => {
  test('one API server: a KM-TEN-002 violation with rule, recommendation, fix, object and construct path; the report fails', async () => {
    const { json, text } = await run({});
    expect(json.summary.status).toBe('failure');
    expect(json.violations.map((v: any) => v.ruleName)).toEqual(['KM-TEN-002 (error)']);
    const v = json.violations[0];
    expect(v.recommendation).toBe('Tenant control planes run at least 2 API servers (and no more than the platform allows)');
    expect(v.fix).toMatch(/set controlPlane\.replicas to 2 or more/);
    expect(v.violatingConstructs).toHaveLength(1);
    const c = v.violatingConstructs[0];
    expect(c.resourceName).toBe('lab');
    expect(c.manifestPath).toMatch(/tenants\.k8s\.yaml$/);
    // The CLI's metadata names one construct per object name: lab's Cluster, KamajiControlPlane
    // and Tenant share "lab", so the location carries the plugin's own path too.
    expect(c.constructPath).toMatch(/^tenants\/lab\//);
    expect(c.locations[0]).toMatch(/^KamajiControlPlane tenant-lab\/lab: spec\.replicas is 1: below the minimum of 2 .*\[construct tenants\/lab\/KamajiControlPlane \(approximate\)\]$/);
    expect(text).toContain('KM-TEN-002 (error) (1 occurrences)');
  });

  test('two API servers: the report passes', async () => {
    const { json } = await run({}, { labReplicas: 2 });
    expect(json.summary.status).toBe('success');
    expect(json.violations).toEqual([]);
  });

  test('suppressed by construct path (the construct and everything below it): passes, and the reason is logged', async () => {
    const { json, logs } = await run({ suppressions: [{ ruleId: 'KM-TEN-002', path: 'tenants/lab', reason: 'lab cluster, one API server is enough' }] });
    expect(json.summary.status).toBe('success');
    expect(json.summary.metadata.suppressed).toBe('1');
    expect(logs.join('\n')).toMatch(/KM-TEN-002 \[tenants\/lab\/KamajiControlPlane\].*\(suppressed: lab cluster, one API server is enough\)/);
  });

  test('suppressed by object name and kind: passes', async () => {
    const { json } = await run({ suppressions: [{ ruleId: 'KM-TEN-002', resource: 'lab', kind: 'KamajiControlPlane', reason: 'lab cluster, one API server is enough' }] });
    expect(json.summary.status).toBe('success');
  });

  test('a suppression that matches nothing is reported', async () => {
    const { json } = await run({ suppressions: [{ ruleId: 'KM-TEN-002', path: 'tenants/nope', reason: 'a typo in the construct path' }] });
    expect(json.violations.map((v: any) => v.ruleName)).toEqual(['KM-TEN-002 (error)', 'KM-PLUGIN-001 (warning)']);
  });

  test('a suppression of a rule no pack has fails the report (the policy engine\'s KM-POL-001)', async () => {
    const { json } = await run({ suppressions: [{ ruleId: 'KM-XYZ-999', path: 'tenants/lab', reason: 'no such rule in any pack' }] }, { labReplicas: 2 });
    expect(json.summary.status).toBe('failure');
    expect(json.violations.map((v: any) => v.ruleName)).toEqual(['KM-POL-001 (error)']);
  });

  test('severities select what is reported; failOn what fails', async () => {
    const unprotected = { labReplicas: 2, protect: false };
    const warned = await run({}, unprotected);
    expect(warned.json.summary.status).toBe('success');
    expect(warned.json.violations.map((v: any) => v.ruleName)).toEqual(['KM-DATA-001 (warning)']);
    expect((await run({ severities: ['error'] }, unprotected)).json.violations).toEqual([]);
    expect((await run({ failOn: 'warning' }, unprotected)).json.summary.status).toBe('failure');
  });

  test('packs select the checks: conformance finds a field the CRD does not have', async () => {
    const { json } = await run({ packs: ['kmetal-conformance'] }, { bogusField: true });
    expect(json.summary.status).toBe('failure');
    expect(json.violations.map((v: any) => v.ruleName)).toEqual(['conformance/unknown-field (error)']);
    const c = json.violations[0].violatingConstructs[0];
    expect(c.locations[0]).toMatch(/^KamajiControlPlane tenant-lab\/lab spec\.bogus: /);
    expect(json.violations[0].recommendation).toMatch(/fields their CRD schema declares/);
  });

  test('bad properties are refused with what is allowed', () => {
    expect(() => new KmetalValidation({ packs: ['nope'] })).toThrow(/packs \["nope"\]: give a non-empty list of kmetal-conformance, kmetal-platform/);
    expect(() => new KmetalValidation({ bogus: 1 } as any)).toThrow(/unknown property "bogus"/);
    expect(() => new KmetalValidation({ suppressions: [{ ruleId: 'KM-TEN-002', reason: 'short' }] })).toThrow(/reason of at least 10 characters/);
    expect(() => new KmetalValidation({ failOn: 'fatal' })).toThrow(/failOn "fatal"/);
  });

  test('kmetal-reconcile (opt-in): an app of tenants alone names what it does not install, with the construct path', async () => {
    const { json } = await run({ packs: ['kmetal-reconcile'] }, { labReplicas: 2 });
    expect(json.summary.status).toBe('failure');
    const names = json.violations.map((v: any) => v.ruleName);
    expect(names).toEqual(expect.arrayContaining(['reconcile/dangling-reference (error)']));
    const dangling = json.violations.find((v: any) => v.ruleName === 'reconcile/dangling-reference (error)');
    // The dedicated etcd's chart source is installed by PlatformUnderCluster, which this app does not declare.
    const source = dangling.violatingConstructs.find((c: any) => /HelmRelease tenant-acme\/acme-etcd spec\.chart\.spec\.sourceRef/.test(c.locations?.[0] ?? c.location ?? ''));
    expect(source).toBeDefined();
    expect(source.manifestPath).toMatch(/tenants\.k8s\.yaml$/);
  });

  test('an app written with FluxTree.synth: its kustomization.yaml files are kustomize configuration, not objects to check', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-plugin-flux-'));
    try {
      const app = new App({ outdir: dir });
      const platform = new PlatformUnderCluster(app, 'platform', { releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests', defaultNodeImage: IMAGE });
      platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
      platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }] });
      FluxTree.synth(app, { outdir: dir, appName: 'kmetal' });
      // The CLI hands the plugin every YAML file under its output folder.
      const manifests = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f));
      expect(manifests.some((f) => f.endsWith('kustomization.yaml'))).toBe(true);
      const context = new ValidationContext(manifests, 'cdk8s-kmetal', '0.0.0', {}, false);
      await new KmetalValidation({ packs: ['kmetal-conformance', 'kmetal-reconcile'] }).validate(context);
      const json: any = context.report.toJson();
      expect(json.violations.map((v: any) => v.ruleName)).toEqual([]);
      expect(json.summary.status).toBe('success');

      // The reconcile pack checks that tree with its layers: an object in a namespace nothing
      // creates (written with the synth-time check off) is reported at its file in the tree.
      const broken = new App({ outdir: dir });
      const unit = new GitOpsUnit(broken, 'apps', { path: 'apps' });
      new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'missing' } });
      FluxTree.synth(broken, { outdir: dir, appName: 'broken', reconcile: false });
      const brokenManifests = (fs.readdirSync(path.join(dir, 'broken'), { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, 'broken', f));
      const second = new ValidationContext(brokenManifests, 'cdk8s-kmetal', '0.0.0', {}, false);
      await new KmetalValidation({ packs: ['kmetal-reconcile'] }).validate(second);
      const report: any = second.report.toJson();
      expect(report.violations.map((v: any) => v.ruleName)).toEqual(['reconcile/missing-namespace (error)']);
      expect(report.violations[0].violatingConstructs[0].manifestPath).toBe(path.join(dir, 'broken', 'apps', 'configmap-cm.yaml'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
