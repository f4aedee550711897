/**
 * Deep-merges plain JSON values the way Helm merges values files: objects key by key, everything
 * else (arrays included) replaced by the override. Inputs are not modified.
 */
export function deepMerge(base: any, override: any): any {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: { [key: string]: any } = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(x: unknown): x is { [key: string]: any } {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
