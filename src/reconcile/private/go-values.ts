// Go values as text/template sees them, with the kinds that change behaviour kept explicit.
//
// Cluster API decodes every variable with encoding/json into interface{}, so every JSON number is a
// float64, while integer literals in a template are Go ints and sprig's arithmetic returns int64.
// text/template compares and converts by kind (int vs float64 is "incompatible types for comparison";
// a float64 where an int parameter is declared is "wrong type for value"), so the kind is part of
// the value here and never inferred from the number.

export type GoValue =
  /** No value at all: a missing map key (Go's invalid reflect.Value; prints "<no value>"). */
  | { readonly kind: 'invalid' }
  /** A nil interface{}: JSON null inside a map or list (prints "<nil>" inside collections). */
  | { readonly kind: 'nil' }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** A signed integer; `type` is the Go type name that parameter checks compare. */
  | { readonly kind: 'int'; readonly value: number; readonly type: 'int' | 'int64' }
  /** An unsigned byte (indexing a string yields one). */
  | { readonly kind: 'uint'; readonly value: number; readonly type: 'uint8' }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: readonly GoValue[]; readonly type: '[]interface {}' | '[]int' | '[]string' }
  | { readonly kind: 'map'; readonly entries: ReadonlyMap<string, GoValue>; readonly type: 'map[string]interface {}' };

export const INVALID: GoValue = { kind: 'invalid' };
export const NIL: GoValue = { kind: 'nil' };
export const goInt = (value: number, type: 'int' | 'int64' = 'int'): GoValue => ({ kind: 'int', value, type });
export const goFloat = (value: number): GoValue => ({ kind: 'float', value });
export const goString = (value: string): GoValue => ({ kind: 'string', value });
export const goBool = (value: boolean): GoValue => ({ kind: 'bool', value });
export const goList = (items: readonly GoValue[], type: '[]interface {}' | '[]int' | '[]string' = '[]interface {}'): GoValue => ({ kind: 'list', items, type });

/** What encoding/json.Unmarshal into interface{} produces: numbers float64, null nil, objects maps. */
export function fromJson(data: unknown): GoValue {
  if (data === null || data === undefined) return NIL;
  switch (typeof data) {
    case 'boolean': return goBool(data);
    case 'number': return goFloat(data);
    case 'string': return goString(data);
    case 'object':
      if (Array.isArray(data)) return goList(data.map(fromJson));
      return { kind: 'map', entries: new Map(Object.entries(data as object).map(([k, v]) => [k, fromJson(v)])), type: 'map[string]interface {}' };
    default: throw new Error(`not JSON data: ${typeof data}`);
  }
}

/** The Go type name, for error messages (`wrong type for value; expected int; got float64`). */
export function typeName(v: GoValue): string {
  switch (v.kind) {
    case 'invalid': return '<invalid>';
    case 'nil': return 'interface {}';
    case 'bool': return 'bool';
    case 'int': case 'uint': case 'list': case 'map': return v.type;
    case 'float': return 'float64';
    case 'string': return 'string';
  }
}

/** text/template's isTrue (exec.go): empty string, 0, nil, empty list or map are false. */
export function isTrue(v: GoValue): boolean {
  switch (v.kind) {
    case 'invalid': case 'nil': return false;
    case 'bool': return v.value;
    case 'int': case 'uint': case 'float': return v.value !== 0;
    case 'string': return v.value.length > 0;
    case 'list': return v.items.length > 0;
    case 'map': return v.entries.size > 0;
  }
}

/** Map keys in the order fmt and text/template's range use: sorted by byte value. */
export function sortedKeys(m: ReadonlyMap<string, GoValue>): string[] {
  return [...m.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * fmt's %v for a float64 (strconv 'g' with shortest precision): the shortest digits that round-trip,
 * in %e form when the exponent is < -4 or >= 6 — so 123456 prints "123456" but 1e6 prints "1e+06"
 * (unlike JSON and JavaScript, which switch at 1e21).
 */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expText] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  // Inside this range JavaScript prints the same shortest digits in fixed notation.
  return String(f);
}

/** Go's strconv.Quote (and QuoteRune with `'`), as fmt's %q prints a string or a rune. */
export function quoteGo(s: string, q: '"' | "'" = '"'): string {
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q) {
      out += '\\' + q;
      continue;
    }
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x7f || isPrintUnicode(ch)) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out + q;
}

// An approximation of unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020.
function isPrintUnicode(ch: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/** fmt's %v (and Print) of a value: nil prints "<nil>" (the template's own "<no value>" is the caller's). */
export function formatValue(v: GoValue): string {
  switch (v.kind) {
    case 'invalid': return '<nil>';
    case 'nil': return '<nil>';
    case 'bool': return String(v.value);
    case 'int': case 'uint': return String(v.value);
    case 'float': return formatFloat(v.value);
    case 'string': return v.value;
    case 'list': return `[${v.items.map(formatValue).join(' ')}]`;
    case 'map': return `map[${sortedKeys(v.entries).map((k) => `${k}:${formatValue(v.entries.get(k)!)}`).join(' ')}]`;
  }
}

/** encoding/json.Marshal (sprig's toJson): HTML-escaped strings, sorted keys, JSON float format. */
export function marshalJson(v: GoValue): string | undefined {
  switch (v.kind) {
    case 'invalid': case 'nil': return 'null';
    case 'bool': return String(v.value);
    case 'int': case 'uint': return String(v.value);
    case 'float':
      // encoding/json refuses NaN and infinities; otherwise its 'f'/'e' switch at 1e-6 and 1e21
      // and its exponent clean-up ("e-07" → "e-7") give what JavaScript prints.
      return Number.isFinite(v.value) ? (Object.is(v.value, -0) ? '-0' : JSON.stringify(v.value)) : undefined;
    case 'string': return jsonString(v.value);
    case 'list': {
      const parts = v.items.map(marshalJson);
      return parts.some((p) => p === undefined) ? undefined : `[${parts.join(',')}]`;
    }
    case 'map': {
      const parts = sortedKeys(v.entries).map((k) => {
        const inner = marshalJson(v.entries.get(k)!);
        return inner === undefined ? undefined : `${jsonString(k)}:${inner}`;
      });
      return parts.some((p) => p === undefined) ? undefined : `{${parts.join(',')}}`;
    }
  }
}

function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    // Go escapes the other control bytes, the HTML specials and the JavaScript line separators.
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}
