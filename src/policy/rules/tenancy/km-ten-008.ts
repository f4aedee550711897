import { AdmissionGuardrails } from '../../admission-guardrails';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-TEN-008: the app's own objects pass the admission guardrails it installs. Every object of a
 * guarded kind is evaluated against the CEL of every `AdmissionGuardrails` of the app, as the API
 * server will; an object that fails would be refused when Flux applies it.
 */
export class GuardrailsAdmitOutputRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-TEN-008',
      severity: PolicySeverity.ERROR,
      description: 'The emitted admission guardrails admit the app\'s own objects',
      remediation: 'bring the object within the guardrails, or widen the TenantGuardrails',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const guards: AdmissionGuardrails[] = context.admissionGuardrails;
    if (guards.length === 0) return [];
    const out: PolicyViolation[] = [];
    const kinds = new Set(guards.flatMap((g) => g.guardrails.rules().map((r) => `${r.apiGroup}/${r.kind}`)));
    for (const key of kinds) {
      const [group, kind] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
      for (const o of context.objectsOfKind(kind, group)) {
        for (const g of guards) {
          for (const f of g.evaluate(o.json)) {
            out.push(this.violationOf(o, `the under cluster's admission policy ${f.policyName} (${g.node.path}) would refuse ${o.displayName}: ${f.message}`));
          }
        }
      }
    }
    return out;
  }
}
