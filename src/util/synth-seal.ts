// After FluxTree.synth() has written an app, a construct declared in it is missing from the tree
// that was written (and from every check that ran), silently. So a successful write seals the
// app: adding a construct anywhere in it fails with the new construct's path and the fix.
//
// constructs' own `node.lock()` does refuse new children, but with a plain `Error("Cannot add
// children to "<scope>" during synthesis")`: no child path, no fix, and the wrong reason (synthesis
// is over). The seal puts a guard on each node's `addChild` (the one place every construct
// constructor goes through) instead. Internal: not exported from the package.
import type { IConstruct, Node } from 'constructs';
import { KmetalValidationError } from './errors';

const SEALED = new WeakMap<IConstruct, string>();
const GUARDED = new WeakSet<Node>();

/** Where the app of `scope` was written, if a FluxTree.synth() of it succeeded. */
export function sealedAt(scope: IConstruct): string | undefined {
  return SEALED.get(scope.node.root);
}

/** Seals the app `root` after a successful write to `outputDir`; `constructs` is every construct in it. */
export function sealAfterSynth(root: IConstruct, constructs: Iterable<IConstruct>, outputDir: string): void {
  SEALED.set(root, outputDir);
  for (const c of constructs) {
    const node = c.node;
    if (GUARDED.has(node)) continue;
    GUARDED.add(node);
    Object.defineProperty(node, 'addChild', {
      configurable: true,
      writable: true,
      value: (child: IConstruct, childName: string) => {
        const childPath = node.path ? `${node.path}/${childName}` : childName;
        throw lateDeclaration(c, `${child?.constructor?.name ?? 'construct'} ${JSON.stringify(childPath)}`, outputDir);
      },
    });
  }
}

/** Refuses a declaration (a registration, a new child) once the app of `scope` was written. */
export function refuseAfterSynth(scope: IConstruct, what: string): void {
  const at = sealedAt(scope);
  if (at !== undefined) throw lateDeclaration(scope, what, at);
}

function lateDeclaration(scope: IConstruct, what: string, outputDir: string): KmetalValidationError {
  return new KmetalValidationError(scope, 'late declaration', `${what} is declared after FluxTree.synth wrote ${outputDir}, so the tree that was written (and every check that ran) does not have it`,
    'declare every construct before FluxTree.synth, which a program calls last; or build the app anew and synthesize it again');
}
