import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { evaluateCel, toCel } from './private/cel';
import { GuardrailRule, TenantGuardrails } from './tenant-guardrails';
import { KmetalValidationError } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkProps } from '../util/props';

/** What the API server does when a guardrail fails (`ValidatingAdmissionPolicyBinding.validationActions`). */
export enum AdmissionValidationAction {
  /** Refuse the request. */
  DENY = 'Deny',
  /** Admit it, with a warning to the client. */
  WARN = 'Warn',
  /** Admit it, and record the failure in the audit log. */
  AUDIT = 'Audit',
}

/** Props of `AdmissionGuardrails`. */
export interface AdmissionGuardrailsProps {
  /** The guardrails to enforce (the same object the `PlatformPolicyPack` checks at synth). */
  readonly guardrails: TenantGuardrails;
  /** Prefix of the policies' names (`<prefix>-<kind>`). @default 'kmetal-guardrails' */
  readonly namePrefix?: string;
  /** What a failure does. @default [AdmissionValidationAction.DENY] */
  readonly validationActions?: AdmissionValidationAction[];
}

/** A guardrail failure of one object. */
export interface GuardrailFailure {
  /** Name of the ValidatingAdmissionPolicy that would refuse the object. */
  readonly policyName: string;
  /** The failed expression. */
  readonly expression: string;
  /** Its message, or why it could not be evaluated. */
  readonly message: string;
}

/**
 * The tenant guardrails as runtime admission control on the under cluster: one
 * `ValidatingAdmissionPolicy` (admissionregistration.k8s.io/v1, CEL) per guarded kind, with its
 * `ValidatingAdmissionPolicyBinding`. They refuse CAPI Clusters, KamajiControlPlanes and
 * MachineDeployments created or changed outside git (by hand, by another tool) that leave the
 * platform's boundaries: disallowed Kubernetes versions, too few or too many API servers, pools
 * beyond the maximum, control planes without konnectivity.
 *
 * The expressions come from `TenantGuardrails.rules()`, which the synth-time rules read too; the
 * `PlatformPolicyPack` also evaluates them against every synthesized object (KM-TEN-008), so git
 * can never carry an object its own cluster would refuse.
 */
export class AdmissionGuardrails extends Construct {
  /** @internal */
  public static _evaluateGuardrails(guardrails: TenantGuardrails, manifest: any): GuardrailFailure[] {
    return evaluateRules(guardrails.rules().map((rule) => ({ rule, policyName: rule.name })), manifest);
  }

  /** The guardrails enforced. */
  public readonly guardrails: TenantGuardrails;
  /** The policies (escape hatches). */
  public readonly policies: ApiObject[] = [];
  /** The bindings (escape hatches). */
  public readonly bindings: ApiObject[] = [];

  private readonly rules: Array<{ rule: GuardrailRule; policyName: string }> = [];

  constructor(scope: Construct, id: string, props: AdmissionGuardrailsProps) {
    super(scope, id);
    checkProps(this, '', props, 'AdmissionGuardrailsProps');
    if (!(props?.guardrails instanceof TenantGuardrails)) throw new KmetalValidationError(this, 'guardrails', 'not a TenantGuardrails', 'pass a TenantGuardrails, e.g. TenantGuardrails.fromPlatform(platform)');
    this.guardrails = props.guardrails;
    const prefix = validateDnsLabel(this, 'namePrefix', props.namePrefix ?? 'kmetal-guardrails', 30);
    const actions = props.validationActions ?? [AdmissionValidationAction.DENY];
    if (actions.length === 0 || actions.some((a) => !Object.values(AdmissionValidationAction).includes(a))) {
      throw new KmetalValidationError(this, 'validationActions', 'no AdmissionValidationAction is given', 'give one or more AdmissionValidationAction values, or leave it unset for Deny');
    }
    if (actions.includes(AdmissionValidationAction.DENY) && actions.includes(AdmissionValidationAction.WARN)) {
      throw new KmetalValidationError(this, 'validationActions', 'Deny and Warn together are refused by the API server', 'use Deny (optionally with Audit)');
    }
    for (const rule of this.guardrails.rules()) {
      const policyName = `${prefix}-${rule.name}`;
      this.rules.push({ rule, policyName });
      const labels = { 'kmetal.io/guardrail': rule.name };
      this.policies.push(new ApiObject(this, `Policy-${rule.name}`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: policyName, labels },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [{ apiGroups: [rule.apiGroup], apiVersions: [...rule.apiVersions], operations: ['CREATE', 'UPDATE'], resources: [rule.resource] }],
          },
          validations: rule.validations.map((v) => ({ expression: v.expression, message: v.message })),
        },
      }));
      this.bindings.push(new ApiObject(this, `Binding-${rule.name}`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: policyName, labels },
        spec: { policyName, validationActions: [...actions] },
      }));
    }
  }

  /**
   * Evaluates the policies' CEL expressions against an object, as the API server would on create
   * (after defaulting): the failures, empty when the object is admitted or not guarded.
   *
   * @param manifest the object (plain JSON)
   */
  public evaluate(manifest: any): GuardrailFailure[] {
    return evaluateRules(this.rules, manifest);
  }
}

function evaluateRules(rules: Array<{ rule: GuardrailRule; policyName: string }>, manifest: any): GuardrailFailure[] {
  const apiVersion = String(manifest?.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const out: GuardrailFailure[] = [];
  let object: unknown;
  for (const { rule, policyName } of rules) {
    if (rule.apiGroup !== group || rule.kind !== manifest?.kind || !rule.apiVersions.includes(version)) continue;
    object ??= toCel(manifest);
    for (const v of rule.validations) {
      const r = evaluateCel(v.expression, { object });
      if (!r.ok) out.push({ policyName, expression: v.expression, message: `cannot be evaluated (${r.error}); with failurePolicy Fail the API server refuses the object` });
      else if (!r.value) out.push({ policyName, expression: v.expression, message: v.message });
    }
  }
  return out;
}
