import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';

/**
 * KM-BM-002: every BareMetalHost references its BMC credentials by Secret name
 * (`spec.bmc.credentialsName`) and carries none in its BMC address (`scheme://user:pass@host`).
 */
export class BmcCredentialsReferenceRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-BM-002',
      severity: PolicySeverity.ERROR,
      description: 'BareMetalHosts reference their BMC credentials by Secret, never inline',
      remediation: 'set bmc.credentials (BmcCredentials.fromSecret / fromExternalSecret) and drop credentials from the address',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const h of context.objectsOfKind('BareMetalHost', 'metal3.io')) {
      const name = get(h.json, 'spec.bmc.credentialsName');
      if (typeof name !== 'string' || name.trim() === '') {
        out.push(this.violationOf(h, `BareMetalHost ${h.namespace}/${h.name} names no BMC credentials Secret (spec.bmc.credentialsName)`));
      }
      const address = get(h.json, 'spec.bmc.address');
      if (typeof address === 'string' && /^[a-z0-9+.-]+:\/\/[^/@\s]+@/i.test(address)) {
        out.push(this.violationOf(h, `BareMetalHost ${h.namespace}/${h.name} has credentials in its BMC address (spec.bmc.address)`));
      }
    }
    return out;
  }
}
