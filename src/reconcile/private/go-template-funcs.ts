// text/template's builtins and the sprig functions ClusterClass patches use, with Go's parameter types.
//
// Builtins follow Go's text/template/funcs.go; sprig functions follow Masterminds/sprig v3
// (strings.go, numeric.go, defaults.go, dict.go, list.go) and the spf13/cast conversions it calls.
// Parameter types matter: Go checks each argument against the declared type, so `until` (count int)
// refuses a float64 and `upper` (s string) refuses a number.

import { formatValue, GoValue, goBool, goFloat, goInt, goList, goString, INVALID, isTrue, marshalJson, NIL, quoteGo, sortedKeys, typeName } from './go-values';

/** How a parameter is declared in Go: interface{}, reflect.Value (builtins), or a concrete type. */
export type Param = 'any' | 'value' | 'string' | 'int' | 'float64' | 'bool';

export interface GoFunc {
  readonly params: readonly Param[];
  readonly variadic?: Param;
  /** and/or: arguments are evaluated one by one and the first decisive one is returned. */
  readonly shortCircuit?: 'and' | 'or';
  readonly call?: (args: GoValue[]) => GoValue;
}

/** An error a function returned (or a panic text/template turned into an error). */
export class FuncError extends Error {}

/** A construct Go accepts that this evaluator does not model: reported, never taken for a Go failure. */
export class UnsupportedError extends Error {}

const GO_SPACE_EDGES = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const str = (v: GoValue) => (v as { value: string }).value;
const num = (v: GoValue) => (v as { value: number }).value;

/** reflect's indirectInterface: a nil interface is no value. */
const deref = (v: GoValue): GoValue => (v.kind === 'nil' ? INVALID : v);

/** sprig's strval: strings as they are, anything else through fmt's %v. */
export function strval(v: GoValue): string {
  return v.kind === 'string' ? v.value : formatValue(v);
}

// cast's trimZeroDecimal: "3.00" → "3", so int "3.0" is 3.
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') {
      foundZero = true;
    } else {
      return s;
    }
  }
  return s;
}

// strconv.ParseInt(s, 0, 64): base prefixes, underscores only after a prefix... or between digits with base 0.
function parseIntBase0(s: string): number | undefined {
  const m = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])+|[1-9](?:_?[0-9])*|0)$/.exec(s);
  if (!m) return undefined;
  const body = m[2].replace(/_/g, '');
  const big = BigInt(/^0[0-7]/.test(body) ? `0o${body.slice(1)}` : body);
  const v = m[1] === '-' ? -big : big;
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) return undefined;
  return Number(v);
}

/** spf13/cast ToInt64 (errors become 0, as sprig ignores them). */
export function toInt64(v: GoValue): number {
  switch (v.kind) {
    case 'int': case 'uint': return v.value;
    case 'float':
      if (!Number.isFinite(v.value) || Math.abs(v.value) >= 2 ** 63) throw new UnsupportedError('converting a huge float64 to an integer is platform-defined in Go');
      return Math.trunc(v.value);
    case 'string': return parseIntBase0(trimZeroDecimal(v.value)) ?? 0;
    case 'bool': return v.value ? 1 : 0;
    default: return 0;
  }
}

/** spf13/cast ToFloat64 (strconv.ParseFloat for strings; errors become 0). */
function toFloat64(v: GoValue): number {
  switch (v.kind) {
    case 'int': case 'uint': case 'float': return v.value;
    case 'bool': return v.value ? 1 : 0;
    case 'string': {
      const s = v.value;
      if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) return Number(s);
      if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
      if (/^nan$/i.test(s)) return NaN;
      if (/[_xXpP]/.test(s)) throw new UnsupportedError(`float64 of ${JSON.stringify(s)}: Go's hex and underscore float syntax is not modelled`);
      return 0;
    }
    default: return 0;
  }
}

type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'none';
function basicKind(v: GoValue): BasicKind {
  switch (v.kind) {
    case 'bool': case 'int': case 'uint': case 'float': case 'string': return v.kind;
    default: return 'none';
  }
}

const INCOMPATIBLE = 'incompatible types for comparison';
const INVALID_TYPE = 'invalid type for comparison';

// text/template eq (funcs.go): kinds must match (signed and unsigned integers compare across);
// a missing value compares unequal to anything without error.
function eq(args: GoValue[]): boolean {
  const a = deref(args[0]);
  if (args.length < 2) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const raw of args.slice(1)) {
    const b = deref(raw);
    const k2 = basicKind(b);
    if (k1 !== k2 || (k1 === 'none' && (a.kind !== 'invalid') !== (b.kind !== 'invalid'))) {
      if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) {
        if (num(a) === num(b)) return true;
        continue;
      }
      if (a.kind !== 'invalid' && b.kind !== 'invalid') throw new FuncError(INCOMPATIBLE);
      continue;
    }
    if (k1 === 'none') {
      if (a.kind === 'invalid' && b.kind === 'invalid') return true; // Go: nil equals nil
      throw new FuncError(`non-comparable types ${typeName(a)}, ${typeName(b)}`);
    }
    if ((a as { value: unknown }).value === (b as { value: unknown }).value) return true;
  }
  return false;
}

function lt(a0: GoValue, b0: GoValue): boolean {
  const a = deref(a0); const b = deref(b0);
  const k1 = basicKind(a); const k2 = basicKind(b);
  if (k1 === 'none' || k2 === 'none') throw new FuncError(INVALID_TYPE);
  if (k1 !== k2) {
    if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) return num(a) < num(b);
    throw new FuncError(INCOMPATIBLE);
  }
  if (k1 === 'bool') throw new FuncError(INVALID_TYPE);
  if (k1 === 'string') return Buffer.compare(Buffer.from(str(a)), Buffer.from(str(b))) < 0;
  return num(a) < num(b);
}
const le = (a: GoValue, b: GoValue) => lt(a, b) || eq([a, b]);

function length(v: GoValue): GoValue {
  switch (v.kind) {
    case 'nil': throw new FuncError('len of nil pointer');
    case 'invalid': throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
    case 'string': return goInt(Buffer.byteLength(v.value));
    case 'list': return goInt(v.items.length);
    case 'map': return goInt(v.entries.size);
    default: throw new FuncError(`len of type ${typeName(v)}`);
  }
}

// text/template indexArg: only integer kinds index a list or string, within bounds.
function indexArg(ix: GoValue, len: number): number {
  if (ix.kind === 'invalid') throw new FuncError('cannot index slice/array with nil');
  if (ix.kind !== 'int' && ix.kind !== 'uint') throw new FuncError(`cannot index slice/array with type ${typeName(ix)}`);
  if (ix.value < 0 || ix.value >= len) throw new FuncError(`index out of range: ${ix.value}`);
  return ix.value;
}

function index(args: GoValue[]): GoValue {
  let item = deref(args[0]);
  if (item.kind === 'invalid') throw new FuncError('index of untyped nil');
  for (const raw of args.slice(1)) {
    const ix = deref(raw);
    if (item.kind === 'nil') throw new FuncError('index of nil pointer');
    if (item.kind === 'string') {
      const bytes: Buffer = Buffer.from(item.value);
      item = { kind: 'uint', value: bytes[indexArg(ix, bytes.length)], type: 'uint8' };
    } else if (item.kind === 'list') {
      item = item.items[indexArg(ix, item.items.length)];
    } else if (item.kind === 'map') {
      if (ix.kind === 'invalid') throw new FuncError('value is nil; should be of type string');
      if (ix.kind !== 'string') throw new FuncError(`value has type ${typeName(ix)}; should be string`);
      item = item.entries.get(ix.value) ?? NIL;
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

// fmt.Sprint: a space between operands when neither side is a string.
function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    const isString = a.kind === 'string';
    if (i > 0 && !isString && args[i - 1].kind !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

function badVerb(verb: string, v: GoValue): string {
  return v.kind === 'nil' || v.kind === 'invalid' ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

// One fmt verb applied to one value; lists and maps apply it element by element, as fmt does, and a
// nil element prints "<nil>" whatever the verb (only a nil operand is a bad verb).
function formatVerb(verb: string, v: GoValue, nested = false): string {
  if (nested && v.kind === 'nil') return '<nil>';
  if (v.kind === 'list') return `[${v.items.map((x) => formatVerb(verb, x, true)).join(' ')}]`;
  if (v.kind === 'map') return `map[${sortedKeys(v.entries).map((k) => `${formatVerb(verb, goString(k), true)}:${formatVerb(verb, v.entries.get(k)!, true)}`).join(' ')}]`;
  switch (verb) {
    case 'v': return formatValue(v);
    case 's': return v.kind === 'string' ? v.value : badVerb(verb, v);
    case 'q':
      if (v.kind === 'string') return quoteGo(v.value);
      // %q of an integer is a quoted rune; out-of-range runes become U+FFFD.
      if (v.kind === 'int' || v.kind === 'uint') return quoteGo(v.value >= 0 && v.value <= 0x10ffff && !(v.value >= 0xd800 && v.value < 0xe000) ? String.fromCodePoint(v.value) : '\ufffd', '\'');
      return badVerb(verb, v);
    case 'd': return v.kind === 'int' || v.kind === 'uint' ? String(v.value) : badVerb(verb, v);
    case 't': return v.kind === 'bool' ? String(v.value) : badVerb(verb, v);
    default: throw new UnsupportedError(`printf verb %${verb}`);
  }
}

function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const verb = format[++i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!/[vsqdt]/.test(verb)) throw new UnsupportedError(`printf verb or flag ${JSON.stringify('%' + verb)}`);
    out += n < args.length ? formatVerb(verb, args[n]) : `%!${verb}(MISSING)`;
    n++;
  }
  if (n < args.length) {
    out += `%!(EXTRA ${args.slice(n).map((a) => (a.kind === 'nil' || a.kind === 'invalid' ? '<nil>' : `${typeName(a)}=${formatValue(a)}`)).join(', ')})`;
  }
  return out;
}

function untilStep(start: number, stop: number, step: number): GoValue {
  const out: GoValue[] = [];
  // Go builds the whole slice; refuse what would not fit a synth-time check rather than hang.
  if (step !== 0 && Math.abs((stop - start) / step) > 1_000_000) throw new UnsupportedError('until/untilStep over more than 1,000,000 items');
  if (stop < start) {
    if (step >= 0) return goList(out, '[]int');
    for (let i = start; i > stop; i += step) out.push(goInt(i));
    return goList(out, '[]int');
  }
  if (step <= 0) return goList(out, '[]int');
  for (let i = start; i < stop; i += step) out.push(goInt(i));
  return goList(out, '[]int');
}

// sprig's strslice (used by join): nil items are dropped, others go through strval.
function strslice(v: GoValue): string[] {
  if (v.kind === 'list') return v.items.filter((x) => x.kind !== 'nil').map(strval);
  if (v.kind === 'nil' || v.kind === 'invalid') return [];
  return [strval(v)];
}

function intOp(f: (a: number, b: number) => number, name: string): (a: number, b: number) => number {
  return (a, b) => {
    if ((name === 'div' || name === 'mod') && b === 0) throw new FuncError('runtime error: integer divide by zero');
    const r = f(a, b);
    if (!Number.isSafeInteger(r)) throw new UnsupportedError(`${name} beyond 2^53 (Go wraps int64; not modelled)`);
    return r;
  };
}
const addI = intOp((a, b) => a + b, 'add');
const subI = intOp((a, b) => a - b, 'sub');
const mulI = intOp((a, b) => a * b, 'mul');
const divI = intOp((a, b) => Math.trunc(a / b), 'div');
const modI = intOp((a, b) => a % b, 'mod');

const i64 = (n: number) => goInt(n, 'int64');
const s1 = (f: (s: string) => string): GoFunc => ({ params: ['string'], call: ([a]) => goString(f(str(a))) });
const s2 = (f: (a: string, b: string) => GoValue): GoFunc => ({ params: ['string', 'string'] as const, call: ([a, b]) => f(str(a), str(b)) });

/** Every function the evaluator implements, by the name a template calls it with. */
export const FUNCS: Readonly<Record<string, GoFunc>> = {
  // text/template builtins (Go funcs.go).
  and: { params: ['value'], variadic: 'value', shortCircuit: 'and' },
  or: { params: ['value'], variadic: 'value', shortCircuit: 'or' },
  not: { params: ['value'], call: ([a]) => goBool(!isTrue(a)) },
  len: { params: ['value'], call: ([a]) => length(a) },
  index: { params: ['value'], variadic: 'value', call: index },
  print: { params: [], variadic: 'any', call: (a) => goString(sprint(a)) },
  println: { params: [], variadic: 'any', call: (a) => goString(a.map(formatValue).join(' ') + '\n') },
  printf: { params: ['string'], variadic: 'any', call: ([f, ...a]) => goString(sprintf(str(f), a)) },
  eq: { params: ['value'], variadic: 'value', call: (a) => goBool(eq(a)) },
  ne: { params: ['value', 'value'], call: (a) => goBool(!eq(a)) },
  lt: { params: ['value', 'value'], call: ([a, b]) => goBool(lt(a, b)) },
  le: { params: ['value', 'value'], call: ([a, b]) => goBool(le(a, b)) },
  gt: { params: ['value', 'value'], call: ([a, b]) => goBool(!le(a, b)) },
  ge: { params: ['value', 'value'], call: ([a, b]) => goBool(!lt(a, b)) },
  // sprig (HermeticTxtFuncMap).
  quote: { params: [], variadic: 'any', call: (a) => goString(a.filter((x) => x.kind !== 'nil').map((x) => quoteGo(strval(x))).join(' ')) },
  squote: { params: [], variadic: 'any', call: (a) => goString(a.filter((x) => x.kind !== 'nil').map((x) => `'${strval(x)}'`).join(' ')) },
  default: { params: ['any'], variadic: 'any', call: ([d, ...given]) => (given.length === 0 || !isTrue(given[0]) ? d : given[0]) },
  empty: { params: ['any'], call: ([a]) => goBool(!isTrue(a)) },
  int: { params: ['any'], call: ([a]) => goInt(toInt64(a)) },
  int64: { params: ['any'], call: ([a]) => i64(toInt64(a)) },
  float64: { params: ['any'], call: ([a]) => goFloat(toFloat64(a)) },
  ['toString']: { params: ['any'] as Param[], call: ([a]: GoValue[]) => goString(strval(a)) },
  until: { params: ['int'], call: ([n]) => untilStep(0, num(n), num(n) < 0 ? -1 : 1) },
  untilStep: { params: ['int', 'int', 'int'], call: ([a, b, c]) => untilStep(num(a), num(b), num(c)) },
  upper: s1((s) => s.toUpperCase()),
  lower: s1((s) => s.toLowerCase()),
  // strings.TrimSpace: unicode.IsSpace, which (unlike JavaScript's trim) leaves U+FEFF alone.
  trim: s1((s) => s.replace(GO_SPACE_EDGES, '')),
  trimSuffix: s2((suffix, s) => goString(suffix && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s)),
  trimPrefix: s2((prefix, s) => goString(prefix && s.startsWith(prefix) ? s.slice(prefix.length) : s)),
  replace: { params: ['string', 'string', 'string'], call: ([o, n, s]) => goString(replaceAll(str(s), str(o), str(n))) },
  contains: s2((sub, s) => goBool(s.includes(sub))),
  hasPrefix: s2((p, s) => goBool(s.startsWith(p))),
  hasSuffix: s2((p, s) => goBool(s.endsWith(p))),
  join: { params: ['string', 'any'], call: ([sep, v]) => goString(strslice(v).join(str(sep))) },
  list: { params: [], variadic: 'any', call: (a) => goList(a) },
  dict: {
    params: [],
    variadic: 'any',
    call: (a) => {
      const m = new Map<string, GoValue>();
      for (let i = 0; i < a.length; i += 2) m.set(strval(a[i]), i + 1 < a.length ? a[i + 1] : goString(''));
      return { kind: 'map', entries: m, type: 'map[string]interface {}' };
    },
  },
  toJson: { params: ['any'], call: ([a]) => goString(marshalJson(a) ?? '') },
  b64enc: s1((s) => Buffer.from(s).toString('base64')),
  add: { params: [], variadic: 'any', call: (a) => i64(a.reduce((acc, x) => addI(acc, toInt64(x)), 0)) },
  add1: { params: ['any'], call: ([a]) => i64(addI(toInt64(a), 1)) },
  sub: { params: ['any', 'any'], call: ([a, b]) => i64(subI(toInt64(a), toInt64(b))) },
  mul: { params: ['any'], variadic: 'any', call: ([a, ...r]) => i64(r.reduce((acc, x) => mulI(acc, toInt64(x)), toInt64(a))) },
  div: { params: ['any', 'any'], call: ([a, b]) => i64(divI(toInt64(a), toInt64(b))) },
  mod: { params: ['any', 'any'], call: ([a, b]) => i64(modI(toInt64(a), toInt64(b))) },
  max: { params: ['any'], variadic: 'any', call: ([a, ...r]) => i64(r.reduce((acc, x) => Math.max(acc, toInt64(x)), toInt64(a))) },
  min: { params: ['any'], variadic: 'any', call: ([a, ...r]) => i64(r.reduce((acc, x) => Math.min(acc, toInt64(x)), toInt64(a))) },
  ternary: { params: ['any', 'any', 'bool'], call: ([t, f, c]) => ((c as { value: boolean }).value ? t : f) },
};

// strings.Replace(s, old, new, -1): an empty old inserts new around every rune, as Go does.
function replaceAll(s: string, o: string, n: string): string {
  if (o === '') return n + [...s].join(n) + (s ? n : '');
  return s.split(o).join(n);
}

