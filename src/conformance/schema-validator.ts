import type { JsonSchema } from './bundle-model';
import { compileRule, type CompiledRule } from './cel-rule';
import type { CelValueConverter } from './cel-values';
import { closestName } from './closest-name';
import { appendFieldPath, indexPath, memberPath } from './json-path';
import { checkFormat } from './schema-formats';

/** Where schema findings go: a `FindingCollector`, or a counter when trying `anyOf`/`oneOf` branches. */
export interface FindingSink {
  error(code: string, path: string, message: string): void;
  warning(code: string, path: string, message: string): void;
}

/** Members every object root (and every `x-kubernetes-embedded-resource`) has, whatever its schema lists. */
const RESOURCE_MEMBERS = new Set(['apiVersion', 'kind', 'metadata']);

/** Rules compiled once per schema node, for as long as the schema is loaded. */
const compiledRules = new WeakMap<JsonSchema, CompiledRule[]>();
/** Patterns compiled once each: a RegExp, or why it does not compile. */
const compiledPatterns = new Map<string, RegExp | string>();

function rulesOf(schema: JsonSchema): CompiledRule[] {
  let rules = compiledRules.get(schema);
  if (!rules) {
    rules = (schema['x-kubernetes-validations'] as any[]).map((r) => compileRule(r));
    compiledRules.set(schema, rules);
  }
  return rules;
}

/**
 * CRD patterns are Go RE2; ECMAScript with the `u` flag reads RE2's common syntax the same way.
 * Inline `(?i)` becomes the `i` flag. What still does not compile is reported as unevaluated.
 */
function patternOf(pattern: string): RegExp | string {
  let compiled = compiledPatterns.get(pattern);
  if (compiled === undefined) {
    const caseless = pattern.startsWith('(?i)');
    const source = caseless ? pattern.slice(4) : pattern;
    try {
      compiled = new RegExp(source, caseless ? 'iu' : 'u');
    } catch (e) {
      // No retry without `u`: that reads RE2's `\pL` as the text "pL", a silently different check.
      compiled = e instanceof Error ? e.message : String(e);
    }
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object': return isPlainObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    default: return true;
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A sink that only counts errors: branch checks of `anyOf`/`oneOf`/`allOf`/`not`. */
class CountingSink implements FindingSink {
  public errors = 0;
  public error(): void { this.errors++; }
  public warning(): void { /* branches only decide match or not */ }
}

/** Options of one validation walk. */
export interface SchemaWalkOptions {
  /** Converts values for CEL; CEL rules are not run without one (branch checks). */
  readonly celValues?: CelValueConverter;
  /** Report members the schema does not declare (off inside `anyOf`/`oneOf`/`allOf`/`not`, which do not prune). */
  readonly unknownFields: boolean;
}

/**
 * Validates a (pruned and defaulted) value against a structural schema the way an API server does:
 * types, `nullable`, `enum`, string/number/array/object bounds, `pattern`, `format`, list types,
 * `required`, members the schema does not declare (which a server would prune silently),
 * `anyOf`/`oneOf`/`allOf`/`not`, and the CEL rules of every node.
 */
export class SchemaValidator {
  constructor(private readonly sink: FindingSink, private readonly options: SchemaWalkOptions) {}

  /**
   * @param isRoot the value is a whole object: `apiVersion`, `kind` and `metadata` are always allowed
   *   and `metadata` is left to the metadata check
   * @param skip members of the root not to validate (e.g. `status` a server drops on create)
   */
  public validate(value: unknown, schema: JsonSchema, path: string, isRoot = false, skip: ReadonlySet<string> = new Set()): void {
    const out = this.sink;
    if (value === null) {
      if (!schema.nullable) out.error('type', path, 'must not be null');
      return;
    }
    if (schema['x-kubernetes-int-or-string'] === true) {
      if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
        out.error('type', path, `must be an integer or a string, got ${jsonType(value)} ${show(value)}`);
        return;
      }
    } else if (typeof schema.type === 'string' && !hasType(value, schema.type)) {
      out.error('type', path, `must be ${schema.type === 'integer' ? 'an integer' : `a${/^[aeiou]/.test(schema.type) ? 'n' : ''} ${schema.type}`}, got ${jsonType(value)} ${show(value)}`);
      return;
    }

    if (Array.isArray(schema.enum) && !this.inEnum(value, schema.enum)) {
      out.error('enum', path, `${show(value)} is not allowed; allowed values: ${schema.enum.map(show).join(', ')}`);
    }
    if (typeof value === 'string') this.validateString(value, schema, path);
    else if (typeof value === 'number') this.validateNumber(value, schema, path);
    else if (Array.isArray(value)) this.validateArray(value, schema, path);
    else if (isPlainObject(value)) this.validateObject(value, schema, path, isRoot, skip);
    this.validateBranches(value, schema, path);
    if (this.options.celValues && Array.isArray(schema['x-kubernetes-validations'])) this.validateRules(value, schema, path);
  }

  private inEnum(value: unknown, allowed: unknown[]): boolean {
    if (typeof value !== 'object') return allowed.includes(value);
    const text = JSON.stringify(value);
    return allowed.some((a) => JSON.stringify(a) === text);
  }

  private validateString(value: string, schema: JsonSchema, path: string): void {
    const out = this.sink;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength && codePoints(value) > schema.maxLength) {
      out.error('max-length', path, `must be at most ${schema.maxLength} characters (has ${codePoints(value)})`);
    }
    if (typeof schema.minLength === 'number' && codePoints(value) < schema.minLength) {
      out.error('min-length', path, `must be at least ${schema.minLength} characters (has ${codePoints(value)})`);
    }
    if (typeof schema.pattern === 'string') {
      const pattern = patternOf(schema.pattern);
      if (typeof pattern === 'string') out.warning('pattern-unevaluated', path, `pattern ${schema.pattern} could not be compiled here (${pattern}); not checked`);
      else if (!pattern.test(value)) out.error('pattern', path, `${show(value)} does not match the pattern ${schema.pattern}`);
    }
    if (typeof schema.format === 'string') {
      const problem = checkFormat(schema.format, value);
      if (problem) out.error('format', path, problem);
    }
  }

  private validateNumber(value: number, schema: JsonSchema, path: string): void {
    const out = this.sink;
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
    if (typeof minimum === 'number' && (exclusiveMinimum === true ? value <= minimum : value < minimum)) {
      out.error('minimum', path, `must be ${exclusiveMinimum === true ? 'greater than' : 'at least'} ${minimum} (is ${value})`);
    }
    if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) out.error('minimum', path, `must be greater than ${exclusiveMinimum} (is ${value})`);
    if (typeof maximum === 'number' && (exclusiveMaximum === true ? value >= maximum : value > maximum)) {
      out.error('maximum', path, `must be ${exclusiveMaximum === true ? 'less than' : 'at most'} ${maximum} (is ${value})`);
    }
    if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum) out.error('maximum', path, `must be less than ${exclusiveMaximum} (is ${value})`);
    if (typeof multipleOf === 'number' && multipleOf > 0 && Math.abs(value / multipleOf - Math.round(value / multipleOf)) > 1e-9) {
      out.error('multiple-of', path, `must be a multiple of ${multipleOf} (is ${value})`);
    }
    if (typeof schema.format === 'string') {
      const problem = checkFormat(schema.format, value);
      if (problem) out.error('format', path, problem);
    }
  }

  private validateArray(value: unknown[], schema: JsonSchema, path: string): void {
    const out = this.sink;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.error('max-items', path, `must have at most ${schema.maxItems} items (has ${value.length})`);
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.error('min-items', path, `must have at least ${schema.minItems} items (has ${value.length})`);

    const listType = schema['x-kubernetes-list-type'];
    const mapKeys: string[] | undefined = listType === 'map' ? schema['x-kubernetes-list-map-keys'] : undefined;
    if (listType === 'set' || schema.uniqueItems === true || mapKeys) {
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        if (mapKeys && !isPlainObject(item)) return;
        const key = mapKeys ? JSON.stringify(mapKeys.map((k) => (item as Record<string, unknown>)[k] ?? null)) : JSON.stringify(item);
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, i);
        } else if (mapKeys) {
          const described = mapKeys.map((k) => `${k}=${show((item as Record<string, unknown>)[k])}`).join(', ');
          out.error('duplicate', indexPath(path, i), `duplicate entry with ${described} (same as item ${first}); this list is a map keyed by ${mapKeys.join(', ')}`);
        } else {
          out.error('duplicate', indexPath(path, i), `duplicate value ${show(item)} (same as item ${first}); items must be unique`);
        }
      });
    }

    if (typeof schema.items === 'object' && schema.items !== null) {
      for (let i = 0; i < value.length; i++) this.validate(value[i], schema.items, indexPath(path, i));
    }
  }

  private validateObject(value: Record<string, unknown>, schema: JsonSchema, path: string, isRoot: boolean, skip: ReadonlySet<string>): void {
    const out = this.sink;
    const keys = Object.keys(value);
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) out.error('max-properties', path, `must have at most ${schema.maxProperties} entries (has ${keys.length})`);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) out.error('min-properties', path, `must have at least ${schema.minProperties} entries (has ${keys.length})`);

    if (Array.isArray(schema.required)) {
      for (const name of schema.required) {
        if (value[name] === undefined && !(isRoot && skip.has(name))) out.error('required', memberPath(path, name), `required field "${name}" is missing`);
      }
    }

    const properties: Record<string, JsonSchema> = schema.properties ?? {};
    const additional = schema.additionalProperties;
    const keepsUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || additional === true || isPlainObject(additional);
    const resourceLike = isRoot || schema['x-kubernetes-embedded-resource'] === true;
    for (const key of keys) {
      if (isRoot && (key === 'metadata' || skip.has(key))) continue;
      const memberValue = value[key];
      if (memberValue === undefined) continue;
      const p = memberPath(path, key);
      const sub = properties[key];
      if (sub) {
        this.validate(memberValue, sub, p);
      } else if (isPlainObject(additional)) {
        this.validate(memberValue, additional, p);
      } else if (additional === false && !(resourceLike && RESOURCE_MEMBERS.has(key))) {
        out.error('unknown-field', p, `field "${key}" is not allowed here (additionalProperties: false)`);
      } else if (!keepsUnknown && this.options.unknownFields && !(resourceLike && RESOURCE_MEMBERS.has(key))) {
        const names = Object.keys(properties).sort();
        const suggestion = closestName(key, names);
        const allowed = names.length === 0 ? 'this object declares no fields'
          : `known fields: ${names.length > 25 ? `${names.slice(0, 25).join(', ')}, ...` : names.join(', ')}`;
        out.error('unknown-field', p, `unknown field "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; a server prunes it silently; ${allowed}`);
      }
    }
  }

  private branchErrors(value: unknown, branch: JsonSchema): number {
    const sink = new CountingSink();
    new SchemaValidator(sink, { unknownFields: false }).validate(value, branch, '');
    return sink.errors;
  }

  private validateBranches(value: unknown, schema: JsonSchema, path: string): void {
    const out = this.sink;
    if (Array.isArray(schema.allOf)) {
      schema.allOf.forEach((branch: JsonSchema, i: number) => {
        if (this.branchErrors(value, branch) > 0) out.error('all-of', path, `does not satisfy allOf[${i}]: ${show(branch)}`);
      });
    }
    // `anyOf: [{type: integer}, {type: string}]` only restates x-kubernetes-int-or-string, checked above.
    const restatesIntOrString = schema['x-kubernetes-int-or-string'] === true && Array.isArray(schema.anyOf)
      && schema.anyOf.every((b: JsonSchema) => Object.keys(b).length === 1 && typeof b.type === 'string');
    if (Array.isArray(schema.anyOf) && !restatesIntOrString && !schema.anyOf.some((b: JsonSchema) => this.branchErrors(value, b) === 0)) {
      out.error('any-of', path, `must satisfy at least one of: ${schema.anyOf.map(show).join(' | ')}`);
    }
    if (Array.isArray(schema.oneOf)) {
      const matching = schema.oneOf.filter((b: JsonSchema) => this.branchErrors(value, b) === 0).length;
      if (matching !== 1) out.error('one-of', path, `must satisfy exactly one of: ${schema.oneOf.map(show).join(' | ')} (satisfies ${matching})`);
    }
    if (isPlainObject(schema.not) && this.branchErrors(value, schema.not) === 0) {
      out.error('not', path, `must not satisfy ${show(schema.not)}`);
    }
  }

  private validateRules(value: unknown, schema: JsonSchema, path: string): void {
    const out = this.sink;
    let self: ReturnType<CelValueConverter['convert']> | undefined;
    for (const rule of rulesOf(schema)) {
      const where = rule.spec.fieldPath ? appendFieldPath(path, rule.spec.fieldPath) : path;
      if (rule.status === 'transition') continue; // needs oldSelf: runs on updates only
      if (rule.status === 'uncompilable') {
        out.warning('cel-unevaluated', where, `CEL rule ${JSON.stringify(rule.spec.rule)} could not be compiled here (${rule.error}); not checked`);
        continue;
      }
      self ??= this.options.celValues!.convert(value, schema);
      const outcome = rule.evaluate(self);
      if (outcome.passed) continue;
      const reason = rule.spec.reason ? ` [${rule.spec.reason}]` : '';
      if ('evaluationError' in outcome) {
        out.error('cel', where, `CEL rule ${JSON.stringify(rule.spec.rule)} failed to evaluate (${outcome.evaluationError}), which rejects the object${reason}`);
      } else {
        out.error('cel', where, `${outcome.message}${reason} (rule: ${rule.spec.rule})`);
      }
    }
  }
}
