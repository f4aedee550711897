// Parsing of one tenant request file (YAML or JSON) with the position of every field, and the check
// against the JSON Schema subset the request format uses. Internal.
import * as YAML from 'yaml';
import { closestName } from '../conformance/closest-name';
import { showValue } from '../util/errors';

/** One thing wrong with a request file, located in it. @internal */
export interface RequestProblem {
  /** The file, relative to the folder given to the loader (forward slashes). */
  readonly file: string;
  /** 1-based line and column of the field (of the document when the field is absent). */
  readonly line: number;
  readonly column: number;
  /** The field, as a path: `nodePools[0].replicas`. */
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

/** A parsed request file: the plain data and where each field path sits. @internal */
export interface ParsedRequestFile {
  readonly file: string;
  readonly data: any;
  /** Field path (`nodePools[0].replicas`) → [line, column], of the key for map entries. */
  readonly positions: Map<string, [number, number]>;
  readonly problems: RequestProblem[];
}

/** Parses a file's text; YAML 1.2, so JSON files parse too. @internal */
export function parseRequestFile(file: string, text: string): ParsedRequestFile {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const positions = new Map<string, [number, number]>();
  const problems: RequestProblem[] = [];
  for (const e of doc.errors) {
    const p = lineCounter.linePos(e.pos[0]);
    problems.push({ file, line: p.line, column: p.col, field: '', message: `not valid YAML: ${e.message.split('\n')[0]}`, fix: 'correct the syntax (a YAML or JSON document)' });
  }
  const at = (node: any): [number, number] => {
    const offset = node?.range?.[0] ?? 0;
    const p = lineCounter.linePos(offset);
    return [p.line, p.col];
  };
  positions.set('', [1, 1]);
  const walk = (node: any, path: string) => {
    if (YAML.isMap(node)) {
      for (const pair of node.items) {
        const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = path ? `${path}.${key}` : key;
        positions.set(child, at(pair.key));
        walk(pair.value, child);
      }
    } else if (YAML.isSeq(node)) {
      node.items.forEach((item: any, i: number) => {
        const child = `${path}[${i}]`;
        positions.set(child, at(item));
        walk(item, child);
      });
    }
  };
  walk(doc.contents, '');
  const data = problems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { file, data, positions, problems };
}

/** The position of a field, or of its closest enclosing field that is in the file. @internal */
export function positionOf(parsed: ParsedRequestFile, field: string): [number, number] {
  for (let f = field; ; f = parentPath(f)) {
    const p = parsed.positions.get(f);
    if (p) return p;
    if (f === '') return [1, 1];
  }
}

function parentPath(path: string): string {
  const m = /^(.*)(\.[^.[\]]+|\[\d+\])$/.exec(path);
  return m ? m[1] : '';
}

/** A located problem of a parsed file. @internal */
export function problemAt(parsed: ParsedRequestFile, field: string, message: string, fix: string): RequestProblem {
  const [line, column] = positionOf(parsed, field);
  return { file: parsed.file, line, column, field, message, fix };
}

/**
 * Checks data against the JSON Schema subset the request format is written in: type (object, array,
 * string, integer, number, boolean), properties, required, additionalProperties: false, $ref to
 * `#/definitions/...`, enum, const, pattern, minLength, maxLength, minimum, maximum, minItems,
 * uniqueItems and items. Anything else in the schema is refused when the checker is built, so the
 * schema cannot grow a keyword that would silently go unchecked. @internal
 */
export class RequestSchemaChecker {
  private static readonly KEYWORDS = new Set([
    '$schema', '$id', 'title', 'description', 'default', 'definitions', '$ref', 'type', 'properties', 'required',
    'additionalProperties', 'enum', 'const', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'uniqueItems', 'items',
  ]);

  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly schema: any) {
    const visit = (s: any, where: string) => {
      if (!s || typeof s !== 'object') return;
      for (const k of Object.keys(s)) {
        if (!RequestSchemaChecker.KEYWORDS.has(k)) throw new Error(`${where}: JSON Schema keyword "${k}" is not supported by the tenant request checker`);
      }
      if (typeof s.pattern === 'string') this.patterns.set(s.pattern, new RegExp(s.pattern, 'u'));
      for (const [k, v] of Object.entries(s.properties ?? {})) visit(v, `${where}.properties.${k}`);
      for (const [k, v] of Object.entries(s.definitions ?? {})) visit(v, `${where}.definitions.${k}`);
      if (s.items) visit(s.items, `${where}.items`);
    };
    visit(schema, '#');
  }

  /** Every violation of the schema, with the field path. */
  public check(parsed: ParsedRequestFile): RequestProblem[] {
    const out: RequestProblem[] = [];
    this.checkValue(parsed, this.schema, parsed.data, '', out);
    return out;
  }

  private resolve(s: any): any {
    if (typeof s?.$ref !== 'string') return s;
    const m = /^#\/definitions\/([^/]+)$/.exec(s.$ref);
    const target = m ? this.schema.definitions?.[m[1]] : undefined;
    if (!target) throw new Error(`tenant request schema: unresolved $ref ${s.$ref}`);
    return target;
  }

  private checkValue(parsed: ParsedRequestFile, schemaIn: any, v: any, path: string, out: RequestProblem[]): void {
    const s = this.resolve(schemaIn);
    const field = path || '(document)';
    const fail = (message: string, fix: string) => out.push(problemAt(parsed, path, message, fix));
    const type = s.type as string | undefined;
    if (type && !hasType(v, type)) {
      fail(`${showValue(v)} is not ${article(type)}`, s.enum ? `use one of: ${s.enum.join(', ')}` : `write ${article(type)}${s.description ? ` (${s.description})` : ''}`);
      return;
    }
    if (s.const !== undefined && v !== s.const) {
      fail(`${showValue(v)} is not ${showValue(s.const)}`, `write ${field}: ${s.const}`);
      return;
    }
    if (s.enum && !s.enum.includes(v)) {
      fail(`${showValue(v)} is not one of ${s.enum.join(', ')}`, `use one of: ${s.enum.join(', ')}`);
      return;
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < s.minLength) fail(`${showValue(v)} is empty`, 'give a value, or leave the field out');
      if (s.maxLength !== undefined && v.length > s.maxLength) fail(`${showValue(v)} is ${v.length} characters, more than ${s.maxLength}`, `shorten it to at most ${s.maxLength} characters`);
      if (s.pattern !== undefined && !this.patterns.get(s.pattern)!.test(v)) fail(`${showValue(v)} does not match ${s.pattern}`, s.description ?? `write a value matching ${s.pattern}`);
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) fail(`${v} is less than ${s.minimum}`, `give at least ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) fail(`${v} is more than ${s.maximum}`, `give at most ${s.maximum}`);
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) fail(`has ${v.length} entries, fewer than ${s.minItems}`, `list at least ${s.minItems}`);
      if (s.uniqueItems) {
        const seen = new Set<string>();
        v.forEach((item, i) => {
          const k = JSON.stringify(item);
          if (seen.has(k)) out.push(problemAt(parsed, `${path}[${i}]`, `${showValue(item)} is listed twice`, 'list it once'));
          seen.add(k);
        });
      }
      if (s.items) v.forEach((item, i) => this.checkValue(parsed, s.items, item, `${path}[${i}]`, out));
    }
    if (type === 'object') {
      const props = s.properties ?? {};
      const known = Object.keys(props);
      for (const r of s.required ?? []) {
        if (v[r] === undefined) fail(`required field ${showValue(r)} is missing`, `add ${r}${props[r]?.description ? ` (${props[r].description})` : ''}`);
      }
      for (const [k, child] of Object.entries(v)) {
        const childPath = path ? `${path}.${k}` : k;
        if (!(k in props)) {
          if (s.additionalProperties === false) {
            const near = closestName(k, known);
            out.push(problemAt(parsed, childPath, `unknown field ${showValue(k)}`, near ? `did you mean ${showValue(near)}? Fields here: ${known.join(', ')}` : `remove it; fields here: ${known.join(', ')}`));
          }
          continue;
        }
        this.checkValue(parsed, props[k], child, childPath, out);
      }
    }
  }
}

function hasType(v: any, type: string): boolean {
  switch (type) {
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    default: throw new Error(`tenant request schema: type ${type} is not supported`);
  }
}

function article(type: string): string {
  return { object: 'a mapping', array: 'a list', string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false' }[type] ?? type;
}
