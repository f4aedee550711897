/**
 * The dotted paths where two values differ (`spec.replicas`, `spec.template.spec.version`), down
 * to the first value that differs; arrays compare as a whole (an item's position has no name).
 */
export function changedFields(before: unknown, after: unknown, prefix = '', out: string[] = []): string[] {
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      changedFields(before[key], after[key], prefix === '' ? key : `${prefix}.${key}`, out);
    }
    return out;
  }
  if (!sameValue(before, after)) out.push(prefix === '' ? '<object>' : prefix);
  return out;
}

/** Deep equality of JSON values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return false;
}

/** The value at a dotted path. */
export function valueAt(json: unknown, dotted: string): unknown {
  let v: any = json;
  for (const key of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[key];
  }
  return v;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
