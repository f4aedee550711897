import { IConstruct } from 'constructs';
import type { PolicyContext, SynthesizedObject } from './policy-context';
import { KmetalValidationError } from '../util/errors';

/** How serious a finding is. */
export enum PolicySeverity {
  /** Synthesis fails (unless the finding is suppressed). */
  ERROR = 'error',
  /** Printed and reported; synthesis goes on. */
  WARNING = 'warning',
  /** Reported only. */
  INFO = 'info',
}

/** The identity of a Kubernetes object a finding is about. */
export interface PolicyObjectReference {
  /** API version, e.g. `cluster.x-k8s.io/v1beta2`. */
  readonly apiVersion: string;
  /** Kind, e.g. `Cluster`. */
  readonly kind: string;
  /** Namespace. @default - cluster-scoped, or no namespace set */
  readonly namespace?: string;
  /** Name. */
  readonly name: string;
}

/** One problem a rule found. */
export interface PolicyViolation {
  /** What is wrong, with the values involved (never a secret value). */
  readonly message: string;
  /**
   * The construct the problem belongs to: its path is reported, and suppressions on it or any
   * scope above it apply.
   * @default - the scope the pack is attached to
   */
  readonly construct?: IConstruct;
  /** The object the problem is in, when it is about an object. @default - none */
  readonly object?: PolicyObjectReference;
  /** How to fix this occurrence. @default - the rule's remediation */
  readonly fix?: string;
}

/** The fixed facts of a rule. */
export interface PolicyRuleProps {
  /** Rule id, e.g. `KM-NET-001` (letters, digits and `-`; unique among the packs of an app). */
  readonly id: string;
  /** Severity of every finding of the rule. */
  readonly severity: PolicySeverity;
  /** What the rule checks, in one sentence. */
  readonly description: string;
  /** How to fix a finding, in general terms (a violation may carry its own `fix`). */
  readonly remediation: string;
}

/**
 * A rule of a policy pack. Implement it by extending `PolicyRule` (the usual way, in any jsii
 * language), or directly.
 */
export interface IPolicyRule {
  /** Rule id, e.g. `KM-NET-001`. */
  readonly id: string;
  /** Severity of the rule's findings. */
  readonly severity: PolicySeverity;
  /** What the rule checks. */
  readonly description: string;
  /** How to fix a finding. */
  readonly remediation: string;
  /**
   * Checks the app. Called once per synthesis with a context that indexes the construct tree and
   * the synthesized objects; must not modify either.
   *
   * @param context the app as constructs and as objects
   * @returns the problems found (empty when the app complies)
   */
  evaluate(context: PolicyContext): PolicyViolation[];
}

const RULE_ID = /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/;

/**
 * Base class of policy rules: fixed facts in the constructor, the check in `evaluate()`.
 *
 * ```ts
 * class TeamLabelRule extends PolicyRule {
 *   constructor() {
 *     super({ id: 'ACME-001', severity: PolicySeverity.ERROR,
 *       description: 'Every tenant cluster carries a team label',
 *       remediation: 'add labels: { "acme.io/team": "<team>" } to the TenantCluster' });
 *   }
 *   public evaluate(context: PolicyContext): PolicyViolation[] {
 *     return context.objectsOfKind('Cluster', 'cluster.x-k8s.io')
 *       .filter((o) => !o.labels['acme.io/team'])
 *       .map((o) => this.violationOf(o, `cluster ${o.name} has no team label`));
 *   }
 * }
 * ```
 */
export abstract class PolicyRule implements IPolicyRule {
  public readonly id: string;
  public readonly severity: PolicySeverity;
  public readonly description: string;
  public readonly remediation: string;

  constructor(props: PolicyRuleProps) {
    if (typeof props?.id !== 'string' || !RULE_ID.test(props.id)) {
      throw new KmetalValidationError('PolicyRule', 'id', `${JSON.stringify(props?.id)} is not a rule id`, 'use letters, digits and "-", like "ACME-001"');
    }
    if (!Object.values(PolicySeverity).includes(props.severity)) {
      throw new KmetalValidationError('PolicyRule', 'severity', `${JSON.stringify(props.severity)} of rule ${props.id} is not a PolicySeverity`, 'use PolicySeverity.ERROR, WARNING or INFO');
    }
    for (const field of ['description', 'remediation'] as const) {
      if (typeof props[field] !== 'string' || !props[field].trim()) {
        throw new KmetalValidationError('PolicyRule', field, `rule ${props.id} has no ${field}`, `write the ${field}: reports show it to people fixing findings`);
      }
    }
    this.id = props.id;
    this.severity = props.severity;
    this.description = props.description;
    this.remediation = props.remediation;
  }

  public abstract evaluate(context: PolicyContext): PolicyViolation[];

  /**
   * A violation about a synthesized object (its construct and identity filled in).
   *
   * @param synthesized the object
   * @param message what is wrong
   * @param fix how to fix this occurrence (default: the rule's remediation)
   */
  protected violationOf(synthesized: SynthesizedObject, message: string, fix?: string): PolicyViolation {
    return { message, construct: synthesized.apiObject, object: synthesized.reference, ...(fix ? { fix } : {}) };
  }

  /**
   * A violation about a construct.
   *
   * @param construct the construct
   * @param message what is wrong
   * @param fix how to fix this occurrence (default: the rule's remediation)
   */
  protected violationAt(construct: IConstruct, message: string, fix?: string): PolicyViolation {
    return { message, construct, ...(fix ? { fix } : {}) };
  }
}

/** Checks a rule id (packs and suppressions use it). @internal */
export function _isRuleId(id: unknown): boolean {
  return typeof id === 'string' && RULE_ID.test(id);
}
