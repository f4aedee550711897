// Run-time checks of props for callers the TypeScript compiler does not check: every jsii language
// (JavaScript, Python, Java, Go, .NET) may hand a construct any value, so a misspelt prop
// (`nodepools`) would be dropped silently, an enum-like prop would take any string and a number
// could be NaN or "8Gi". These helpers refuse such values with the prop's path and the expected shape.
import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from './errors';
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
