import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { FLUX_GROUPS, PLATFORM_GROUPS, REPO_ROOT, TestWorkspace, TOKEN } from './support/fixture';
import { KmetalHost, type KmetalRun } from './support/kmetal-host';
import type { StandInApiServer } from './support/stand-in-api-server';
import { removeFolder, widgetCrd, writeTestTree } from './support/tree-builder';

// The commands run in a child process (see support/cli-host.ts); the stand-in API server runs here.
let host: KmetalHost;
let ws: TestWorkspace;
let tmp: string;
beforeAll(async () => {
  host = await KmetalHost.start();
  ws = TestWorkspace.create();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-verify-'));
});
afterAll(async () => {
  await host?.stop();
  await ws?.dispose();
  removeFolder(tmp);
});

/** Every run: the token never appears in any output. */
function checked(run: KmetalRun): KmetalRun {
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  return run;
}

/** A management cluster with the whole platform installed (every pinned CRD served). */
function platformCluster(s: StandInApiServer): void {
  s.serveBuiltins().serveGroupsFromBundle(PLATFORM_GROUPS).addNamespaces('default', 'flux-system', 'kube-system');
}

/** The objects of a tree by layer (Kustomization name), read straight from the files. */
function objectsByLayer(tree: string): { layers: Array<{ name: string; dependsOn: string[]; objects: any[] }> } {
  const clusterDir = path.join(tree, 'clusters', 'under');
  const readAll = (file: string) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
  const layers = fs.readdirSync(clusterDir).filter((f) => f !== 'kustomization.yaml').map((f) => {
    const ks = YAML.parse(fs.readFileSync(path.join(clusterDir, f), 'utf8'));
    const folder = path.join(tree, ks.spec.path.replace(/^\.\/dist\/[^/]+\//, ''));
    const files = YAML.parse(fs.readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8')).resources ?? [];
    return {
      name: ks.metadata.name,
      dependsOn: (ks.spec.dependsOn ?? []).map((d: any) => d.name),
      objects: files.flatMap((r: string) => readAll(path.join(folder, r))),
    };
  });
  return { layers };
}

describe('kmetal verify, quickstart tree, on a cluster with the platform installed', () => {
  let server: StandInApiServer;
  let run: KmetalRun;
  beforeAll(async () => {
    const standIn = await ws.standIn('platform', platformCluster);
    server = standIn.server;
    run = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', standIn.kubeconfig]));
  });

  test('accepts the tree (exit 0), and says nothing was changed', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/server-side dry run, nothing is created, changed or deleted/);
    expect(run.stdout).toMatch(/ 0 rejected, 0 failed$/m);
  });

  test('starts with discovery, and sends only GETs and dry-run PATCHes', () => {
    expect(server.requests.slice(0, 2).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api', 'GET /apis']);
    expect(new Set(server.requests.map((r) => r.method))).toEqual(new Set(['GET', 'PATCH']));
    expect(server.requests.every((r) => r.authorized)).toBe(true);
  });

  test('every PATCH is a server-side apply in dry-run mode, with field manager cdk8s-kmetal', () => {
    const patches = server.requestsOf('PATCH');
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) {
      expect(p.query).toEqual({ dryRun: 'All', fieldManager: 'cdk8s-kmetal', force: 'true', fieldValidation: 'Strict' });
      expect(p.contentType).toBe('application/apply-patch+yaml');
    }
  });

  test('applies every object once, as written in the tree, at the path of its kind', () => {
    const { layers } = objectsByLayer(path.join(REPO_ROOT, 'dist', 'quickstart'));
    const patches = server.requestsOf('PATCH');
    for (const object of layers.flatMap((l) => l.objects)) {
      const same = (body: any) => body.apiVersion === object.apiVersion && body.kind === object.kind && body.metadata.name === object.metadata.name;
      const sent = patches.filter((p) => same(p.body));
      expect(sent.length).toBeGreaterThanOrEqual(1);
      expect(sent[0].body).toEqual(object);
    }
    const cluster = patches.filter((p) => p.body.kind === 'Cluster').map((p) => p.path);
    // First in its own namespace, which the dry run cannot create; then in the fallback namespace.
    expect(cluster).toEqual(['/apis/cluster.x-k8s.io/v1beta2/namespaces/tenant-acme/clusters/acme', '/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters/acme']);
  });

  test('applies the layers in Flux order: a layer\'s objects only after those of every layer it depends on', () => {
    const { layers } = objectsByLayer(path.join(REPO_ROOT, 'dist', 'quickstart'));
    const patches = server.requestsOf('PATCH');
    const indexes = (layer: { objects: any[] }) => patches
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => layer.objects.some((o) => o.kind === p.body.kind && o.metadata.name === p.body.metadata.name))
      .map(({ i }) => i);
    for (const layer of layers) {
      for (const dep of layer.dependsOn) {
        const before = indexes(layers.find((l) => l.name === dep)!);
        const after = indexes(layer);
        if (before.length && after.length) expect(Math.max(...before)).toBeLessThan(Math.min(...after));
      }
    }
    // The Flux Kustomizations (the bootstrap layer) come first.
    expect(patches[0].body.kind).toBe('Kustomization');
  });

  test('objects whose namespace only the tree creates are checked in the fallback namespace and say so', () => {
    expect(run.stdout).toMatch(/INFO cluster\.x-k8s\.io\/v1beta2 Cluster tenant-acme\/acme checked in namespace default: tenant-acme arrives with this layer \(tenants-acme\) \[checked-in-fallback-namespace\] \(tenants\/acme\/cluster-acme\.yaml#0\)/);
  });
});

describe('kmetal verify, reference platform tree, on a cluster with only Flux installed', () => {
  test('kinds the tree\'s own layers install are "arriving with layer X", not failures (exit 0)', async () => {
    const { kubeconfig } = await ws.standIn('flux-only', (s) => s.serveBuiltins().serveGroupsFromBundle(FLUX_GROUPS).addNamespaces('default', 'flux-system'));
    const run = checked(await host.run(['verify', 'dist/reference-platform', '--kubeconfig', kubeconfig, '--json']));
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.summary.rejected + doc.summary.failed).toBe(0);
    expect(doc.summary.pending).toBeGreaterThan(0);
    const cluster = doc.findings.find((f: any) => f.kind === 'Cluster' && f.code === 'arrives-with-layer');
    expect(cluster.message).toMatch(/arrives with layer infrastructure-configs \(CoreProvider capi-system\/cluster-api \(Cluster API operator\)\)/);
    const dataStore = doc.findings.find((f: any) => f.kind === 'DataStore');
    expect(dataStore.message).toMatch(/arrives with layer infrastructure-controllers \(HelmRelease flux-system\/kamaji \(chart kamaji\)\)/);
    expect(doc.layers[0]).toMatchObject({ position: 1, name: 'reference-platform' });
  });
});

describe('kmetal verify, a CRD in an earlier layer', () => {
  let tree: string;
  beforeAll(() => {
    const widget = (name: string) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: { size: 1 } });
    tree = writeTestTree(path.join(tmp, 'crds'), 'crd-tree', [
      { path: 'crds', objects: [widgetCrd()] },
      { path: 'apps', dependsOn: ['crds'], objects: [widget('ordered')] },
      { path: 'loose', objects: [widget('loose')] },
      { path: 'unknown', objects: [{ apiVersion: 'example.org/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' } }] },
    ]);
  });

  test('reports an object of a kind an earlier layer\'s CRD brings as arriving with that layer; an unordered one as a warning; an unknown kind as an error', async () => {
    const { kubeconfig, server } = await ws.standIn('crds', (s) => s.serveBuiltins().serveGroupsFromBundle(FLUX_GROUPS).addNamespaces('default', 'flux-system'));
    const run = checked(await host.run(['verify', tree, '--kubeconfig', kubeconfig]));
    expect(run.stdout).toContain('INFO example.com/v1 Widget default/ordered not verified: example.com/v1 Widget is not served yet; it arrives with layer crds (CRD widgets.example.com) [arrives-with-layer]');
    expect(run.stdout).toContain('WARNING example.com/v1 Widget default/loose example.com/v1 Widget is not served yet; layer crds brings it (CRD widgets.example.com), but layer loose does not depend on it');
    expect(run.stdout).toContain('ERROR example.org/v1 Gadget default/g the cluster does not serve example.org/v1 (no such API group/version), and no layer of this tree installs it [not-served]');
    expect(run.code).toBe(1);
    // The CRD itself is dry-run applied; the widgets are not sent at all.
    expect(server.requestsOf('PATCH').map((p) => p.body.kind)).toEqual(expect.arrayContaining(['CustomResourceDefinition']));
    expect(server.requestsOf('PATCH').some((p) => p.body.kind === 'Widget' || p.body.kind === 'Gadget')).toBe(false);
  });
});

describe('kmetal verify, answers of the server', () => {
  test('a 422 rejection is one finding per cause, with the field path and the server\'s message (exit 1)', async () => {
    const { kubeconfig } = await ws.standIn('reject', (s) => {
      platformCluster(s);
      s.reject((obj) => (obj.kind === 'Cluster' ? [{ field: 'spec.topology.version', message: 'Invalid value: "v1.33.2": version is not allowed by the admission policy' }, { field: 'metadata.labels', message: 'Required value: label tier is required', reason: 'FieldValueRequired' }] : undefined));
    });
    const run = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig, '--json']));
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    const rejected = doc.findings.filter((f: any) => f.code === 'rejected');
    expect(rejected).toEqual([
      expect.objectContaining({ severity: 'error', kind: 'Cluster', namespace: 'tenant-acme', name: 'acme', path: 'spec.topology.version', layer: 'tenants-acme', message: expect.stringMatching(/^Invalid value: "v1\.33\.2": version is not allowed by the admission policy \[FieldValueInvalid\] \(checked in namespace default/) }),
      expect.objectContaining({ path: 'metadata.labels', message: expect.stringMatching(/^Required value: label tier is required \[FieldValueRequired\]/) }),
    ]);
    expect(doc.summary.rejected).toBe(1);
  });

  test('a 403 on one object is a finding naming the verb and resource; the other objects are still verified', async () => {
    const forbidden = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'helmreleases.helm.toolkit.fluxcd.io "kamaji" is forbidden: User "ci" cannot patch resource "helmreleases" in API group "helm.toolkit.fluxcd.io" in the namespace "flux-system"' };
    const { kubeconfig, server } = await ws.standIn('forbidden', (s) => {
      platformCluster(s);
      s.override((r) => r.method === 'PATCH' && r.path.endsWith('/helmreleases/kamaji'), 403, forbidden);
    });
    const run = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig]));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ERROR helm.toolkit.fluxcd.io/v2 HelmRelease flux-system/kamaji forbidden (403 Forbidden): not allowed to patch helmreleases.helm.toolkit.fluxcd.io "kamaji" in namespace flux-system: helmreleases.helm.toolkit.fluxcd.io "kamaji" is forbidden: User "ci" cannot patch resource');
    expect(server.requestsOf('PATCH').some((p) => p.body.kind === 'Cluster')).toBe(true);
  });

  test('a credential the server echoes back (a broken webhook) is removed from every output, text and JSON', async () => {
    const { kubeconfig } = await ws.standIn('echo', (s) => {
      platformCluster(s);
      s.override((r) => r.method === 'PATCH' && r.path.endsWith('/helmreleases/capsule'), 500, { kind: 'Status', code: 500, reason: 'InternalError', message: `Internal error occurred: failed calling webhook: request with Authorization: Bearer ${TOKEN} failed; token=${TOKEN}` });
    });
    const expected = /500 Internal Server Error on patch helmreleases\.helm\.toolkit\.fluxcd\.io "capsule" in namespace flux-system: Internal error occurred: failed calling webhook: request with Authorization: Bearer \[redacted\] failed; token=\[redacted\]/;
    const text = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig]));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(expected);
    const json = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig, '--json']));
    expect(JSON.parse(json.stdout).findings.find((f: any) => f.code === 'server-error').message).toMatch(expected);
  });

  test('a group/version the cluster lists but whose resources answer 404 counts as not served', async () => {
    const { kubeconfig } = await ws.standIn('gone', (s) => {
      platformCluster(s);
      s.override((r) => r.method === 'GET' && r.path === '/apis/kamaji.clastix.io/v1alpha1', 404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    });
    const run = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig, '--json']));
    const dataStore = JSON.parse(run.stdout).findings.find((f: any) => f.kind === 'DataStore');
    expect(dataStore).toMatchObject({ severity: 'info', code: 'arrives-with-layer' });
  });

  test('a server warning (deprecation, dropped field) becomes a warning finding', async () => {
    const { kubeconfig } = await ws.standIn('warn', (s) => {
      platformCluster(s);
      s.warnOnApply((obj) => obj.kind === 'HelmRepository', 'source.toolkit.fluxcd.io/v1 HelmRepository is deprecated in v2.10+');
    });
    const run = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig]));
    expect(run.stdout).toMatch(/^WARNING source\.toolkit\.fluxcd\.io\/v1 HelmRepository flux-system\/\S+ source\.toolkit\.fluxcd\.io\/v1 HelmRepository is deprecated in v2\.10\+ \[server-warning\]/m);
  });

  test('an object in a namespace that neither the cluster nor the tree has is an error', async () => {
    const dir = writeTestTree(path.join(tmp, 'nons'), 'nons', [{ path: 'apps', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'nowhere' } }] }]);
    const { kubeconfig } = await ws.standIn('nons', platformCluster);
    const run = checked(await host.run(['verify', dir, '--kubeconfig', kubeconfig]));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('ERROR v1 ConfigMap nowhere/c metadata.namespace: namespace nowhere does not exist and no layer of this tree creates it [namespace-missing]');
  });

  test('with --fallback-namespace none, objects waiting for their namespace are reported as not verified', async () => {
    const { kubeconfig } = await ws.standIn('nofallback', platformCluster);
    const run = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig, '--fallback-namespace', 'none']));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('INFO cluster.x-k8s.io/v1beta2 Cluster tenant-acme/acme not verified: namespace tenant-acme arrives with this layer (tenants-acme) [namespace-arrives-with-layer]');
  });
});

describe('kmetal verify, progress', () => {
  test('on a terminal: one line rewritten with carriage returns; otherwise plain lines', async () => {
    const { kubeconfig } = await ws.standIn('progress', platformCluster);
    const tty = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig], { tty: true }));
    expect(tty.stderr).toMatch(/\rverify: 1\/\d+ quickstart: Kustomization flux-system\//);
    expect(tty.stderr).not.toContain('\n');
    const plain = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig]));
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr).toMatch(/^verify: 0\/(\d+)\n[\s\S]*verify: \1\/\1\n$/);
    const quiet = checked(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig, '--quiet']));
    expect(quiet.stderr).toBe('');
  });
});
