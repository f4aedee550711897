// Jest matchers for users' tests (TypeScript only; not part of the jsii API):
//   import { kmetalMatchers } from 'cdk8s-kmetal/lib/policy/testing';
//   expect.extend(kmetalMatchers);
//   expect(app).toBeConformant();
//   expect(app).toPassPolicy();
import { App, Chart } from 'cdk8s';
import { Policy } from './policy';
import { PolicyReport } from './policy-report';
import { PolicySeverity } from './policy-rule';
import { ConformanceChecker } from '../conformance/conformance-checker';
import { FindingSeverity } from '../conformance/finding';
import { formatFindings } from '../conformance/format-findings';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function conformanceOf(target: any) {
  const checker = ConformanceChecker.default();
  if (Chart.isChart(target)) return checker.validateChart(target);
  if (target instanceof App) return checker.validateApp(target);
  if (Array.isArray(target)) return checker.validateObjects(target);
  if (typeof target === 'string') return checker.validateYaml(target);
  return checker.validateObject(target);
}

export const kmetalMatchers = {
  /** The objects (an App, a Chart, objects, YAML) conform to the pinned CRDs' schemas and CEL rules. */
  toBeConformant(received: any): MatcherResult {
    const errors = conformanceOf(received).filter((f) => f.severity === FindingSeverity.ERROR);
    return {
      pass: errors.length === 0,
      message: () => (errors.length ? `expected conformant objects, got ${errors.length} error(s):\n${formatFindings(errors)}` : 'expected conformance errors, got none'),
    };
  },

  /**
   * The app's policy packs find nothing at or above a severity (default: errors), suppressed
   * findings apart: `expect(app).toPassPolicy()` or `expect(app).toPassPolicy(PolicySeverity.WARNING)`.
   */
  toPassPolicy(received: any, severity: PolicySeverity = PolicySeverity.ERROR): MatcherResult {
    const report = Policy.of(received.node.root).check();
    const rank = { [PolicySeverity.ERROR]: 0, [PolicySeverity.WARNING]: 1, [PolicySeverity.INFO]: 2 };
    const bad = report.findings.filter((f) => rank[f.severity] <= rank[severity]);
    return {
      pass: bad.length === 0,
      message: () => (bad.length ? `expected no policy findings of severity ${severity} or above, got ${bad.length}:\n  ${bad.map((f) => PolicyReport.formatFinding(f)).join('\n  ')}` : 'expected policy findings, got none'),
    };
  },

  /** The app's policy packs report a finding of this rule (not suppressed). */
  toHavePolicyFinding(received: any, ruleId: string): MatcherResult {
    const report = Policy.of(received.node.root).check();
    const found = report.findingsOf(ruleId);
    return {
      pass: found.length > 0,
      message: () => (found.length ? `expected no ${ruleId} finding, got:\n  ${found.map((f) => PolicyReport.formatFinding(f)).join('\n  ')}` : `expected a ${ruleId} finding; the run found: ${report.findings.map((f) => f.ruleId).join(', ') || 'nothing'}`),
    };
  },
};
