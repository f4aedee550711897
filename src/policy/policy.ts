import { IConstruct } from 'constructs';
import { PolicyPack } from './policy-pack';
import { PolicyReport } from './policy-report';
import { _isRuleId } from './policy-rule';
import { PolicyEngine } from './private/engine';
import { KmetalValidationError } from '../util/errors';

const MIN_REASON = 10;
const HANDLES = new WeakMap<IConstruct, Policy>();

/**
 * Policy as code for an app: attach packs to the App or to any scope, suppress rules with a
 * reason, and read the report.
 *
 * ```ts
 * Policy.of(app).addPack(new PlatformPolicyPack()).writeReportTo('dist/kmetal/report');
 * Policy.suppress(labCluster, 'KM-TEN-002', 'lab cluster: one API server is enough');
 * FluxTree.synth(app, { appName: 'kmetal' });
 * ```
 *
 * The packs run as a cdk8s validation of the app's root, so both `FluxTree.synth()` (one tree
 * walk) and `app.synth()` run them: the construct tree is walked once and every object rendered
 * once per run, whatever the number of packs and rules. Unsuppressed errors fail synthesis, every
 * one of them listed (rule id, construct path, object, message, fix); warnings are printed to
 * stderr (`KMETAL_WARNINGS=off` silences them) and, like everything else, reported.
 *
 * A pack attached to a scope reports findings about constructs inside that scope only, but its
 * rules see the whole app (a capacity check sums every tenant wherever the pack is attached).
 */
export class Policy {
  /**
   * The policy handle of a scope (an App, a Chart, any construct).
   *
   * @param scope where packs are attached with `addPack()`
   */
  public static of(scope: IConstruct): Policy {
    let handle = HANDLES.get(scope);
    if (!handle) {
      handle = new Policy(scope);
      HANDLES.set(scope, handle);
    }
    return handle;
  }

  /**
   * Suppresses a rule for a construct and everything below it. The reason is mandatory and shown
   * in the report; suppressing a rule no attached pack has fails synthesis (`KM-POL-001`).
   *
   * @param scope the construct (an object's construct, a TenantCluster, a chart, the app)
   * @param ruleId the rule, e.g. `KM-TEN-002`
   * @param reason why the finding is acceptable here (at least 10 characters)
   */
  public static suppress(scope: IConstruct, ruleId: string, reason: string): void {
    Policy.checkSuppression(scope, ruleId, reason);
    PolicyEngine.of(scope).addSuppression({ scope, ruleId, reason: reason.trim(), matched: 0 });
  }

  /**
   * Suppresses one exact occurrence of a rule's finding (the `occurrence` shown in the report),
   * e.g. one acknowledged destructive change. @internal
   */
  public static _acknowledge(scope: IConstruct, ruleId: string, occurrence: string, reason: string): void {
    Policy.checkSuppression(scope, ruleId, reason);
    PolicyEngine.of(scope).addSuppression({ scope, ruleId, reason: reason.trim(), occurrence, matched: 0 });
  }

  private static checkSuppression(scope: IConstruct, ruleId: string, reason: string): void {
    if (!scope?.node) throw new KmetalValidationError('Policy', 'suppress scope', 'the scope is not a construct', 'pass the construct the finding is about, or one above it');
    if (!_isRuleId(ruleId)) {
      throw new KmetalValidationError(scope, 'Policy.suppress ruleId', `${JSON.stringify(ruleId)} is not a rule id`, 'give the id the finding shows, like "KM-NET-001"');
    }
    if (typeof reason !== 'string' || reason.trim().length < MIN_REASON) {
      throw new KmetalValidationError(scope, `Policy.suppress(${ruleId}) reason`, `a suppression needs a reason of at least ${MIN_REASON} characters, got ${JSON.stringify(reason)}`, 'say why the finding is acceptable here; the report shows it to reviewers');
    }
  }

  /** The scope of this handle. */
  public readonly scope: IConstruct;

  private constructor(scope: IConstruct) {
    this.scope = scope;
  }

  /**
   * Attaches a pack to this scope: its rules run at every synthesis of the app.
   *
   * @param pack the pack
   * @returns this handle, for chaining
   */
  public addPack(pack: PolicyPack): Policy {
    if (!(pack instanceof PolicyPack)) throw new KmetalValidationError(this.scope, 'addPack', 'not a PolicyPack', 'pass a PolicyPack, e.g. new PlatformPolicyPack()');
    PolicyEngine.of(this.scope).attach(this.scope, pack);
    return this;
  }

  /** The packs attached to this scope. */
  public get packs(): PolicyPack[] {
    return PolicyEngine.of(this.scope).packsAt(this.scope);
  }

  /**
   * Writes the report (`policy-report.json`, `policy-report.md`) into a folder at every
   * synthesis that succeeds. With `FluxTree.synth` it is written after the tree, only if every
   * check passed: a failed synthesis leaves the folder as it was (its error lists every finding;
   * `check()` returns the report of a failing app). With `app.synth()`, which has no step after its
   * checks, it is written when the policy found no error. With `FluxTree.synth`, use
   * `<outdir>/<appName>/report` (the tree writer never deletes files it did not write).
   *
   * @param directory the folder
   * @returns this handle, for chaining
   */
  public writeReportTo(directory: string): Policy {
    if (typeof directory !== 'string' || directory.trim() === '') throw new KmetalValidationError(this.scope, 'writeReportTo', `${JSON.stringify(directory)} is not a folder`, 'give the folder the report is written to, e.g. "dist/kmetal/report"');
    PolicyEngine.of(this.scope).addReportDirectory(directory);
    return this;
  }

  /**
   * Runs every pack of the app now, without synthesizing (for tests and CI gates). Steps that
   * change the output (the prune protection) run too, as they would at synth.
   *
   * @returns the report
   */
  public check(): PolicyReport {
    return PolicyEngine.of(this.scope).run();
  }

  /** The report of the latest run (synthesis or `check()`) of the app, if any. */
  public get lastReport(): PolicyReport | undefined {
    return PolicyEngine.of(this.scope).lastReport;
  }
}
