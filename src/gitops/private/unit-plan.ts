import { IConstruct } from 'constructs';
import { KmetalValidationError } from '../../util/errors';
import { suggestDnsLabel } from '../../util/names';
import { GitOpsHealthCheck, GitOpsHealthCheckExpression } from '../gitops-unit';
import { ConstructScan, ScannedObject, UnitOwner } from './construct-scan';

/** One folder of the tree and the Flux Kustomization that applies it, fully resolved. */
export interface UnitPlan {
  /** The GitOpsUnit, or the top-level plain Chart of a default unit. */
  readonly owner: UnitOwner;
  /** True for the unit made up for objects outside every GitOpsUnit. */
  readonly isDefault: boolean;
  readonly path: string;
  readonly name: string;
  readonly cluster: string;
  readonly prune: boolean;
  readonly wait: boolean;
  readonly interval: string;
  readonly retryInterval: string;
  readonly timeout: string;
  readonly targetNamespace?: string;
  readonly healthChecks: GitOpsHealthCheck[];
  readonly healthCheckExpressions: GitOpsHealthCheckExpression[];
  readonly objects: ScannedObject[];
  readonly dependsOn: Set<UnitPlan>;
}

/** Settings of a default unit: the GitOpsUnit defaults. */
const DEFAULT_UNIT_SETTINGS = { prune: true, wait: false, interval: '10m', retryInterval: '1m', timeout: '5m' };

/** How a unit is named in error messages: Kustomization name and construct path. */
export function describeUnit(plan: UnitPlan): string {
  return plan.isDefault
    ? `"${plan.name}" (default unit of chart ${plan.owner.node.path})`
    : `"${plan.name}" (${plan.owner.node.path})`;
}

/**
 * Creates one plan per GitOpsUnit and per default unit, and checks that folders and Kustomization
 * names do not collide.
 */
export function planUnits(scan: ConstructScan, clusterName: string, reservedNames: (cluster: string) => string[]): Map<UnitOwner, UnitPlan> {
  const plans = new Map<UnitOwner, UnitPlan>();
  for (const unit of scan.units) {
    plans.set(unit, {
      owner: unit,
      isDefault: false,
      path: unit.path,
      name: unit.kustomizationName,
      cluster: unit.cluster ?? clusterName,
      prune: unit.prune,
      wait: unit.wait,
      interval: unit.interval,
      retryInterval: unit.retryInterval,
      timeout: unit.timeout,
      targetNamespace: unit.targetNamespace,
      healthChecks: unit.healthChecks,
      healthCheckExpressions: unit.healthCheckExpressions,
      objects: [],
      dependsOn: new Set(),
    });
  }
  for (const chart of scan.defaultOwners) {
    // 58 leaves room for the "apps-" prefix of the Kustomization name within 63 characters.
    const label = suggestDnsLabel(chart.node.id, 58);
    plans.set(chart, {
      owner: chart,
      isDefault: true,
      path: `apps/${label}`,
      name: `apps-${label}`,
      cluster: clusterName,
      ...DEFAULT_UNIT_SETTINGS,
      healthChecks: [],
      healthCheckExpressions: [],
      objects: [],
      dependsOn: new Set(),
    });
  }
  for (const obj of scan.objects) {
    plans.get(obj.owner)!.objects.push(obj);
  }
  checkCollisions([...plans.values()], reservedNames);
  return plans;
}

function checkCollisions(plans: UnitPlan[], reservedNames: (cluster: string) => string[]): void {
  const byPath = new Map<string, UnitPlan>();
  const byName = new Map<string, UnitPlan>();
  for (const plan of plans) {
    const samePath = byPath.get(plan.path);
    if (samePath) {
      throw new KmetalValidationError(plan.owner, 'path', `folder "${plan.path}" is used by unit ${describeUnit(samePath)} and by unit ${describeUnit(plan)}`, 'give one of the units another path (a default unit\'s path comes from its chart id: rename the chart or wrap it in a GitOpsUnit)');
    }
    byPath.set(plan.path, plan);

    const nameKey = `${plan.cluster}/${plan.name}`;
    const sameName = byName.get(nameKey);
    if (sameName) {
      throw new KmetalValidationError(plan.owner, 'kustomizationName', `Flux Kustomization name "${plan.name}" is used twice in cluster "${plan.cluster}": by unit ${describeUnit(sameName)} and by unit ${describeUnit(plan)}`, 'pass a distinct kustomizationName to one of them');
    }
    byName.set(nameKey, plan);
    if (reservedNames(plan.cluster).includes(plan.name)) {
      throw new KmetalValidationError(plan.owner, 'kustomizationName', `"${plan.name}" is the name of the root Kustomization of cluster "${plan.cluster}" (bootstrap/${plan.cluster}.yaml)`, 'pass another kustomizationName to the unit, or choose another appName');
    }
  }
}

/**
 * Fills `dependsOn` of every plan from construct dependencies, then checks clusters and cycles.
 *
 * A dependency of construct C on construct D (`C.node.addDependency(D)`) makes every unit of C depend
 * on every unit of D, where the units of a construct are its enclosing unit plus the units owning the
 * API objects in its subtree (the same subtree semantics cdk8s uses between API objects). So
 * `unitA.addDependency(unitB)`, `objInA.addDependency(objInB)` and a dependency between two L3
 * constructs whose objects live in different units all end up as Flux `dependsOn`.
 */
export function resolveUnitDependencies(scan: ConstructScan, plans: Map<UnitOwner, UnitPlan>): void {
  const memo = new Map<IConstruct, Set<UnitPlan>>();
  const unitsOf = (c: IConstruct, from: IConstruct): Set<UnitPlan> => {
    const known = memo.get(c);
    if (known) return known;
    const node = scan.nodes.get(c);
    if (!node) {
      throw new KmetalValidationError(from, 'dependencies', `depends on ${c.node.path || '<root>'}, which is not part of the app being written`, 'only depend on constructs of the same App');
    }
    const result = new Set<UnitPlan>();
    const enclosing = node.unit ?? node.topChart;
    const enclosingPlan = enclosing ? plans.get(enclosing) : undefined;
    if (enclosingPlan) result.add(enclosingPlan);
    // Objects are in pre-order, so those of c's subtree are the contiguous run [pos, end).
    for (let i = lowerBound(scan.objects, node.pos); i < scan.objects.length && scan.objects[i].pos < node.end; i++) {
      result.add(plans.get(scan.objects[i].owner)!);
    }
    memo.set(c, result);
    return result;
  };

  for (const dep of scan.dependencies) {
    const sources = unitsOf(dep.source, dep.source);
    for (const target of dep.targets) {
      for (const to of unitsOf(target, dep.source)) {
        for (const from of sources) {
          if (from === to) continue;
          if (from.cluster !== to.cluster) {
            throw new KmetalValidationError(dep.source, 'dependencies', `unit ${describeUnit(from)} of cluster "${from.cluster}" depends on unit ${describeUnit(to)} of cluster "${to.cluster}" (via ${dep.source.node.path} → ${target.node.path}); Flux dependsOn only works within one cluster`, 'put both units on the same cluster or remove the dependency');
          }
          from.dependsOn.add(to);
        }
      }
    }
  }
  checkAcyclic([...plans.values()]);
}

function lowerBound(objects: ScannedObject[], pos: number): number {
  let lo = 0;
  let hi = objects.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (objects[mid].pos < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Throws naming the units of the first dependency cycle found (iterative DFS, deterministic order). */
function checkAcyclic(plans: UnitPlan[]): void {
  const byPath = (a: UnitPlan, b: UnitPlan) => compare(a.path, b.path);
  const state = new Map<UnitPlan, 'active' | 'done'>();
  for (const start of [...plans].sort(byPath)) {
    if (state.has(start)) continue;
    const path: UnitPlan[] = [];
    const stack: Array<{ plan: UnitPlan; next: UnitPlan[]; i: number }> = [];
    const enter = (plan: UnitPlan) => {
      state.set(plan, 'active');
      path.push(plan);
      stack.push({ plan, next: [...plan.dependsOn].sort(byPath), i: 0 });
    };
    enter(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.i >= frame.next.length) {
        state.set(frame.plan, 'done');
        path.pop();
        stack.pop();
        continue;
      }
      const dep = frame.next[frame.i++];
      const s = state.get(dep);
      if (s === 'active') {
        const cycle = [...path.slice(path.indexOf(dep)), dep];
        throw new KmetalValidationError(dep.owner, 'dependsOn', `units depend on each other in a cycle, which Flux can never reconcile: ${cycle.map(describeUnit).join(' → ')}`, 'remove one of these dependencies (explicit dependsOn/addDependency, or an object dependency across the units)');
      }
      if (s === undefined) enter(dep);
    }
  }
}

/** Plain code-unit comparison, so sorting does not depend on the locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

