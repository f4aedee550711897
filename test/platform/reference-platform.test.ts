// Checks on the committed reference platform (dist/reference-platform), which CI re-synthesizes
// and diffs, so these run against exactly what Flux would apply.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { ConformanceChecker, FindingSeverity, formatFindings, InstallMethod, VersionMatrix } from '../../src';

const repoRoot = path.resolve(__dirname, '..', '..');
const tree = path.join(repoRoot, 'dist', 'reference-platform');

interface Unit {
  readonly name: string;
  readonly folder: string;
  readonly dependsOn: string[];
  readonly objects: any[];
}

function readYamlDocs(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((d) => d && d.kind);
}

function loadUnits(): Unit[] {
  const clusterDir = path.join(tree, 'clusters', 'under');
  return fs.readdirSync(clusterDir).filter((f) => f !== 'kustomization.yaml').map((f) => {
    const ks = readYamlDocs(path.join(clusterDir, f))[0];
    const folder = path.join(tree, path.relative('./dist/reference-platform', ks.spec.path));
    const objects = fs.readdirSync(folder).filter((x) => x !== 'kustomization.yaml').flatMap((x) => readYamlDocs(path.join(folder, x)));
    return { name: ks.metadata.name, folder, dependsOn: (ks.spec.dependsOn ?? []).map((d: any) => d.name), objects };
  });
}

const units = loadUnits();
const byName = new Map(units.map((u) => [u.name, u]));

function ancestors(name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(byName.get(name)?.dependsOn ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(byName.get(n)?.dependsOn ?? []));
  }
  return seen;
}

describe('reference platform (dist/reference-platform)', () => {
  test('one Kairos image pipeline: the OSArtifact\'s raw disk goes to the worker servers, its containerDisk to the worker VMs', () => {
    const all = units.flatMap((u) => u.objects);
    const [artifact, ...more] = all.filter((o) => o.kind === 'OSArtifact');
    expect(more).toEqual([]);
    const raw = `https://images.example.com/kairos/${artifact.metadata.name}.raw`;
    const hosts = all.filter((o) => o.kind === 'BareMetalHost');
    const workers = hosts.filter((h) => h.metadata.labels['kmetal.io/role'] === 'worker');
    expect(workers.map((h) => h.metadata.name).sort()).toEqual(['metal-04', 'metal-05', 'metal-06', 'metal-07', 'metal-08', 'metal-09', 'metal-10']);
    for (const h of workers) {
      expect(h.spec.image).toEqual({ url: raw, checksum: `${raw}.sha256`, checksumType: 'sha256', format: 'raw' });
      expect(h.spec.userData).toEqual({ name: `${h.metadata.name}-user-data`, namespace: 'metal3' });
      expect(h.metadata.annotations['reconcile.kmetal.io/out-of-band']).toContain(`Secret/${h.metadata.name}-user-data`);
      expect(all.some((o) => o.kind === 'HostFirmwareSettings' && o.metadata.name === h.metadata.name)).toBe(true);
      // The cloud-config the operator makes the user data Secret from: the host's labels, no token.
      const config = fs.readFileSync(path.join(tree, 'report', 'user-data', `${h.metadata.name}.cloud-config`), 'utf8');
      expect(config).toContain(`hostname: ${h.metadata.name}\n`);
      expect(config).toContain('cluster_token: ${KMETAL_JOIN_TOKEN}\n');
      expect(config).toMatch(/value: kmetal\.io\/(gpu=a100,kmetal\.io\/)?pool=servers,kmetal\.io\/role=worker\n/);
    }
    // The inception control plane is installed by hand (README "From bare server to fleet"): Metal3 only registers it.
    for (const h of hosts.filter((x) => x.metadata.labels['kmetal.io/role'] === 'control-plane')) {
      expect(h.spec.image).toBeUndefined();
      expect(h.spec.externallyProvisioned).toBe(true);
    }
    const template = all.find((o) => o.kind === 'KubevirtMachineTemplate');
    const version = artifact.metadata.annotations['kmetal.io/node-image-version'];
    expect(JSON.stringify(template)).toContain(`registry.example.com/kmetal/ubuntu-2404-kubeadm:${version}`);
  });

  test('is the seed scenario: 10 servers, 3 of them control-plane nodes, 30 tenants from one class, GPU tenants, one peering; one tenant on whole servers', () => {
    const all = units.flatMap((u) => u.objects);
    const hosts = all.filter((o) => o.kind === 'BareMetalHost');
    // The 10 platform servers, plus the two A100 servers llm's bare-metal pool takes whole.
    expect(hosts).toHaveLength(12);
    expect(hosts.filter((h) => h.metadata.labels['kmetal.io/role'] === 'control-plane')).toHaveLength(3);
    expect(hosts.filter((h) => h.metadata.labels['kmetal.io/role'] === 'tenant-metal').map((h) => `${h.metadata.namespace}/${h.metadata.name}`)).toEqual(['tenant-llm/metal-11', 'tenant-llm/metal-12']);
    const clusters = all.filter((o) => o.kind === 'Cluster');
    expect(clusters).toHaveLength(30);
    const classBased = clusters.filter((c) => c.spec.topology);
    expect(classBased).toHaveLength(29);
    expect(new Set(classBased.map((c) => c.spec.topology.classRef.name))).toEqual(new Set(['golden']));
    expect(clusters.filter((c) => !c.spec.topology).map((c) => [c.metadata.name, c.spec.infrastructureRef.kind])).toEqual([['llm', 'Metal3Cluster']]);
    expect(all.filter((o) => o.kind === 'Metal3MachineTemplate').map((t) => t.spec.template.spec.hostSelector.matchLabels['kmetal.io/role'])).toEqual(['tenant-metal']);
    expect(clusters.filter((c) => c.metadata.labels['kmetal.io/tier'] === 'gpu')).toHaveLength(2);
    expect(all.filter((o) => o.kind === 'Tenant')).toHaveLength(30);
    // llm's servers are on the physical network, not a Kube-OVN VPC.
    expect(all.filter((o) => o.kind === 'Vpc')).toHaveLength(29);
    expect(all.filter((o) => o.kind === 'Vpc' && o.spec.vpcPeerings?.length)).toHaveLength(2);
    expect(all.filter((o) => o.kind === 'ClusterProfile' && o.metadata.labels?.['kmetal.io/mandatory-addon'] === 'true').length).toBeGreaterThanOrEqual(2);
  });

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    const findings = ConformanceChecker.default().validateDirectory(tree).filter((f) => f.severity === FindingSeverity.ERROR);
    expect(formatFindings(findings)).toBe('');
  });

  test('the dependsOn graph is acyclic and every unit it names exists', () => {
    for (const u of units) {
      for (const d of u.dependsOn) expect(byName.has(d)).toBe(true);
      expect(ancestors(u.name).has(u.name)).toBe(false);
    }
  });

  test("no object's CRD arrives after it: the unit installing a group comes strictly earlier", () => {
    // Which unit installs each API group: chart and manifest components in the controllers unit,
    // Cluster API providers (through the operator) in the configs unit.
    const installer = new Map<string, string>();
    for (const c of VersionMatrix.COMPONENTS) {
      const unit = c.installMethod === InstallMethod.CAPI_PROVIDER ? 'infrastructure-configs'
        : c.installMethod === InstallMethod.REFERENCED_CHART ? undefined : 'infrastructure-controllers';
      if (unit) for (const v of c.apiVersions) installer.set(v.split('/')[0], unit);
    }
    installer.set('kustomize.toolkit.fluxcd.io', 'flux'); // Flux itself is bootstrapped before the tree.
    for (const g of ['helm.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io']) installer.set(g, 'flux');
    const problems: string[] = [];
    for (const u of units) {
      const before = ancestors(u.name);
      for (const o of u.objects) {
        const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
        if (!group.includes('.') || group.endsWith('.k8s.io') && !group.endsWith('cluster.x-k8s.io')) continue; // built-in kinds
        const from = installer.get(group);
        if (from === 'flux') continue;
        if (!from) problems.push(`${u.name}: ${o.kind} ${o.metadata.name}: no component installs ${group}`);
        else if (!before.has(from)) problems.push(`${u.name}: ${o.kind} ${o.metadata.name}: ${group} arrives with ${from}, which ${u.name} does not depend on`);
      }
    }
    expect(problems).toEqual([]);
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!kubectl) console.log('kubectl not found: skipping kustomize build checks of dist/reference-platform');
  (kubectl ? test : test.skip)('every folder a Flux Kustomization points at builds with kubectl kustomize', () => {
    for (const folder of [...units.map((u) => u.folder), path.join(tree, 'clusters', 'under')]) {
      expect(() => execFileSync('kubectl', ['kustomize', folder], { stdio: 'pipe' })).not.toThrow();
    }
  });

  test('re-synthesizing gives byte-identical files', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-ref-'));
    try {
      execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'ts-node'), ['--prefer-ts-exts', '--transpile-only', 'examples/reference-platform/main.ts'], {
        cwd: repoRoot, env: { ...process.env, KMETAL_OUTDIR: out, KMETAL_WARNINGS: 'off' }, stdio: 'pipe',
      });
      const list = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]))
        .sort();
      const fresh = path.join(out, 'reference-platform');
      const committed = list(tree).filter((f) => !f.startsWith('report'));
      expect(list(fresh).filter((f) => !f.startsWith('report'))).toEqual(committed);
      for (const f of committed) expect(fs.readFileSync(path.join(fresh, f), 'utf8')).toBe(fs.readFileSync(path.join(tree, f), 'utf8'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
