import { VersionMatrix } from '../../../platform/version-matrix';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-SUP-003 (warning): the platform's components run the validated version set
 * (`VersionMatrix.VALIDATED_SET`); an overridden version was not checked with the others.
 */
export class ValidatedComponentsRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-SUP-003',
      severity: PolicySeverity.WARNING,
      description: `Platform components run the validated version set (${VersionMatrix.VALIDATED_SET})`,
      remediation: 'drop the version override, or validate the combination and suppress the finding with a reason',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return context.platforms.flatMap((p) => p.warnings.map((w) => this.violationAt(p, w)));
  }
}
