// Files besides the Flux tree that a synthesis writes (the policy report, the fleet report). They
// are computed by validations, which run before the tree is checked and written; written then, a
// synthesis that fails later would still change the output folder. Inside `FluxTree.write()` they
// are queued and written only once the tree itself was written; a failure discards them, so a
// failed synth leaves the folder byte-identical. Internal: not exported from the package.

let pending: Map<string, () => void> | undefined;

/** True inside `FluxTree.write()`: outputs wait for the tree. */
export function outputsDeferred(): boolean {
  return pending !== undefined;
}

/**
 * Writes an output now or, inside `FluxTree.write()`, once the tree is written. A later call with
 * the same key replaces a queued one (a validation that runs twice writes its latest result once).
 */
export function writeOutput(key: string, write: () => void): void {
  if (pending) {
    pending.set(key, write);
  } else {
    write();
  }
}

/**
 * Runs `fn` with outputs queued, then writes them (in the order first queued) if `fn` returned.
 * Nested calls join the outer one: its outputs wait for the outermost tree.
 */
export function withDeferredOutputs<T>(fn: () => T): T {
  if (pending) return fn();
  const queue = new Map<string, () => void>();
  pending = queue;
  let result: T;
  try {
    result = fn();
  } finally {
    pending = undefined;
  }
  for (const write of queue.values()) write();
  return result;
}
