// Synthesis for the properties: FluxTree.write() without the disk (the same private steps, in the
// same order: one construct walk with every validation, unit planning, dependency resolution,
// rendering every object to YAML in memory). `sameAsFluxTree()` checks this mirror against the real
// FluxTree.synth() on a sample of platforms, so the properties cannot drift from what users run.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { buildPlatform, BuiltPlatform } from './build';
import { Placed } from './invariants';
import { CANARY, PlatformSpec } from './platform-spec';
import { FluxTree, isKmetalValidationError } from '../../../src';
import * as kmetal from '../../../src';
import { scanConstructTree } from '../../../src/gitops/private/construct-scan';
import { reconcileRenderedTree } from '../../../src/gitops/private/tree-reconcile';
import { renderTree, serializeTree } from '../../../src/gitops/private/tree-render';
import { planUnits, resolveUnitDependencies } from '../../../src/gitops/private/unit-plan';
import { KmetalValidationError } from '../../../src/util/errors';

// Synth-time warnings (validated set left, unmatched selectors) are expected here; keep the output readable.
process.env.KMETAL_WARNINGS = 'off';

export const APP_NAME = 'kmetal';

/** The rendered tree (file → YAML) and the objects in it. */
export interface SynthResult {
  readonly files: Map<string, string>;
  /** The objects as JSON, with the cluster whose tree each is in (resolved on demand: it costs a second toJson() pass). */
  objects(): Placed[];
}

/** FluxTree.write() of `app` with appName `kmetal`, in memory. */
export function synthInMemory(app: App): SynthResult {
  const scan = scanConstructTree(app);
  if (scan.validationErrors.length > 0) {
    // Same error as FluxTree.write() (sameAsFluxTree() keeps it honest).
    throw new KmetalValidationError(app, 'validation', `${scan.validationErrors.length} construct validation(s) failed:\n  ${scan.validationErrors.join('\n  ')}\n`, 'fix the constructs listed above');
  }
  const plans = planUnits(scan, 'under', () => [APP_NAME]);
  resolveUnitDependencies(scan, plans);
  const tree = renderTree([...plans.values()], {
    appName: APP_NAME,
    defaultCluster: 'under',
    repoPath: `./dist/${APP_NAME}`,
    fluxNamespace: 'flux-system',
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
  });
  reconcileRenderedTree(app, tree, path.join('dist', APP_NAME));
  // serializeTree makes each file's text on demand: held here as a Map, the text of every file.
  const text = serializeTree(tree);
  return {
    files: new Map([...text.keys()].map((file) => [file, text.get(file)!])),
    objects: () => scan.objects.map((o) => ({ cluster: plans.get(o.owner)!.cluster, obj: o.apiObject.toJson() })),
  };
}

/** What building and synthesizing a spec gave. */
export type Outcome =
  | { readonly ok: true; readonly built: BuiltPlatform; readonly result: SynthResult }
  | { readonly ok: false; readonly error: unknown; readonly app: App; readonly phase: 'build' | 'synth' };

/** Builds and synthesizes a spec, catching whatever is thrown. */
export function attempt(spec: PlatformSpec): Outcome {
  const app = new App();
  let built: BuiltPlatform;
  try {
    built = buildPlatform(spec, app);
  } catch (error) {
    return { ok: false, error, app, phase: 'build' };
  }
  try {
    return { ok: true, built, result: synthInMemory(app) };
  } catch (error) {
    return { ok: false, error, app, phase: 'synth' };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Whether a construct path names a construct of the app, or a child being built when it failed, or
 * (`<Type>`) a type of the library that is not a construct (a policy pack, guardrails).
 */
function pathExists(app: IConstruct, paths: Set<string>, p: string): boolean {
  if (p === '<app>' || paths.has(p)) return true;
  const type = /^<([A-Z][A-Za-z0-9]*)>$/.exec(p)?.[1];
  if (type !== undefined) return typeof (kmetal as any)[type] === 'function';
  // A construct whose constructor failed may have been taken out of the tree again (BareMetalPool.addHost does).
  const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
  return parent !== '' && paths.has(parent) && app.node.path === '';
}

/**
 * Why an error is not an acceptable library error (undefined when it is): it must be a
 * KmetalValidationError whose message reads `[<construct path>] <field>: <problem>. Fix: <fix>`,
 * naming a construct of the app; FluxTree's aggregate lists each failed validation the same way.
 * No message may quote a credential the input carried.
 */
export function libraryErrorProblem(error: unknown, app: App): string | undefined {
  if (!isKmetalValidationError(error)) return `not the library's validation error: ${describe(error)}`;
  const e = error as KmetalValidationError;
  const m = e.message;
  if (m.includes(CANARY)) return `the message quotes a credential: ${m}`;
  if (!m.startsWith(`[${e.constructPath}] ${e.field}: `)) return `the message does not start with "[${e.constructPath}] ${e.field}: ": ${m}`;
  if (!e.fix || !m.endsWith(`. Fix: ${e.fix}`)) return `the message does not end with ". Fix: <fix>": ${m}`;
  const paths = new Set(app.node.findAll().map((c) => c.node.path));
  if (!pathExists(app, paths, e.constructPath)) return `the construct path ${e.constructPath} is not in the app: ${m}`;
  if (e.constructPath === '<app>' && e.field === 'validation') {
    const lines = m.split('\n').slice(1, -1);
    if (lines.length === 0) return `an aggregated validation error lists no validation: ${m}`;
    for (const line of lines) {
      const hit = /^ {2}\[([^\]]+)\] (.+)$/.exec(line);
      if (!hit) return `a line of the aggregated error does not start with "[<construct path>]": ${JSON.stringify(line)}`;
      // Policy findings are validations of the app's root that name the construct inside:
      // "[<app>] policy KM-NET-001 error [<construct path>] (<Kind> <ns>/<name>) <message>. Fix: <fix>".
      const policy = hit[1] === '<app>' ? /^policy KM-[A-Z]+-\d+ error \[([^\]]+)\] /.exec(hit[2]) : undefined;
      if (hit[1] === '<app>' && !policy) return `a line of the aggregated error names no construct: ${JSON.stringify(line)}`;
      const named = policy ? policy[1] : hit[1];
      if (!pathExists(app, paths, named)) return `the aggregated error names ${named}, which is not in the app`;
      if (!hit[2].includes('Fix: ')) return `a line of the aggregated error says no fix: ${JSON.stringify(line)}`;
    }
  }
  return undefined;
}

/** Runs the real FluxTree.synth() into a temporary folder: its files, or its error. */
export function fluxTreeFiles(app: App): { files?: Map<string, string>; error?: unknown } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-reliability-'));
  try {
    const result = FluxTree.synth(app, { outdir: dir, appName: APP_NAME });
    const files = new Map<string, string>();
    for (const f of result.files) files.set(f, fs.readFileSync(path.join(result.outputDir, f), 'utf8'));
    return { files };
  } catch (error) {
    return { error };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the in-memory mirror and the real FluxTree.synth() disagree on a spec (undefined when they agree). */
export function sameAsFluxTree(spec: PlatformSpec): string | undefined {
  const mirror = attempt(spec);
  const app = new App();
  try {
    buildPlatform(spec, app);
  } catch (error) {
    return mirror.ok || mirror.phase !== 'build' || describe(mirror.error) !== describe(error) ? `build differs: ${describe(error)}` : undefined;
  }
  const real = fluxTreeFiles(app);
  if (!mirror.ok) {
    return real.error && describe(real.error) === describe(mirror.error) ? undefined : `FluxTree: ${real.error ? describe(real.error) : 'success'}; mirror: ${describe(mirror.error)}`;
  }
  if (real.error) return `FluxTree failed (${describe(real.error)}) where the mirror succeeded`;
  const a = [...mirror.result.files.entries()].sort();
  const b = [...real.files!.entries()].sort();
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : 'FluxTree wrote other files than the mirror rendered';
}
