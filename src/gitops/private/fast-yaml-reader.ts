import { FastYamlWriter } from './yaml-document';

/** Thrown inside the reader for anything it does not handle; the caller then parses with the `yaml` package. */
class NotHandled extends Error {}

const INT = /^[-+]?(?:0|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const BOOL_TRUE = /^(?:true|True|TRUE|y|Y|yes|Yes|YES|on|On|ON)$/;
const BOOL_FALSE = /^(?:false|False|FALSE|n|N|no|No|NO|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL)$/;
// Plain scalars YAML 1.1 reads as something this reader does not resolve (octal, sexagesimal, .inf, ...).
const UNSURE = /^(?:[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<|=)$/;

/**
 * Reads one YAML document as `FastYamlWriter` writes it (block maps and sequences, 2-space
 * indentation, plain, quoted and literal scalars) several times faster than the `yaml` package:
 * `kmetal plan` parses every changed file of a fleet, and the `yaml` package was most of its time.
 *
 * The answer is only trusted when writing it back gives the exact text (the writer writes what the
 * `yaml` package writes, and that reads back as the value), so the reader is never wrong, only
 * sometimes not used: any other text (comments, anchors, several documents, hand-written YAML) gives
 * `undefined`, and the caller parses it with the `yaml` package.
 */
export class FastYamlReader {
  private readonly writer = new FastYamlWriter();

  /** The document's value, or `undefined` when the text is not one this reader handles. */
  public read(text: string): unknown {
    if (!text.endsWith('\n') || text.startsWith('---') || text.includes('\n---') || text.includes('\t')) return undefined;
    try {
      const lines = text.slice(0, -1).split('\n');
      const [value, next] = block(lines, 0, 0);
      if (next !== lines.length) return undefined;
      return this.writer.document(value) === text ? value : undefined;
    } catch (e) {
      if (e instanceof NotHandled) return undefined;
      throw e;
    }
  }
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

/** The map or sequence whose entries start at column `indent` on line `i` (the lines may be rewritten). */
function block(lines: string[], i: number, indent: number): [unknown, number] {
  const line = lines[i];
  if (line === undefined || indentOf(line) !== indent) throw new NotHandled();
  return line.startsWith('-', indent) && (line.length === indent + 1 || line[indent + 1] === ' ') ? seq(lines, i, indent) : map(lines, i, indent);
}

function map(lines: string[], start: number, indent: number): [Record<string, unknown>, number] {
  const out: Record<string, unknown> = {};
  let i = start;
  while (i < lines.length && indentOf(lines[i]) === indent && !lines[i].startsWith('- ', indent)) {
    const content = lines[i].slice(indent);
    const { key, rest } = splitKey(content);
    if (key === undefined || Object.prototype.hasOwnProperty.call(out, key)) throw new NotHandled();
    i++;
    if (rest === '') {
      // A nested map or sequence: the writer indents both by two under the key.
      const [value, next] = block(lines, i, indent + 2);
      out[key] = value;
      i = next;
    } else {
      const [value, next] = scalar(rest, lines, i, indent);
      out[key] = value;
      i = next;
    }
  }
  return [out, i];
}

function seq(lines: string[], start: number, indent: number): [unknown[], number] {
  const out: unknown[] = [];
  let i = start;
  while (i < lines.length && indentOf(lines[i]) === indent && lines[i].startsWith('- ', indent)) {
    const content = lines[i].slice(indent + 2);
    if (content.startsWith('- ') || splitKey(content).key !== undefined) {
      // "- a: 1" then "  b: 2": the item is a block at column indent + 2, its first line shares the
      // dash. The line is rewritten as the block's (the lines are the reader's own copy).
      lines[i] = ' '.repeat(indent + 2) + content;
      const [value, next] = block(lines, i, indent + 2);
      out.push(value);
      i = next;
    } else {
      const [value, next] = scalar(content, lines, i + 1, indent);
      out.push(value);
      i = next;
    }
  }
  return [out, i];
}

/** `key: rest` or `key:` (rest `''`); no key when the text is a scalar. */
function splitKey(content: string): { key?: string; rest: string } {
  if (content.startsWith('"') || content.startsWith("'")) {
    const end = quotedEnd(content);
    if (end < 0 || content[end + 1] !== ':') return { rest: content };
    const after = content.slice(end + 2);
    if (after !== '' && !after.startsWith(' ')) return { rest: content };
    return { key: String(quoted(content.slice(0, end + 1))), rest: after.slice(1) };
  }
  const colon = content.indexOf(': ');
  if (colon > 0) return { key: plainKey(content.slice(0, colon)), rest: content.slice(colon + 2) };
  if (content.endsWith(':') && !content.includes(' ')) return { key: plainKey(content.slice(0, -1)), rest: '' };
  return { rest: content };
}

function plainKey(text: string): string {
  if (/^[\[\]{}&*!|>%@`#?]/.test(text) || text === '') throw new NotHandled();
  return text;
}

/** Index of the closing quote of a quoted scalar at the start of `text`, or -1. */
function quotedEnd(text: string): number {
  const q = text[0];
  for (let i = 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') {
      i++;
    } else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

function quoted(text: string): string {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  // JSON's escapes are a subset of YAML's; anything else (\e, \x41, \N) is not handled.
  try {
    return JSON.parse(text);
  } catch {
    throw new NotHandled();
  }
}

/** A scalar after `key: ` or `- `; literal blocks (`|`, `|-`) take the lines after it. */
function scalar(head: string, lines: string[], next: number, indent: number): [unknown, number] {
  if (head === '{}') return [{}, next];
  if (head === '[]') return [[], next];
  if (head.startsWith('"') || head.startsWith("'")) {
    if (quotedEnd(head) !== head.length - 1) throw new NotHandled();
    return [quoted(head), next];
  }
  if (head === '|' || head === '|-') {
    const body: string[] = [];
    let i = next;
    while (i < lines.length && (lines[i] === '' || indentOf(lines[i]) > indent)) body.push(lines[i++]);
    while (body.length > 0 && body[body.length - 1] === '') {
      body.pop();
      i--;
    }
    if (body.length === 0) throw new NotHandled();
    const pad = indentOf(body[0]);
    if (body.some((l) => l !== '' && indentOf(l) < pad)) throw new NotHandled();
    const text = body.map((l) => l.slice(pad)).join('\n');
    return [head === '|' ? `${text}\n` : text, i];
  }
  if (/^[\[{&*!|>%@`#?]/.test(head) || head.includes(' #')) throw new NotHandled();
  return [plain(head), next];
}

function plain(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL_TRUE.test(text)) return true;
  if (BOOL_FALSE.test(text)) return false;
  if (UNSURE.test(text)) throw new NotHandled();
  if (INT.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new NotHandled();
    return n;
  }
  if (FLOAT.test(text)) return Number(text);
  return text;
}
