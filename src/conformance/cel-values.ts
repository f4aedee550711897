import type { CelInput } from '@bufbuild/cel';
import type { JsonSchema } from './bundle-model';

/** CEL reserved words: a property with one of these names is `__name__` in a rule. */
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);
const ESCAPABLE = /^[A-Za-z_.\-/][A-Za-z0-9_.\-/]*$/;

/**
 * The name a rule uses for an object property, escaped as Kubernetes does (`__dash__`, `__dot__`,
 * `__slash__`, `__underscores__`, `__keyword__`); `undefined` when no rule can reach it.
 */
export function celFieldName(property: string): string | undefined {
  if (CEL_RESERVED.has(property)) return `__${property}__`;
  if (!ESCAPABLE.test(property)) return undefined;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(property) && !property.includes('__')) return property;
  return property
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}

function untyped(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(untyped);
  if (typeof value === 'object' && value !== null) {
    const out = new Map<string, CelInput>();
    for (const [k, v] of Object.entries(value)) out.set(k, untyped(v));
    return out;
  }
  return value as CelInput;
}

/**
 * Converts JSON values into CEL values by their schema, as Kubernetes declares them to CEL: `integer`
 * fields are `int`, `number` fields `double`, objects with properties have escaped field names, maps
 * keep their keys (both become JS `Map`s, which `@bufbuild/cel` reads fastest), and schemaless parts
 * (`x-kubernetes-preserve-unknown-fields`) read integral numbers as `int`.
 *
 * One converter serves one object: converted subtrees are reused by the rules of enclosing nodes, so
 * a tree is converted once however many rules it carries.
 *
 * Not converted as Kubernetes does: `date-time`/`duration`/`byte` strings stay strings (Kubernetes
 * declares them `timestamp`/`duration`/`bytes`); no pinned CRD has a rule on such a field.
 */
export class CelValueConverter {
  private readonly cache = new WeakMap<object, CelInput>();

  /** `value` as CEL sees it under `schema`. */
  public convert(value: unknown, schema: JsonSchema | undefined): CelInput {
    if (value === null || value === undefined) return null;
    if (!schema) return untyped(value);
    if (typeof value === 'number') {
      if (schema.type === 'number') return value;
      return Number.isInteger(value) ? BigInt(value) : value;
    }
    if (typeof value !== 'object') return value as CelInput;

    const cached = this.cache.get(value);
    if (cached !== undefined) return cached;
    let out: CelInput;
    if (Array.isArray(value)) {
      const items: JsonSchema | undefined = typeof schema.items === 'object' ? schema.items : undefined;
      out = value.map((v) => this.convert(v, items));
    } else if (schema.properties) {
      const obj = new Map<string, CelInput>();
      for (const [k, v] of Object.entries(value)) {
        const name = celFieldName(k);
        const sub: JsonSchema | undefined = schema.properties[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        if (name !== undefined) obj.set(name, this.convert(v, sub));
      }
      out = obj;
    } else if (typeof schema.additionalProperties === 'object') {
      const map = new Map<string, CelInput>();
      for (const [k, v] of Object.entries(value)) map.set(k, this.convert(v, schema.additionalProperties));
      out = map;
    } else {
      out = untyped(value);
    }
    this.cache.set(value, out);
    return out;
  }
}
