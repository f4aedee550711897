import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { PruneProtection } from '../../prune-protection';
import { PRUNE_ANNOTATION, PRUNE_DISABLED, StatefulKind, StatefulObjects } from '../../stateful-objects';

/** Options of `PruneProtectedRule`. */
export interface PruneProtectedRuleProps {
  /** Kinds checked besides `StatefulObjects.DEFAULT_KINDS`. @default - none */
  readonly additionalKinds?: StatefulKind[];
}

/**
 * KM-DATA-001 (warning): stateful objects (tenant clusters, datastores, etcd releases and
 * volumes, bare-metal hosts, tenant namespaces, Capsule tenants) carry
 * `kustomize.toolkit.fluxcd.io/prune: disabled`, unless opted out with `PruneProtection.optOut`:
 * otherwise removing them from git deletes them, with their data, at the next reconciliation.
 */
export class PruneProtectedRule extends PolicyRule {
  private readonly kinds: StatefulKind[];

  constructor(props: PruneProtectedRuleProps = {}) {
    super({
      id: 'KM-DATA-001',
      severity: PolicySeverity.WARNING,
      description: 'Stateful objects are protected from Flux pruning',
      remediation: 'apply PruneProtection.applyTo(app) (the PlatformPolicyPack does by default), or opt the object out with PruneProtection.optOut(obj, reason)',
    });
    this.kinds = [...StatefulObjects.DEFAULT_KINDS, ...(props.additionalKinds ?? [])];
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const o of context.objects) {
      const kind = StatefulObjects.kindOf(o.json, this.kinds);
      if (!kind || o.annotations[PRUNE_ANNOTATION] === PRUNE_DISABLED || PruneProtection.isOptedOut(o.apiObject)) continue;
      out.push(this.violationOf(o, `${o.displayName} can be pruned by Flux: if it leaves git, ${kind.consequence}`));
    }
    return out;
  }
}
