import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import type { TenantGuardrails } from '../../tenant-guardrails';
import { get, guardrailsLookup } from '../helpers';
import { GuardrailRuleProps } from './guardrail-props';

/**
 * KM-TEN-002: tenant control planes run at least 2 API servers (a single one makes every node
 * drain of the under cluster an outage of the tenant's API) and at most the platform's maximum.
 * Reads `KamajiControlPlane.spec.replicas` and `Cluster.spec.topology.controlPlane.replicas`
 * (unset: Kamaji's CRD default, 2).
 */
export class ControlPlaneReplicasRule extends PolicyRule {
  private readonly guardrails?: TenantGuardrails;

  constructor(props: GuardrailRuleProps = {}) {
    super({
      id: 'KM-TEN-002',
      severity: PolicySeverity.ERROR,
      description: 'Tenant control planes run at least 2 API servers (and no more than the platform allows)',
      remediation: 'set controlPlane.replicas to 2 or more (within the platform\'s maximum)',
    });
    this.guardrails = props.guardrails;
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const lookup = guardrailsLookup(context, this.guardrails, this);
    const out: PolicyViolation[] = [];
    const check = (o: SynthesizedObject, field: string) => {
      const raw = get(o.json, field);
      const g = lookup.forObject(o);
      const replicas = typeof raw === 'number' ? raw : undefined;
      if (raw !== undefined && replicas === undefined) {
        out.push(this.violationOf(o, `${field} ${JSON.stringify(raw)} is not a number`));
        return;
      }
      if (g.allowsControlPlaneReplicas(replicas)) return;
      const n = g.effectiveControlPlaneReplicas(replicas);
      out.push(this.violationOf(o, `${field} is ${n}: ${n < g.minControlPlaneReplicas ? `below the minimum of ${g.minControlPlaneReplicas} (one API server makes every node drain an outage of the tenant's API)` : `above the maximum of ${g.maxControlPlaneReplicas}`}`,
        `set between ${g.minControlPlaneReplicas} and ${g.maxControlPlaneReplicas} replicas`));
    };
    for (const o of context.objectsOfKind('KamajiControlPlane', 'controlplane.cluster.x-k8s.io')) check(o, 'spec.replicas');
    for (const o of context.objectsOfKind('Cluster', 'cluster.x-k8s.io')) {
      if (get(o.json, 'spec.topology.controlPlane') !== undefined) check(o, 'spec.topology.controlPlane.replicas');
    }
    return out;
  }
}
