import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import type { TenantGuardrails } from '../../tenant-guardrails';
import { get, guardrailsLookup } from '../helpers';
import { GuardrailRuleProps } from './guardrail-props';

/**
 * KM-TEN-003: tenant control planes run konnectivity. A hosted API server lives on the under
 * cluster and cannot reach the tenant's kubelets (logs, exec, port-forward, webhooks on
 * workers) without it. Checked on `KamajiControlPlane`s and on the `KamajiControlPlaneTemplate`s
 * of cluster classes.
 */
export class KonnectivityRule extends PolicyRule {
  private readonly guardrails?: TenantGuardrails;

  constructor(props: GuardrailRuleProps = {}) {
    super({
      id: 'KM-TEN-003',
      severity: PolicySeverity.ERROR,
      description: 'Tenant control planes run konnectivity',
      remediation: 'drop controlPlane.konnectivity: false (hosted control planes reach kubelets through konnectivity)',
    });
    this.guardrails = props.guardrails;
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const lookup = guardrailsLookup(context, this.guardrails, this);
    const out: PolicyViolation[] = [];
    const targets: Array<[string, string]> = [['KamajiControlPlane', 'spec.addons'], ['KamajiControlPlaneTemplate', 'spec.template.spec.addons']];
    for (const [kind, field] of targets) {
      for (const o of context.objectsOfKind(kind, 'controlplane.cluster.x-k8s.io')) {
        if (!lookup.forObject(o).requireKonnectivity) continue;
        const addons = get(o.json, field);
        if (addons && typeof addons === 'object' && addons.konnectivity !== undefined && addons.konnectivity !== null) continue;
        out.push(this.violationOf(o, `${o.displayName} has no ${field}.konnectivity: its API server cannot reach the tenant's kubelets (logs, exec, webhooks on workers)`));
      }
    }
    return out;
  }
}
