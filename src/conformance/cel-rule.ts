import { celEnv, isCelError, parse, plan, type CelEnv, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { CEL_NET_FUNCTIONS } from './cel-net-library';

/** An `x-kubernetes-validations` entry as a CRD declares it. */
export interface ValidationRuleSpec {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
  readonly optionalOldSelf?: boolean;
}

/** The outcome of evaluating one rule against one value. */
export type RuleOutcome =
  | { readonly passed: true }
  | { readonly passed: false; readonly message: string }
  | { readonly passed: false; readonly evaluationError: string };

/**
 * A rule compiled once, evaluated many times.
 * - `ready`: evaluate with `evaluate(self)`;
 * - `transition`: references `oldSelf`, so it only runs on updates: nothing to check on a create;
 * - `uncompilable`: does not parse, or calls a function this environment lacks; reported, never passed silently.
 */
export type CompiledRule =
  | { readonly status: 'ready'; readonly spec: ValidationRuleSpec; readonly evaluate: (self: CelInput) => RuleOutcome }
  | { readonly status: 'transition'; readonly spec: ValidationRuleSpec }
  | { readonly status: 'uncompilable'; readonly spec: ValidationRuleSpec; readonly error: string };

/** Call names the planner implements itself instead of looking them up among the functions. */
const PLANNER_CALLS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

let environment: CelEnv | undefined;

/** Core CEL plus what Kubernetes adds and the pinned CRDs use: the strings extension and the net library. */
export function kubernetesCelEnvironment(): CelEnv {
  environment ??= celEnv({ funcs: [...strings, ...CEL_NET_FUNCTIONS] });
  return environment;
}

type Plan = (bindings: { self: CelInput }) => unknown;

/** Names of the identifiers and functions an expression uses, read from its syntax tree. */
function collectNames(node: unknown, idents: Set<string>, calls: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectNames(n, idents, calls);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const kind = (node as any).exprKind;
  if (kind?.case === 'identExpr') idents.add(kind.value.name);
  if (kind?.case === 'callExpr') calls.add(kind.value.function);
  for (const value of Object.values(node)) {
    if (typeof value === 'object' && value !== null) collectNames(value, idents, calls);
  }
}

function compileExpression(expression: string): Plan {
  const env = kubernetesCelEnvironment();
  const parsed = parse(expression);
  const idents = new Set<string>();
  const calls = new Set<string>();
  collectNames(parsed.expr, idents, calls);
  const unknown = [...calls].filter((c) => !PLANNER_CALLS.has(c) && !env.funcs.find(c));
  if (unknown.length > 0) throw new Error(`undeclared function ${unknown.join(', ')}`);
  return plan(env, parsed) as unknown as Plan;
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function referencesOldSelf(expression: string): boolean {
  const idents = new Set<string>();
  collectNames(parse(expression).expr, idents, new Set());
  return idents.has('oldSelf');
}

/** Compiles one rule (and its `messageExpression`, when it has one). Never throws. */
export function compileRule(spec: ValidationRuleSpec): CompiledRule {
  let program: Plan;
  try {
    if (referencesOldSelf(spec.rule)) return { status: 'transition', spec };
    program = compileExpression(spec.rule);
  } catch (e) {
    return { status: 'uncompilable', spec, error: describeError(e) };
  }
  let messageProgram: Plan | undefined;
  if (spec.messageExpression) {
    // An uncompilable messageExpression only loses the custom message, as in Kubernetes' fallback.
    try { messageProgram = compileExpression(spec.messageExpression); } catch { messageProgram = undefined; }
  }
  const staticMessage = spec.message?.trim() ? spec.message : `failed rule: ${spec.rule}`;

  const evaluate = (self: CelInput): RuleOutcome => {
    let result: unknown;
    try {
      result = program({ self });
    } catch (e) {
      return { passed: false, evaluationError: describeError(e) };
    }
    if (isCelError(result)) return { passed: false, evaluationError: result.message };
    if (result === true) return { passed: true };
    if (result !== false) return { passed: false, evaluationError: 'rule did not evaluate to a bool' };
    let message = staticMessage;
    if (messageProgram) {
      try {
        const custom = messageProgram({ self });
        if (typeof custom === 'string' && custom.trim() !== '') message = custom;
      } catch {
        // keep the static message
      }
    }
    return { passed: false, message };
  };
  return { status: 'ready', spec, evaluate };
}
