import { evaluateCel, toCel } from './cel';
import { TransitionRule } from '../../conformance/transition-rule';

/** A change one transition rule forbids. */
export interface TransitionViolation {
  readonly path: string;
  readonly rule: string;
  readonly message?: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The values at a schema path (`spec.x`, `spec.list[*].y`), with their concrete paths. */
function valuesAt(json: any, path: string): Map<string, unknown> {
  let current = new Map<string, unknown>([['', json]]);
  if (path === '') return current;
  for (const segment of path.split('.')) {
    const star = segment.endsWith('[*]');
    const name = star ? segment.slice(0, -3) : segment;
    const next = new Map<string, unknown>();
    for (const [p, v] of current) {
      if (v === null || typeof v !== 'object') continue;
      const child = name === '' ? v : (v as any)[name];
      if (child === undefined) continue;
      const base = name === '' ? p : p ? `${p}.${name}` : name;
      if (!star) {
        next.set(base, child);
      } else if (Array.isArray(child)) {
        child.forEach((item, i) => next.set(`${base}[${i}]`, item));
      } else if (child && typeof child === 'object') {
        for (const [k, item] of Object.entries(child)) next.set(`${base}[${k}]`, item);
      }
    }
    current = next;
  }
  return current;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Evaluates a kind's transition rules (`oldSelf`) between the previous and the new object, as
 * the API server does on update: only where both have a value; values that did not change are
 * skipped (every rule holds for them).
 */
export function transitionViolations(rules: TransitionRule[], before: any, after: any): TransitionViolation[] {
  const out: TransitionViolation[] = [];
  for (const rule of rules) {
    const olds = valuesAt(before, rule.path);
    const news = valuesAt(after, rule.path);
    for (const [p, newValue] of news) {
      if (!olds.has(p)) continue;
      const oldValue = olds.get(p);
      if (same(oldValue, newValue)) continue;
      const r = evaluateCel(rule.rule, { self: toCel(newValue), oldSelf: toCel(oldValue) });
      // An evaluation error fails the update on the API server too.
      if (!r.ok || !r.value) out.push({ path: p || rule.path || '<object>', rule: rule.rule, message: rule.message, before: oldValue, after: newValue });
    }
  }
  return out;
}
