// Run-time checks of props for callers the TypeScript compiler does not check: every jsii language
// (JavaScript, Python, Java, Go, .NET) may hand a construct any value, so a misspelt prop
// (`nodepools`) would be dropped silently, an enum-like prop would take any string and a number
// could be NaN or "8Gi". These helpers refuse such values with the prop's path and the expected shape.
import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from './errors';
import { PROP_REFS, PROP_STRUCTS } from './private/prop-types.generated';
import { closestName } from '../conformance/closest-name';

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * The known key a wrong one most likely meant: the one it abbreviates (`cpu` → `cpuCores`, which
 * edit distance would miss for the nearer `gpus`), else the closest name.
 */
function meantKey(key: string, knownKeys: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const extending = lower.length >= 3 ? knownKeys.filter((k) => k.toLowerCase().startsWith(lower)) : [];
  return extending.length === 1 ? extending[0] : closestName(key, knownKeys);
}

/**
 * Refuses keys of `props` that `knownKeys` does not list (with the closest known name as the fix),
 * and a `props` that is not a plain object. `field` is the path of `props` itself (`''` for a
 * construct's own props, `controlPlane` for nested options). Keys whose value is `undefined` are
 * ignored: they carry nothing that could be lost.
 *
 * @param typeName the props interface, named in the message (e.g. `TenantClusterProps`)
 */
export function checkKnownProps(scope: IConstruct | string, field: string, props: unknown, knownKeys: readonly string[], typeName: string): void {
  if (props === undefined || props === null) return;
  if (typeof props !== 'object' || Array.isArray(props)) {
    throw new KmetalValidationError(scope, field || 'props', `${showValue(props)} is not a ${typeName} object`, `pass an object with the properties of ${typeName}`);
  }
  for (const key of Object.keys(props)) {
    if (knownKeys.includes(key) || (props as any)[key] === undefined) continue;
    const meant = meantKey(key, knownKeys);
    throw new KmetalValidationError(scope, join(field, key), `${showValue(key)} is not a property of ${typeName}, so its value would be ignored`,
      meant ? `did you mean ${showValue(meant)}?` : `use one of: ${knownKeys.join(', ')}`);
  }
  // A construct's own props: nested options are type-checked where they are used (with the checks
  // that know their meaning, e.g. a Secret's name given where a reference is expected).
  if (field === '') checkPropTypes(scope, field, props, typeName);
}

/**
 * `checkKnownProps` with the properties of `typeName` as the jsii assembly has them
 * (src/util/private/prop-types.generated.ts), for props that have no key list of their own: an
 * unknown key is refused with the closest known one, and every value's type is checked (also for
 * nested options: the caller is where they are used).
 *
 * @param typeName the props interface (e.g. `EventHookProps`)
 */
export function checkProps(scope: IConstruct | string, field: string, props: unknown, typeName: string): void {
  const struct = PROP_STRUCTS[typeName];
  if (struct === undefined) throw new Error(`${typeName} is not a struct of the assembly: regenerate src/util/private/prop-types.generated.ts (build-tools/prop-types.ts)`);
  checkKnownProps(scope, field, props, Object.keys(struct), typeName);
  if (field !== '') checkPropTypes(scope, field, props, typeName); // checkKnownProps did it for a construct's own props
}

/** A property type as build-tools/prop-types.ts encodes it. */
type PropType = string | readonly [string, ...PropType[]];

function describeType(t: PropType): string {
  if (typeof t !== 'string') {
    if (t[0] === 'A') return `a list of ${plural(t[1] as PropType)}`;
    if (t[0] === 'M') return `a map of names to ${plural(t[1] as PropType)}`;
    return (t.slice(1) as PropType[]).map(describeType).join(' or ');
  }
  switch (t[0]) {
    case 's': return 'a string';
    case 'n': return 'a number';
    case 'b': return 'true or false';
    case 'E': return 'one of the enum\'s values';
    case '@': return `${article(t.slice(1))} ${t.slice(1)} object`;
    case '#': return `${article(t.slice(1))} ${t.slice(1)}`;
    default: return 'an object';
  }
}

function article(name: string): string {
  return /^[AEIOU]/.test(name) ? 'an' : 'a';
}

function plural(t: PropType): string {
  const one = describeType(t).replace(/^an? /, '');
  return one === 'true or false' ? 'true/false values' : one.replace(/^(string|number)$/, '$1s').replace(/ object$/, ' objects');
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether `v` has the shape `t` names, one level deep (lists, maps and structs are walked by the caller). */
function fits(t: PropType, v: unknown): boolean {
  if (typeof t !== 'string') {
    if (t[0] === 'A') return Array.isArray(v);
    if (t[0] === 'M') return isPlainRecord(v);
    return (t.slice(1) as PropType[]).some((alt) => fits(alt, v));
  }
  switch (t[0]) {
    case 's': return typeof v === 'string';
    // Numbers are the constructs' own to check (checkNumber): they know the unit and range, and
    // say "a number of GiB, e.g. memoryGiB: 8" where this could only say "a number".
    case 'n': return true;
    case 'b': return typeof v === 'boolean';
    case 'E': return typeof v === 'string' || typeof v === 'number';
    case '@': return isPlainRecord(v);
    case '#': {
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
      // Structural, as jsii is: an object made by the library, or one implementing the interface.
      return (PROP_REFS[t.slice(1)] ?? []).every((member) => member in (v as object));
    }
    case 'X': return (typeof v === 'object' || typeof v === 'function') && v !== null;
    default: return true;
  }
}

// Checks of their own for some types (registered by the type's module), used instead of the shape
// check because they know the better fix: an image reference string is wrapped by
// MachineImage.containerDisk(), a Secret's name given for a Secret reference goes in { name }.
const REF_CHECKS = new Map<string, (scope: IConstruct | string, field: string, value: unknown) => void>();

/**
 * Registers the check of values of a class, interface or struct (by its name in the assembly), used
 * instead of the shape check. It throws a KmetalValidationError for a wrong value.
 * @internal
 */
export function _registerRefCheck(typeName: string, check: (scope: IConstruct | string, field: string, value: unknown) => void): void {
  REF_CHECKS.set(typeName, check);
}

/**
 * One value's shape, one level deep: the items of lists and maps and the fields of nested structs
 * are checked by the constructs that use them, with checks that know what they mean.
 */
function checkValue(scope: IConstruct | string, field: string, t: PropType, v: unknown): void {
  const own = typeof t === 'string' && (t[0] === '#' || t[0] === '@') ? REF_CHECKS.get(t.slice(1)) : undefined;
  if (own !== undefined) return own(scope, field, v);
  if (!fits(t, v)) {
    const hint = typeof t === 'string' && t[0] === '#' ? ' made by the library or implementing its interface' : '';
    // Optional props are left out, not null (jsii passes an unset one as undefined).
    const fix = v === null ? `leave it out for the default, or give ${describeType(t)}` : `give ${describeType(t)}${hint}`;
    throw new KmetalValidationError(scope, field, `${describeValue(v)} is not ${describeType(t)}`, fix);
  }
}

/**
 * What was given, without its content: a string where an object is expected may be a credential
 * pasted in place of a reference, and an object may hold one.
 */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return 'a string (not shown)';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  if (typeof v === 'function') return 'a function';
  const keys = Object.keys(v as object);
  return keys.length === 0 ? 'an empty object' : `an object with ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}`;
}

function checkStruct(scope: IConstruct | string, field: string, value: Record<string, unknown>, typeName: string): void {
  const props = PROP_STRUCTS[typeName];
  if (props === undefined) return;
  for (const key of Object.keys(props)) {
    const v = value[key];
    if (v === undefined) continue;
    checkValue(scope, join(field, key), props[key][0] as PropType, v);
  }
}

/**
 * Refuses a prop value of the wrong type (a string where an image object is expected, a list
 * where a map is, `"yes"` for a boolean): what the TypeScript compiler checks, for callers it does
 * not see. One level deep (see checkValue); values are described, not shown. The types come from the jsii assembly
 * (src/util/private/prop-types.generated.ts); enum values, numbers and strings' formats are
 * left to the constructs' own checks. Called by `checkKnownProps`.
 *
 * @param typeName the props interface (e.g. `TenantClusterProps`)
 */
export function checkPropTypes(scope: IConstruct | string, field: string, props: unknown, typeName: string): void {
  if (!isPlainRecord(props)) return;
  checkStruct(scope, field, props, typeName);
}

/**
 * Checks that an enum-like value is one of the enum's values (TypeScript enums are plain strings
 * at run time, so other languages can pass any string). Returns the value.
 */
export function checkEnum<T extends string>(
  scope: IConstruct | string, field: string, value: T, allowed: { [name: string]: string }, enumName: string,
): T {
  const values = Object.values(allowed);
  if (!values.includes(value)) {
    const meant = typeof value === 'string' ? closestName(value, values) : undefined;
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not a ${enumName}`,
      `use one of: ${values.map((v) => showValue(v)).join(', ')}${meant ? ` (did you mean ${showValue(meant)}?)` : ''}`);
  }
  return value;
}

/** What `checkNumber` demands of a value. */
export interface NumberRule {
  /** Smallest value allowed. */
  readonly min?: number;
  /** Largest value allowed. */
  readonly max?: number;
  /** Whether it must be a whole number. */
  readonly integer?: boolean;
  /** The unit, named in the message (e.g. `GiB`). */
  readonly unit?: string;
}

/**
 * Checks that `value` is a JavaScript number (not NaN, not a string such as "8Gi"), whole when
 * asked, and within the bounds. Returns it.
 */
export function checkNumber(scope: IConstruct | string, field: string, value: unknown, rule: NumberRule, fix: string): number {
  const unit = rule.unit ? ` ${rule.unit}` : '';
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new KmetalValidationError(scope, field, `${showValue(typeof value === 'number' ? String(value) : value)} is not a number${rule.unit ? ` (of ${rule.unit})` : ''}`, fix);
  }
  if (rule.integer && !Number.isInteger(value)) {
    throw new KmetalValidationError(scope, field, `${value}${unit} is not a whole number`, fix);
  }
  if (rule.min !== undefined && value < rule.min) {
    throw new KmetalValidationError(scope, field, `${value}${unit} is below the minimum of ${rule.min}`, fix);
  }
  if (rule.max !== undefined && value > rule.max) {
    throw new KmetalValidationError(scope, field, `${value}${unit} is above the maximum of ${rule.max}`, fix);
  }
  return value;
}
