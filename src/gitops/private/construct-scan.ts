import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GitOpsUnit } from '../gitops-unit';

/**
 * What owns an API object in the Flux tree: its nearest GitOpsUnit or, when there is none, the
 * outermost plain Chart around it (which gets a default unit).
 */
export type UnitOwner = GitOpsUnit | Chart;

/** Where a construct sits in the tree, as recorded by the scan. */
export interface ScannedNode {
  /** Pre-order position of the construct. */
  readonly pos: number;
  /** Pre-order position just past the construct's subtree (set when the subtree is left). */
  end: number;
  /** Nearest enclosing GitOpsUnit (the construct itself if it is one). */
  readonly unit?: GitOpsUnit;
  /** Outermost Chart enclosing the construct (the construct itself if it is one). */
  readonly topChart?: Chart;
}

/** An API object found by the scan. */
export interface ScannedObject {
  readonly apiObject: ApiObject;
  /** Pre-order position (objects are listed in increasing position). */
  readonly pos: number;
  readonly owner: UnitOwner;
}

/** A construct that declared dependencies (`node.addDependency`). */
export interface ScannedDependency {
  readonly source: IConstruct;
  readonly targets: IConstruct[];
}

/** Everything the writer needs from the construct tree, gathered in one walk. */
export interface ConstructScan {
  readonly units: GitOpsUnit[];
  readonly objects: ScannedObject[];
  /** Top-level plain charts that own objects outside every unit, in walk order. */
  readonly defaultOwners: Chart[];
  readonly validationErrors: string[];
  readonly dependencies: ScannedDependency[];
  readonly nodes: Map<IConstruct, ScannedNode>;
}

interface Frame {
  readonly construct: IConstruct;
  readonly unit?: GitOpsUnit;
  readonly topChart?: Chart;
}

/**
 * Walks the construct tree once (iterative depth-first, so deep trees cannot overflow the stack).
 *
 * This replaces what `App.synth()` does with one `findAll()` per chart: validation, dependency
 * discovery and object collection all happen here, in time linear in the number of constructs.
 */
export function scanConstructTree(root: IConstruct): ConstructScan {
  const units: GitOpsUnit[] = [];
  const objects: ScannedObject[] = [];
  const defaultOwners: Chart[] = [];
  const defaultOwnerSet = new Set<Chart>();
  const validationErrors: string[] = [];
  const dependencies: ScannedDependency[] = [];
  const nodes = new Map<IConstruct, ScannedNode>();

  // A frame is either a construct to enter or, marked by `exit`, the end of a subtree.
  const stack: Array<Frame | { exit: ScannedNode }> = [{ construct: root }];
  let pos = 0;
  while (stack.length > 0) {
    const top = stack.pop()!;
    if ('exit' in top) {
      top.exit.end = pos;
      continue;
    }
    const c = top.construct;
    const unit = GitOpsUnit.isGitOpsUnit(c) ? c : top.unit;
    const topChart = top.topChart ?? (Chart.isChart(c) ? c : undefined);
    const info: ScannedNode = { pos, end: pos + 1, unit, topChart };
    nodes.set(c, info);

    if (unit === c) units.push(unit);
    if (c instanceof ApiObject) {
      const owner: UnitOwner | undefined = unit ?? topChart;
      // cdk8s itself refuses an ApiObject outside a Chart, so an owner always exists.
      if (owner) {
        if (!unit && topChart && !defaultOwnerSet.has(topChart)) {
          defaultOwnerSet.add(topChart);
          defaultOwners.push(topChart);
        }
        objects.push({ apiObject: c, pos, owner });
      }
    }
    for (const message of c.node.validate()) {
      validationErrors.push(`[${c.node.path || '<app>'}] ${message}`);
    }
    const deps = c.node.dependencies;
    if (deps.length > 0) dependencies.push({ source: c, targets: deps });

    pos++;
    stack.push({ exit: info });
    const children = c.node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ construct: children[i], unit, topChart });
    }
  }
  return { units, objects, defaultOwners, validationErrors, dependencies, nodes };
}
