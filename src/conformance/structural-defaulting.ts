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
