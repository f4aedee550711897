import * as path from 'path';
import { IConstruct } from 'constructs';
import { KmetalValidationError } from '../../util/errors';
import { outputsDeferred, writeOutput } from '../../util/synth-outputs';
import { PolicyContext } from '../policy-context';
import type { PolicyPack } from '../policy-pack';
import { PolicyFinding, PolicyReport, PolicyRuleRecord, PolicySuppressionRecord, PolicyTiming, PruneOptOutRecord } from '../policy-report';
import { IPolicyRule, PolicySeverity, PolicyViolation } from '../policy-rule';

/** The engine's own checks (not suppressible). */
export const ENGINE_PACK = 'policy';
export const UNKNOWN_RULE_ID = 'KM-POL-001';
export const STALE_ACKNOWLEDGEMENT_ID = 'KM-POL-002';
export const RULE_FAILED_ID = 'KM-POL-003';
export const UNRENDERED_ID = 'KM-POL-004';

/** A suppression or acknowledgement, as stored on its scope. */
export interface SuppressionEntry {
  readonly scope: IConstruct;
  readonly ruleId: string;
  readonly reason: string;
  /** Only this occurrence (a violation's `occurrence`), when set. */
  readonly occurrence?: string;
  matched: number;
}

/** What a step that runs before the objects are rendered (e.g. the prune protection) contributes to the report. */
export interface PreRunOutcome {
  readonly protectedObjects: string[];
  readonly pruneOptOuts: PruneOptOutRecord[];
}

/** A violation with the occurrence key some rules attach (see DestructiveChangeGuard). */
export type KeyedViolation = PolicyViolation & { readonly occurrence?: string };

interface Attachment {
  readonly scope: IConstruct;
  readonly pack: PolicyPack;
}

const ENGINES = new WeakMap<IConstruct, PolicyEngine>();

function pathOf(c: IConstruct): string {
  return c.node.path || '<app>';
}

/**
 * One per app (construct root): the packs attached anywhere in it, the suppressions, the steps
 * that run first, and the one validation on the root that runs everything at synth.
 */
export class PolicyEngine {
  public static of(scope: IConstruct): PolicyEngine {
    const root = scope.node.root;
    let engine = ENGINES.get(root);
    if (!engine) {
      engine = new PolicyEngine(root);
      ENGINES.set(root, engine);
    }
    return engine;
  }

  public lastReport?: PolicyReport;
  private readonly attachments: Attachment[] = [];
  private readonly suppressions: SuppressionEntry[] = [];
  private readonly suppressionsByScope = new Map<IConstruct, SuppressionEntry[]>();
  private readonly preRun = new Map<string, (constructs: IConstruct[]) => PreRunOutcome>();
  private readonly reportDirs: string[] = [];
  private readonly printed = new Set<string>();
  private validationAdded = false;

  private constructor(private readonly root: IConstruct) {}

  public attach(scope: IConstruct, pack: PolicyPack): void {
    if (this.attachments.some((a) => a.scope === scope && a.pack === pack)) return;
    const ids = new Map<string, string>();
    for (const a of this.attachments) for (const r of a.pack.rules) if (a.pack !== pack) ids.set(r.id, a.pack.name);
    for (const r of pack.rules) {
      const other = ids.get(r.id);
      if (other !== undefined) {
        throw new KmetalValidationError(scope, 'addPack', `policy pack ${pack.name} has rule ${r.id}, which pack ${other} attached to this app also has`, 'rule ids must be unique in an app: rename the rule, or exclude it from one pack');
      }
    }
    this.attachments.push({ scope, pack });
    this.ensureValidation();
    pack.onAttach(scope);
  }

  public packsAt(scope: IConstruct): PolicyPack[] {
    return this.attachments.filter((a) => a.scope === scope).map((a) => a.pack);
  }

  public addSuppression(entry: SuppressionEntry): void {
    this.suppressions.push(entry);
    const list = this.suppressionsByScope.get(entry.scope);
    if (list) list.push(entry);
    else this.suppressionsByScope.set(entry.scope, [entry]);
  }

  /** Registers a step that runs on the walked tree before the objects are rendered (once per key). */
  public addPreRun(key: string, step: (constructs: IConstruct[]) => PreRunOutcome): void {
    this.preRun.set(key, step);
    this.ensureValidation();
  }

  public addReportDirectory(dir: string): void {
    if (!this.reportDirs.includes(dir)) this.reportDirs.push(dir);
    this.ensureValidation();
  }

  /** Runs every pack of the app; returns the report (also kept as `lastReport`). */
  public run(): PolicyReport {
    const started = Date.now();
    const timings: PolicyTiming[] = [];
    let mark = started;
    const lap = (name: string) => {
      const now = Date.now();
      timings.push({ name, durationMs: now - mark });
      mark = now;
    };
    const protectedObjects: string[] = [];
    const pruneOptOuts: PruneOptOutRecord[] = [];
    // One walk of the tree: the steps that change objects see it before anything is rendered.
    const context = PolicyContext._build(this.root, (constructs) => {
      for (const step of this.preRun.values()) {
        const outcome = step(constructs);
        protectedObjects.push(...outcome.protectedObjects);
        pruneOptOuts.push(...outcome.pruneOptOuts);
      }
      lap('prepare');
    });
    lap('render');
    for (const s of this.suppressions) s.matched = 0;

    const findings: PolicyFinding[] = [];
    const rules: PolicyRuleRecord[] = [];
    // A pack attached to several scopes runs once; its findings are kept when under any of them.
    const byPack = new Map<PolicyPack, IConstruct[]>();
    for (const a of this.attachments) {
      const scopes = byPack.get(a.pack) ?? [];
      scopes.push(a.scope);
      byPack.set(a.pack, scopes);
    }
    const knownIds = new Set<string>([UNKNOWN_RULE_ID, STALE_ACKNOWLEDGEMENT_ID, RULE_FAILED_ID, UNRENDERED_ID]);
    for (const pack of byPack.keys()) for (const r of pack.rules) knownIds.add(r.id);

    for (const [pack, scopes] of byPack) {
      const scopeSet = new Set(scopes);
      for (const rule of pack.rules) {
        let violations: KeyedViolation[];
        try {
          violations = rule.evaluate(context) ?? [];
        } catch (e) {
          findings.push(this.engineFinding(RULE_FAILED_ID, PolicySeverity.ERROR, scopes[0],
            `rule ${rule.id} of pack ${pack.name} failed: ${e instanceof Error ? e.message : String(e)}`,
            'fix the rule (a rule must return its violations, not throw)'));
          violations = [];
        }
        lap(rule.id);
        let count = 0;
        let suppressedCount = 0;
        for (const v of violations) {
          const construct = v.construct ?? scopes[0];
          if (!withinAny(construct, scopeSet)) continue;
          const suppression = this.suppressionFor(construct, rule.id, v.occurrence);
          if (suppression) suppression.matched++;
          if (suppression) suppressedCount++;
          else count++;
          findings.push(this.finding(rule, pack.name, construct, v, suppression));
        }
        rules.push({
          ruleId: rule.id,
          pack: pack.name,
          severity: rule.severity,
          description: rule.description,
          remediation: rule.remediation,
          scopes: scopes.map(pathOf),
          findings: count,
          suppressedFindings: suppressedCount,
        });
      }
    }

    // Objects that cannot be rendered fail synthesis anyway; say so here too, once per distinct error.
    const unrendered = new Map<string, string[]>();
    for (const u of context.unrenderedObjects) {
      const message = u.reason.replace(/^Failed serializing construct at path '[^']*' with name '[^']*': /, '');
      unrendered.set(message, [...(unrendered.get(message) ?? []), u.path]);
    }
    for (const [message, paths] of unrendered) {
      findings.push({
        ruleId: UNRENDERED_ID,
        severity: PolicySeverity.ERROR,
        pack: ENGINE_PACK,
        constructPath: paths[0],
        suppressed: false,
        message: `${paths.length} object(s) cannot be rendered, so no rule checked them${paths.length > 1 ? ` (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', ...' : ''})` : ''}: ${message}`,
        fix: 'fix the error above; the policy then checks the objects',
      });
    }

    for (const s of this.suppressions) {
      if (!knownIds.has(s.ruleId)) {
        findings.push(this.engineFinding(UNKNOWN_RULE_ID, PolicySeverity.ERROR, s.scope,
          `a suppression names rule ${s.ruleId}, which no pack attached to this app has (known: ${[...knownIds].sort().join(', ')})`,
          'correct the rule id, or remove the suppression'));
      } else if (s.occurrence !== undefined && s.matched === 0) {
        findings.push(this.engineFinding(STALE_ACKNOWLEDGEMENT_ID, PolicySeverity.WARNING, s.scope,
          `the acknowledged change "${s.occurrence}" (${s.ruleId}) does not happen in this synthesis`,
          'remove the acknowledgement, so that it cannot silently cover a later change'));
      }
    }

    const suppressions: PolicySuppressionRecord[] = this.suppressions.map((s) => ({
      ruleId: s.ruleId,
      constructPath: pathOf(s.scope),
      reason: s.reason,
      matchedFindings: s.matched,
      ...(s.occurrence !== undefined ? { occurrence: s.occurrence } : {}),
    }));
    const report = PolicyReport._of({
      findings,
      suppressions,
      rules,
      protectedObjects,
      pruneOptOuts,
      objectCount: context.objects.length,
      constructCount: context.constructs.length,
      durationMs: Date.now() - started,
      timings,
    });
    this.lastReport = report;
    return report;
  }

  /** The validation on the root: run, write the reports, print warnings, return the errors. */
  public validate(): string[] {
    const report = this.run();
    // Inside FluxTree.write() the report waits for the tree (and is dropped when synth fails);
    // app.synth() has no step after its checks, so there it is written when the policy passed.
    if (outputsDeferred() || report.errors.length === 0) {
      for (const dir of this.reportDirs) writeOutput(`policy-report:${path.resolve(dir)}`, () => report.writeTo(dir));
    }
    if (process.env.KMETAL_WARNINGS !== 'off') {
      for (const w of report.warnings) {
        const line = `[kmetal] policy warning ${PolicyReport.formatFinding(w)}`;
        if (this.printed.has(line)) continue;
        this.printed.add(line);
        console.warn(line);
      }
    }
    // One validation message per finding, so that the synth error lists every one of them.
    return report.errors.map((f) => `policy ${PolicyReport.formatFinding(f)}`);
  }

  private ensureValidation(): void {
    if (this.validationAdded) return;
    this.validationAdded = true;
    this.root.node.addValidation({ validate: () => this.validate() });
  }

  private suppressionFor(construct: IConstruct, ruleId: string, occurrence: string | undefined): SuppressionEntry | undefined {
    for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
      const list = this.suppressionsByScope.get(c);
      if (!list) continue;
      const hit = list.find((s) => s.ruleId === ruleId && (s.occurrence === undefined || s.occurrence === occurrence));
      if (hit) return hit;
    }
    return undefined;
  }

  private finding(rule: IPolicyRule, pack: string, construct: IConstruct, v: KeyedViolation, s: SuppressionEntry | undefined): PolicyFinding {
    return {
      ruleId: rule.id,
      severity: rule.severity,
      pack,
      constructPath: pathOf(construct),
      ...(v.object ? { object: { ...v.object } } : {}),
      message: v.message,
      fix: v.fix ?? rule.remediation,
      suppressed: !!s,
      ...(s ? { suppressionReason: s.reason, suppressedAt: pathOf(s.scope) } : {}),
      ...(v.occurrence !== undefined ? { occurrence: v.occurrence } : {}),
    };
  }

  private engineFinding(ruleId: string, severity: PolicySeverity, construct: IConstruct, message: string, fix: string): PolicyFinding {
    return { ruleId, severity, pack: ENGINE_PACK, constructPath: pathOf(construct), message, fix, suppressed: false };
  }
}

function withinAny(construct: IConstruct, scopes: Set<IConstruct>): boolean {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) if (scopes.has(c)) return true;
  return false;
}
