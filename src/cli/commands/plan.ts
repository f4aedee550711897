import * as path from 'path';
import { ExitCode } from '../errors';
import type { CliIo } from '../io';
import { planTrees } from '../plan/plan-trees';
import { renderMarkdown, renderText } from '../plan/render-plan';
import { treeSourceOf } from '../plan/tree-source';
import { writeJson } from '../report';

/** Options of `kmetal plan`. */
export interface PlanOptions {
  /** The tree before the change: a folder, or a git ref (read at the after folder's path). */
  readonly before: string;
  /** The tree after the change: a folder (or a ref, read at the before folder's path). */
  readonly after: string;
  readonly format: 'text' | 'markdown' | 'json';
  /** When the change would be applied, for the waves' maintenance windows (`--at`). @default - now */
  readonly at?: Date;
}

/**
 * `kmetal plan <before> <after>`: what applying the after tree does to a platform that runs the
 * before tree, per tenant cluster and platform component. Needs no cluster.
 *
 * @returns 0 no changes, 1 changes, 3 a destructive change is not acknowledged, or the surge VMs of
 * the rolling pools do not fit the VM hosts' free capacity
 */
export function runPlan(options: PlanOptions, io: CliIo): number {
  // A ref is read at the path the other side's folder has in the repository.
  const before = treeSourceOf(options.before, io.cwd, path.resolve(io.cwd, options.after));
  const after = treeSourceOf(options.after, io.cwd, path.resolve(io.cwd, options.before));
  const doc = planTrees(before, after, options.at ? { at: options.at } : {});
  if (options.format === 'json') writeJson(io, doc);
  else io.stdout(options.format === 'markdown' ? renderMarkdown(doc) : renderText(doc));
  if (doc.refused.length > 0 || doc.capacity?.fits === false) return ExitCode.REFUSED;
  return doc.summary.changes > 0 || doc.unreadable.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}
