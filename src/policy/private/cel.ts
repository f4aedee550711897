import { isCelError, parse, plan } from '@bufbuild/cel';
import { kubernetesCelEnvironment } from '../../conformance/cel-rule';

/** JSON → CEL values as the API server hands them to CEL: integers are `int`, objects maps. */
export function toCel(value: unknown): any {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === 'object' && value !== null) {
    const out = new Map<string, any>();
    for (const [k, v] of Object.entries(value)) out.set(k, toCel(v));
    return out;
  }
  return value;
}

export type CelOutcome = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: string };

type Program = (bindings: Record<string, unknown>) => unknown;
const CACHE = new Map<string, Program>();

/** Compiles once (cached by text) in the Kubernetes CEL environment. Throws when it does not parse. */
export function compileCel(expression: string): Program {
  let p = CACHE.get(expression);
  if (!p) {
    p = plan(kubernetesCelEnvironment(), parse(expression)) as unknown as Program;
    CACHE.set(expression, p);
  }
  return p;
}

/** Evaluates a boolean expression; bindings are CEL values (see `toCel`). */
export function evaluateCel(expression: string, bindings: Record<string, unknown>): CelOutcome {
  let result: unknown;
  try {
    result = compileCel(expression)(bindings);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  if (isCelError(result)) return { ok: false, error: result.message };
  if (typeof result !== 'boolean') return { ok: false, error: 'the expression did not evaluate to a bool' };
  return { ok: true, value: result };
}
