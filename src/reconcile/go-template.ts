// An evaluator of the Go text/template + sprig subset that ClusterClass patches use, with the
// semantics Cluster API gives them, so synth can prove every patch template renders.
//
// The executor follows Go's text/template/exec.go (walk, evalPipeline, evalCommand, evalField,
// evalArg, validateType, evalCall): the places where Go's reflection-based typing shows through
// (a float64 where a function declares int, int vs float64 comparisons, missing keys vs JSON null)
// are modelled one to one, because those are what break real ClusterClasses. Go is the reference:
// test/reconcile/go-template.test.ts runs the same templates through a real Go build and compares.

import { FUNCS, FuncError, GoFunc, Param, UnsupportedError } from './private/go-template-funcs';
import { Arg, Command, Node, parseGoTemplate, Pipeline, TemplateParseError } from './private/go-template-parse';
import { formatValue, fromJson, GoValue, goBool, goFloat, goInt, goString, INVALID, isTrue, NIL, sortedKeys, typeName } from './private/go-values';

/** The outcome of rendering: the text Go writes, or why Go (or this evaluator) refuses. */
export type GoTemplateResult =
  | { readonly ok: true; readonly output: string }
  | { readonly ok: false; readonly error: string; readonly unsupported?: true };

class ExecError extends Error {}
class BreakSignal {}
class ContinueSignal {}

const MAX_OUTPUT = 10 * 1024 * 1024;

/**
 * Renders `template` against `data` as Cluster API does: `data` is JSON as encoding/json decodes it
 * into interface{}, so every number in it is a float64 (integer literals in the template are ints).
 * `unsupported` marks refusals for constructs Go accepts but this evaluator does not model.
 */
export function renderGoTemplate(template: string, data: unknown): GoTemplateResult {
  // tpl.Execute(w, data): a nil interface{} becomes no value at all, so `.x` on it prints "<no value>".
  return renderGoTemplateOn(template, data === null || data === undefined ? INVALID : fromJson(data));
}

/**
 * `renderGoTemplate` on data converted already (`fromJson`), for callers that render many templates
 * against the same data. Go values are never modified by the executor.
 */
export function renderGoTemplateOn(template: string, root: GoValue): GoTemplateResult {
  let nodes: readonly Node[];
  try {
    nodes = parsedTemplate(template);
  } catch (e) {
    if (e instanceof TemplateParseError) {
      const unsupported = /not supported by this evaluator|needs Go 1\.23|complex constants|unsupported escape/.test(e.message);
      return { ok: false, error: `template: tpl: ${e.message}`, ...(unsupported ? { unsupported: true as const } : {}) };
    }
    throw e;
  }
  const state = new State(root);
  try {
    state.walkList(root, nodes);
    return { ok: true, output: state.out.join('') };
  } catch (e) {
    if (e instanceof UnsupportedError) return { ok: false, error: `template: tpl: ${e.message} (not supported by this evaluator)`, unsupported: true };
    if (e instanceof ExecError || e instanceof FuncError) return { ok: false, error: `template: tpl: ${e.message}` };
    throw e;
  }
}

// A fleet renders the same few ClusterClass templates once per cluster: parsing each once saves
// most of the work. Parsed nodes are never modified (readonly all the way down). Bounded so a
// long-running process fed ever new templates keeps a fixed footprint; failures are not kept.
const MAX_CACHED_TEMPLATES = 1024;
const parsedTemplates = new Map<string, readonly Node[]>();

function parsedTemplate(template: string): readonly Node[] {
  const cached = parsedTemplates.get(template);
  if (cached !== undefined) return cached;
  const nodes = parseGoTemplate(template);
  if (parsedTemplates.size < MAX_CACHED_TEMPLATES) parsedTemplates.set(template, nodes);
  return nodes;
}

class State {
  readonly out: string[] = [];
  private size = 0;
  private readonly vars: { name: string; value: GoValue }[];

  constructor(root: GoValue) {
    this.vars = [{ name: '$', value: root }];
  }

  walkList(dot: GoValue, nodes: readonly Node[]): void {
    for (const n of nodes) this.walk(dot, n);
  }

  private write(s: string): void {
    this.size += s.length;
    if (this.size > MAX_OUTPUT) throw new UnsupportedError('output over 10 MiB');
    this.out.push(s);
  }

  private walk(dot: GoValue, node: Node): void {
    switch (node.t) {
      case 'text':
        this.write(node.text);
        return;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(v.kind === 'invalid' ? '<no value>' : formatValue(v));
        return;
      }
      case 'if': case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        if (isTrue(v)) this.walkList(node.t === 'with' ? v : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'break': throw new BreakSignal();
      case 'continue': throw new ContinueSignal();
    }
  }

  private walkRange(dot: GoValue, node: Extract<Node, { t: 'range' }>): void {
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    const mark = this.vars.length;
    const decl = node.pipe.decl.length;
    const one = (index: GoValue, elem: GoValue): boolean => {
      if (decl > 0) this.vars[mark - 1].value = elem;
      if (decl > 1) this.vars[mark - 2].value = index;
      try {
        this.walkList(elem, node.list);
      } catch (e) {
        if (e instanceof BreakSignal) return false;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.vars.length = mark;
      }
      return true;
    };
    let ran = false;
    switch (val.kind) {
      case 'list':
        for (let i = 0; i < val.items.length; i++) {
          ran = true;
          if (!one(goInt(i), val.items[i])) break;
        }
        break;
      case 'map':
        for (const k of sortedKeys(val.entries)) {
          ran = true;
          if (!one(goString(k), val.entries.get(k)!)) break;
        }
        break;
      case 'int': case 'uint':
        // Go 1.22 added ranging over an integer; Cluster API v1.14 builds with Go 1.26.
        if (decl > 1) throw new ExecError(`can't use ${val.value} to iterate over more than one variable`);
        for (let i = 0; i < val.value; i++) {
          ran = true;
          if (!one(goInt(i), goInt(i))) break;
        }
        break;
      case 'invalid':
        break; // Go: an invalid value acts like an empty map.
      default:
        throw new ExecError(`range can't iterate over ${formatValue(val)}`);
    }
    if (!ran && node.elseList) this.walkList(dot, node.elseList);
    this.vars.length = outer;
  }

  private evalPipeline(dot: GoValue, pipe: Pipeline): GoValue {
    let value: GoValue | undefined;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // Go: "If the object has type interface{}, dig down one level" — a nil interface becomes no value.
      if (value.kind === 'nil') value = INVALID;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value!);
      else this.vars.push({ name, value: value! });
    }
    return value!;
  }

  private evalCommand(dot: GoValue, cmd: Command, final: GoValue | undefined): GoValue {
    const first = cmd.args[0];
    switch (first.t) {
      case 'field':
        return this.evalFieldChain(dot, dot, first.names, cmd.args, final);
      case 'chain':
        return this.evalFieldChain(dot, this.evalNode(dot, first.node), first.names, cmd.args, final);
      case 'ident':
        return this.evalCall(dot, first.name, cmd.args.slice(1), final);
      case 'variable': {
        const v = this.varValue(first.name);
        if (first.names.length === 0) {
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first.names, cmd.args, final);
      }
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
    }
    this.notAFunction(cmd.args, final);
    switch (first.t) {
      case 'bool': return goBool(first.value);
      case 'dot': return dot;
      case 'nil': throw new ExecError('nil is not a command');
      case 'number': return idealConstant(first);
      case 'string': return goString(first.value);
    }
  }

  private notAFunction(args: readonly Arg[], final: GoValue | undefined): void {
    if (args.length > 1 || final !== undefined) throw new ExecError(`can't give argument to non-function ${describe(args[0])}`);
  }

  // evalFieldChain + evalField: only maps have fields here (JSON objects, sprig dicts).
  private evalFieldChain(_dot: GoValue, receiver: GoValue, names: readonly string[], args: readonly Arg[], final: GoValue | undefined): GoValue {
    let r = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      if (r.kind === 'invalid') return; // Go: a field of no value is no value (missingkey=default).
      if (r.kind === 'nil') throw new ExecError(`nil pointer evaluating interface {}.${name}`);
      if (r.kind !== 'map') throw new ExecError(`can't evaluate field ${name} in type ${typeName(r)}`);
      if (last && (args.length > 1 || final !== undefined)) throw new ExecError(`${name} is not a method but has arguments`);
      r = r.entries.get(name) ?? INVALID;
    });
    return r;
  }

  /** evalArg with no declared type: the value of an operand node. */
  private evalNode(dot: GoValue, n: Arg): GoValue {
    switch (n.t) {
      case 'dot': return dot;
      case 'nil': throw new ExecError('cannot assign nil to <nil>');
      case 'bool': return goBool(n.value);
      case 'number': return idealConstant(n);
      case 'string': return goString(n.value);
      case 'field': return this.evalFieldChain(dot, dot, n.names, [n], undefined);
      case 'variable': {
        const v = this.varValue(n.name);
        return n.names.length ? this.evalFieldChain(dot, v, n.names, [n], undefined) : v;
      }
      case 'ident': return this.evalCall(dot, n.name, [], undefined);
      case 'pipe': return this.evalPipeline(dot, n.pipe);
      case 'chain': return this.evalFieldChain(dot, this.evalNode(dot, n.node), n.names, [n], undefined);
    }
  }

  private evalCall(dot: GoValue, name: string, args: readonly Arg[], final: GoValue | undefined): GoValue {
    const fn: GoFunc | undefined = Object.prototype.hasOwnProperty.call(FUNCS, name) ? FUNCS[name] : undefined;
    if (!fn) throw new UnsupportedError(`function ${JSON.stringify(name)}`);
    const numIn = args.length + (final !== undefined ? 1 : 0);
    if (fn.variadic) {
      if (numIn < fn.params.length) throw new ExecError(`wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`);
    } else if (numIn !== fn.params.length) {
      throw new ExecError(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
    const paramAt = (i: number): Param => (i < fn.params.length ? fn.params[i] : fn.variadic!);
    if (fn.shortCircuit) {
      let v: GoValue = INVALID;
      for (const a of args) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v) === (fn.shortCircuit === 'or')) return v;
      }
      if (final !== undefined) v = validateType(final, 'value');
      return v;
    }
    const argv = args.map((a, i) => this.evalArg(dot, paramAt(i), a));
    if (final !== undefined) argv.push(validateType(final, paramAt(args.length)));
    try {
      return fn.call!(argv);
    } catch (e) {
      if (e instanceof FuncError) throw new FuncError(`error calling ${name}: ${e.message}`);
      throw e;
    }
  }

  // Go's evalArg: literals are converted to the declared type at parse-node level (so `until 3`
  // works and `until 3.5` does not); everything else is evaluated and then checked by validateType.
  private evalArg(dot: GoValue, typ: Param, n: Arg): GoValue {
    switch (n.t) {
      case 'dot': case 'field': case 'variable': case 'pipe': case 'ident': case 'chain':
        return validateType(this.evalNode(dot, n), typ);
      case 'nil':
        if (typ === 'any') return NIL;
        if (typ === 'value') return INVALID; // the builtins see nil as no value: `eq .missing nil` is true
        throw new ExecError(`cannot assign nil to ${goTypeName(typ)}`);
    }
    switch (typ) {
      case 'bool':
        if (n.t === 'bool') return goBool(n.value);
        break;
      case 'float64':
        if (n.t === 'number' && n.isFloat) return goFloat(n.float);
        break;
      case 'int':
        if (n.t === 'number' && n.isInt) return goInt(n.int);
        break;
      case 'string':
        if (n.t === 'string') return goString(n.value);
        break;
      case 'any': case 'value':
        return this.evalNode(dot, n);
    }
    const expected = { bool: 'bool', float64: 'float', int: 'integer', string: 'string' }[typ];
    throw new ExecError(`expected ${expected}; found ${describe(n)}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    throw new ExecError(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    throw new ExecError(`undefined variable: ${name}`);
  }
}

// Go's validateType: no value is accepted as nil where the parameter can be nil (interface{}) and
// passed through to the reflect.Value builtins; otherwise the value's type must be the declared one.
function validateType(v: GoValue, typ: Param): GoValue {
  if (typ === 'value') return v;
  if (typ === 'any') return v.kind === 'invalid' ? NIL : v;
  if (v.kind === 'invalid') throw new ExecError(`invalid value; expected ${goTypeName(typ)}`);
  const actual = typeName(v);
  if (actual !== goTypeName(typ)) throw new ExecError(`wrong type for value; expected ${goTypeName(typ)}; got ${actual}`);
  return v;
}

function goTypeName(typ: Param): string {
  return typ === 'any' ? 'interface {}' : typ === 'value' ? 'reflect.Value' : typ;
}

// Go's idealConstant: `1` is an int, `1.0` and `1e3` are float64 (hex and rune literals stay ints).
function idealConstant(n: Extract<Arg, { t: 'number' }>): GoValue {
  if (n.isFloat && n.floatConst) return goFloat(n.float);
  if (n.isInt) return goInt(n.int);
  throw new ExecError(`${n.text} overflows int`);
}

function describe(n: Arg): string {
  switch (n.t) {
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return JSON.stringify(n.value);
    case 'field': return '.' + n.names.join('.');
    case 'variable': return [n.name, ...n.names].join('.');
    case 'ident': return n.name;
    case 'pipe': return '(...)';
    case 'chain': return `(...).${n.names.join('.')}`;
  }
}
