import { parseQuantity } from '../../tenancy/governance/quantities';

// Quantities are compared by value (`500m` = `0.5`, `1Gi` = `1073741824`), with the library's one parser.
export { parseQuantity };

/** One field the tree sets that the live object does not have, or has with another value. */
export interface FieldDifference {
  /** JSON path, e.g. `spec.topology.workers.machineDeployments[name=general].replicas`. */
  readonly path: string;
  /** What the tree sets (already rendered for display; `(hidden)` for secret values). */
  readonly desired: string;
  /** What the cluster has (`(absent)` when it has nothing there). */
  readonly live: string;
}

/** Options of `diffDesiredFields`. */
export interface DiffOptions {
  /** Hide every value (Secrets: their data must not reach a report). */
  readonly hideValues?: boolean;
}

// Fields the server owns or writes; never compared even when the tree (or a copy of a live object) sets them.
const SERVER_METADATA = new Set(['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
// Keys whose values are credentials wherever they appear: shown as (hidden).
const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|secret$|token$|private.?key|api.?key|credential/i;
const MAX_SHOWN = 80;

/**
 * The fields of `desired` (what the tree sets) that differ in `live`. Only fields the tree sets
 * are compared: whatever the server added (defaults, status, server-managed metadata) is not drift.
 * Lists of objects with a `name` are matched by name (Kubernetes merges them so); other lists by
 * position. Nulls and empty objects or lists the tree sets match an absent field (the server prunes
 * them), and quantities match in any spelling (`0.5` = `500m`, `1Gi` = `1024Mi`).
 */
export function diffDesiredFields(desired: any, live: any, options: DiffOptions = {}): FieldDifference[] {
  const out: FieldDifference[] = [];
  const show = (v: unknown, key: string) => (options.hideValues || SECRET_KEY.test(key) ? '(hidden)' : display(v));
  const report = (path: string, d: unknown, l: unknown, key: string) => {
    out.push({ path, desired: show(d, key), live: l === undefined ? '(absent)' : show(l, key) });
  };

  const walk = (d: any, l: any, path: string, key: string): void => {
    if (d === null || d === undefined) return;
    if (isPlainObject(d)) {
      if (l === undefined || l === null) {
        if (!isEmptyDeep(d)) report(path, d, undefined, key);
        return;
      }
      if (!isPlainObject(l)) return report(path, d, l, key);
      for (const [k, v] of Object.entries(d)) {
        if (path === 'metadata' && (SERVER_METADATA.has(k) || k === 'name' || k === 'namespace')) continue;
        if (path === '' && k === 'status') continue;
        walk(v, l[k], path === '' ? k : `${path}.${k}`, k);
      }
      return;
    }
    if (Array.isArray(d)) {
      if ((l === undefined || l === null) && d.length === 0) return;
      if (!Array.isArray(l)) return report(path, d, l, key);
      const names = d.map((e) => (isPlainObject(e) && typeof e.name === 'string' ? e.name : undefined));
      if (names.every((n) => n !== undefined) && new Set(names).size === names.length && d.length > 0) {
        for (const element of d) {
          const match = l.find((e: any) => isPlainObject(e) && e.name === element.name);
          walk(element, match, `${path}[name=${element.name}]`, key);
        }
        return;
      }
      if (d.length !== l.length) return report(path, d, l, key);
      d.forEach((element, i) => walk(element, l[i], `${path}[${i}]`, key));
      return;
    }
    if (!scalarEqual(d, l)) report(path, d, l, key);
  };
  walk(desired, live, '', '');
  return out;
}

function scalarEqual(d: unknown, l: unknown): boolean {
  if (d === l) return true;
  if (l === undefined || l === null) return false;
  if ((typeof d === 'number' || typeof d === 'string') && (typeof l === 'number' || typeof l === 'string')) {
    if (String(d) === String(l)) return true;
    const a = parseQuantity(String(d));
    const b = parseQuantity(String(l));
    return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return false;
}

function isPlainObject(v: unknown): v is { [k: string]: any } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmptyDeep(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every(isEmptyDeep);
  return false;
}

function display(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}
