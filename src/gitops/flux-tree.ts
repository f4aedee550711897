import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import type { ConformanceChecker } from '../conformance/conformance-checker';
import { ConformanceFinding, FindingSeverity } from '../conformance/finding';
import { isKmetalValidationError, KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { scanConstructTree } from './private/construct-scan';
import { FolderSyncStats, syncFolder } from './private/folder-sync';
import { unsafeOutputFolder } from './private/output-folder';
import { FolderSyncError } from './private/tree-manifest';
import { PlacedFinding, renderTree, serializeTree } from './private/tree-render';
import { compare, planUnits, resolveUnitDependencies } from './private/unit-plan';
import { withRenderSession } from '../util/render-session';
import { reconcileRenderedTree } from './private/tree-reconcile';
import type { ReconcileFinding } from '../reconcile/reconcile-finding';
import { formatSynthFailure } from '../util/synth-failure';
import { withDeferredOutputs } from '../util/synth-outputs';
import { sealAfterSynth } from '../util/synth-seal';

/**
 * The Flux source every generated Kustomization reads from (Flux `spec.sourceRef`).
 */
export interface FluxSourceReference {
  /**
   * Kind of the source: `GitRepository`, `OCIRepository`, `Bucket` or `ExternalArtifact`.
   *
   * @default 'GitRepository'
   */
  readonly kind?: string;

  /** Name of the source object. */
  readonly name: string;

  /**
   * Namespace of the source object.
   *
   * @default - none: Flux looks in the Kustomization's own namespace (`fluxNamespace`)
   */
  readonly namespace?: string;

  /**
   * API version of the source object.
   *
   * @default - none: Flux uses its preferred version
   */
  readonly apiVersion?: string;
}

/**
 * Options of a {@link FluxTree}.
 */
export interface FluxTreeProps {
  /**
   * Folder the app folder is written into.
   *
   * @default - the App's `outdir` (cdk8s: `dist`, or `CDK8S_OUTDIR`)
   */
  readonly outdir?: string;

  /**
   * Name of the app: its folder is `<outdir>/<appName>/` and its root Flux Kustomization is named after
   * it. A DNS label.
   */
  readonly appName: string;

  /**
   * Name of the cluster that units without their own `cluster` are applied to.
   *
   * @default 'under'
   */
  readonly clusterName?: string;

  /**
   * Path of the app folder from the root of the Flux source (the git repository), as written in the
   * Kustomizations' `spec.path` (each unit's is `<repoPath>/<unit path>`).
   *
   * @default - `./<outdir>/<appName>` when `outdir` is a relative path inside the working directory
   * (the usual case: synth runs at the repository root), otherwise `./dist/<appName>`
   */
  readonly repoPath?: string;

  /**
   * The Flux source all Kustomizations read from.
   *
   * @default - the GitRepository `flux-system` that `flux bootstrap` creates, in `fluxNamespace`
   */
  readonly sourceRef?: FluxSourceReference;

  /**
   * Namespace of the generated Flux Kustomizations (where kustomize-controller watches them).
   *
   * @default 'flux-system'
   */
  readonly fluxNamespace?: string;

  /**
   * Paths inside the app folder whose files the writer never deletes, even when it wrote them
   * once (e.g. a unit folder you took over by hand). Relative to `<outdir>/<appName>/`.
   *
   * The writer deletes and overwrites only files it wrote (listed in `<app folder>/.kmetal-tree.json`),
   * so files of your own, and those other tools write (`report/`), need no entry here.
   *
   * @default - none
   */
  readonly preserve?: string[];

  /**
   * Let the writer overwrite or delete files it wrote that were changed since (by hand, or by a
   * merge). By default such a file fails the write, naming the file, and nothing is written.
   *
   * @default false
   */
  readonly discardEdits?: boolean;

  /**
   * Check every object against its pinned CRD schema and CEL rules before anything is written
   * (`ConformanceChecker.default()` checks against the schemas shipped with this package). An
   * object a strict API server would refuse fails the write with its construct path; warnings are
   * returned in `conformanceWarnings`.
   *
   * It costs about 0.05 ms per object (0.4 s for a 1,000-tenant fleet of 10,000 objects). Kinds the checker has no
   * schema for (your own CRDs) are errors: give it a bundle that has them, or leave this unset and
   * check those objects yourself.
   *
   * @default - objects are not checked
   */
  readonly conformance?: ConformanceChecker;

  /**
   * When the write fails on findings (a `KmetalValidationError`: construct validations, policy,
   * conformance, reconcile, the output folder), print them to standard error, one per line and
   * without stack frames, and exit the process with code 1, instead of throwing. For programs run
   * with `ts-node main.ts` or `cdk8s synth`; leave it unset in tests and wherever the error is
   * caught. Other errors (a bug) are thrown as usual.
   *
   * @default false
   */
  readonly exitOnError?: boolean;

  /**
   * Run the reconcile check before anything is written: every reference resolves to an object of
   * the tree or one a modelled controller or chart creates, namespaces exist before use, selectors
   * select, Capsule sees Flux's requests, ClusterClass patches render (see `ReconcileChecker`). An
   * error fails the write with the construct path of the object; warnings and notes are returned in
   * `reconcileFindings`.
   *
   * @default true
   */
  readonly reconcile?: boolean;
}

/** How many objects of one kind were written. */
export interface FluxTreeKindCount {
  /** Object kind, e.g. `Deployment`. */
  readonly kind: string;
  /** Number of objects of that kind, across all API groups. */
  readonly count: number;
}

/** One unit (folder + Flux Kustomization) of a written tree. */
export interface FluxTreeUnitSummary {
  /** Name of the unit's Flux Kustomization. */
  readonly name: string;
  /** Folder of the unit, relative to the app folder. */
  readonly path: string;
  /** Cluster the unit is applied to. */
  readonly cluster: string;
  /** Number of objects in the unit. */
  readonly objectCount: number;
  /** Names of the Kustomizations this one depends on (explicit and inferred), sorted. */
  readonly dependsOn: string[];
  /** Construct path of the GitOpsUnit, or of the plain Chart a default unit was made for. */
  readonly constructPath: string;
  /** True when the unit was made for objects of a plain Chart outside every GitOpsUnit. */
  readonly defaultUnit: boolean;
}

/** What `FluxTree.write()` produced. */
export interface FluxTreeResult {
  /** The app folder (`<outdir>/<appName>`). */
  readonly outputDir: string;
  /** Every file of the tree, relative to the app folder, sorted (the writer's manifest `.kmetal-tree.json` not included). */
  readonly files: string[];
  /** Files created or rewritten because their content changed. */
  readonly filesWritten: number;
  /** Stale files removed from the app folder (only ever files the writer wrote). */
  readonly filesRemoved: number;
  /** Number of API objects written. */
  readonly objectCount: number;
  /** Objects per kind, sorted by kind. */
  readonly objectsPerKind: FluxTreeKindCount[];
  /** The units, sorted by path. */
  readonly units: FluxTreeUnitSummary[];
  /** The clusters that received Kustomizations, sorted. */
  readonly clusters: string[];
  /** Conformance warnings (e.g. deprecated API versions), in tree order; empty when `conformance` is not set. */
  readonly conformanceWarnings: ConformanceFinding[];
  /** Warnings and notes of the reconcile check (errors fail the write); empty when `reconcile` is false. */
  readonly reconcileFindings: ReconcileFinding[];
}

const SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'Bucket', 'ExternalArtifact'];

/**
 * Writes a cdk8s App as a Flux-ready tree under `<outdir>/<appName>/`:
 *
 * ```
 * clusters/<cluster>/<kustomization>.yaml  one Flux Kustomization per unit of the cluster
 * clusters/<cluster>/kustomization.yaml    lists them
 * bootstrap/<cluster>.yaml                 root Kustomization applying clusters/<cluster> (apply once)
 * <unit path>/<kind>-<name>.yaml           one file per object, plus kustomization.yaml
 * .kmetal-tree.json                        the files the writer wrote, with their sha256 (commit it)
 * ```
 *
 * The writer deletes and overwrites only files it wrote (the manifest lists them): your own files
 * in the app folder (a README, sources) are never touched, a tree file at the path of one of them
 * is refused, and so is an output folder that cannot be right (the file-system root, the home
 * directory, the project itself). A tree written before manifests existed is taken over on its
 * first write: the files of the layout above and those whose bytes are exactly what it writes.
 *
 * Use it instead of `app.synth()`: it walks the construct tree once, where `App.synth()` walks it once
 * per chart, which is quadratic in the number of charts.
 */
export class FluxTree {
  /**
   * Writes `app` as a Flux tree.
   */
  public static synth(app: App, props: FluxTreeProps): FluxTreeResult {
    if (props?.exitOnError !== true) return new FluxTree(app, props).write();
    try {
      return new FluxTree(app, props).write();
    } catch (e) {
      if (!isKmetalValidationError(e)) throw e;
      // Synchronous, so that nothing is lost when the process exits right after.
      fs.writeSync(2, `FluxTree.synth failed, nothing was written:\n${formatSynthFailure(e)}`);
      return process.exit(1);
    }
  }

  /**
   * One line for the console: `N objects (Kind: count, ...), M units, K files → <dir>`.
   */
  public static formatSummary(result: FluxTreeResult): string {
    const kinds = result.objectsPerKind.length > 0 ? ` (${result.objectsPerKind.map(k => `${k.kind}: ${k.count}`).join(', ')})` : '';
    const clusters = result.clusters.length > 1 ? `, ${result.clusters.length} clusters` : '';
    return `${result.objectCount} objects${kinds}, ${result.units.length} units${clusters}, ${result.files.length} files → ${result.outputDir}`;
  }

  /** The app folder this tree is written to (`<outdir>/<appName>`). */
  public readonly outputDir: string;
  /** Cluster of units that do not name one. */
  public readonly clusterName: string;
  /** Path of the app folder as Flux sees it. */
  public readonly repoPath: string;
  /** Namespace of the Flux Kustomizations. */
  public readonly fluxNamespace: string;

  private readonly app: App;
  private readonly appName: string;
  private readonly sourceRef: FluxSourceReference & { readonly kind: string };
  private readonly preserve: string[];
  private readonly discardEdits: boolean;
  private readonly conformance?: ConformanceChecker;
  private readonly reconcile: boolean;

  constructor(app: App, props: FluxTreeProps) {
    this.app = app;
    this.appName = validateDnsLabel(app, 'appName', props.appName);
    this.clusterName = validateDnsLabel(app, 'clusterName', props.clusterName ?? 'under');
    this.fluxNamespace = validateDnsLabel(app, 'fluxNamespace', props.fluxNamespace ?? 'flux-system');
    const outdir = props.outdir ?? app.outdir;
    this.outputDir = path.join(outdir, this.appName);
    const unsafe = typeof outdir === 'string' ? unsafeOutputFolder(outdir, this.outputDir) : `${showValue(outdir)} is not a path`;
    if (unsafe !== undefined) {
      throw new KmetalValidationError(app, 'outdir', `${unsafe}; the writer would own files there`, 'write the tree into a folder of its own inside the project, e.g. outdir: "dist"');
    }
    this.repoPath = normalizeRepoPath(app, props.repoPath ?? defaultRepoPath(outdir, this.appName));
    this.sourceRef = validateSourceRef(app, props.sourceRef ?? { name: 'flux-system' });
    this.preserve = (props.preserve ?? []).map(p => validatePreserved(app, p));
    this.conformance = props.conformance;
    this.reconcile = props.reconcile ?? true;
    this.discardEdits = props.discardEdits ?? false;
  }

  /**
   * Validates the app, renders the tree in memory and, only if everything is valid, syncs it to disk.
   *
   * Throws one error listing every failed construct validation (with construct paths), or the first
   * structural problem (duplicate object, colliding folders or names, dependency cycle, dependency
   * across clusters).
   */
  public write(): FluxTreeResult {
    // From here on the tree is final: every object is rendered once, whoever reads it (policy
    // rules, quota derivations, the conformance check, the writer).
    // The reports validations compute are written after the tree, and only if it was written.
    return withDeferredOutputs(() => withRenderSession(() => this.writeFinalTree()));
  }

  private writeFinalTree(): FluxTreeResult {
    const scan = scanConstructTree(this.app);
    if (scan.validationErrors.length > 0) {
      throw new KmetalValidationError(this.app, 'validation', `${scan.validationErrors.length} construct validation(s) failed:\n  ${scan.validationErrors.join('\n  ')}\n`, 'fix the constructs listed above');
    }
    const plans = planUnits(scan, this.clusterName, () => [this.appName]);
    resolveUnitDependencies(scan, plans);
    const planList = [...plans.values()];
    const tree = renderTree(planList, {
      appName: this.appName,
      defaultCluster: this.clusterName,
      repoPath: this.repoPath,
      fluxNamespace: this.fluxNamespace,
      sourceRef: this.sourceRef,
      conformance: this.conformance,
    });
    const errors = tree.findings.filter(f => f.finding.severity === FindingSeverity.ERROR);
    if (errors.length > 0) {
      throw new KmetalValidationError(this.app, 'conformance', `${errors.length} problem(s) in objects a strict API server would refuse:\n  ${describeFindings(errors)}\n`, 'fix the objects listed above (their construct paths are in brackets); nothing was written');
    }
    const reconcileFindings = this.reconcile ? reconcileRenderedTree(this.app, tree, this.outputDir) : [];
    const files = serializeTree(tree);
    let stats: FolderSyncStats;
    try {
      stats = syncFolder(this.outputDir, files, { preserve: this.preserve, discardEdits: this.discardEdits });
    } catch (e) {
      if (!(e instanceof FolderSyncError)) throw e;
      throw new KmetalValidationError(this.app, 'outdir', `the writer refused to change ${this.outputDir}, and nothing was written:\n  ${e.problems.join('\n  ')}\n`, e.fix);
    }
    // What is declared from now on would be missing from the tree: refuse it (see synth-seal).
    sealAfterSynth(this.app, scan.nodes.keys(), this.outputDir);

    return {
      outputDir: this.outputDir,
      files: [...files.keys()].sort(compare),
      filesWritten: stats.written,
      filesRemoved: stats.removed,
      objectCount: tree.objectCount,
      objectsPerKind: [...tree.objectsPerKind.entries()]
        .sort((a, b) => compare(a[0], b[0]))
        .map(([kind, count]) => ({ kind, count })),
      units: planList
        .sort((a, b) => compare(a.path, b.path))
        .map(p => ({
          name: p.name,
          path: p.path,
          cluster: p.cluster,
          objectCount: p.objects.length,
          dependsOn: [...p.dependsOn].map(d => d.name).sort(compare),
          constructPath: p.owner.node.path,
          defaultUnit: p.isDefault,
        })),
      clusters: tree.clusters,
      conformanceWarnings: tree.findings.filter(f => f.finding.severity === FindingSeverity.WARNING).map(f => f.finding),
      reconcileFindings,
    };
  }
}

// Enough to act on without drowning the console when a shared template is wrong in every tenant.
const MAX_LISTED_FINDINGS = 20;

function describeFindings(findings: PlacedFinding[]): string {
  const lines = findings.slice(0, MAX_LISTED_FINDINGS).map(({ scope, finding: f }) => {
    const object = `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
    return `[${scope.node.path || '<app>'}] ${object} ${f.path ? `${f.path}: ` : ''}${f.message} [${f.code}]`;
  });
  if (findings.length > MAX_LISTED_FINDINGS) lines.push(`... and ${findings.length - MAX_LISTED_FINDINGS} more`);
  return lines.join('\n  ');
}

function defaultRepoPath(outdir: string, appName: string): string {
  if (!path.isAbsolute(outdir)) {
    const rel = path.posix.normalize(outdir.split(path.sep).join('/'));
    if (rel !== '..' && !rel.startsWith('../')) return `./${path.posix.join(rel, appName)}`;
  }
  return `./dist/${appName}`;
}

function normalizeRepoPath(scope: App, repoPath: string): string {
  const fix = 'give the app folder\'s path from the repository root, e.g. "./dist/kmetal"';
  if (typeof repoPath !== 'string' || repoPath.trim().length === 0 || repoPath.includes('\\')) {
    throw new KmetalValidationError(scope, 'repoPath', `${showValue(repoPath)} is not a path Flux can use`, fix);
  }
  const segments = repoPath.split('/').filter(s => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new KmetalValidationError(scope, 'repoPath', `${showValue(repoPath)} leaves the repository ("..")`, fix);
  }
  return segments.length === 0 ? '.' : `./${segments.join('/')}`;
}

function validateSourceRef(scope: App, ref: FluxSourceReference): FluxSourceReference & { readonly kind: string } {
  const kind = ref.kind ?? 'GitRepository';
  if (!SOURCE_KINDS.includes(kind)) {
    throw new KmetalValidationError(scope, 'sourceRef.kind', `${showValue(kind)} is not a Flux source kind`, `use one of ${SOURCE_KINDS.join(', ')}`);
  }
  validateDnsLabel(scope, 'sourceRef.name', ref.name);
  if (ref.namespace !== undefined) validateDnsLabel(scope, 'sourceRef.namespace', ref.namespace);
  return { ...ref, kind };
}

function validatePreserved(scope: App, p: string): string {
  const clean = typeof p === 'string' ? p.split('/').filter(s => s !== '' && s !== '.').join('/') : '';
  if (clean.length === 0 || clean.split('/').includes('..') || p.startsWith('/')) {
    throw new KmetalValidationError(scope, 'preserve', `${showValue(p)} is not a path inside the app folder`, 'give a relative path such as "report"');
  }
  return clean;
}
