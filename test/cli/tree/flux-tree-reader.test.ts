import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { isCliFatalError } from '../../../src/cli/errors';
import { readFluxTree } from '../../../src/cli/tree/flux-tree-reader';
import { REPO_ROOT } from '../support/fixture';
import { removeFolder, widgetCrd, writeTestTree } from '../support/tree-builder';

const QUICKSTART = path.join(REPO_ROOT, 'dist', 'quickstart');
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-tree-')); });
afterAll(() => removeFolder(tmp));

/** The Kustomizations of a cluster folder, read independently of the reader under test. */
function kustomizationsOf(tree: string, cluster = 'under'): Array<{ name: string; dependsOn: string[] }> {
  const dir = path.join(tree, 'clusters', cluster);
  return fs.readdirSync(dir).filter((f) => f !== 'kustomization.yaml').map((f) => {
    const ks = YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return { name: ks.metadata.name, dependsOn: (ks.spec.dependsOn ?? []).map((d: any) => d.name) };
  });
}

describe('readFluxTree', () => {
  test('orders the quickstart layers so that every layer comes after the layers it depends on', () => {
    const tree = readFluxTree(QUICKSTART);
    expect(tree.cluster).toBe('under');
    expect(tree.appName).toBe('quickstart');
    expect(tree.layers[0].bootstrap).toBe(true);
    const position = new Map(tree.layers.map((l) => [l.name, l.position]));
    const kustomizations = kustomizationsOf(QUICKSTART);
    expect(tree.layers.slice(1).map((l) => l.name).sort()).toEqual(kustomizations.map((k) => k.name).sort());
    for (const k of kustomizations) {
      for (const d of k.dependsOn) expect(position.get(d)!).toBeLessThan(position.get(k.name)!);
    }
    expect(tree.problems).toEqual([]);
  });

  test('reads every object file each layer\'s kustomization.yaml lists, and the Kustomizations into the bootstrap layer', () => {
    const tree = readFluxTree(QUICKSTART);
    for (const layer of tree.layers.slice(1)) {
      const listed = YAML.parse(fs.readFileSync(path.join(QUICKSTART, layer.path!, 'kustomization.yaml'), 'utf8')).resources ?? [];
      expect(layer.objects.map((o) => path.basename(o.file)).sort()).toEqual([...listed].sort());
    }
    expect(tree.layers[0].objects.filter((o) => o.kind === 'Kustomization')).toHaveLength(tree.layers.length); // root + one per layer
  });

  test('applies CustomResourceDefinitions and Namespaces of a layer first, as Flux does', () => {
    const dir = writeTestTree(path.join(tmp, 'order'), 'order', [
      { path: 'apps', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }, widgetCrd()] },
    ]);
    const layer = readFluxTree(dir).layers[1];
    expect(layer.objects.map((o) => o.kind)).toEqual(['CustomResourceDefinition', 'Namespace', 'ConfigMap']);
  });

  test('knows which layers are ready before which (transitive dependsOn; bootstrap before all)', () => {
    const dir = writeTestTree(path.join(tmp, 'deps'), 'deps', [
      { path: 'crds', objects: [widgetCrd()] },
      { path: 'controllers', dependsOn: ['crds'], objects: [] },
      { path: 'apps', dependsOn: ['controllers'], objects: [] },
      { path: 'other', objects: [] },
    ]);
    const tree = readFluxTree(dir);
    const layer = (name: string) => tree.layers.find((l) => l.name === name)!;
    expect(tree.layers.map((l) => l.name)).toEqual(['deps', 'crds', 'other', 'controllers', 'apps']);
    expect(tree.isReadyBefore(layer('crds'), layer('apps'))).toBe(true);
    expect(tree.isReadyBefore(layer('other'), layer('apps'))).toBe(false);
    expect(tree.isReadyBefore(layer('apps'), layer('crds'))).toBe(false);
    expect(tree.isReadyBefore(tree.layers[0], layer('other'))).toBe(true);
  });

  test('reports a dependsOn cycle, a Kustomization path that is no folder and a listed file that is missing', () => {
    const dir = writeTestTree(path.join(tmp, 'broken'), 'broken', [
      { path: 'a', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } }] },
      { path: 'b', dependsOn: ['a'], objects: [] },
      { path: 'c', objects: [] },
    ]);
    const edit = (file: string, change: (doc: any) => void) => {
      const doc = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      change(doc);
      fs.writeFileSync(path.join(dir, file), YAML.stringify(doc));
    };
    edit('clusters/under/a.yaml', (ks) => { ks.spec.dependsOn = [{ name: 'b' }]; });
    edit('clusters/under/c.yaml', (ks) => { ks.spec.path = './dist/broken/gone'; });
    edit('a/kustomization.yaml', (k) => { k.resources.push('missing.yaml'); });
    const codes = readFluxTree(dir).problems.map((p) => p.code).sort();
    expect(codes).toEqual(['tree-cycle', 'tree-missing-file', 'tree-missing-path']);
  });

  test('needs --cluster when the tree has several clusters, and says which exist', () => {
    const dir = writeTestTree(path.join(tmp, 'multi'), 'multi', [{ path: 'a', objects: [] }]);
    fs.mkdirSync(path.join(dir, 'clusters', 'edge'));
    expect(() => readFluxTree(dir)).toThrow(/several clusters \(edge, under\); pick one with --cluster/);
    expect(readFluxTree(dir, 'under').cluster).toBe('under');
    expect(() => readFluxTree(dir, 'nope')).toThrow(/no cluster "nope" \(clusters: edge, under\)/);
  });

  test('refuses a folder that is not a Flux tree with one clear line', () => {
    let error: unknown;
    try {
      readFluxTree(path.join(REPO_ROOT, 'src'));
    } catch (e) {
      error = e;
    }
    expect(isCliFatalError(error)).toBe(true);
    expect((error as Error).message).toMatch(/not a Flux tree \(no clusters\/<cluster>\/ folder\)/);
  });
});
