import type { ClusterObject, ClusterState, ObjectReference, ProducedObject } from '../private/cluster-state';
import type { ReconcileFinding } from '../reconcile-finding';

/**
 * What one upstream project (a controller, a chart, Flux) does with the objects of a cluster: which
 * objects it creates at run time, which fields of its kinds name other objects, and what else must
 * hold for it to act (selectors that select, admission that sees the request, templates that render).
 *
 * Each model cites the upstream file, at the pinned commit, that its rules come from, and is tested
 * against that source where the repository's tests can read it (`../shared`).
 */
export interface UpstreamModel {
  /** `project version`, e.g. `kamaji-etcd 0.17.0`. */
  readonly project: string;
  /** Objects the project creates at run time because `o` exists. */
  produce?(o: ClusterObject, state: ClusterState): ProducedObject[];
  /** Fields of `o` that name other objects. */
  references?(o: ClusterObject, state: ClusterState): ObjectReference[];
  /** Everything else that must hold on the cluster, once every object and product is known. */
  check?(state: ClusterState): ReconcileFinding[];
}

/** A reference helper: `{ field, group, kinds, namespace, name, consequence, rule }`, skipping empty names. */
export function refs(candidates: Array<ObjectReference | undefined | false>): ObjectReference[] {
  return candidates.filter((r): r is ObjectReference => !!r && typeof r.name === 'string' && r.name.length > 0);
}

/** `m[a][b]...`, tolerating anything. */
export function at(m: any, ...path: Array<string | number>): any {
  let v = m;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[p];
  }
  return v;
}

/** `v` if it is an array, else `[]`. */
export function list(v: any): any[] {
  return Array.isArray(v) ? v : [];
}

/** `v` if it is a non-empty string. */
export function str(v: any): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
