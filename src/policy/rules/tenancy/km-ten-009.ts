import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import type { TenantGuardrails } from '../../tenant-guardrails';
import { asCount, get, guardrailsLookup } from '../helpers';
import { GuardrailRuleProps } from './guardrail-props';
import { AUTOSCALER_MAX_SIZE_ANNOTATION } from '../../../tenancy/cluster-api-annotations';

const AUTOSCALER_MAX = AUTOSCALER_MAX_SIZE_ANNOTATION;

/**
 * KM-TEN-009: no worker pool grows beyond the platform's `maxReplicasPerPool` (when set):
 * `MachineDeployment.spec.replicas`, its autoscaler maximum, and the machine deployments of a
 * `Cluster`'s topology. The same test as the admission guardrail.
 */
export class PoolSizeRule extends PolicyRule {
  private readonly guardrails?: TenantGuardrails;

  constructor(props: GuardrailRuleProps = {}) {
    super({
      id: 'KM-TEN-009',
      severity: PolicySeverity.ERROR,
      description: 'Worker pools stay within the platform\'s maximum size',
      remediation: 'lower replicas/maxReplicas, or split the pool',
    });
    this.guardrails = props.guardrails;
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const lookup = guardrailsLookup(context, this.guardrails, this);
    const out: PolicyViolation[] = [];
    const check = (o: SynthesizedObject, what: string, n: number | undefined) => {
      if (n === undefined) return;
      const g = lookup.forObject(o);
      if (!g.allowsPoolSize(n)) out.push(this.violationOf(o, `${what} is ${n}, above the platform's maximum of ${g.maxReplicasPerPool} VMs per pool`));
    };
    for (const md of context.objectsOfKind('MachineDeployment', 'cluster.x-k8s.io')) {
      check(md, 'spec.replicas', asCount(get(md.json, 'spec.replicas')));
      check(md, `the autoscaler maximum (${AUTOSCALER_MAX})`, asCount(md.annotations[AUTOSCALER_MAX]));
    }
    for (const cl of context.objectsOfKind('Cluster', 'cluster.x-k8s.io')) {
      for (const md of get(cl.json, 'spec.topology.workers.machineDeployments') ?? []) {
        check(cl, `spec.topology.workers.machineDeployments[${md?.name}].replicas`, asCount(md?.replicas));
        check(cl, `the autoscaler maximum of spec.topology.workers.machineDeployments[${md?.name}]`, asCount(md?.metadata?.annotations?.[AUTOSCALER_MAX]));
      }
    }
    return out;
  }
}
