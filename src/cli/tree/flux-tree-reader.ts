import * as fs from 'fs';
import * as path from 'path';
import { DiskTreeFiles } from '../../gitops/private/tree-files';
import { readTreeModel, TreeReadError, type FluxTreeModel } from '../../gitops/private/tree-model';
import { CliFatalError } from '../errors';

// The tree model is the library's (src/gitops/private/tree-model.ts): the reconcile check at synth and
// every CLI command read a tree the same way. Re-exported for the CLI's modules.
export type { FluxTreeModel, TreeLayer, TreeObject, TreeProblem } from '../../gitops/private/tree-model';

/**
 * Reads a tree written by `FluxTree` from disk, for one of its clusters.
 *
 * @param dir the tree folder (`dist/<app>`)
 * @param cluster which cluster to read; may be omitted when the tree has one
 * @throws CliFatalError when the folder is not such a tree
 */
export function readFluxTree(dir: string, cluster?: string): FluxTreeModel {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new CliFatalError(`${dir}: no such folder (give the folder of a synthesized app, e.g. dist/quickstart)`);
  }
  try {
    const model = readTreeModel(new DiskTreeFiles(root), dir, cluster);
    return { ...model, root, isReadyBefore: model.isReadyBefore };
  } catch (e) {
    if (e instanceof TreeReadError) throw new CliFatalError(e.message);
    throw e;
  }
}
