import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { FluxTree, GitOpsUnit, Policy, PolicyContext, PolicyPack, PolicyReport, PolicyRule, PolicySeverity, PolicyViolation } from '../../src';

/** A user's own rule, written as the README shows: every ConfigMap carries a team label. */
class TeamLabelRule extends PolicyRule {
  constructor(severity = PolicySeverity.ERROR) {
    super({ id: 'ACME-001', severity, description: 'Every ConfigMap carries a team label', remediation: 'add the label acme.io/team' });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return context.objectsOfKind('ConfigMap', '')
      .filter((o) => !o.labels['acme.io/team'])
      .map((o) => this.violationOf(o, `ConfigMap ${o.name} has no team label`));
  }
}

class CrashingRule extends PolicyRule {
  constructor() {
    super({ id: 'ACME-002', severity: PolicySeverity.ERROR, description: 'Crashes', remediation: 'none' });
  }

  public evaluate(): PolicyViolation[] {
    throw new Error('boom');
  }
}

function app2(): { app: App; a: Chart; b: Chart } {
  const app = new App();
  const a = new GitOpsUnit(app, 'a', { path: 'apps/a' });
  const b = new GitOpsUnit(app, 'b', { path: 'apps/b' });
  new ApiObject(a, 'cm1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'x' } });
  new ApiObject(a, 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two', namespace: 'x', labels: { 'acme.io/team': 'web' } } });
  new ApiObject(b, 'cm3', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'three', namespace: 'y' } });
  return { app, a, b };
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-policy-'));
}

describe('policy engine', () => {
  test('a user-written rule in a user-written pack: findings carry rule id, path, object, message and fix', () => {
    const { app } = app2();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] }));
    const report = Policy.of(app).check();
    expect(report.findings).toEqual([
      { ruleId: 'ACME-001', severity: 'error', pack: 'acme', constructPath: 'a/cm1', object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'one' }, message: 'ConfigMap one has no team label', fix: 'add the label acme.io/team', suppressed: false },
      { ruleId: 'ACME-001', severity: 'error', pack: 'acme', constructPath: 'b/cm3', object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'y', name: 'three' }, message: 'ConfigMap three has no team label', fix: 'add the label acme.io/team', suppressed: false },
    ]);
    expect(report.rules).toEqual([expect.objectContaining({ ruleId: 'ACME-001', pack: 'acme', scopes: ['<app>'], findings: 2, suppressedFindings: 0 })]);
  });

  test('a pack attached to a chart reports that chart\'s constructs only', () => {
    const { app, b } = app2();
    Policy.of(b).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] }));
    expect(Policy.of(app).check().findings.map((f) => f.constructPath)).toEqual(['b/cm3']);
    expect(Policy.of(b).packs.map((p) => p.name)).toEqual(['acme']);
  });

  test('errors fail app.synth() with every finding listed', () => {
    const app = new App({ outdir: tmp() });
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    new ApiObject(a, 'cm1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'x' } });
    new ApiObject(b, 'cm3', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'three', namespace: 'y' } });
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] }));
    let message = '';
    try {
      app.synth();
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toContain('policy ACME-001 error [a/cm1] (ConfigMap x/one) ConfigMap one has no team label. Fix: add the label acme.io/team');
    expect(message).toContain('policy ACME-001 error [b/cm3] (ConfigMap y/three) ConfigMap three has no team label. Fix: add the label acme.io/team');
  });

  test('errors fail FluxTree.synth (one walk) with every finding listed, and nothing is written, not even the report', () => {
    const { app } = app2();
    const out = tmp();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] })).writeReportTo(path.join(out, 'kmetal', 'report'));
    expect(() => FluxTree.synth(app, { appName: 'kmetal', outdir: out, preserve: ['report'], reconcile: false })).toThrow(/2 construct validation\(s\) failed:\n.*ACME-001 error \[a\/cm1\][\s\S]*ACME-001 error \[b\/cm3\]/);
    expect(fs.existsSync(path.join(out, 'kmetal'))).toBe(false);
    expect(Policy.of(app).lastReport?.toJson().summary).toMatchObject({ passed: false, errors: 2 });
  });

  test('warnings are printed once and reported; synthesis goes on; the report sits next to the Flux tree', () => {
    const { app } = app2();
    const out = tmp();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule(PolicySeverity.WARNING)] })).writeReportTo(path.join(out, 'kmetal', 'report'));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      FluxTree.synth(app, { appName: 'kmetal', outdir: out, preserve: ['report'], reconcile: false });
      FluxTree.synth(app, { appName: 'kmetal', outdir: out, preserve: ['report'], reconcile: false });
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        '[kmetal] policy warning ACME-001 warning [a/cm1] (ConfigMap x/one) ConfigMap one has no team label. Fix: add the label acme.io/team',
        '[kmetal] policy warning ACME-001 warning [b/cm3] (ConfigMap y/three) ConfigMap three has no team label. Fix: add the label acme.io/team',
      ]);
    } finally {
      warn.mockRestore();
    }
    const dir = path.join(out, 'kmetal');
    expect(fs.readdirSync(dir).sort()).toEqual(['.kmetal-tree.json', 'apps', 'bootstrap', 'clusters', 'report']);
    const md = fs.readFileSync(path.join(dir, 'report', PolicyReport.MARKDOWN_FILE), 'utf8');
    expect(md).toContain('**Passed**: 0 error(s), 2 warning(s)');
    expect(md).toContain('| ACME-001 | warning | `a/cm1` | ConfigMap x/one | ConfigMap one has no team label | add the label acme.io/team |');
    expect(md).toContain('| ACME-001 | acme | warning | Every ConfigMap carries a team label | 2 | 0 |');
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'report', PolicyReport.JSON_FILE), 'utf8'));
    expect(json.rules).toEqual([expect.objectContaining({ ruleId: 'ACME-001', findings: 2 })]);
    expect(JSON.stringify(json)).not.toMatch(/duration|Ms"/); // nothing that changes between identical runs
  });

  test('suppressions need a reason, apply to a scope and below, and appear in the report', () => {
    const { app, a } = app2();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] }));
    expect(() => Policy.suppress(a, 'ACME-001', 'because')).toThrow(/needs a reason of at least 10 characters/);
    expect(() => Policy.suppress(a, 'not an id!', 'a perfectly good reason')).toThrow(/is not a rule id/);
    Policy.suppress(a, 'ACME-001', 'team a labels its config maps later');
    const report = Policy.of(app).check();
    expect(report.findings.map((f) => f.constructPath)).toEqual(['b/cm3']);
    expect(report.suppressedFindings).toEqual([expect.objectContaining({ constructPath: 'a/cm1', suppressed: true, suppressedAt: 'a', suppressionReason: 'team a labels its config maps later' })]);
    expect(report.suppressions).toEqual([{ ruleId: 'ACME-001', constructPath: 'a', reason: 'team a labels its config maps later', matchedFindings: 1 }]);
    expect(report.toMarkdown()).toContain('| ACME-001 | `a` | all | team a labels its config maps later | 1 |');
  });

  test('suppressing a rule no pack has is an error (KM-POL-001), which cannot itself be suppressed away', () => {
    const { app, a } = app2();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] }));
    Policy.suppress(a, 'ACME-999', 'typo in the rule id, surely');
    Policy.suppress(app, 'KM-POL-001', 'trying to hide the typo above');
    const f = Policy.of(app).check().findingsOf('KM-POL-001');
    expect(f).toEqual([expect.objectContaining({ severity: 'error', pack: 'policy', constructPath: 'a', message: expect.stringMatching(/a suppression names rule ACME-999, which no pack attached to this app has/) })]);
  });

  test('a rule that throws is reported (KM-POL-003), and the other rules still run', () => {
    const { app } = app2();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new CrashingRule(), new TeamLabelRule()] }));
    const report = Policy.of(app).check();
    expect(report.findingsOf('KM-POL-003')[0].message).toBe('rule ACME-002 of pack acme failed: boom');
    expect(report.findingsOf('ACME-001')).toHaveLength(2);
  });

  test('rule ids are unique in an app, and packs check their rules', () => {
    const { app, b } = app2();
    Policy.of(app).addPack(new PolicyPack({ name: 'acme', rules: [new TeamLabelRule()] }));
    expect(() => Policy.of(b).addPack(new PolicyPack({ name: 'other', rules: [new TeamLabelRule()] }))).toThrow(/rule ids must be unique in an app/);
    expect(() => new PolicyPack({ name: 'x', rules: [new TeamLabelRule(), new TeamLabelRule()] })).toThrow(/already has a rule ACME-001/);
    expect(() => new PolicyPack({ name: 'Bad Name' })).toThrow(/not a lowercase name/);
    expect(() => new (class extends PolicyRule {
      constructor() { super({ id: 'X-1', severity: PolicySeverity.ERROR, description: '', remediation: 'r' }); }
      public evaluate() { return []; }
    })()).toThrow(/has no description/);
  });

  test('the context indexes the tree once: constructs by type, objects by kind and identity', () => {
    const { app } = app2();
    const ctx = (PolicyContext as any)._build(app) as PolicyContext;
    expect(ctx.objects.map((o) => o.name)).toEqual(['one', 'two', 'three']);
    expect(ctx.objectsOfKind('ConfigMap').length).toBe(3);
    expect(ctx.findObject('', 'ConfigMap', 'three', 'y')!.apiObject.node.path).toBe('b/cm3');
    expect(ctx.tenantClusters).toEqual([]);
  });
});
