import { IConstruct } from 'constructs';
import { IPolicyRule, _isRuleId } from './policy-rule';
import { KmetalValidationError } from '../util/errors';

/** Props of `PolicyPack`. */
export interface PolicyPackProps {
  /** Name of the pack, shown in reports (e.g. `kmetal-platform`). */
  readonly name: string;
  /** What the pack is for. @default - none */
  readonly description?: string;
  /** The rules (more with `addRule()`). @default - none */
  readonly rules?: IPolicyRule[];
}

/**
 * A named set of rules, attached to an App or to any scope with `Policy.of(scope).addPack(pack)`.
 * Extend it to ship a pack of your own (a class, like cdk-nag's packs), or instantiate it with
 * `rules` for a one-off.
 */
export class PolicyPack {
  /** Name of the pack. */
  public readonly name: string;
  /** What the pack is for. */
  public readonly description?: string;
  private readonly ruleList: IPolicyRule[] = [];

  constructor(props: PolicyPackProps) {
    if (typeof props?.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.name)) {
      throw new KmetalValidationError('PolicyPack', 'name', `${JSON.stringify(props?.name)} is not a lowercase name`, 'name the pack with lowercase letters, digits and "-", like "acme-platform"');
    }
    this.name = props.name;
    this.description = props.description;
    for (const r of props.rules ?? []) this.addRule(r);
  }

  /** The rules, in the order they were added. */
  public get rules(): IPolicyRule[] {
    return [...this.ruleList];
  }

  /**
   * Adds a rule.
   *
   * @param rule the rule (its id must be unique in the pack)
   */
  public addRule(rule: IPolicyRule): void {
    if (!rule || !_isRuleId(rule.id) || typeof rule.evaluate !== 'function') {
      throw new KmetalValidationError('PolicyPack', `${this.name} rules`, `${JSON.stringify(rule?.id)} is not a policy rule`, 'add PolicyRule subclasses (an id like "KM-NET-001" and an evaluate() method)');
    }
    if (this.ruleList.some((r) => r.id === rule.id)) {
      throw new KmetalValidationError('PolicyPack', `${this.name} rules`, `the pack already has a rule ${rule.id}`, 'give each rule its own id');
    }
    this.ruleList.push(rule);
  }

  /**
   * Called when the pack is attached to a scope (`Policy.of(scope).addPack(this)`): a pack may
   * set up what its rules rely on there. Does nothing by default.
   *
   * @param scope the scope the pack is attached to
   */
  public onAttach(scope: IConstruct): void {
    void scope;
  }
}
