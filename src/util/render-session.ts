// Rendering an ApiObject (`toJson()`: every Lazy resolved, patches applied) is the most expensive
// thing synth does, and the same object is rendered by several readers of one synth: the policy
// run, quota and capacity derivations (a class-based cluster reads its class's variables), the
// conformance check and the writer. A render session memoizes renders while the construct tree is
// final: `FluxTree.write()` opens one around validation, rendering and writing. Outside a session
// nothing is cached, so a program that changes objects between two syntheses sees its changes.
// Internal: not exported from the package.
import { toJsonOf } from './errors';

interface Renderable {
  toJson(): any;
}

let session: Map<Renderable, any> | undefined;

/**
 * Runs `fn` with renders memoized: `renderOnce()` renders each object once. Nested calls join the
 * outer session. The cache is dropped when `fn` returns or throws.
 */
export function withRenderSession<T>(fn: () => T): T {
  if (session) return fn();
  session = new Map();
  try {
    return fn();
  } finally {
    session = undefined;
  }
}

/**
 * The rendered object (`toJsonOf()`): memoized inside a render session. Inside a session the
 * result is deeply frozen: it is the very value the writer serializes, so a reader that changed it
 * (a user's policy rule, say) would change the output; it fails loudly instead.
 */
export function renderOnce(obj: Renderable): any {
  if (!session) return toJsonOf(obj);
  if (session.has(obj)) return session.get(obj);
  // A failed render is not cached: the next reader gets the same error.
  const json = deepFreeze(toJsonOf(obj));
  session.set(obj, json);
  return json;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as any)[key]);
  }
  return value;
}

/**
 * Forgets a memoized render: call after changing an object inside a session (the policy engine's
 * pre-render steps, such as prune protection, annotate objects).
 */
export function forgetRender(obj: Renderable): void {
  session?.delete(obj);
}
