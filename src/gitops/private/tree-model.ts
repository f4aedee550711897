import * as path from 'path';
import { orderLayers, transitiveDependencies } from './layer-order';
import type { TreeFiles } from './tree-files';

/** One Kubernetes object of the tree, where it was read from and the layer that applies it. */
export interface TreeObject {
  /** The parsed document, as written (never modified). */
  readonly manifest: any;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace` as written (the layer's `targetNamespace` is applied by the commands, which know the kind's scope). */
  readonly namespace?: string;
  /** File, relative to the tree folder. */
  readonly file: string;
  /** Zero-based document index in the file. */
  readonly documentIndex: number;
  /** The layer that applies it. */
  readonly layer: TreeLayer;
}

/** One Flux Kustomization of the tree and the objects it applies, or the bootstrap layer. */
export interface TreeLayer {
  /** `namespace/name` of the Kustomization. */
  readonly key: string;
  /** Name of the Kustomization (`bootstrap` layer: the root Kustomization's, i.e. the app's). */
  readonly name: string;
  /**
   * True for the layer applied by hand (`bootstrap/<cluster>.yaml`) together with what it applies
   * (`clusters/<cluster>/`: the Kustomizations of all other layers).
   */
  readonly bootstrap: boolean;
  /** Folder of the layer, relative to the tree folder (absent when `spec.path` resolves to no folder). */
  readonly path?: string;
  /** `namespace/name` of the Kustomizations this one waits for. */
  readonly dependsOn: readonly string[];
  /** Flux `spec.targetNamespace`: the namespace of every namespaced object of the layer. */
  readonly targetNamespace?: string;
  /** Layers that must be ready before this one (0 = none), as Flux reaches them. */
  readonly depth: number;
  /** One-based position in the apply order. */
  readonly position: number;
  /** The objects, in apply order (CRDs and Namespaces first, as Flux applies them; otherwise file order). */
  readonly objects: readonly TreeObject[];
}

/** Something wrong with the tree's structure (reported by `kmetal check`). */
export interface TreeProblem {
  readonly severity: 'error' | 'warning';
  /** `tree-missing-path`, `tree-missing-file`, `tree-orphan-file`, `tree-cycle`, `tree-unknown-dependency`, `tree-remote-resource`, `yaml`, `malformed`. */
  readonly code: string;
  readonly message: string;
  /** File the problem is in, relative to the tree folder. */
  readonly file?: string;
}

/** A synthesized Flux tree (`dist/<app>/`), for one of its clusters. */
export interface FluxTreeModel {
  /** The tree folder as given (absolute on disk; the app folder's path for a tree in memory). */
  readonly root: string;
  /** The app name (the root Kustomization's name), when the tree has a bootstrap file. */
  readonly appName?: string;
  /** The cluster read (`clusters/<cluster>/`). */
  readonly cluster: string;
  /** Every cluster of the tree. */
  readonly clusters: readonly string[];
  /** The layers in apply order; the bootstrap layer first. */
  readonly layers: readonly TreeLayer[];
  /** Every object, in apply order. */
  readonly objects: readonly TreeObject[];
  /** Structural problems found while reading. */
  readonly problems: readonly TreeProblem[];
  /** Whether `dependency` is `layer` itself or applied before it by Flux's `dependsOn` (the bootstrap layer precedes all). */
  isReadyBefore(dependency: TreeLayer, layer: TreeLayer): boolean;
}

const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io/';
const KUSTOMIZE_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
// kustomize nests folders through `resources`; a tree written by FluxTree nests none. A bound keeps
// a folder that lists itself from recursing forever.
const MAX_FOLDER_DEPTH = 8;

interface MutableLayer {
  key: string;
  name: string;
  bootstrap: boolean;
  path?: string;
  dependsOn: string[];
  targetNamespace?: string;
  depth: number;
  position: number;
  objects: TreeObject[];
}

/** The folder cannot be read as a Flux tree (no `clusters/<cluster>/`, or an unknown cluster). */
export class TreeReadError extends Error {}

/** The clusters of a tree: the folders under `clusters/`, sorted. */
export function treeClusters(files: TreeFiles): string[] {
  return files.subfolders('clusters');
}

/**
 * Reads a tree written by `FluxTree` (or any tree of the same shape: `clusters/<cluster>/` holding
 * Flux Kustomizations whose `spec.path` points at folders of the tree), for one of its clusters.
 *
 * @param files the tree's files
 * @param label how to name the tree in errors (its folder)
 * @param cluster which cluster to read; may be omitted when the tree has one
 * @throws TreeReadError when the files are not such a tree
 */
export function readTreeModel(files: TreeFiles, label: string, cluster?: string): FluxTreeModel {
  const clusters = treeClusters(files);
  if (clusters.length === 0) {
    throw new TreeReadError(`${label}: not a Flux tree (no clusters/<cluster>/ folder); give the app folder FluxTree writes, e.g. dist/quickstart`);
  }
  const chosen = cluster ?? (clusters.length === 1 ? clusters[0] : undefined);
  if (chosen === undefined) {
    throw new TreeReadError(`${label}: the tree has several clusters (${clusters.join(', ')}); pick one with --cluster`);
  }
  if (!clusters.includes(chosen)) {
    throw new TreeReadError(`${label}: the tree has no cluster "${chosen}" (clusters: ${clusters.join(', ')})`);
  }
  return new TreeReader(files, label, chosen, clusters).read();
}

class TreeReader {
  private readonly problems: TreeProblem[] = [];

  constructor(
    private readonly files: TreeFiles,
    private readonly root: string,
    private readonly cluster: string,
    private readonly clusters: string[],
  ) {}

  public read(): FluxTreeModel {
    const bootstrapFile = `bootstrap/${this.cluster}.yaml`;
    const rootDocs = this.files.isFile(bootstrapFile) ? this.readFile(bootstrapFile) : [];
    const rootKustomization = rootDocs.find((d) => isFluxKustomization(d.manifest));
    const appName: string | undefined = rootKustomization?.manifest.metadata?.name;
    const repoPath = rootKustomization ? repoPathOf(rootKustomization.manifest.spec?.path, this.cluster) : undefined;

    const clusterDocs = this.readFolder(`clusters/${this.cluster}`, 0);
    const bootstrap: MutableLayer = {
      key: `bootstrap/${this.cluster}`,
      name: appName ?? 'bootstrap',
      bootstrap: true,
      dependsOn: [],
      depth: 0,
      position: 1,
      objects: [],
    };
    const bootstrapDocs = [...rootDocs, ...clusterDocs];
    const units: MutableLayer[] = [];
    const unitDocs = new Map<MutableLayer, ParsedDocument[]>();
    for (const doc of clusterDocs) {
      if (!isFluxKustomization(doc.manifest)) continue;
      const ks = doc.manifest;
      const namespace = ks.metadata?.namespace ?? 'flux-system';
      const unit: MutableLayer = {
        key: `${namespace}/${ks.metadata.name}`,
        name: ks.metadata.name,
        bootstrap: false,
        dependsOn: (Array.isArray(ks.spec?.dependsOn) ? ks.spec.dependsOn : [])
          .filter((d: any) => typeof d?.name === 'string')
          .map((d: any) => `${d.namespace ?? namespace}/${d.name}`),
        targetNamespace: typeof ks.spec?.targetNamespace === 'string' ? ks.spec.targetNamespace : undefined,
        depth: 0,
        position: 0,
        objects: [],
      };
      const folder = this.resolveUnitFolder(ks.spec?.path, repoPath);
      if (folder === undefined) {
        this.problems.push({ severity: 'error', code: 'tree-missing-path', file: doc.file, message: `Kustomization ${unit.name}: spec.path ${JSON.stringify(ks.spec?.path)} is no folder of this tree` });
      } else {
        unit.path = folder;
        unitDocs.set(unit, this.readFolder(folder, 0));
      }
      units.push(unit);
    }

    const order = orderLayers(units);
    for (const { from, missing } of order.unknownDependencies) {
      this.problems.push({ severity: 'warning', code: 'tree-unknown-dependency', message: `Kustomization ${from} depends on ${missing}, which this tree does not define (Flux waits until it exists and is ready)` });
    }
    for (const cycle of order.cycles) {
      this.problems.push({ severity: 'error', code: 'tree-cycle', message: `dependsOn cycle: ${cycle.join(' → ')} (Flux never applies these layers)` });
    }
    const ordered: MutableLayer[] = [bootstrap];
    // By key, first one winning as `find` did (a scan per unit was quadratic in the tenants).
    const unitByKey = new Map<string, MutableLayer>();
    for (const u of units) if (!unitByKey.has(u.key)) unitByKey.set(u.key, u);
    for (const o of order.ordered) {
      const unit = unitByKey.get(o.key)!;
      unit.depth = o.depth + 1;
      ordered.push(unit);
    }
    ordered.forEach((layer, i) => {
      layer.position = i + 1;
      const docs = layer.bootstrap ? bootstrapDocs : unitDocs.get(layer) ?? [];
      layer.objects = applyOrder(docs.map((d) => toObject(d, layer)));
    });

    const graph = units.map((u) => ({ key: u.key, name: u.name, dependsOn: u.dependsOn }));
    const byKey = new Map(graph.map((n) => [n.key, n]));
    const ancestors = new Map(units.map((u) => [u.key, transitiveDependencies(byKey, u.key)]));
    return {
      root: this.root,
      appName,
      cluster: this.cluster,
      clusters: this.clusters,
      layers: ordered,
      objects: ordered.flatMap((l) => l.objects),
      problems: this.problems,
      isReadyBefore: (dependency, layer) => dependency === layer || dependency.bootstrap || (ancestors.get(layer.key)?.has(dependency.key) ?? false),
    };
  }

  /** The folder of a Kustomization's `spec.path`, relative to the tree root. */
  private resolveUnitFolder(specPath: unknown, repoPath: string | undefined): string | undefined {
    if (typeof specPath !== 'string') return undefined;
    const segments = specPath.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.includes('..')) return undefined;
    const normalized = segments.join('/');
    if (repoPath !== undefined) {
      const rel = repoPath === '' ? normalized : normalized.startsWith(`${repoPath}/`) ? normalized.slice(repoPath.length + 1) : '';
      if (rel !== '' && this.isFolder(rel)) return rel;
    }
    // Without a bootstrap file, the longest tail of the path that is a folder of the tree.
    for (let i = 0; i < segments.length; i++) {
      const rel = segments.slice(i).join('/');
      if (this.isFolder(rel)) return rel;
    }
    return undefined;
  }

  private isFolder(rel: string): boolean {
    return this.files.isFolder(rel);
  }

  /** The documents of a folder as kustomize builds it: its kustomization's resources, else every manifest under it. */
  private readFolder(folder: string, depth: number): ParsedDocument[] {
    if (!this.files.isFolder(folder)) return [];
    const kustomizationFile = KUSTOMIZE_FILES.map((f) => `${folder}/${f}`).find((f) => this.files.isFile(f));
    if (kustomizationFile === undefined) {
      return this.files.manifestFiles(folder).flatMap((f) => this.readFile(f));
    }
    const config = this.readFile(kustomizationFile, true)[0]?.manifest;
    const resources: unknown[] = Array.isArray(config?.resources) ? config.resources : [];
    const docs: ParsedDocument[] = [];
    const listed = new Set<string>();
    for (const entry of resources) {
      if (typeof entry !== 'string') continue;
      if (entry.includes('://') || entry.startsWith('git@')) {
        this.problems.push({ severity: 'warning', code: 'tree-remote-resource', file: kustomizationFile, message: `remote resource ${entry} is not read` });
        continue;
      }
      const target = path.posix.normalize(`${folder}/${entry}`);
      listed.add(target);
      if (target === '..' || target.startsWith('../')) {
        this.problems.push({ severity: 'error', code: 'tree-missing-file', file: kustomizationFile, message: `lists ${entry}, which is outside the tree` });
      } else if (this.files.isFolder(target)) {
        if (depth >= MAX_FOLDER_DEPTH) {
          this.problems.push({ severity: 'error', code: 'tree-missing-file', file: kustomizationFile, message: `folders nest deeper than ${MAX_FOLDER_DEPTH} levels at ${entry}` });
        } else {
          docs.push(...this.readFolder(target, depth + 1));
        }
      } else if (this.files.isFile(target)) {
        docs.push(...this.readFile(target));
      } else {
        this.problems.push({ severity: 'error', code: 'tree-missing-file', file: kustomizationFile, message: `lists ${entry}, which does not exist` });
      }
    }
    // kustomize builds only what the kustomization lists: a manifest beside it that it does not list
    // is never applied, which is never what the author of the file meant.
    for (const f of this.files.manifestFiles(folder)) {
      if (path.posix.dirname(f) !== folder || listed.has(f)) continue;
      this.problems.push({ severity: 'error', code: 'tree-orphan-file', file: f, message: `${f} is in the folder of ${kustomizationFile} but not in its resources, so Flux never applies it (list it, or remove the file)` });
    }
    return docs;
  }

  private readFile(rel: string, isKustomizeConfig = false): ParsedDocument[] {
    const out: ParsedDocument[] = [];
    for (const doc of this.files.documents(rel)) {
      if (doc.error !== undefined) {
        this.problems.push({ severity: 'error', code: 'yaml', file: rel, message: `document ${doc.documentIndex} is not valid YAML: ${doc.error}` });
        continue;
      }
      if (doc.value === undefined || doc.value === null) continue;
      const items = isList(doc.value) ? doc.value.items : [doc.value];
      for (const item of items) {
        if (!isKustomizeConfig && !isObjectWithIdentity(item)) {
          this.problems.push({ severity: 'error', code: 'malformed', file: rel, message: `document ${doc.documentIndex} is not a Kubernetes object with apiVersion, kind and metadata.name` });
          continue;
        }
        out.push({ manifest: item, file: rel, documentIndex: doc.documentIndex });
      }
    }
    return out;
  }

}

interface ParsedDocument {
  readonly manifest: any;
  readonly file: string;
  readonly documentIndex: number;
}

function toObject(doc: ParsedDocument, layer: TreeLayer): TreeObject {
  const m = doc.manifest;
  const namespace = typeof m.metadata.namespace === 'string' && m.metadata.namespace !== '' ? m.metadata.namespace : undefined;
  return {
    manifest: m,
    apiVersion: m.apiVersion,
    kind: m.kind,
    name: m.metadata.name,
    namespace,
    file: doc.file,
    documentIndex: doc.documentIndex,
    layer,
  };
}

/** Flux applies CustomResourceDefinitions and Namespaces of a layer before its other objects. */
function applyOrder(objects: TreeObject[]): TreeObject[] {
  const rank = (o: TreeObject) => (o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/') ? 0 : o.kind === 'Namespace' && o.apiVersion === 'v1' ? 1 : 2);
  return objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

function isFluxKustomization(m: any): boolean {
  return typeof m?.apiVersion === 'string' && m.apiVersion.startsWith(FLUX_KUSTOMIZE_GROUP) && m.kind === 'Kustomization' && typeof m.metadata?.name === 'string';
}

function isList(v: any): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && v.apiVersion === 'v1' && v.kind === 'List' && Array.isArray(v.items);
}

function isObjectWithIdentity(v: any): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    && typeof v.apiVersion === 'string' && v.apiVersion !== ''
    && typeof v.kind === 'string' && v.kind !== ''
    && typeof v.metadata?.name === 'string' && v.metadata.name !== '';
}

/** `./dist/app/clusters/under` → `dist/app`: the tree's own path in the Flux source. */
function repoPathOf(rootPath: unknown, cluster: string): string | undefined {
  if (typeof rootPath !== 'string') return undefined;
  const normalized = rootPath.split('/').filter((s) => s !== '' && s !== '.').join('/');
  const suffix = `clusters/${cluster}`;
  if (normalized === suffix) return '';
  return normalized.endsWith(`/${suffix}`) ? normalized.slice(0, -suffix.length - 1) : undefined;
}
