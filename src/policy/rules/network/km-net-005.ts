import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-NET-005: a control-plane VIP pool holds an address for every tenant registered with it.
 * (The pool's own allocation refuses an exhausted pool too; this rule reports it with the other
 * findings and in the report.)
 */
export class VipPoolExhaustedRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-NET-005',
      severity: PolicySeverity.ERROR,
      description: 'No control-plane VIP pool has more tenants than addresses',
      remediation: 'add addresses to the pool, or give some tenants another ControlPlaneVipPool',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return context.vipPools
      .filter((p) => p.tenantCount > p.capacity)
      .map((p) => this.violationAt(p, `VIP pool "${p.poolName}" (${p.addresses.join(', ')}) holds ${p.capacity} address(es) for ${p.tenantCount} tenants`));
  }
}
