import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';

/**
 * KM-BM-001: Metal3 verifies the TLS certificate of every BMC. `disableCertificateVerification`
 * lets anyone on the BMC network impersonate the BMC and capture its credentials; accept it
 * only knowingly, with a suppression that says why (e.g. the BMC's self-signed certificate on
 * an isolated management VLAN):
 * `Policy.suppress(host, 'KM-BM-001', 'iDRAC self-signed certs on isolated OOB VLAN 12')`.
 */
export class BmcTlsVerificationRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-BM-001',
      severity: PolicySeverity.ERROR,
      description: 'BMC TLS certificates are verified (disabling it needs a suppression with a reason)',
      remediation: 'install a trusted certificate on the BMC and drop disableCertificateVerification, or suppress KM-BM-001 on the host or pool with the reason',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return context.objectsOfKind('BareMetalHost', 'metal3.io')
      .filter((h) => get(h.json, 'spec.bmc.disableCertificateVerification') === true)
      .map((h) => this.violationOf(h, `BareMetalHost ${h.namespace}/${h.name} skips TLS verification of its BMC (${get(h.json, 'spec.bmc.address')})`));
  }
}
