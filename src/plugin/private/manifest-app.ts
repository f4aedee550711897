// Rebuilds a construct tree from the manifests `cdk8s synth` wrote, so that the policy packs (which
// read a construct tree) can run in the CLI's process, long after the user's app has exited.
//
// Each object becomes an ApiObject at the construct path the CLI recorded for it
// (construct-metadata.json), under plain constructs for the path's other segments: findings then
// carry the user's construct paths, and suppressions given by path cover a construct and everything
// below it, as `Policy.suppress` does in an app. The CLI records one path per object *name*; objects
// that share a name (e.g. a tenant's Cluster, KamajiControlPlane and Capsule Tenant) are put under
// the parent of the recorded path, one per kind, which keeps them below the L3 construct that
// emitted them. The L3 constructs themselves do not exist here: rules that read them (capacity from
// BareMetalPool host inventories, VIP pool sizes, TenantCluster facts) find nothing to check, while
// every rule that reads the objects runs as it does at synth.
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { parseYamlDocuments } from '../../conformance/yaml-documents';

/** One document of a manifest file. */
export interface ManifestObject {
  /** The manifest file. */
  readonly file: string;
  /** Index of the document in the file. */
  readonly documentIndex: number;
  /** The parsed object. */
  readonly json: any;
  /** Construct path the object is placed at. */
  path: string;
  /** Whether `path` is the one the CLI recorded (false: derived, the object's name being shared). */
  readonly exactPath: boolean;
  /** The ApiObject standing for it (set once the tree is built). */
  apiObject?: ApiObject;
}

/** The rebuilt tree. */
export interface ManifestApp {
  readonly app: App;
  readonly objects: ManifestObject[];
  /** Objects by the ApiObject that stands for them. */
  readonly byApiObject: Map<IConstruct, ManifestObject>;
  /** Parse errors, per file. */
  readonly parseErrors: Array<{ file: string; documentIndex: number; error: string }>;
}

function segmentsOf(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

function identity(json: any): string {
  const ns = json?.metadata?.namespace;
  return `${json?.kind ?? 'Object'}${ns ? `-${ns}` : ''}-${json?.metadata?.name ?? 'unnamed'}`;
}

/**
 * Reads the manifests and builds the tree. `metadata` is the CLI's construct metadata (object name
 * → construct path), possibly empty (then every object lands under `manifests/<file>/`).
 */
export function buildManifestApp(files: Array<{ file: string; text: string; label: string }>,
  metadata: { readonly [name: string]: { readonly path: string } }): ManifestApp {
  const docs: Array<{ file: string; label: string; documentIndex: number; json: any }> = [];
  const parseErrors: ManifestApp['parseErrors'] = [];
  for (const f of files) {
    for (const d of parseYamlDocuments(f.text)) {
      if (d.error !== undefined) {
        parseErrors.push({ file: f.file, documentIndex: d.documentIndex, error: d.error });
        continue;
      }
      if (d.value === null || d.value === undefined || typeof d.value !== 'object' || Array.isArray(d.value)) continue;
      docs.push({ file: f.file, label: f.label, documentIndex: d.documentIndex, json: d.value });
    }
  }
  const perName = new Map<string, number>();
  for (const d of docs) {
    const name = d.json?.metadata?.name;
    if (typeof name === 'string') perName.set(name, (perName.get(name) ?? 0) + 1);
  }

  const taken = new Set<string>();
  const objects: ManifestObject[] = docs.map((d) => {
    const name = d.json?.metadata?.name;
    const recorded = typeof name === 'string' ? metadata[name]?.path : undefined;
    let segments: string[];
    let exact = false;
    if (recorded && segmentsOf(recorded).length >= 2 && perName.get(name) === 1) {
      segments = segmentsOf(recorded);
      exact = true;
    } else if (recorded && segmentsOf(recorded).length >= 2) {
      segments = [...segmentsOf(recorded).slice(0, -1), String(d.json.kind ?? 'Object')];
    } else {
      segments = ['manifests', d.label.replace(/[^A-Za-z0-9._-]/g, '_'), identity(d.json)];
    }
    // Two objects can never share a construct: number the second one.
    let candidate = segments.join('/');
    for (let i = 2; taken.has(candidate); i++) candidate = [...segments.slice(0, -1), `${segments[segments.length - 1]}-${i}`].join('/');
    taken.add(candidate);
    return { file: d.file, documentIndex: d.documentIndex, json: d.json, path: candidate, exactPath: exact };
  });

  const app = new App({ outdir: '/nonexistent-kmetal-plugin-out' });
  const scopeAt = (segments: string[]): IConstruct => {
    let c: IConstruct = app;
    segments.forEach((s, i) => {
      // The first segment is a chart (ApiObjects must be inside one), the others plain constructs
      // (or an object that is also the parent of others, which cdk8s allows).
      c = c.node.tryFindChild(s) ?? (i === 0 ? new Chart(app, s, { disableResourceNameHashes: true }) : new Construct(c as Construct, s));
    });
    return c;
  };
  const byApiObject = new Map<IConstruct, ManifestObject>();
  for (const o of objects) {
    const segments = segmentsOf(o.path);
    const { apiVersion, kind, metadata: meta, ...rest } = o.json;
    try {
      const scope = scopeAt(segments.slice(0, -1)) as Construct;
      let id = segments[segments.length - 1];
      // A plain construct made for a deeper object may hold the id already.
      for (let i = 2; scope.node.tryFindChild(id); i++) id = `${segments[segments.length - 1]}-${i}`;
      o.apiObject = new ApiObject(scope, id, {
        apiVersion: String(apiVersion ?? ''), kind: String(kind ?? ''), metadata: meta ?? {}, ...rest,
      });
      o.path = o.apiObject.node.path;
      byApiObject.set(o.apiObject, o);
    } catch (e) {
      parseErrors.push({ file: o.file, documentIndex: o.documentIndex, error: `cannot stand for the object: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return { app, objects, byApiObject, parseErrors };
}

/** The construct at a path of the rebuilt tree (any prefix of an object's path exists). */
export function findConstruct(app: App, path: string): IConstruct | undefined {
  let c: IConstruct = app;
  for (const s of segmentsOf(path)) {
    const next = c.node.tryFindChild(s);
    if (!next) return undefined;
    c = next;
  }
  return c;
}
