import { VersionMatrix } from '../../../platform/version-matrix';
import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import type { TenantGuardrails } from '../../tenant-guardrails';
import { get, guardrailsLookup } from '../helpers';
import { GuardrailRuleProps } from './guardrail-props';

/**
 * KM-TEN-001: tenant clusters run a Kubernetes version the platform allows and the pinned Kamaji
 * supports: `Cluster.spec.topology.version`, `KamajiControlPlane.spec.version` and
 * `MachineDeployment.spec.template.spec.version`. The same test as the admission guardrail.
 */
export class KubernetesVersionRule extends PolicyRule {
  private readonly guardrails?: TenantGuardrails;

  constructor(props: GuardrailRuleProps = {}) {
    super({
      id: 'KM-TEN-001',
      severity: PolicySeverity.ERROR,
      description: 'Tenant clusters run an allowed Kubernetes version that the pinned Kamaji supports',
      remediation: 'use one of the platform\'s allowed versions, or ask the platform team to allow the version',
    });
    this.guardrails = props.guardrails;
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const lookup = guardrailsLookup(context, this.guardrails, this);
    const range = VersionMatrix.KAMAJI_KUBERNETES;
    const out: PolicyViolation[] = [];
    const check = (o: SynthesizedObject, field: string) => {
      const v = get(o.json, field);
      if (v === undefined) return;
      const g = lookup.forObject(o);
      if (typeof v === 'string' && g.allowsVersion(v)) return;
      out.push(this.violationOf(o, `${field} ${JSON.stringify(v)} is not among the allowed versions (${g.allowedKubernetesVersions.join(', ')}; the pinned Kamaji supports v1.${range.minMinor} to v1.${range.maxMinor})`,
        `use one of ${g.allowedKubernetesVersions.join(', ')}`));
    };
    for (const o of context.objectsOfKind('Cluster', 'cluster.x-k8s.io')) check(o, 'spec.topology.version');
    for (const o of context.objectsOfKind('KamajiControlPlane', 'controlplane.cluster.x-k8s.io')) check(o, 'spec.version');
    for (const o of context.objectsOfKind('MachineDeployment', 'cluster.x-k8s.io')) check(o, 'spec.template.spec.version');
    return out;
  }
}
