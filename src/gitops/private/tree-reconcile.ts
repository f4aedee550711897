import type { IConstruct } from 'constructs';
import { MemoryTreeFiles } from './tree-files';
import type { RenderedTree } from './tree-render';
import { checkTreeFiles } from '../../reconcile/reconcile-checker';
import { formatReconcileFinding, ReconcileSeverity, type ReconcileFinding } from '../../reconcile/reconcile-finding';
import { KmetalValidationError } from '../../util/errors';

// Enough to act on without drowning the console when a shared template is wrong in every tenant.
const MAX_LISTED_FINDINGS = 20;

/**
 * The reconcile check over a tree rendered in memory, before anything is written: throws one
 * KmetalValidationError listing the errors with the construct path of each object's maker, and
 * returns the warnings and notes.
 */
export function reconcileRenderedTree(app: IConstruct, tree: RenderedTree, label: string): ReconcileFinding[] {
  const findings = checkTreeFiles(new MemoryTreeFiles(tree.documents), label);
  const errors = findings.filter(f => f.severity === ReconcileSeverity.ERROR);
  if (errors.length > 0) {
    const lines = errors.slice(0, MAX_LISTED_FINDINGS).map(f => {
      const owner = f.file !== undefined ? tree.owners.get(f.file) : undefined;
      return `[${owner?.node.path || '<app>'}] ${formatReconcileFinding(f)}`;
    });
    if (errors.length > MAX_LISTED_FINDINGS) lines.push(`... and ${errors.length - MAX_LISTED_FINDINGS} more`);
    throw new KmetalValidationError(app, 'reconcile', `${errors.length} problem(s) the platform's controllers would not reconcile:\n  ${lines.join('\n  ')}\n`, 'fix the objects listed above (their construct paths are in brackets); nothing was written');
  }
  return findings;
}
