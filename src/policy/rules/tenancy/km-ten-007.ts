import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { asCount, get } from '../helpers';

/**
 * KM-TEN-007 (warning): a tenant's dedicated etcd (a Flux HelmRelease of the `kamaji-etcd` chart)
 * runs an odd number of at least 3 members: 1 member loses the control plane with one node, an even
 * number tolerates no more failures than the odd number below it.
 */
export class EtcdQuorumRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-TEN-007',
      severity: PolicySeverity.WARNING,
      description: 'Dedicated tenant etcds run 3 or 5 members',
      remediation: 'set etcd.replicas to 3 (the default) or 5',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const hr of context.objectsOfKind('HelmRelease', 'helm.toolkit.fluxcd.io')) {
      if (get(hr.json, 'spec.chart.spec.chart') !== 'kamaji-etcd') continue;
      const replicas = asCount(get(hr.json, 'spec.values.replicas')) ?? 3;
      if (replicas < 3 || replicas % 2 === 0) {
        out.push(this.violationOf(hr, `etcd ${hr.displayName} runs ${replicas} member(s): ${replicas < 3 ? 'a single node failure stops the tenant\'s control plane' : 'an even count tolerates no more failures than one member fewer'}`));
      }
    }
    return out;
  }
}
