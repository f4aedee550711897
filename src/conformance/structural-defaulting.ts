import type { JsonSchema } from './bundle-model';

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function copyJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** A schema for an object's member: its property's, else `additionalProperties` when that is a schema. */
function memberSchema(schema: JsonSchema, key: string): JsonSchema | undefined {
  const prop = schema.properties?.[key];
  if (prop) return prop;
  return isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

/**
 * What an API server does to a custom object before validating it, in place (pass a copy):
 * 1. `null` values of members whose schema is not `nullable` are dropped, unless the schema has a
 *    `default`, which then replaces the `null`;
 * 2. missing properties that declare a `default` get a copy of it, in every object present
 *    (never creating the parent), including objects that were themselves just defaulted.
 *
 * Mirrors apiextensions-apiserver's `structuraldefaulting.PruneNonNullableNullsWithoutDefaults` and `Default`.
 */
export function pruneNullsAndApplyDefaults(value: unknown, schema: JsonSchema | undefined): void {
  if (!schema) return;
  if (isPlainObject(value)) {
    const properties: Record<string, JsonSchema> | undefined = schema.properties;
    if (properties) {
      for (const [key, prop] of Object.entries(properties)) {
        if (prop.default === undefined) continue;
        if (!(key in value) || (value[key] === null && !prop.nullable)) value[key] = copyJson(prop.default);
      }
    }
    for (const key of Object.keys(value)) {
      const sub = memberSchema(schema, key);
      if (!sub) continue;
      if (value[key] === null && !sub.nullable) {
        if (sub.default !== undefined) value[key] = copyJson(sub.default);
        else delete value[key];
        continue;
      }
      pruneNullsAndApplyDefaults(value[key], sub);
    }
  } else if (Array.isArray(value) && isPlainObject(schema.items)) {
    const items: JsonSchema = schema.items;
    for (let i = 0; i < value.length; i++) {
      // Null list items are not pruned (that would shift indexes); a default replaces them if there is one.
      if (value[i] === null && !items.nullable && items.default !== undefined) value[i] = copyJson(items.default);
      pruneNullsAndApplyDefaults(value[i], items);
    }
  }
}

/**
 * `pruneNullsAndApplyDefaults` without touching `value`: returns `value` itself when nothing is
 * pruned or defaulted, else a copy of the objects and lists on the way to each change (the rest is
 * shared). Lets the conformance check validate a rendered object (frozen, shared with the writer)
 * without deep-copying every object first: most have nothing to prune or default.
 */
export function withNullsPrunedAndDefaults(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema) return value;
  if (isPlainObject(value)) {
    let out: Record<string, any> | undefined;
    const writable = (): Record<string, any> => (out ??= { ...value });
    const properties: Record<string, JsonSchema> | undefined = schema.properties;
    if (properties) {
      for (const [key, prop] of Object.entries(properties)) {
        if (prop.default === undefined) continue;
        const current = out ?? value;
        if (!(key in current) || (current[key] === null && !prop.nullable)) writable()[key] = copyJson(prop.default);
      }
    }
    for (const key of Object.keys(out ?? value)) {
      const sub = memberSchema(schema, key);
      if (!sub) continue;
      const v = (out ?? value)[key];
      if (v === null && !sub.nullable) {
        if (sub.default !== undefined) writable()[key] = copyJson(sub.default);
        else delete writable()[key];
        continue;
      }
      const next = withNullsPrunedAndDefaults(v, sub);
      if (next !== v) writable()[key] = next;
    }
    return out ?? value;
  }
  if (Array.isArray(value) && isPlainObject(schema.items)) {
    const items: JsonSchema = schema.items;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      let v = value[i];
      // Null list items are not pruned (that would shift indexes); a default replaces them if there is one.
      if (v === null && !items.nullable && items.default !== undefined) {
        v = copyJson(items.default);
        (out ??= value.slice())[i] = v;
      }
      const next = withNullsPrunedAndDefaults(v, items);
      if (next !== v) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  return value;
}

// Deeper than any Kubernetes object; past it (or on a cycle) the caller takes the JSON round trip.
const MAX_PLAIN_DEPTH = 200;

/**
 * Whether `value` is already what a JSON round trip returns (so that round trip can be skipped):
 * strings, booleans, null, finite numbers other than -0, arrays without holes or `undefined`, and
 * objects whose prototype is Object's with no `undefined` members, all the way down.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      const proto = Object.getPrototypeOf(value);
      if (proto === Array.prototype) {
        const list = value as unknown[];
        for (let i = 0; i < list.length; i++) {
          if (list[i] === undefined || !isPlainJson(list[i], depth + 1)) return false;
        }
        return true;
      }
      if (proto !== Object.prototype) return false;
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || !isPlainJson(v, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
