/**
 * The import task: regenerates the L1 bindings (`src/imports/<group>.ts`) and the conformance schema
 * bundle (`imports/schemas/<group>.json`) from the pinned upstream files in `../shared/crds`, and
 * nothing else (no network).
 *
 *   npx projen import                 regenerate (fails if a pinned file changed and the lock was not updated)
 *   npx projen import --update-lock   accept the pinned files as they are now and rewrite imports/crds.lock.json
 *   npx projen import:check           regenerate into a scratch folder and fail if anything committed differs
 *
 * Why the CRDs are rewritten before `cdk8s import` (see ../shared/CDK8S-NOTES.md):
 * - `cdk8s import` reads only the first file it is given, and one module per API group: all selected
 *   kinds of a group are concatenated into one multi-document file.
 * - With several versions in one CRD the importer suffixes all but the first (`ClusterV1Beta2`), by
 *   upstream's ordering. Every CRD is trimmed to the one version we emit, so class names are plain
 *   and the version is pinned by the selection, not by upstream's file order.
 */
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as YAML from 'yaml';
import { writeSchemaBundle } from './schema-bundle';

const execFileAsync = promisify(execFile);

const repoRoot = path.resolve(__dirname, '..');
const sharedCrds = path.resolve(repoRoot, '..', 'shared', 'crds');
const selectionFile = path.join(repoRoot, 'imports', 'selection.json');
const lockFile = path.join(repoRoot, 'imports', 'crds.lock.json');
const l1Dir = path.join(repoRoot, 'src', 'imports');
const bundleDir = path.join(repoRoot, 'imports', 'schemas');

interface SelectedKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

interface LockedFile {
  readonly path: string;
  readonly project: string;
  readonly upstream: string;
  readonly version: string;
  readonly sha256: string;
}

interface Lock {
  readonly comment: string;
  readonly files: LockedFile[];
  readonly imports: Array<{ group: string; module: string; kinds: Array<{ kind: string; version: string; className: string; file: string }> }>;
}

interface CrdDoc {
  readonly file: string;
  readonly doc: any;
}

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every pinned file (CRD YAML and OpenAPI documents), relative to ../shared/crds, sorted. */
function pinnedFiles(): string[] {
  const out: string[] = [];
  for (const folder of fs.readdirSync(sharedCrds).sort()) {
    const dir = path.join(sharedCrds, folder);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (/\.(ya?ml|json)$/.test(f)) out.push(`${folder}/${f}`);
    }
  }
  return out;
}

/** Upstream version per folder, from the table in ../shared/crds/README.md. */
function upstreamVersions(): Map<string, string> {
  const versions = new Map<string, string>();
  const readme = fs.readFileSync(path.join(sharedCrds, 'README.md'), 'utf8');
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | folder | upstream version | kind | versions |
    if (cells.length >= 5 && cells[1] && cells[2] && !cells[1].startsWith('---') && cells[1] !== 'folder') {
      if (!versions.has(cells[1])) versions.set(cells[1], cells[2]);
    }
  }
  return versions;
}

function upstreamRepo(folder: string): string {
  const source = path.join(sharedCrds, folder, 'SOURCE.md');
  if (!fs.existsSync(source)) return 'unknown';
  const m = fs.readFileSync(source, 'utf8').match(/https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+/);
  return m ? m[0] : 'unknown';
}

function currentLockFiles(): LockedFile[] {
  const versions = upstreamVersions();
  return pinnedFiles().map((rel) => {
    const folder = rel.split('/')[0];
    return {
      path: rel,
      project: folder,
      upstream: upstreamRepo(folder),
      version: versions.get(folder) ?? 'unknown',
      sha256: sha256(path.join(sharedCrds, rel)),
    };
  });
}

/** Compares the pinned files with the committed lock; returns human-readable differences. */
function lockDifferences(locked: LockedFile[], current: LockedFile[]): string[] {
  const diffs: string[] = [];
  const byPath = new Map(locked.map((f) => [f.path, f]));
  for (const f of current) {
    const l = byPath.get(f.path);
    if (!l) diffs.push(`new pinned file ${f.path} is not in the lock`);
    else if (l.sha256 !== f.sha256) diffs.push(`${f.path} changed: lock has sha256 ${l.sha256}, file has ${f.sha256}`);
    else if (l.version !== f.version) diffs.push(`${f.path}: lock says ${f.project} ${l.version}, ../shared/crds/README.md says ${f.version}`);
    byPath.delete(f.path);
  }
  for (const p of byPath.keys()) diffs.push(`${p} is in the lock but no longer in ../shared/crds`);
  return diffs;
}

function loadCrds(): CrdDoc[] {
  const out: CrdDoc[] = [];
  for (const rel of pinnedFiles()) {
    if (!/\.ya?ml$/.test(rel)) continue;
    for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(sharedCrds, rel), 'utf8'))) {
      const doc = d.toJS();
      if (doc?.kind === 'CustomResourceDefinition') out.push({ file: rel, doc });
    }
  }
  return out;
}

/** One CRD document trimmed to the selected version, served and stored, with nothing else changed. */
function trimToVersion(crd: CrdDoc, version: string): any {
  const v = (crd.doc.spec.versions as any[]).find((x) => x.name === version);
  if (!v) {
    const have = (crd.doc.spec.versions as any[]).map((x) => x.name).join(', ');
    fail(`${crd.file}: ${crd.doc.spec.names.kind} has no version ${version} (it has ${have}); fix imports/selection.json`);
  }
  return {
    apiVersion: crd.doc.apiVersion,
    kind: crd.doc.kind,
    metadata: { name: crd.doc.metadata.name },
    spec: { ...crd.doc.spec, versions: [{ ...v, served: true, storage: true }] },
  };
}

async function runPool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.max(1, width) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

/** Generates the L1 modules into `outDir`; returns the lock's `imports` section. */
async function generateL1(outDir: string, scratch: string): Promise<Lock['imports']> {
  const selection: SelectedKind[] = JSON.parse(fs.readFileSync(selectionFile, 'utf8')).kinds;
  const crds = loadCrds();
  const byGroupKind = new Map<string, CrdDoc>();
  for (const c of crds) byGroupKind.set(`${c.doc.spec.group}/${c.doc.spec.names.kind}`, c);

  const groups = new Map<string, SelectedKind[]>();
  for (const s of selection) {
    if (!byGroupKind.has(`${s.group}/${s.kind}`)) fail(`imports/selection.json: no pinned CRD for ${s.group} ${s.kind}`);
    groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  }

  fs.mkdirSync(outDir, { recursive: true });
  const cdk8s = path.join(repoRoot, 'node_modules', '.bin', 'cdk8s');
  const sortedGroups = [...groups.keys()].sort();
  const classNames = new Map<string, string>();
  await runPool(sortedGroups, os.cpus().length, async (group) => {
    const kinds = groups.get(group)!.sort((a, b) => a.kind.localeCompare(b.kind));
    const docs = kinds.map((k) => YAML.stringify(trimToVersion(byGroupKind.get(`${k.group}/${k.kind}`)!, k.version)));
    const work = path.join(scratch, group);
    fs.mkdirSync(work, { recursive: true });
    const input = path.join(work, `${group}.yaml`);
    fs.writeFileSync(input, docs.join('---\n'));
    await execFileAsync(cdk8s, ['import', input, '--language', 'typescript', '--output', 'out', '--no-save', '--no-check-upgrade'], { cwd: work, maxBuffer: 64 * 1024 * 1024 });
    const generated = path.join(work, 'out', `${group}.ts`);
    if (!fs.existsSync(generated)) fail(`cdk8s import wrote no ${group}.ts for ${group}`);
    const code = fs.readFileSync(generated, 'utf8');
    // The importer renames some kinds (OCIRepository -> OciRepository): record the class it made.
    const classes = new Map<string, string>();
    for (const m of code.matchAll(/^export class (\w+) extends ApiObject \{[\s\S]*?kind: '(\w+)'/gm)) classes.set(m[2], m[1]);
    for (const k of kinds) {
      const className = classes.get(k.kind);
      if (!className) fail(`cdk8s import of ${group} produced no class for ${k.kind} (see ../shared/CDK8S-NOTES.md)`);
      classNames.set(`${group}/${k.kind}`, className);
    }
    fs.writeFileSync(path.join(outDir, `${group}.ts`), code);
  });

  return sortedGroups.map((group) => ({
    group,
    module: `src/imports/${group}.ts`,
    kinds: groups.get(group)!.map((k) => ({
      kind: k.kind,
      version: k.version,
      className: classNames.get(`${k.group}/${k.kind}`)!,
      file: byGroupKind.get(`${k.group}/${k.kind}`)!.file,
    })),
  }));
}

function generateBundle(outDir: string): void {
  // The bundle builder belongs to the conformance checker; the task only decides where it goes.
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  writeSchemaBundle(sharedCrds, outDir);
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

function compareDirs(expected: string, actual: string, label: string): string[] {
  const diffs: string[] = [];
  const e = listFiles(expected);
  const a = listFiles(actual);
  for (const f of e) {
    if (!a.includes(f)) diffs.push(`${label}/${f} is missing`);
    else if (!fs.readFileSync(path.join(expected, f)).equals(fs.readFileSync(path.join(actual, f)))) diffs.push(`${label}/${f} is stale`);
  }
  for (const f of a) if (!e.includes(f)) diffs.push(`${label}/${f} is not generated by the task`);
  return diffs;
}

function writeLock(files: LockedFile[], imports: Lock['imports']): string {
  const lock: Lock = {
    comment: 'Generated by `npx projen import --update-lock`. Pins every upstream file the imports and the conformance bundle come from (../shared/crds), and the class generated for each emitted kind.',
    files,
    imports,
  };
  return JSON.stringify(lock, null, 2) + '\n';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const updateLock = args.includes('--update-lock');
  if (!fs.existsSync(sharedCrds)) fail(`${sharedCrds} not found: the pinned CRDs must sit beside this repository as ../shared/crds`);

  const current = currentLockFiles();
  const locked: Lock | undefined = fs.existsSync(lockFile) ? JSON.parse(fs.readFileSync(lockFile, 'utf8')) : undefined;
  if (!updateLock) {
    if (!locked) fail('imports/crds.lock.json is missing: run `npx projen import --update-lock` once and commit it');
    const diffs = lockDifferences(locked.files, current);
    if (diffs.length) fail(`the pinned CRDs differ from imports/crds.lock.json:\n  ${diffs.join('\n  ')}\nreview the upstream change, then run \`npx projen import --update-lock\``);
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-import-'));
  try {
    const started = Date.now();
    const target = check ? path.join(scratch, 'l1') : l1Dir;
    const targetBundle = check ? path.join(scratch, 'schemas') : bundleDir;
    if (!check) {
      for (const f of listFiles(l1Dir)) fs.rmSync(path.join(l1Dir, f));
    }
    const imports = await generateL1(target, path.join(scratch, 'work'));
    generateBundle(targetBundle);
    const lockText = writeLock(updateLock || !locked ? current : locked.files, imports);

    if (check) {
      const diffs = [
        ...compareDirs(target, l1Dir, 'src/imports'),
        ...compareDirs(targetBundle, bundleDir, 'imports/schemas'),
      ];
      if (fs.readFileSync(lockFile, 'utf8') !== lockText) diffs.push('imports/crds.lock.json does not match the selection');
      if (diffs.length) fail(`generated files are not current:\n  ${diffs.join('\n  ')}\nrun \`npx projen import\` and commit the result`);
      console.log(`import:check: ${imports.length} L1 modules and the schema bundle are current (${Date.now() - started} ms)`);
    } else {
      fs.writeFileSync(lockFile, lockText);
      const kinds = imports.reduce((n, g) => n + g.kinds.length, 0);
      console.log(`import: ${kinds} kinds in ${imports.length} modules -> src/imports, schema bundle -> imports/schemas (${Date.now() - started} ms)`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => fail(e?.stack ?? String(e)));
