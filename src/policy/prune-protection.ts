import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PruneOptOutRecord } from './policy-report';
import { PolicyEngine, PreRunOutcome } from './private/engine';
import { PRUNE_ANNOTATION, PRUNE_DISABLED, StatefulKind, StatefulObjects } from './stateful-objects';
import { KmetalValidationError } from '../util/errors';
import { forgetRender } from '../util/render-session';

/** Options of `PruneProtection.applyTo()`. */
export interface PruneProtectionOptions {
  /** Kinds protected besides `StatefulObjects.DEFAULT_KINDS`. @default - none */
  readonly additionalKinds?: StatefulKind[];
}

interface OptOut {
  readonly scope: IConstruct;
  readonly reason: string;
}

interface RootState {
  readonly scopes: Map<IConstruct, StatefulKind[]>;
  readonly optOuts: Map<IConstruct, OptOut>;
}

const STATE = new WeakMap<IConstruct, RootState>();

function stateOf(scope: IConstruct): RootState {
  const root = scope.node.root;
  let s = STATE.get(root);
  if (!s) {
    s = { scopes: new Map(), optOuts: new Map() };
    STATE.set(root, s);
  }
  return s;
}

function describe(o: ApiObject): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.name}`;
}

/**
 * Keeps Flux from deleting stateful objects: every stateful object (see `StatefulObjects`) under a
 * protected scope gets `kustomize.toolkit.fluxcd.io/prune: disabled`, so an object that leaves git
 * (a deleted tenant, a refactoring that renames a construct) stays in the cluster until someone
 * deletes it on purpose. Flux still applies every change to it; only the deletion is left to people.
 *
 * The annotation is added at synth (before any object is rendered), so objects declared after
 * `applyTo()` are covered. `PlatformPolicyPack` applies it where it is attached, unless told not
 * to. Opt out per object, or per scope, with a reason: `PruneProtection.optOut(obj, reason)`.
 */
export class PruneProtection {
  /**
   * Protects the stateful objects under a scope.
   *
   * @param scope the App, a chart, or any construct
   * @param options more kinds to protect
   */
  public static applyTo(scope: IConstruct, options: PruneProtectionOptions = {}): void {
    const state = stateOf(scope);
    state.scopes.set(scope, [...StatefulObjects.DEFAULT_KINDS, ...(options.additionalKinds ?? [])]);
    PolicyEngine.of(scope).addPreRun('prune-protection', (constructs) => protect(constructs, state));
  }

  /**
   * Lets Flux prune the stateful objects under a construct (e.g. a lab tenant meant to be thrown
   * away). The reason is mandatory and shown in the policy report.
   *
   * @param scope an object, or a construct above objects (a TenantCluster, a chart)
   * @param reason why losing these objects with their data is acceptable (at least 10 characters)
   */
  public static optOut(scope: IConstruct, reason: string): void {
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      throw new KmetalValidationError(scope, 'PruneProtection.optOut reason', `a reason of at least 10 characters is required, got ${JSON.stringify(reason)}`, 'say why Flux may delete these objects and their data');
    }
    stateOf(scope).optOuts.set(scope, { scope, reason: reason.trim() });
  }

  /**
   * Whether a construct is opted out (itself or a scope above it).
   *
   * @param construct the construct
   */
  public static isOptedOut(construct: IConstruct): boolean {
    const state = STATE.get(construct.node.root);
    if (!state) return false;
    for (let c: IConstruct | undefined = construct; c; c = c.node.scope) if (state.optOuts.has(c)) return true;
    return false;
  }

  private constructor() {}
}

function protect(constructs: IConstruct[], state: RootState): PreRunOutcome {
  const protectedObjects: string[] = [];
  const optedOut = new Map<OptOut, string[]>();
  // The constructs of the policy run's one walk; each object looks up its nearest protected scope
  // and opt-out among its ancestors (the tree depth, not the tree size).
  for (const c of constructs) {
    if (!(c instanceof ApiObject)) continue;
    let kinds: StatefulKind[] | undefined;
    let optOut: OptOut | undefined;
    for (let s: IConstruct | undefined = c; s && !(kinds && optOut); s = s.node.scope) {
      kinds ??= state.scopes.get(s);
      optOut ??= state.optOuts.get(s);
    }
    if (kinds && StatefulObjects._kindOfApiObject(c, kinds)) {
      if (optOut) {
        const list = optedOut.get(optOut) ?? [];
        list.push(describe(c));
        optedOut.set(optOut, list);
      } else {
        c.metadata.addAnnotation(PRUNE_ANNOTATION, PRUNE_DISABLED);
        forgetRender(c);
        protectedObjects.push(describe(c));
      }
    }
  }
  const pruneOptOuts: PruneOptOutRecord[] = [...state.optOuts.values()].map((o) => ({
    constructPath: o.scope.node.path || '<app>', reason: o.reason, objects: (optedOut.get(o) ?? []).sort(),
  }));
  return { protectedObjects, pruneOptOuts };
}
