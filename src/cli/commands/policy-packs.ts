import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { FindingSeverity } from '../../conformance/finding';
import { PlatformPolicyPack } from '../../policy/platform-policy-pack';
import { Policy } from '../../policy/policy';
import { PolicyReport, type PolicyFinding } from '../../policy/policy-report';
import { newFinding, type CliFinding } from '../report';
import type { FluxTreeModel, TreeObject } from '../tree/flux-tree-reader';

/** What the policy packs said about a tree. */
export interface PolicyRun {
  /** Whether the packs ran. */
  readonly ran: boolean;
  /** What ran (or why nothing did), for the report. */
  readonly note: string;
  readonly findings: CliFinding[];
}

/**
 * Runs the shipped `kmetal-platform` pack over a synthesized tree, cluster by cluster.
 *
 * The policy engine reads a construct tree: as the cdk8s validation plugin does
 * (src/plugin/kmetal-validation.ts), an app is rebuilt with one ApiObject per object of the tree,
 * so rules over objects run as at synth, and rules over the program's L3 constructs (bare-metal
 * and VIP pool capacity, tenant guardrails) find nothing: they run at synth, in the app. Prune
 * protection is off: it would add the very annotation its rule checks, and the files are what
 * must carry it.
 *
 * Suppressions live on constructs, which a tree no longer has: a finding that the tree's own
 * policy report (`report/policy-report.json`, `Policy.writeReportTo`) lists as suppressed is
 * reported as such, with its reason, instead of failing the check.
 */
export function runPolicyPacks(trees: readonly FluxTreeModel[], root: string): PolicyRun {
  if (trees.length === 0) return { ran: false, note: 'not a Flux tree: the policy packs did not run', findings: [] };
  const recorded = suppressionsRecordedIn(root);
  const findings: CliFinding[] = [];
  let rules = 0;
  for (const tree of trees) {
    const app = new App({ outdir: path.join(os.tmpdir(), 'kmetal-check-unused') });
    const byPath = new Map<string, TreeObject>();
    tree.layers.forEach((layer) => {
      const chart = new Chart(app, `layer-${layer.position}`);
      layer.objects.forEach((o, i) => {
        const api = new ApiObject(chart, `object-${i}`, JSON.parse(JSON.stringify(o.manifest)));
        byPath.set(api.node.path, o);
      });
    });
    const pack = new PlatformPolicyPack({ pruneProtection: false });
    rules = pack.rules.length;
    const report = Policy.of(app).addPack(pack).check();
    for (const f of report.allFindings) {
      if (f.suppressed) continue;
      findings.push(toFinding(f, byPath.get(f.constructPath), recorded, trees.length > 1 ? tree.cluster : undefined));
    }
  }
  return {
    ran: true,
    note: `kmetal-platform pack (${rules} rules) over the synthesized objects; rules about the program's constructs (pool capacity, tenant guardrails) run at synth`,
    findings,
  };
}

function toFinding(f: PolicyFinding, object: TreeObject | undefined, recorded: Map<string, string>, cluster: string | undefined): CliFinding {
  const subject = {
    apiVersion: f.object?.apiVersion ?? object?.apiVersion ?? '',
    kind: f.object?.kind ?? object?.kind ?? '',
    name: f.object?.name ?? object?.name ?? '',
    namespace: f.object?.namespace ?? object?.namespace,
    file: object?.file,
    documentIndex: object?.documentIndex,
    layer: object?.layer.name,
  };
  const where = cluster !== undefined ? `cluster ${cluster}: ` : '';
  const reason = recorded.get(suppressionKey(f));
  if (reason !== undefined) {
    return newFinding(FindingSeverity.INFO, f.ruleId, subject, '', `${where}${f.message} (suppressed in the program: ${reason})`);
  }
  return newFinding(f.severity as unknown as FindingSeverity, f.ruleId, subject, '', `${where}${f.message}. Fix: ${f.fix}`);
}

/** Suppressed findings of the tree's own policy report, by rule and object (or message, for findings about no object). */
function suppressionsRecordedIn(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const file = path.join(root, 'report', PolicyReport.JSON_FILE);
  if (!fs.existsSync(file)) return out;
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const f of Array.isArray(report?.findings) ? report.findings : []) {
      if (f?.suppressed === true && typeof f.ruleId === 'string') out.set(suppressionKey(f), String(f.suppressionReason ?? ''));
    }
  } catch {
    // An unreadable report suppresses nothing.
  }
  return out;
}

function suppressionKey(f: { ruleId: string; object?: { kind?: string; namespace?: string; name?: string }; message?: string }): string {
  return f.object ? `${f.ruleId}\u0000${f.object.kind}\u0000${f.object.namespace ?? ''}\u0000${f.object.name}` : `${f.ruleId}\u0000${f.message}`;
}
