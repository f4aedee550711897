// Lexer and parser for the subset of Go's text/template that ClusterClass patches use.
//
// It follows Go's text/template/parse (lex.go, parse.go) closely enough that a template is refused
// exactly when Go refuses it at parse time: trim markers need a space (`{{- ` / ` -}}`), comments must
// hug the delimiters, functions and variables must be defined, literals cannot start a later pipeline
// stage. Constructs we do not model (define, template, block) are parse errors here; Go would accept
// them, so the caller reports them as unsupported rather than as a Go failure.

/** Names Go's parser accepts as functions: text/template builtins plus sprig's HermeticTxtFuncMap. */
export const BUILTIN_FUNCS = ['and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'call', 'html', 'js', 'urlquery'];

/**
 * sprig v3 GenericFuncMap names minus its nonhermeticFunctions (Masterminds/sprig functions.go):
 * Go accepts any of these at parse time, so an unknown name is an error only when it is in neither list.
 */
export const SPRIG_HERMETIC_FUNCS = ('hello ago duration durationRound must_date_modify mustDateModify mustToDate toDate unixEpoch abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append mustAppend prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin').split(' ');

const KNOWN_FUNCS = new Set([...BUILTIN_FUNCS, ...SPRIG_HERMETIC_FUNCS]);
const OPERAND_START = new Set<string>(['ident', 'field', 'variable', 'lparen', 'string', 'rawString', 'char', 'number']);

export class TemplateParseError extends Error {}

// ---- AST

/** An operand of a command. `number` keeps Go's parse flags: whether the text is an int and/or a float. */
export type Arg =
  | { readonly t: 'dot' }
  | { readonly t: 'nil' }
  | { readonly t: 'bool'; readonly value: boolean }
  | { readonly t: 'number'; readonly text: string; readonly isInt: boolean; readonly int: number; readonly isFloat: boolean; readonly float: number; readonly floatConst: boolean }
  | { readonly t: 'string'; readonly value: string }
  | { readonly t: 'field'; readonly names: readonly string[] }
  | { readonly t: 'variable'; readonly name: string; readonly names: readonly string[] }
  | { readonly t: 'ident'; readonly name: string }
  | { readonly t: 'pipe'; readonly pipe: Pipeline }
  | { readonly t: 'chain'; readonly node: Arg; readonly names: readonly string[] };

export interface Command { readonly args: readonly Arg[] }
export interface Pipeline { readonly decl: readonly string[]; readonly isAssign: boolean; readonly cmds: readonly Command[] }

export type Node =
  | { readonly t: 'text'; readonly text: string }
  | { readonly t: 'action'; readonly pipe: Pipeline }
  | { readonly t: 'if' | 'with'; readonly pipe: Pipeline; readonly list: readonly Node[]; readonly elseList?: readonly Node[] }
  | { readonly t: 'range'; readonly pipe: Pipeline; readonly list: readonly Node[]; readonly elseList?: readonly Node[] }
  | { readonly t: 'break' | 'continue' };

// ---- lexer

type ItemType = 'text' | 'left' | 'right' | 'space' | 'assign' | 'declare' | 'pipe' | 'string' | 'rawString' | 'char' | 'variable' | 'field' | 'number' | 'ident' | 'lparen' | 'rparen' | 'other' | 'eof';
interface Item { readonly type: ItemType; readonly val: string }

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string) => c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  while (pos < input.length) {
    const x = input.indexOf('{{', pos);
    if (x < 0) {
      items.push({ type: 'text', val: input.slice(pos) });
      break;
    }
    let text = input.slice(pos, x);
    let p = x + 2;
    const leftTrim = input[p] === '-' && p + 1 < input.length && isSpace(input[p + 1]);
    if (leftTrim) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    if (text) items.push({ type: 'text', val: text });
    if (input.startsWith('/*', p)) {
      const end = input.indexOf('*/', p + 2);
      if (end < 0) throw new TemplateParseError('unclosed comment');
      p = end + 2;
      let rightTrim = false;
      if (p + 1 < input.length && isSpace(input[p]) && input[p + 1] === '-' && input.startsWith('}}', p + 2)) {
        rightTrim = true;
        p += 2;
      }
      if (!input.startsWith('}}', p)) throw new TemplateParseError('comment ends before closing delimiter');
      p += 2;
      if (rightTrim) p = skipSpace(input, p);
      pos = p;
      continue;
    }
    items.push({ type: 'left', val: '{{' });
    pos = lexAction(input, p, items);
  }
  items.push({ type: 'eof', val: '' });
  return items;
}

function skipSpace(input: string, p: number): number {
  while (p < input.length && isSpace(input[p])) p++;
  return p;
}

function lexAction(input: string, p: number, items: Item[]): number {
  let depth = 0;
  for (;;) {
    const rightTrim = p + 1 < input.length && isSpace(input[p]) && input[p + 1] === '-' && input.startsWith('}}', p + 2);
    if (rightTrim || input.startsWith('}}', p)) {
      if (depth !== 0) throw new TemplateParseError('unclosed left paren');
      items.push({ type: 'right', val: '}}' });
      p += rightTrim ? 4 : 2;
      return rightTrim ? skipSpace(input, p) : p;
    }
    if (p >= input.length) throw new TemplateParseError('unclosed action');
    const c = input[p];
    const start = p;
    if (isSpace(c)) {
      while (p < input.length && isSpace(input[p]) && !(input[p + 1] === '-' && input.startsWith('}}', p + 2))) p++;
      if (p === start) p++; // the space before ` -}}` is handled above on the next turn
      items.push({ type: 'space', val: input.slice(start, p) });
      continue;
    }
    p++;
    switch (true) {
      case c === '=': items.push({ type: 'assign', val: c }); continue;
      case c === ':':
        if (input[p] !== '=') throw new TemplateParseError('expected :=');
        p++;
        items.push({ type: 'declare', val: ':=' });
        continue;
      case c === '|': items.push({ type: 'pipe', val: c }); continue;
      case c === '(': depth++; items.push({ type: 'lparen', val: c }); continue;
      case c === ')':
        depth--;
        if (depth < 0) throw new TemplateParseError('unexpected right paren');
        items.push({ type: 'rparen', val: c });
        continue;
      case c === '"': {
        while (p < input.length && input[p] !== '"') {
          if (input[p] === '\\') p++;
          if (input[p] === '\n' || p >= input.length) throw new TemplateParseError('unterminated quoted string');
          p++;
        }
        if (p >= input.length) throw new TemplateParseError('unterminated quoted string');
        p++;
        items.push({ type: 'string', val: input.slice(start, p) });
        continue;
      }
      case c === '`': {
        const end = input.indexOf('`', p);
        if (end < 0) throw new TemplateParseError('unterminated raw quoted string');
        p = end + 1;
        items.push({ type: 'rawString', val: input.slice(start, p) });
        continue;
      }
      case c === '\'': {
        while (p < input.length && input[p] !== '\'') {
          if (input[p] === '\\') p++;
          if (input[p] === '\n' || p >= input.length) throw new TemplateParseError('unterminated character constant');
          p++;
        }
        p++;
        items.push({ type: 'char', val: input.slice(start, p) });
        continue;
      }
      case c === '$' || (c === '.' && !/[0-9]/.test(input[p] ?? '')): {
        while (p < input.length && isAlnum(input[p])) p++;
        checkTerminator(input, p);
        items.push({ type: c === '$' ? 'variable' : 'field', val: input.slice(start, p) });
        continue;
      }
      case c === '.' || c === '+' || c === '-' || /[0-9]/.test(c): {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[bBoO][0-9_]*|[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)i?/.exec(input.slice(start))!;
        p = start + m[0].length;
        if (m[0] === '' || /^[+-]?$/.test(m[0]) || isAlnum(input[p] ?? '')) throw new TemplateParseError(`bad number syntax: ${JSON.stringify(input.slice(start, p + 1))}`);
        items.push({ type: 'number', val: m[0] });
        continue;
      }
      case isAlnum(c): {
        while (p < input.length && isAlnum(input[p])) p++;
        checkTerminator(input, p);
        items.push({ type: 'ident', val: input.slice(start, p) });
        continue;
      }
      case c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20:
        items.push({ type: 'other', val: c });
        continue;
      default:
        throw new TemplateParseError(`unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
}

// Go's lexer: after a word, only space, an operator, a paren, a field dot or the end of the action may follow.
function checkTerminator(input: string, p: number): void {
  const c = input[p];
  if (c === undefined || isSpace(c) || '.,|:)('.includes(c) || input.startsWith('}}', p) || c === '=') return;
  throw new TemplateParseError(`bad character ${JSON.stringify(c)}`);
}

// ---- parser

export function unquoteGo(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, '');
  const body = lit.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { 'a': '\x07', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v', '\\': '\\', '"': '"', '\'': '\'' };
    if (e in simple) {
      if ((e === '"' && lit[0] === '\'') || (e === '\'' && lit[0] === '"')) throw new TemplateParseError(`invalid syntax: ${lit}`);
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new TemplateParseError(`invalid syntax: ${lit}`);
      const code = parseInt(hex, 16);
      // \x is a byte: only ASCII bytes map to one character without building invalid UTF-8.
      if ((e === 'x' && code > 0x7f) || code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new TemplateParseError(`unsupported escape in ${lit}`);
      out += String.fromCodePoint(code);
      i += n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 0x7f) throw new TemplateParseError(`invalid syntax: ${lit}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      throw new TemplateParseError(`invalid syntax: ${lit}`);
    }
  }
  return out;
}

function parseNumber(text: string): Arg {
  if (text.endsWith('i')) throw new TemplateParseError(`complex constants are not supported: ${text}`);
  const clean = text.replace(/_/g, '');
  const unsigned = clean.replace(/^[+-]/, '');
  const neg = clean.startsWith('-');
  let isInt = false; let int = 0; let isFloat = false; let float = 0;
  if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/.test(unsigned)) {
    const big = BigInt(/^0[0-7]/.test(unsigned) ? `0o${unsigned.slice(1)}` : unsigned.replace(/^0[oO]/, '0o'));
    const v = neg ? -big : big;
    if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) throw new TemplateParseError(`integer overflow: ${JSON.stringify(text)}`);
    isInt = true; int = Number(v); isFloat = true; float = Number(v);
  } else {
    const f = /^[0-9]*(\.[0-9]*)?([eE][+-]?[0-9]+)?$/.test(unsigned) && /[0-9]/.test(unsigned) ? Number(unsigned) : NaN;
    if (Number.isNaN(f)) throw new TemplateParseError(`illegal number syntax: ${JSON.stringify(text)}`);
    isFloat = true; float = neg ? -f : f;
    if (Number.isInteger(float) && Math.abs(float) < 2 ** 63) { isInt = true; int = float; }
  }
  return { t: 'number', text, isInt, int, isFloat, float, floatConst: /[.eEpP]/.test(text) && !/^[+-]?0[xX]/.test(text) };
}

class Parser {
  private i = 0;
  private readonly vars: string[][] = [['$']];
  private rangeDepth = 0;
  constructor(private readonly items: Item[]) {}

  parse(): Node[] {
    const { list, end } = this.itemList();
    if (end !== 'eof') throw new TemplateParseError(`unexpected {{${end}}}`);
    return list;
  }

  private peek(): Item { return this.items[this.i]; }
  private next(): Item { return this.items[this.i++]; }
  private peekNonSpace(): Item {
    while (this.items[this.i].type === 'space') this.i++;
    return this.items[this.i];
  }
  private nextNonSpace(): Item {
    const it = this.peekNonSpace();
    this.i++;
    return it;
  }

  /** Parses nodes until {{end}}, {{else}} or the end of input; returns which one stopped it. */
  private itemList(): { list: Node[]; end: 'end' | 'else' | 'eof' } {
    const list: Node[] = [];
    for (;;) {
      const it = this.next();
      if (it.type === 'eof') return { list, end: 'eof' };
      if (it.type === 'text') {
        list.push({ t: 'text', text: it.val });
        continue;
      }
      const word = this.peekNonSpace();
      if (word.type === 'ident' && (word.val === 'end' || word.val === 'else')) {
        this.nextNonSpace();
        if (word.val === 'end') {
          this.expectRight('end');
          return { list, end: 'end' };
        }
        return { list, end: 'else' };
      }
      list.push(this.action());
    }
  }

  private expectRight(context: string): void {
    const it = this.nextNonSpace();
    if (it.type !== 'right') throw new TemplateParseError(`unexpected ${JSON.stringify(it.val)} in ${context}`);
  }

  private action(): Node {
    const word = this.peekNonSpace();
    if (word.type === 'ident') {
      switch (word.val) {
        case 'if': case 'with': case 'range':
          this.nextNonSpace();
          return this.control(word.val);
        case 'break': case 'continue':
          this.nextNonSpace();
          if (this.rangeDepth === 0) throw new TemplateParseError(`{{${word.val}}} outside {{range}}`);
          this.expectRight(word.val);
          return { t: word.val };
        case 'define': case 'template': case 'block':
          throw new TemplateParseError(`{{${word.val}}} is not supported by this evaluator`);
      }
    }
    return { t: 'action', pipe: this.pipeline('command', 'right') };
  }

  private control(kind: 'if' | 'with' | 'range'): Node {
    this.vars.push([]);
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const body = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end === 'else') {
      const after = this.peekNonSpace();
      if (after.type === 'ident' && (after.val === 'if' || (after.val === 'with' && kind === 'with'))) {
        // `{{else if ...}}` is `{{else}}{{if ...}}...{{end}}` sharing the outer {{end}} (Go 1.23 added `else with`; Go 1.19 has only `else if`).
        if (after.val === 'with') throw new TemplateParseError('{{else with}} needs Go 1.23; not supported by this evaluator');
        this.nextNonSpace();
        elseList = [this.control('if')];
      } else {
        this.expectRight('else');
        const rest = this.itemList();
        if (rest.end !== 'end') throw new TemplateParseError(`expected end; found ${rest.end === 'else' ? '{{else}}' : 'EOF'}`);
        elseList = rest.list;
      }
    } else if (body.end !== 'end') {
      throw new TemplateParseError(`unexpected EOF in ${kind}`);
    }
    this.vars.pop();
    return { t: kind, pipe, list: body.list, ...(elseList ? { elseList } : {}) } as Node;
  }

  private pipeline(context: string, end: 'right' | 'rparen'): Pipeline {
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: `$x :=`, `$x =`, and in range `$i, $e :=`.
    const save = this.i;
    const v = this.peekNonSpace();
    if (v.type === 'variable') {
      this.nextNonSpace();
      const op = this.peekNonSpace();
      if (op.type === 'declare' || op.type === 'assign') {
        this.nextNonSpace();
        decl.push(v.val);
        isAssign = op.type === 'assign';
      } else if (op.type === 'other' && op.val === ',' && context === 'range') {
        this.nextNonSpace();
        const v2 = this.nextNonSpace();
        const op2 = this.nextNonSpace();
        if (v2.type !== 'variable' || (op2.type !== 'declare' && op2.type !== 'assign')) throw new TemplateParseError('range can only initialize variables');
        decl.push(v.val, v2.val);
        isAssign = op2.type === 'assign';
      } else {
        this.i = save;
      }
    }
    for (const name of decl) {
      if (isAssign) this.useVar(name);
      else this.vars[this.vars.length - 1].push(name);
    }
    const cmds: Command[] = [];
    const endType = end === 'right' ? 'right' : 'rparen';
    for (;;) {
      const it = this.peekNonSpace();
      if (it.type === endType) {
        this.nextNonSpace();
        break;
      }
      if (!OPERAND_START.has(it.type)) throw new TemplateParseError(`unexpected ${JSON.stringify(it.val)} in ${context}`);
      cmds.push(this.command());
    }
    if (cmds.length === 0) throw new TemplateParseError(`missing value for ${context}`);
    cmds.forEach((c, n) => {
      if (n > 0 && ['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0].t)) throw new TemplateParseError(`non executable command in pipeline stage ${n + 1}`);
    });
    return { decl, isAssign, cmds };
  }

  // Mirrors Go's Tree.command: operands separated by spaces; a `|` ends the command and is consumed
  // (so `{{ .a | }}` parses, as in Go), the closing delimiter or paren is left for the pipeline.
  private command(): Command {
    const args: Arg[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const it = this.next();
      if (it.type === 'space') continue;
      if (it.type === 'right' || it.type === 'rparen') this.i--;
      else if (it.type !== 'pipe') throw new TemplateParseError(`unexpected ${JSON.stringify(it.val)} in operand`);
      break;
    }
    if (args.length === 0) throw new TemplateParseError('empty command');
    return { args };
  }

  private operand(): Arg | undefined {
    const term = this.term();
    if (!term) return undefined;
    if (this.peek().type !== 'field') return term;
    const names: string[] = [];
    while (this.peek().type === 'field') names.push(this.next().val.slice(1));
    switch (term.t) {
      case 'field': return { t: 'field', names: [...term.names, ...names] };
      case 'variable': return { t: 'variable', name: term.name, names: [...term.names, ...names] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        throw new TemplateParseError(`unexpected . after term ${JSON.stringify(names[0])}`);
      default: return { t: 'chain', node: term, names };
    }
  }

  private term(): Arg | undefined {
    const it = this.nextNonSpace();
    switch (it.type) {
      case 'ident':
        if (it.val === 'true' || it.val === 'false') return { t: 'bool', value: it.val === 'true' };
        if (it.val === 'nil') return { t: 'nil' };
        if (['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(it.val)) throw new TemplateParseError(`unexpected <${it.val}> in command`);
        if (!KNOWN_FUNCS.has(it.val)) throw new TemplateParseError(`function ${JSON.stringify(it.val)} not defined`);
        return { t: 'ident', name: it.val };
      case 'field':
        return it.val === '.' ? { t: 'dot' } : { t: 'field', names: [it.val.slice(1)] };
      case 'variable':
        this.useVar(it.val);
        return { t: 'variable', name: it.val, names: [] };
      case 'lparen':
        return { t: 'pipe', pipe: this.pipeline('parenthesized pipeline', 'rparen') };
      case 'string': case 'rawString':
        return { t: 'string', value: unquoteGo(it.val) };
      case 'char': {
        const s = unquoteGo(it.val);
        if ([...s].length !== 1) throw new TemplateParseError(`malformed character constant: ${it.val}`);
        const code = s.codePointAt(0)!;
        return { t: 'number', text: it.val, isInt: true, int: code, isFloat: true, float: code, floatConst: false };
      }
      case 'number':
        return parseNumber(it.val);
      default:
        this.i--;
        return undefined;
    }
  }

  private useVar(name: string): void {
    if (!this.vars.some((scope) => scope.includes(name))) throw new TemplateParseError(`undefined variable ${JSON.stringify(name)}`);
  }
}

/** Parses a template; throws TemplateParseError where Go's parser would fail. */
export function parseGoTemplate(template: string): Node[] {
  return new Parser(lex(template)).parse();
}
