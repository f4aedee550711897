import * as YAML from 'yaml';

/**
 * Options of every YAML document in the tree.
 *
 * - YAML 1.1 (as cdk8s' own `Yaml.stringify`): kubectl and Flux parse manifests with a YAML 1.1
 *   parser, so strings such as "yes", "on" or "0755" must be quoted as 1.1 understands them.
 * - `lineWidth: 0`: no folding of long strings (scripts, certificates stay as written).
 * - `aliasDuplicateObjects: false`: an object reused in two places is written twice, never as an
 *   anchor/alias, which some Kubernetes tooling rejects.
 */
const YAML_OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Renders one document with the `yaml` package: the reference output. */
export function toYamlDocument(value: unknown): string {
  return YAML.stringify(value, YAML_OPTIONS);
}

// Strings the `yaml` package always writes as plain scalars: start with a letter, '_', '/', a relative
// path's "./" or "../", or a command-line flag's "--" and a letter (a '-' or '.' is an indicator or a
// number's first character only when followed by a space, a digit, "--" or "inf"/"nan"), contain
// no indicator, only ':' and ' ' followed by a word character (never ": " or " #"), and are not
// something a YAML 1.1 schema resolves to another type (booleans, null, and floats like "e5", the only
// letter-first ones). Everything else is asked of the `yaml` package (and cached).
// '=' is no indicator and no schema's pattern has one (OVN matches such as "ip4.dst == 10.0.0.1").
const PLAIN_SAFE = /^(?:[A-Za-z_/]|\.{1,2}\/|--[A-Za-z])(?:[A-Za-z0-9_./=-]|[: ](?=[A-Za-z0-9_./=]))*$/;
const YAML11_SPECIAL = /^(?:y|yes|n|no|true|false|on|off|null|e-?[0-9]+)$/i;
// Digits with two dots or more (IPv4 addresses, versions such as "0.17.0"): no YAML 1.1 pattern
// matches them (floats have one dot, sexagesimals and timestamps need ':' or '-'), so the `yaml`
// package writes them plain. A fleet has one address per tenant: learning each from the `yaml`
// package was most of the writer's time.
const DOTTED_DIGITS = /^[0-9]+(?:\.[0-9]+){2,}$/;
// Multi-line printable ASCII that starts and ends (before one optional final newline) with a visible
// character: the `yaml` package writes it as a literal block, `|` (one final newline, "clip") or `|-`
// (none, "strip"), lines indented, empty lines empty (stringifyString.js blockString; with
// lineWidth 0 it never folds). Scripts and configuration files are written so; each is unique per
// cluster (it names the cluster), so asking the `yaml` package and caching the answer was most of the
// writer's remaining time.
const SIMPLE_BLOCK = /^[\x21-\x7e](?:[\x20-\x7e\n]*[\x21-\x7e])?\n?$/;
const MAX_INLINE_KEY = 1000;
const MAX_DEPTH = 100;

/** Thrown inside the fast writer for anything it does not handle; the document is then rendered by `yaml`. */
class NotHandled extends Error {}

/** Where a scalar sits: a map value (`key: x`), a sequence item (`- x`), a key at the root or nested. */
type Context = 'value' | 'item' | 'rootKey' | 'key';

interface Scalar {
  /** Text after `key: ` or `- ` (or the key itself). */
  readonly head: string;
  /** Lines of a block scalar, indented as under a key or dash at column 0. */
  readonly body?: string[];
}

/**
 * A YAML writer for JSON data (what `ApiObject.toJson()` returns) that produces the same text as
 * `toYamlDocument` (block style, 2-space indentation, sequences indented under their key) about ten
 * times faster: on a fleet-sized app the `yaml` package was most of the write time.
 *
 * How each scalar is written (quoting, block literals) is still decided by the `yaml` package, once
 * per distinct value and context (cached); only the structure is emitted here. Anything unusual
 * (non-JSON values, sparse arrays, very long keys) makes the whole
 * document fall back to the `yaml` package, so the output is never wrong, only slower.
 */
export class FastYamlWriter {
  private readonly scalars: Record<Context, Map<string, Scalar>> = { value: new Map(), item: new Map(), rootKey: new Map(), key: new Map() };
  private readonly numbers = new Map<number, string>();

  /** Renders one document (a map at the root). */
  public document(value: unknown): string {
    if (!isPlainObject(value) || Object.keys(value).length === 0) return toYamlDocument(value);
    try {
      const out: string[] = [];
      this.map(value, 0, out, 0);
      out.push('');
      return out.join('\n');
    } catch (e) {
      if (e instanceof NotHandled) return toYamlDocument(value);
      throw e;
    }
  }

  /** Appends the lines of a non-empty map whose keys start at column `indent`. */
  private map(value: Record<string, unknown>, indent: number, out: string[], depth: number): void {
    if (depth > MAX_DEPTH) throw new NotHandled();
    const pad = ' '.repeat(indent);
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (v === undefined) continue; // as the `yaml` package: undefined map values are left out
      const k = this.key(key, indent === 0 ? 'rootKey' : 'key');
      this.entry(`${pad}${k}:`, v, 'value', indent, out, depth);
    }
  }

  /** Appends the lines of a non-empty sequence whose dashes are at column `indent`. */
  private seq(value: unknown[], indent: number, out: string[], depth: number): void {
    if (depth > MAX_DEPTH) throw new NotHandled();
    const pad = ' '.repeat(indent);
    for (const item of value) {
      if (item === undefined) throw new NotHandled();
      if ((isPlainObject(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
        // The item's first line shares the line with its dash: "- a: 1" then "  b: 2".
        const start = out.length;
        if (Array.isArray(item)) this.seq(item, indent + 2, out, depth + 1);
        else this.map(item as Record<string, unknown>, indent + 2, out, depth + 1);
        out[start] = `${pad}- ${out[start].slice(indent + 2)}`;
      } else {
        this.entry(`${pad}-`, item, 'item', indent, out, depth);
      }
    }
  }

  /** Appends `prefix` (`key:` or `-`) followed by the value, at parent column `indent`. */
  private entry(prefix: string, v: unknown, context: Context, indent: number, out: string[], depth: number): void {
    if (isPlainObject(v)) {
      if (Object.keys(v).length === 0) {
        out.push(`${prefix} {}`);
      } else {
        out.push(prefix);
        this.map(v, indent + 2, out, depth + 1);
      }
    } else if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push(`${prefix} []`);
      } else {
        out.push(prefix);
        this.seq(v, indent + 2, out, depth + 1);
      }
    } else {
      const s = this.scalar(v, context);
      out.push(`${prefix} ${s.head}`);
      if (s.body) {
        // Whitespace-only lines keep their spaces: in a `|+` scalar they are content.
        const pad = ' '.repeat(indent);
        for (const line of s.body) out.push(line.length > 0 ? pad + line : line);
      }
    }
  }

  private key(key: string, context: 'rootKey' | 'key'): string {
    if (isPlainSafe(key)) return key;
    // The `yaml` package writes this key plain, but YAML 1.1 parsers (kubectl's) read it as a merge key.
    if (key === '<<') return '"<<"';
    if (key.length > MAX_INLINE_KEY) throw new NotHandled();
    const s = this.string(key, context);
    if (s.body) throw new NotHandled();
    return s.head;
  }

  private scalar(v: unknown, context: Context): Scalar {
    switch (typeof v) {
      case 'string':
        if (isPlainSafe(v)) return { head: v };
        return v.includes('\n') && SIMPLE_BLOCK.test(v) ? literalBlock(v) : this.string(v, context);
      case 'boolean':
        return { head: v ? 'true' : 'false' };
      case 'number':
        return { head: this.number(v) };
      default:
        if (v === null) return { head: 'null' };
        throw new NotHandled();
    }
  }

  private number(n: number): string {
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) return String(n);
    let text = this.numbers.get(n);
    if (text === undefined) {
      const s = inContext(n, 'value');
      if (s.body) throw new NotHandled();
      text = s.head;
      this.numbers.set(n, text);
    }
    return text;
  }

  private string(s: string, context: Context): Scalar {
    const cache = this.scalars[context];
    let result = cache.get(s);
    if (!result) {
      result = inContext(s, context);
      cache.set(s, result);
    }
    return result;
  }
}

/**
 * How the `yaml` package writes `v` in a context, learnt from a small document: quoting rules differ
 * between map values, sequence items, keys at the root (where `---` is a document marker) and nested
 * keys. The answer is checked by parsing it back (YAML 1.1); the few strings the `yaml` package gets
 * wrong (e.g. " \n" as a block scalar) are written double-quoted instead.
 */
function inContext(v: unknown, context: Context): Scalar {
  const learned = learn(v, context);
  if (learned && readsBackAs(learned.text, v, context)) return learned.scalar;
  if (typeof v === 'string') return { head: doubleQuoted(v) };
  throw new NotHandled();
}

function learn(v: unknown, context: Context): { text: string; scalar: Scalar } | undefined {
  if (context === 'rootKey' || context === 'key') {
    const nested = context === 'key';
    const text = toYamlDocument(nested ? { k: { [String(v)]: 1 } } : { [String(v)]: 1 });
    const line = nested ? (text.startsWith('k:\n  ') ? text.slice(5) : '') : text;
    if (!line.endsWith(': 1\n') || line.startsWith('? ')) return undefined;
    const head = line.slice(0, -4);
    return head.length > 0 && !head.includes('\n') ? { text, scalar: { head } } : undefined;
  }
  const text = context === 'value' ? toYamlDocument({ k: v }) : toYamlDocument([v]);
  const prefix = context === 'value' ? 'k: ' : '- ';
  if (!text.startsWith(prefix)) return undefined;
  const inline = text.slice(prefix.length, -1);
  const newline = inline.indexOf('\n');
  if (newline < 0) return { text, scalar: { head: inline } };
  const header = inline.slice(0, newline);
  // An indentation indicator (`|2-`) is relative to the parent's indentation, so it holds at any depth.
  if (!/^[|>](?:[1-9]?[+-]?|[+-][1-9])$/.test(header)) return undefined;
  const body = inline.slice(newline + 1).split('\n');
  if (body.some(line => line.length > 0 && !line.startsWith('  '))) return undefined;
  return { text, scalar: { head: header, body } };
}

function readsBackAs(text: string, v: unknown, context: Context): boolean {
  let parsed: any;
  try {
    parsed = YAML.parse(text, { version: '1.1' });
  } catch {
    return false;
  }
  switch (context) {
    case 'value': return Object.is(parsed?.k, v);
    case 'item': return Array.isArray(parsed) && Object.is(parsed[0], v);
    case 'key': return parsed?.k !== null && typeof parsed?.k === 'object' && Object.keys(parsed.k)[0] === String(v);
    default: return parsed !== null && typeof parsed === 'object' && Object.keys(parsed)[0] === String(v);
  }
}

/** A literal block scalar of a string `SIMPLE_BLOCK` accepts. */
function literalBlock(s: string): Scalar {
  const clip = s.endsWith('\n');
  const lines = (clip ? s.slice(0, -1) : s).split('\n');
  return { head: clip ? '|' : '|-', body: lines.map(line => (line.length > 0 ? `  ${line}` : line)) };
}

/**
 * A YAML double-quoted scalar. JSON's escapes are all valid YAML 1.1 escapes; on top, characters
 * YAML treats as line breaks (U+0085, U+2028, U+2029) or does not allow raw are escaped too.
 */
function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether a YAML 1.1 parser reads `s`, written as a plain scalar (key or value, block context), back
 * as the string `s` (and the `yaml` package writes it so): the writer's fast path, shared with
 * readers of simple YAML.
 */
export function isPlainYamlString(s: string): boolean {
  return isPlainSafe(s);
}

function isPlainSafe(s: string): boolean {
  return (PLAIN_SAFE.test(s) && !YAML11_SPECIAL.test(s)) || DOTTED_DIGITS.test(s);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
