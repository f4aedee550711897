import * as fs from 'fs';
import * as path from 'path';
import { runPolicyPacks } from './policy-packs';
import { ConformanceChecker } from '../../conformance/conformance-checker';
import { FindingSeverity } from '../../conformance/finding';
import { findManifestFiles } from '../../conformance/yaml-documents';
import { checkTrees } from '../../reconcile/reconcile-checker';
import { CliFatalError, ExitCode } from '../errors';
import type { CliIo } from '../io';
import { countSeverities, plural, treeProblemFindings, writeFindings, writeJson, type CliFinding } from '../report';
import { readFluxTree, type FluxTreeModel } from '../tree/flux-tree-reader';

/** Options of `kmetal check`. */
export interface CheckOptions {
  /** The tree folder (`dist/<app>`). */
  readonly dir: string;
  /** Print a JSON document instead of text. */
  readonly json: boolean;
  /** Run the policy packs. */
  readonly policy: boolean;
}

/** What `kmetal check` found in one app folder (`dist/<app>`), or in a folder of plain manifests. */
interface TreeCheck {
  /** The folder as the user names it (`dist/quickstart`). */
  readonly tree: string;
  readonly clusters: string[];
  readonly policy: { readonly ran: boolean; readonly note: string };
  readonly findings: CliFinding[];
  readonly summary: { errors: number; warnings: number; infos: number };
}

/**
 * `kmetal check <dist-dir>`: the tree's structure (every Kustomization's path exists, dependsOn has
 * no cycle, listed files exist), conformance of every manifest to the pinned schemas (namespaced
 * objects of a layer with `targetNamespace` get it, as Flux applies them), and the shipped policy
 * pack over the synthesized objects. Given an outdir holding several apps (`dist`, each app a folder
 * with `clusters/<cluster>/`), checks each app as `kmetal check dist/<app>` would and reports per app.
 *
 * @returns 1 when there is an error finding, else 0
 */
export function runCheck(options: CheckOptions, io: CliIo): number {
  const root = path.resolve(io.cwd, options.dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new CliFatalError(`${options.dir}: no such folder (give the folder of a synthesized app, e.g. dist/quickstart)`);
  }
  const apps = appFoldersIn(root);
  if (apps.length === 0) {
    const result = checkTree(root, options.dir, options.policy);
    if (options.json) writeJson(io, { command: 'check', ...result });
    else writeTreeCheck(io, result);
    return result.summary.errors > 0 ? ExitCode.FINDINGS : ExitCode.OK;
  }

  const results = apps.map((app) => ({ app, ...checkTree(path.join(root, app), joinLabel(options.dir, app), options.policy) }));
  const summary = countSeverities(results.flatMap((r) => r.findings));
  if (options.json) {
    writeJson(io, { command: 'check', tree: options.dir, apps: results, summary });
  } else {
    for (const result of results) writeTreeCheck(io, result);
    const failed = results.filter((r) => r.summary.errors > 0).map((r) => r.app);
    io.stdout(`${options.dir}: ${plural(apps.length, 'app')} checked (${apps.join(', ')}); ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'note')}${failed.length > 0 ? `; errors in ${failed.join(', ')}` : ''}\n`);
  }
  return summary.errors > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

/** Checks one app folder (or a folder of plain manifests, which gets conformance only). */
function checkTree(root: string, label: string, policyOn: boolean): TreeCheck {
  const trees = readAllClusters(root);
  const findings: CliFinding[] = [];
  for (const tree of trees) findings.push(...treeProblemFindings(tree, trees.length > 1 ? `cluster ${tree.cluster}: ` : ''));

  // One checker per target namespace: Flux puts a layer's namespaced objects there, so they need none of their own.
  const targetNamespaceOf = new Map<string, string>();
  for (const tree of trees) for (const o of tree.objects) if (o.layer.targetNamespace) targetNamespaceOf.set(o.file, o.layer.targetNamespace);
  const checkers = new Map<string, ConformanceChecker>();
  const checkerFor = (ns: string | undefined) => {
    if (ns === undefined) return ConformanceChecker.default();
    let c = checkers.get(ns);
    if (!c) checkers.set(ns, c = new ConformanceChecker({ defaultNamespace: ns }));
    return c;
  };
  // The checker notes a kind without schema once per call; one call per file would note it per file.
  const noted = new Set<string>();
  for (const file of findManifestFiles(root)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    for (const f of checkerFor(targetNamespaceOf.get(rel)).validateYaml(fs.readFileSync(file, 'utf8'), rel)) {
      if (f.code === 'no-schema') {
        if (noted.has(`${f.apiVersion}/${f.kind}`)) continue;
        noted.add(`${f.apiVersion}/${f.kind}`);
      }
      findings.push(f);
    }
  }

  // What the controllers would do with the tree (the same check FluxTree.synth runs before writing);
  // its tree-structure findings are the reader's, already listed above.
  for (const f of checkTrees(trees)) {
    if (f.code.startsWith('tree-') || f.code === 'yaml' || f.code === 'malformed') continue;
    findings.push({
      severity: f.severity as FindingSeverity,
      code: `reconcile-${f.code}`,
      apiVersion: f.apiVersion ?? '',
      kind: f.kind ?? '',
      name: f.name ?? '',
      ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
      path: f.field ?? '',
      message: `${trees.length > 1 ? `cluster ${f.cluster}: ` : ''}${f.message}. Fix: ${f.fix}`,
      ...(f.file !== undefined ? { source: { file: f.file } } : {}),
    });
  }

  const policy = policyOn ? runPolicyPacks(trees, root) : { ran: false, note: 'skipped (--policy off)', findings: [] };
  findings.push(...policy.findings);
  return {
    tree: label,
    clusters: trees.map((t) => t.cluster),
    policy: { ran: policy.ran, note: policy.note },
    findings,
    summary: countSeverities(findings),
  };
}

/** The text report of one tree: its findings, a summary line naming the tree, the policy line. */
function writeTreeCheck(io: CliIo, result: TreeCheck): void {
  const counts = result.summary;
  writeFindings(io, result.findings);
  io.stdout(`${result.tree}: ${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}, ${plural(counts.infos, 'note')}${result.clusters.length === 0 ? ' (not a Flux tree: manifests only)' : ''}\n`);
  io.stdout(`policy: ${result.policy.note}\n`);
}

/**
 * The app folders of an outdir (`dist/<app>/clusters/<cluster>/`), sorted; none when the folder is an
 * app itself (it has `clusters/`) or holds no app.
 */
function appFoldersIn(root: string): string[] {
  if (fs.existsSync(path.join(root, 'clusters'))) return [];
  const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  return fs.readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isDir(path.join(root, e.name, 'clusters')))
    .filter((e) => fs.readdirSync(path.join(root, e.name, 'clusters'), { withFileTypes: true }).some((c) => c.isDirectory()))
    .map((e) => e.name)
    .sort();
}

/** `dist` + `quickstart` → `dist/quickstart`, as the user would type it. */
function joinLabel(dir: string, app: string): string {
  return `${dir.replace(/[\\/]+$/, '')}/${app}`;
}

/** Every cluster of a Flux tree; none for a folder of plain manifests (then only conformance runs). */
function readAllClusters(root: string): FluxTreeModel[] {
  const clustersDir = path.join(root, 'clusters');
  if (!fs.existsSync(clustersDir)) return [];
  return fs.readdirSync(clustersDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((cluster) => readFluxTree(root, cluster));
}
