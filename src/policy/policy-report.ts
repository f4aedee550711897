import * as fs from 'fs';
import * as path from 'path';
import { PolicyObjectReference, PolicySeverity } from './policy-rule';

/** One finding of a policy run. */
export interface PolicyFinding {
  /** Id of the rule that found it. */
  readonly ruleId: string;
  /** Severity (the rule's). */
  readonly severity: PolicySeverity;
  /** Name of the pack the rule came from (`policy` for the engine's own checks). */
  readonly pack: string;
  /** Construct path the finding belongs to (`<app>` for the root). */
  readonly constructPath: string;
  /** The object, when the finding is about one. @default - none */
  readonly object?: PolicyObjectReference;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** Whether a suppression (or an acknowledgement) covers it. */
  readonly suppressed: boolean;
  /** The reason of that suppression. @default - not suppressed */
  readonly suppressionReason?: string;
  /** Construct path the suppression was declared on. @default - not suppressed */
  readonly suppressedAt?: string;
  /** The exact occurrence, for rules whose findings are acknowledged one by one. @default - none */
  readonly occurrence?: string;
}

/** A suppression (or acknowledgement) as declared, and how many findings it covered. */
export interface PolicySuppressionRecord {
  /** The rule it suppresses. */
  readonly ruleId: string;
  /** Construct path it was declared on. */
  readonly constructPath: string;
  /** Why. */
  readonly reason: string;
  /** For an acknowledgement of one change: that change. @default - every finding of the rule under the scope */
  readonly occurrence?: string;
  /** Findings it covered in this run. */
  readonly matchedFindings: number;
}

/** A rule that ran. */
export interface PolicyRuleRecord {
  /** Rule id. */
  readonly ruleId: string;
  /** Pack. */
  readonly pack: string;
  /** Severity. */
  readonly severity: PolicySeverity;
  /** What it checks. */
  readonly description: string;
  /** How to fix its findings. */
  readonly remediation: string;
  /** Construct paths the pack is attached to. */
  readonly scopes: string[];
  /** Findings not suppressed. */
  readonly findings: number;
  /** Findings suppressed. */
  readonly suppressedFindings: number;
}

/** A per-object opt-out of the Flux prune protection. */
export interface PruneOptOutRecord {
  /** Construct path the opt-out was declared on. */
  readonly constructPath: string;
  /** Why the objects may be pruned. */
  readonly reason: string;
  /** Objects it left prunable. */
  readonly objects: string[];
}

/** How long one phase or rule of a run took (kept in memory only: the written report has no times). */
export interface PolicyTiming {
  /** `prepare` (steps before the rules, e.g. prune protection), `render` (walking and rendering the app), or a rule id. */
  readonly name: string;
  /** Milliseconds. */
  readonly durationMs: number;
}

/** Data a report is made of. @internal */
export interface PolicyReportData {
  readonly findings: PolicyFinding[];
  readonly suppressions: PolicySuppressionRecord[];
  readonly rules: PolicyRuleRecord[];
  readonly protectedObjects: string[];
  readonly pruneOptOuts: PruneOptOutRecord[];
  readonly objectCount: number;
  readonly constructCount: number;
  readonly durationMs: number;
  readonly timings: PolicyTiming[];
}

const SEVERITY_ORDER: { [s: string]: number } = { error: 0, warning: 1, info: 2 };

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts findings: severity, rule, construct path, message. @internal */
export function _sortFindings(findings: PolicyFinding[]): PolicyFinding[] {
  return [...findings].sort((a, b) => (SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])
    || compareText(a.ruleId, b.ruleId) || compareText(a.constructPath, b.constructPath) || compareText(a.message, b.message));
}

function formatObjectReference(o: PolicyObjectReference): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The outcome of a policy run: findings (suppressed ones included, marked), suppressions with
 * their reasons, the rules that ran, and the objects protected from pruning. Written next to the
 * output as JSON (machines) and Markdown (people); the written files hold nothing that changes
 * from run to run without a change of the app (no times), so they can be committed.
 */
export class PolicyReport {
  /** File name of the JSON report. */
  public static readonly JSON_FILE = 'policy-report.json';
  /** File name of the Markdown report. */
  public static readonly MARKDOWN_FILE = 'policy-report.md';

  /** @internal */
  public static _of(data: PolicyReportData): PolicyReport {
    return new PolicyReport(data);
  }

  /**
   * One line for a finding: `KM-NET-001 error [path] (Kind ns/name) message. Fix: ...`.
   *
   * @param finding the finding
   */
  public static formatFinding(finding: PolicyFinding): string {
    const object = finding.object ? ` (${formatObjectReference(finding.object)})` : '';
    return `${finding.ruleId} ${finding.severity} [${finding.constructPath}]${object} ${finding.message}. Fix: ${finding.fix}`;
  }

  /**
   * `Kind namespace/name` of an object reference.
   *
   * @param reference the reference
   */
  public static formatObject(reference: PolicyObjectReference): string {
    return formatObjectReference(reference);
  }

  /** Every finding, suppressed ones included, sorted by severity, rule and path. */
  public readonly allFindings: PolicyFinding[];
  /** Suppressions and acknowledgements as declared. */
  public readonly suppressions: PolicySuppressionRecord[];
  /** The rules that ran. */
  public readonly rules: PolicyRuleRecord[];
  /** Objects that carry the Flux prune protection (`Kind namespace/name`), sorted. */
  public readonly protectedObjects: string[];
  /** Opt-outs of the prune protection. */
  public readonly pruneOptOuts: PruneOptOutRecord[];
  /** Objects checked. */
  public readonly objectCount: number;
  /** Constructs walked. */
  public readonly constructCount: number;
  /** How long the run took in milliseconds (not written to the files). */
  public readonly durationMs: number;
  /** Time per phase and per rule, in run order (not written to the files). */
  public readonly timings: PolicyTiming[];

  private constructor(data: PolicyReportData) {
    this.allFindings = _sortFindings(data.findings);
    this.suppressions = [...data.suppressions].sort((a, b) => compareText(a.ruleId, b.ruleId) || compareText(a.constructPath, b.constructPath) || compareText(a.occurrence ?? '', b.occurrence ?? ''));
    this.rules = [...data.rules];
    this.protectedObjects = [...data.protectedObjects].sort(compareText);
    this.pruneOptOuts = [...data.pruneOptOuts].sort((a, b) => compareText(a.constructPath, b.constructPath));
    this.objectCount = data.objectCount;
    this.constructCount = data.constructCount;
    this.durationMs = data.durationMs;
    this.timings = [...data.timings];
  }

  /** Findings not suppressed. */
  public get findings(): PolicyFinding[] {
    return this.allFindings.filter((f) => !f.suppressed);
  }

  /** Findings that are suppressed. */
  public get suppressedFindings(): PolicyFinding[] {
    return this.allFindings.filter((f) => f.suppressed);
  }

  /** Errors not suppressed: synthesis fails when there is any. */
  public get errors(): PolicyFinding[] {
    return this.findings.filter((f) => f.severity === PolicySeverity.ERROR);
  }

  /** Warnings not suppressed. */
  public get warnings(): PolicyFinding[] {
    return this.findings.filter((f) => f.severity === PolicySeverity.WARNING);
  }

  /**
   * Findings (not suppressed) of one rule.
   *
   * @param ruleId the rule id
   */
  public findingsOf(ruleId: string): PolicyFinding[] {
    return this.findings.filter((f) => f.ruleId === ruleId);
  }

  /** The report as plain JSON (what `policy-report.json` holds). */
  public toJson(): any {
    const count = (s: PolicySeverity) => this.findings.filter((f) => f.severity === s).length;
    return {
      summary: {
        passed: this.errors.length === 0,
        errors: count(PolicySeverity.ERROR),
        warnings: count(PolicySeverity.WARNING),
        infos: count(PolicySeverity.INFO),
        suppressed: this.suppressedFindings.length,
        rules: this.rules.length,
        objects: this.objectCount,
        protectedObjects: this.protectedObjects.length,
      },
      findings: this.allFindings.map((f) => ({ ...f, ...(f.object ? { object: { ...f.object } } : {}) })),
      suppressions: this.suppressions.map((s) => ({ ...s })),
      rules: this.rules.map((r) => ({ ...r, scopes: [...r.scopes] })),
      pruneProtection: {
        protectedObjects: [...this.protectedObjects],
        optOuts: this.pruneOptOuts.map((o) => ({ ...o, objects: [...o.objects] })),
      },
    };
  }

  /** The report for people (what `policy-report.md` holds). */
  public toMarkdown(): string {
    const lines: string[] = [];
    const json = this.toJson().summary;
    lines.push('# Policy report', '');
    lines.push(`**${json.passed ? 'Passed' : 'Failed'}**: ${json.errors} error(s), ${json.warnings} warning(s), ${json.infos} info, ${json.suppressed} suppressed; ${json.rules} rules over ${json.objects} objects.`, '');
    const table = (title: string, findings: PolicyFinding[], suppressed: boolean) => {
      lines.push(`## ${title}`, '');
      if (findings.length === 0) {
        lines.push('None.', '');
        return;
      }
      lines.push(suppressed ? '| Rule | Severity | Construct | Object | Message | Suppressed because |' : '| Rule | Severity | Construct | Object | Message | Fix |');
      lines.push('|---|---|---|---|---|---|');
      for (const f of findings) {
        const object = f.object ? formatObjectReference(f.object) : '';
        const last = suppressed ? `${f.suppressionReason ?? ''} (at \`${f.suppressedAt ?? ''}\`)` : f.fix;
        lines.push(`| ${f.ruleId} | ${f.severity} | \`${mdCell(f.constructPath)}\` | ${mdCell(object)} | ${mdCell(f.message)} | ${mdCell(last)} |`);
      }
      lines.push('');
    };
    table('Findings', this.findings, false);
    table('Suppressed findings', this.suppressedFindings, true);
    lines.push('## Suppressions and acknowledgements', '');
    if (this.suppressions.length === 0) {
      lines.push('None.', '');
    } else {
      lines.push('| Rule | Declared on | Change | Reason | Findings covered |', '|---|---|---|---|---:|');
      for (const s of this.suppressions) {
        lines.push(`| ${s.ruleId} | \`${mdCell(s.constructPath)}\` | ${mdCell(s.occurrence ?? 'all')} | ${mdCell(s.reason)} | ${s.matchedFindings} |`);
      }
      lines.push('');
    }
    lines.push('## Flux prune protection', '');
    lines.push(`${this.protectedObjects.length} stateful object(s) carry \`kustomize.toolkit.fluxcd.io/prune: disabled\`.`, '');
    if (this.pruneOptOuts.length) {
      lines.push('| Opted out at | Reason | Objects |', '|---|---|---|');
      for (const o of this.pruneOptOuts) lines.push(`| \`${mdCell(o.constructPath)}\` | ${mdCell(o.reason)} | ${mdCell(o.objects.join(', '))} |`);
      lines.push('');
    }
    lines.push('## Rules that ran', '');
    lines.push('| Rule | Pack | Severity | Checks | Findings | Suppressed |', '|---|---|---|---|---:|---:|');
    for (const r of this.rules) {
      lines.push(`| ${r.ruleId} | ${r.pack} | ${r.severity} | ${mdCell(r.description)} | ${r.findings} | ${r.suppressedFindings} |`);
    }
    lines.push('');
    return lines.join('\n');
  }

  /**
   * Writes `policy-report.json` and `policy-report.md` into a folder (created if needed). Files
   * whose content is unchanged are left alone.
   *
   * @param directory the folder, e.g. `dist/kmetal/report`
   */
  public writeTo(directory: string): void {
    fs.mkdirSync(directory, { recursive: true });
    const write = (file: string, content: string) => {
      const target = path.join(directory, file);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) return;
      fs.writeFileSync(target, content, 'utf8');
    };
    write(PolicyReport.JSON_FILE, `${JSON.stringify(this.toJson(), null, 2)}\n`);
    write(PolicyReport.MARKDOWN_FILE, this.toMarkdown());
  }
}
