import * as fs from 'fs';
import * as path from 'path';
import { runPolicyPacks } from './policy-packs';
import { ConformanceChecker } from '../../conformance/conformance-checker';
import { findManifestFiles } from '../../conformance/yaml-documents';
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

/**
 * `kmetal check <dist-dir>`: the tree's structure (every Kustomization's path exists, dependsOn has
 * no cycle, listed files exist), conformance of every manifest to the pinned schemas (namespaced
 * objects of a layer with `targetNamespace` get it, as Flux applies them), and the shipped policy
 * pack over the synthesized objects.
 *
 * @returns 1 when there is an error finding, else 0
 */
export function runCheck(options: CheckOptions, io: CliIo): number {
  const root = path.resolve(io.cwd, options.dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new CliFatalError(`${options.dir}: no such folder (give the folder of a synthesized app, e.g. dist/quickstart)`);
  }
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

  const policy = options.policy ? runPolicyPacks(trees, root) : { ran: false, note: 'skipped (--policy off)', findings: [] };
  findings.push(...policy.findings);
  const counts = countSeverities(findings);
  if (options.json) {
    writeJson(io, {
      command: 'check',
      tree: options.dir,
      clusters: trees.map((t) => t.cluster),
      policy: { ran: policy.ran, note: policy.note },
      findings,
      summary: counts,
    });
  } else {
    writeFindings(io, findings);
    io.stdout(`${options.dir}: ${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}, ${plural(counts.infos, 'note')}${trees.length === 0 ? ' (not a Flux tree: manifests only)' : ''}\n`);
    io.stdout(`policy: ${policy.note}\n`);
  }
  return counts.errors > 0 ? ExitCode.FINDINGS : ExitCode.OK;
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
