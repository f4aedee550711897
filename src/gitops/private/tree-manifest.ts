import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FastYamlWriter } from './yaml-document';

/**
 * The writer's record of what it wrote: `<app folder>/.kmetal-tree.json`, committed with the tree.
 * The writer deletes or overwrites only files listed there (and only while their bytes are still
 * the ones it wrote), so a user's own files in the app folder are never touched.
 */
export const MANIFEST_FILE = '.kmetal-tree.json';

const GENERATOR = 'cdk8s-kmetal FluxTree';

/** File (relative path with `/`) → sha256 of the bytes the writer wrote. */
export type TreeManifest = Map<string, string>;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The manifest's bytes: sorted, no timestamps and no package version, so that two syntheses of the
 * same program write the same file.
 */
export function serializeManifest(files: ReadonlyMap<string, string>): string {
  return manifestOfHashes(new Map([...files].map(([rel, content]) => [rel, sha256(content)])));
}

/** `serializeManifest` from the files' sha256 (relative path → hash). */
export function manifestOfHashes(hashes: ReadonlyMap<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const rel of [...hashes.keys()].sort(byCodePoint)) sorted[rel] = hashes.get(rel)!;
  return `${JSON.stringify({
    generator: GENERATOR,
    about: 'Files FluxTree.synth wrote into this folder, with the sha256 of their content. The writer deletes or overwrites only these (and only while unchanged); every other file here is yours. Commit this file with the tree.',
    files: sorted,
  }, null, 2)}\n`;
}

/** The previous manifest, `undefined` when the folder has none (a tree written before manifests existed). */
export function readManifest(root: string): TreeManifest | undefined {
  const file = path.join(root, MANIFEST_FILE);
  let text: string;
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile()) throw new FolderSyncError([`${file} is not a regular file: the writer cannot tell which files it wrote`], `remove ${file} (the writer then takes over the files of the Flux layout it would write) and synthesize again`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const files = json?.files;
  if (json?.generator !== GENERATOR || files === null || typeof files !== 'object' || Array.isArray(files)
    || Object.entries(files).some(([rel, hash]) => typeof hash !== 'string' || !isSafeRelative(rel))) {
    throw new FolderSyncError([`${file} is not a manifest FluxTree wrote (edited or merged by hand?): the writer cannot tell which files it wrote`],
      `restore it from git (git checkout -- ${file}), or remove it: the writer then takes over only the files of the Flux layout it would write`);
  }
  return new Map(Object.entries(files as Record<string, string>));
}

/**
 * For a folder without a manifest (every tree written before manifests existed): the files the
 * writer takes as its own, besides those whose bytes are exactly what it writes now. These are the
 * Flux layout it writes: a `kustomization.yaml` whose bytes are the ones the writer renders for its
 * list of sibling files, the `<kind>-<name>.yaml` files it lists, and the `bootstrap/<cluster>.yaml`
 * root Kustomizations. A user's file is none of these unless it is byte for byte what the writer
 * would have written, or listed by such a kustomization.yaml.
 *
 * @param files every regular file under the folder (relative), preserved paths left out
 * @param read reads a file's content
 */
export function legacyOwnedFiles(files: ReadonlySet<string>, read: (rel: string) => string): Set<string> {
  const owned = new Set<string>();
  const yaml = new FastYamlWriter();
  for (const rel of files) {
    const dir = path.posix.dirname(rel);
    const base = path.posix.basename(rel);
    if (base === 'kustomization.yaml') {
      const text = read(rel);
      const listed = [...text.matchAll(/^ {2}- (.*)$/gm)].map(m => m[1]);
      if (!listed.every(f => LAYOUT_FILE.test(f))) continue;
      if (text !== yaml.document({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: listed })) continue;
      owned.add(rel);
      for (const f of listed) {
        const sibling = dir === '.' ? f : `${dir}/${f}`;
        if (files.has(sibling) && read(sibling).startsWith('apiVersion: ')) owned.add(sibling);
      }
    } else if (dir === 'bootstrap' && LAYOUT_FILE.test(base) && read(rel).startsWith('apiVersion: kustomize.toolkit.fluxcd.io/')) {
      owned.add(rel);
    }
  }
  return owned;
}

// What objectFileNames() and the Kustomization file names look like: lower-case DNS characters.
const LAYOUT_FILE = /^[a-z0-9][a-z0-9.-]*\.yaml$/;

function isSafeRelative(rel: string): boolean {
  const segments = rel.split('/');
  return rel.length > 0 && !rel.includes('\\') && segments.every(s => s !== '' && s !== '.' && s !== '..');
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The writer refused to touch the folder; nothing was changed. */
export class FolderSyncError extends Error {
  constructor(public readonly problems: string[], public readonly fix: string) {
    super(`${problems.join('\n')}\nFix: ${fix}`);
    this.name = 'FolderSyncError';
  }
}
