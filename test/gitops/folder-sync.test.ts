import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { cleanupTempDirs, tempDir } from './fixture';
import { AddonProfile, ControlPlaneVipPool, FluxTree, GitOpsUnit, MachineImage, PlatformUnderCluster } from '../../src';
import { syncFolder } from '../../src/gitops/private/folder-sync';
import { unsafeOutputFolder } from '../../src/gitops/private/output-folder';
import { MANIFEST_FILE } from '../../src/gitops/private/tree-manifest';

afterEach(() => cleanupTempDirs());

/** Every file and folder under `dir`, with the files' bytes: equal snapshots mean a byte-identical folder. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out[`${r}/`] = '<dir>';
        visit(r);
      } else if (e.isSymbolicLink()) {
        out[r] = `<link ${fs.readlinkSync(path.join(dir, r))}>`;
      } else {
        out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
      }
    }
  };
  if (fs.existsSync(dir)) visit('');
  return out;
}

function put(dir: string, rel: string, content: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

const tree = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('syncFolder: text made on demand', () => {
  /** A tree whose text is made on every `get`, counting the calls per file (as serializeTree's). */
  const lazyTree = (entries: Record<string, string>) => {
    const made = new Map<string, number>();
    const content = {
      has: (rel: string) => rel in entries,
      get: (rel: string) => {
        made.set(rel, (made.get(rel) ?? 0) + 1);
        return entries[rel];
      },
      keys: () => Object.keys(entries)[Symbol.iterator](),
    };
    return { content, made };
  };

  test('each file\'s text is asked for once: when written, when compared with the disk, and when a changed file is rewritten', () => {
    const root = path.join(tempDir(), 'app');
    const first = lazyTree({ 'a/x.yaml': 'x\n', 'a/kustomization.yaml': 'k\n' });
    expect(syncFolder(root, first.content)).toEqual({ written: 2, removed: 0 });
    expect(Object.fromEntries(first.made)).toEqual({ 'a/kustomization.yaml': 1, 'a/x.yaml': 1 });
    const manifest = fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8');
    // The same bytes as from a Map of the same files.
    const mapRoot = path.join(tempDir(), 'app');
    syncFolder(mapRoot, tree({ 'a/x.yaml': 'x\n', 'a/kustomization.yaml': 'k\n' }));
    expect(snapshot(root)).toEqual(snapshot(mapRoot));

    const again = lazyTree({ 'a/x.yaml': 'x changed\n', 'a/kustomization.yaml': 'k\n' });
    expect(syncFolder(root, again.content)).toEqual({ written: 1, removed: 0 });
    expect(Object.fromEntries(again.made)).toEqual({ 'a/kustomization.yaml': 1, 'a/x.yaml': 1 });
    expect(fs.readFileSync(path.join(root, 'a/x.yaml'), 'utf8')).toBe('x changed\n');
    const listed = JSON.parse(fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8')).files;
    expect(listed['a/x.yaml']).toBe(createHash('sha256').update('x changed\n').digest('hex'));
    expect(listed['a/kustomization.yaml']).toBe(JSON.parse(manifest).files['a/kustomization.yaml']);
  });
});

describe('syncFolder: the writer touches only files it wrote', () => {
  test('the manifest lists every file with its sha256, sorted, and is byte for byte the same on every write', () => {
    const root = path.join(tempDir(), 'app');
    syncFolder(root, tree({ 'b/x.yaml': 'x\n', 'a/kustomization.yaml': 'k\n' }));
    const first = fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8');
    const json = JSON.parse(first);
    expect(Object.keys(json.files)).toEqual(['a/kustomization.yaml', 'b/x.yaml']);
    expect(json.files['b/x.yaml']).toBe(createHash('sha256').update('x\n').digest('hex'));
    expect(first).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    const again = syncFolder(root, tree({ 'a/kustomization.yaml': 'k\n', 'b/x.yaml': 'x\n' }));
    expect(again).toEqual({ written: 0, removed: 0 });
    expect(fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8')).toBe(first);
  });

  test('stale files it wrote are deleted (and the folders that held only them); files it did not write stay', () => {
    const root = path.join(tempDir(), 'app');
    syncFolder(root, tree({ 'tenants/a/x.yaml': 'a', 'tenants/b/y.yaml': 'b' }));
    put(root, 'tenants/b/notes.md', 'mine');
    put(root, 'README.md', 'my readme');
    const stats = syncFolder(root, tree({ 'tenants/a/x.yaml': 'a' }));
    expect(stats).toEqual({ written: 0, removed: 1 });
    expect(snapshot(root)).toEqual({
      [MANIFEST_FILE]: expect.any(String),
      'README.md': 'my readme',
      'tenants/': '<dir>',
      'tenants/a/': '<dir>',
      'tenants/a/x.yaml': 'a',
      'tenants/b/': '<dir>',
      'tenants/b/notes.md': 'mine',
    });
    syncFolder(root, tree({}));
    expect(fs.existsSync(path.join(root, 'tenants/a'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'tenants/b/notes.md'), 'utf8')).toBe('mine');
  });

  test('a tree file at the path of a file it did not write is refused, naming the file and the fix; nothing is written', () => {
    const root = path.join(tempDir(), 'app');
    syncFolder(root, tree({ 'a/x.yaml': 'a' }));
    put(root, 'b/kustomization.yaml', 'my own kustomization\n');
    const before = snapshot(root);
    expect(() => syncFolder(root, tree({ 'a/x.yaml': 'changed', 'b/kustomization.yaml': 'generated\n' })))
      .toThrow(new RegExp(`${escape(path.join(root, 'b/kustomization.yaml'))}: not written by FluxTree \\(not in \\.kmetal-tree\\.json\\), and the tree has a file there\\. Move or rename your file`));
    expect(snapshot(root)).toEqual(before);
  });

  test('a file it wrote that was edited since is refused (overwritten or deleted) unless discardEdits', () => {
    const root = path.join(tempDir(), 'app');
    syncFolder(root, tree({ 'a/x.yaml': 'a', 'a/y.yaml': 'y' }));
    put(root, 'a/x.yaml', 'hand edit');
    put(root, 'a/y.yaml', 'hand edit');
    const before = snapshot(root);
    let message = '';
    try {
      syncFolder(root, tree({ 'a/x.yaml': 'new' }));
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toContain(`${path.join(root, 'a/x.yaml')}: changed since FluxTree wrote it, and this synthesis writes it differently (it would be overwritten)`);
    expect(message).toContain(`${path.join(root, 'a/y.yaml')}: changed since FluxTree wrote it, and this synthesis no longer has it (it would be deleted)`);
    expect(message).toContain('discardEdits: true');
    expect(snapshot(root)).toEqual(before);

    // An edit that is what the program now writes is no conflict.
    put(root, 'a/y.yaml', 'y');
    expect(() => syncFolder(root, tree({ 'a/x.yaml': 'hand edit', 'a/y.yaml': 'y' }))).not.toThrow();

    put(root, 'a/x.yaml', 'another edit');
    expect(syncFolder(root, tree({ 'a/y.yaml': 'y' }), { discardEdits: true })).toEqual({ written: 0, removed: 1 });
    expect(fs.existsSync(path.join(root, 'a/x.yaml'))).toBe(false);
  });

  test('a folder of the user\'s where the tree needs a file, and a user\'s file where it needs a folder, are refused', () => {
    const root = path.join(tempDir(), 'app');
    put(root, 'a/x.yaml/mine.txt', 'mine');
    put(root, 'b', 'mine');
    const before = snapshot(root);
    let message = '';
    try {
      syncFolder(root, tree({ 'a/x.yaml': 'x', 'b/y.yaml': 'y' }));
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toContain(`${path.join(root, 'a/x.yaml')}: a folder holding files the writer did not write`);
    expect(message).toContain(`${path.join(root, 'b')}: a file the writer did not write (or that was changed), where the tree needs a folder`);
    expect(snapshot(root)).toEqual(before);
  });

  test('symbolic links are never followed: a link at a tree path is refused, the target untouched', () => {
    const base = tempDir();
    const root = path.join(base, 'app');
    put(base, 'outside.yaml', 'outside');
    fs.mkdirSync(root);
    fs.symlinkSync(path.join(base, 'outside.yaml'), path.join(root, 'x.yaml'));
    expect(() => syncFolder(root, tree({ 'x.yaml': 'x' }))).toThrow(/x\.yaml: not written by FluxTree/);
    expect(fs.readFileSync(path.join(base, 'outside.yaml'), 'utf8')).toBe('outside');
  });

  test('a manifest that is not one the writer wrote is refused with the fix', () => {
    const root = path.join(tempDir(), 'app');
    put(root, MANIFEST_FILE, '{"files": 3}');
    expect(() => syncFolder(root, tree({ 'x.yaml': 'x' }))).toThrow(/is not a manifest FluxTree wrote[\s\S]*Fix: restore it from git/);
  });

  test('without a manifest (a tree written before them) it takes over the Flux layout and identical files only', () => {
    const root = path.join(tempDir(), 'app');
    const k = (files: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${files.map(f => `  - ${f}\n`).join('')}`;
    // An old tree: a unit that is gone, a cluster folder and the bootstrap file.
    put(root, 'tenants/old/kustomization.yaml', k(['cluster-old.yaml', 'namespace-old.yaml']));
    put(root, 'tenants/old/cluster-old.yaml', 'apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\n');
    put(root, 'tenants/old/namespace-old.yaml', 'apiVersion: v1\nkind: Namespace\n');
    put(root, 'bootstrap/old.yaml', 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n');
    put(root, 'tenants/new/kustomization.yaml', 'what it writes now\n');
    // The user's: not listed by a generated kustomization, or not generated.
    put(root, 'tenants/old/README.md', 'mine');
    put(root, 'sources/kustomization.yaml', 'resources:\n  - app.yaml\n');
    put(root, 'sources/app.yaml', 'apiVersion: v1\nkind: ConfigMap\n');
    put(root, 'bootstrap/notes.txt', 'mine');
    const stats = syncFolder(root, tree({ 'tenants/new/kustomization.yaml': 'what it writes now\n' }));
    expect(stats).toEqual({ written: 0, removed: 4 });
    expect(Object.keys(snapshot(root)).filter(f => !f.endsWith('/')).sort()).toEqual([
      MANIFEST_FILE, 'bootstrap/notes.txt', 'sources/app.yaml', 'sources/kustomization.yaml', 'tenants/new/kustomization.yaml', 'tenants/old/README.md',
    ]);
    // The user's file at a tree path is refused in that mode too.
    const other = path.join(tempDir(), 'app');
    put(other, 'README.md', 'mine');
    expect(() => syncFolder(other, tree({ 'README.md': 'generated' }))).toThrow(/README\.md: not written by FluxTree \(not a file of the Flux layout it writes\)/);
  });

  test('preserved paths are never deleted, even files the writer wrote there', () => {
    const root = path.join(tempDir(), 'app');
    syncFolder(root, tree({ 'hand/x.yaml': 'x', 'a.yaml': 'a' }));
    syncFolder(root, tree({ 'a.yaml': 'a' }), { preserve: ['hand'] });
    expect(fs.readFileSync(path.join(root, 'hand/x.yaml'), 'utf8')).toBe('x');
  });
});

describe('output folders that cannot be right', () => {
  test('the file-system root, the home directory, the project itself and folders with package.json or .git are refused', () => {
    const cwd = tempDir();
    put(cwd, 'proj/package.json', '{}');
    put(cwd, 'repo/.git/HEAD', 'ref');
    expect(unsafeOutputFolder('/', '/kmetal', cwd)).toMatch(/is the file-system root/);
    expect(unsafeOutputFolder(os.homedir(), path.join(os.homedir(), 'kmetal'), cwd)).toMatch(/is the home directory/);
    expect(unsafeOutputFolder('..', path.join('..', path.basename(cwd)), cwd)).toMatch(/is the working directory or contains it/);
    expect(unsafeOutputFolder('.', 'proj', cwd)).toMatch(/holds a package\.json: it is a project or repository root/);
    expect(unsafeOutputFolder('.', 'repo', cwd)).toMatch(/holds a \.git/);
    expect(unsafeOutputFolder('dist', 'dist/kmetal', cwd)).toBeUndefined();
  });

  test('FluxTree.synth refuses outdir "/" with the construct path, field and fix, before anything is written', () => {
    expect(() => FluxTree.synth(new App(), { outdir: '/', appName: 'kmetal' }))
      .toThrow('[<app>] outdir: "/" is the file-system root; the writer would own files there. Fix: write the tree into a folder of its own inside the project, e.g. outdir: "dist"');
    expect(fs.existsSync('/kmetal')).toBe(false);
  });
});

describe('FluxTree.synth never loses a user\'s file', () => {
  function platform(tenants: string[]): App {
    const app = new App();
    const p = new PlatformUnderCluster(app, 'platform', {
      releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
      defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    });
    p.controlPlaneVipPool = new ControlPlaneVipPool(p.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
    new AddonProfile(p.configs, 'cni', {
      mandatory: true,
      helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
    });
    for (const t of tenants) p.addTenantCluster(t, { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }] });
    return app;
  }
  const USER_FILES: Record<string, string> = {
    'README.md': '# our platform\n',
    'sources/kustomization.yaml': 'resources:\n  - git-repository.yaml\n',
    'sources/git-repository.yaml': 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n',
    'tenants/.gitkeep': '',
    'tenants/acme/NOTES.md': 'acme is our first tenant\n',
  };

  test('user files planted in the app folder survive synth, re-synth and removing tenants, byte for byte', () => {
    const outdir = tempDir();
    const appDir = path.join(outdir, 'kmetal');
    for (const [rel, content] of Object.entries(USER_FILES)) put(appDir, rel, content);
    const userFiles = () => Object.fromEntries(Object.keys(USER_FILES).map(rel => [rel, fs.readFileSync(path.join(appDir, rel), 'utf8')]));

    const first = FluxTree.synth(platform(['acme', 'globex']), { outdir, appName: 'kmetal', reconcile: false });
    expect(first.files).toContain('tenants/globex/kustomization.yaml');
    expect(userFiles()).toEqual(USER_FILES);
    const again = FluxTree.synth(platform(['acme', 'globex']), { outdir, appName: 'kmetal', reconcile: false });
    expect(again.filesWritten).toBe(0);
    expect(userFiles()).toEqual(USER_FILES);

    const fewer = FluxTree.synth(platform([]), { outdir, appName: 'kmetal', reconcile: false });
    expect(fewer.filesRemoved).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(appDir, 'tenants/globex'))).toBe(false);
    // acme's generated files are gone; the user's note keeps its folder.
    expect(fs.readdirSync(path.join(appDir, 'tenants/acme'))).toEqual(['NOTES.md']);
    expect(userFiles()).toEqual(USER_FILES);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(appDir, MANIFEST_FILE), 'utf8')).files)).toEqual(fewer.files);
  });

  test('a tree committed before manifests existed is taken over without errors; the user\'s files stay', () => {
    const outdir = tempDir();
    const appDir = path.join(outdir, 'kmetal');
    FluxTree.synth(platform(['acme', 'globex']), { outdir, appName: 'kmetal', reconcile: false });
    fs.unlinkSync(path.join(appDir, MANIFEST_FILE));
    for (const [rel, content] of Object.entries(USER_FILES)) put(appDir, rel, content);
    const result = FluxTree.synth(platform(['acme']), { outdir, appName: 'kmetal', reconcile: false });
    expect(result.filesWritten).toBeGreaterThan(0); // the cluster's list of units changed
    expect(fs.existsSync(path.join(appDir, 'tenants/globex'))).toBe(false);
    for (const [rel, content] of Object.entries(USER_FILES)) expect(fs.readFileSync(path.join(appDir, rel), 'utf8')).toBe(content);
    expect(fs.existsSync(path.join(appDir, MANIFEST_FILE))).toBe(true);
  });

  test('a unit whose file would land on a user\'s file fails synth with the file, field and fix; the folder is unchanged', () => {
    const outdir = tempDir();
    const appDir = path.join(outdir, 'kmetal');
    const app = new App();
    const unit = new GitOpsUnit(app, 'docs', { path: 'docs' });
    new ApiObject(unit, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'docs' } });
    put(appDir, 'docs/kustomization.yaml', 'resources: [mine.yaml]\n');
    const before = snapshot(appDir);
    expect(() => FluxTree.synth(app, { outdir, appName: 'kmetal' }))
      .toThrow(/^\[<app>\] outdir: the writer refused to change .*kmetal, and nothing was written:\n {2}.*docs\/kustomization\.yaml: not written by FluxTree/);
    expect(snapshot(appDir)).toEqual(before);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
