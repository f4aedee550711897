import { KmetalValidationError } from '../../../util/errors';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/** Options of `VipPoolNearlyExhaustedRule`. */
export interface VipPoolNearlyExhaustedRuleProps {
  /** Share of a pool in use from which the rule warns (0..1). @default 0.9 */
  readonly warnAtUsage?: number;
}

/** KM-NET-006: a control-plane VIP pool is nearly used up (warning, before the next tenant fails). */
export class VipPoolNearlyExhaustedRule extends PolicyRule {
  private readonly threshold: number;

  constructor(props: VipPoolNearlyExhaustedRuleProps = {}) {
    super({
      id: 'KM-NET-006',
      severity: PolicySeverity.WARNING,
      description: 'Control-plane VIP pools keep headroom for new tenants',
      remediation: 'add addresses to the pool before it runs out',
    });
    this.threshold = props.warnAtUsage ?? 0.9;
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new KmetalValidationError('VipPoolNearlyExhaustedRule', 'warnAtUsage', `${JSON.stringify(props.warnAtUsage)} is not a share between 0 and 1`, 'give a share such as 0.8 (warn at 80 % use)');
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return context.vipPools
      .filter((p) => p.capacity > 0 && p.tenantCount <= p.capacity && p.tenantCount / p.capacity >= this.threshold)
      .map((p) => this.violationAt(p, `VIP pool "${p.poolName}" has ${p.capacity - p.tenantCount} of ${p.capacity} address(es) left (${Math.round((100 * p.tenantCount) / p.capacity)}% used)`));
  }
}
