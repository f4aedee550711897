import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CliFatalError } from '../errors';

/**
 * The files of one side of a plan: a folder on disk, or a folder as a git commit has it. Only
 * paths and fingerprints are listed up front; contents are read for the files that differ, which
 * in a fleet change is a small part of the tree.
 */
export interface TreeSource {
  /** How the user named it (`dist/quickstart`, `origin/main:dist/quickstart`). */
  readonly label: string;
  /** Every file, by path relative to the tree folder (`/`-separated). */
  files(): ReadonlyMap<string, TreeFileEntry>;
  /** The contents of some of the files, by relative path. */
  read(rels: readonly string[]): Map<string, string>;
}

/** A file of a tree source: what is known about it without reading it (git), or its bytes (disk). */
export interface TreeFileEntry {
  /** Git's blob id of the contents (`git hash-object`), when known. */
  readonly blob?: string;
  /** The contents, when already read. */
  readonly bytes?: Buffer;
}

/** Git's blob id of some bytes: what `git ls-tree` lists, so a disk file compares with a commit's without reading the commit's copy. */
export function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Whether two entries hold the same bytes. */
export function sameFile(a: TreeFileEntry, b: TreeFileEntry): boolean {
  if (a.bytes && b.bytes) return a.bytes.equals(b.bytes);
  return blobOf(a) === blobOf(b);
}

function blobOf(e: TreeFileEntry): string {
  return e.blob ?? blobId(e.bytes!);
}

/** A tree folder on disk: every file is read once (comparing needs the bytes anyway). */
export class DiskTreeSource implements TreeSource {
  private entries?: Map<string, TreeFileEntry>;

  constructor(public readonly root: string, public readonly label: string) {}

  public files(): ReadonlyMap<string, TreeFileEntry> {
    if (this.entries) return this.entries;
    const entries = new Map<string, TreeFileEntry>();
    const visit = (dir: string, rel: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        const r = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) visit(full, r);
        else if (e.isFile()) entries.set(r, { bytes: fs.readFileSync(full) });
      }
    };
    visit(this.root, '');
    this.entries = entries;
    return entries;
  }

  public read(rels: readonly string[]): Map<string, string> {
    const files = this.files();
    return new Map(rels.map((r) => [r, files.get(r)!.bytes!.toString('utf8')]));
  }
}

/** A tree folder as a git commit has it: listed with `git ls-tree`, read with `git cat-file --batch`. */
export class GitTreeSource implements TreeSource {
  private entries?: Map<string, TreeFileEntry>;

  /**
   * @param repo the repository's top folder
   * @param ref the commit (branch, tag, `origin/main`, a sha)
   * @param folder the tree folder inside the repository (`dist/quickstart`; `''` for the top)
   */
  constructor(private readonly repo: string, public readonly ref: string, private readonly folder: string) {}

  public get label(): string {
    return `${this.ref}:${this.folder}`;
  }

  public files(): ReadonlyMap<string, TreeFileEntry> {
    if (this.entries) return this.entries;
    const out = git(this.repo, ['ls-tree', '-r', '-z', '--full-tree', this.ref, '--', this.folder === '' ? '.' : this.folder]);
    const entries = new Map<string, TreeFileEntry>();
    const prefix = this.folder === '' ? '' : `${this.folder}/`;
    for (const line of out.toString('utf8').split('\0')) {
      // <mode> SP <type> SP <object> TAB <path>
      const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line);
      if (!m || !m[2].startsWith(prefix)) continue;
      entries.set(m[2].slice(prefix.length), { blob: m[1] });
    }
    this.entries = entries;
    return entries;
  }

  public read(rels: readonly string[]): Map<string, string> {
    const result = new Map<string, string>();
    if (rels.length === 0) return result;
    const files = this.files();
    const blobs = rels.map((r) => files.get(r)!.blob!);
    const out = git(this.repo, ['cat-file', '--batch'], `${blobs.join('\n')}\n`);
    // Each object: "<sha> blob <size>\n<contents>\n".
    let at = 0;
    for (const rel of rels) {
      const eol = out.indexOf(10, at);
      const header = out.subarray(at, eol).toString('utf8');
      const size = Number(/^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1]);
      if (!Number.isFinite(size)) throw new CliFatalError(`${this.label}: git cat-file could not read ${rel} (${header})`);
      result.set(rel, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
      at = eol + 1 + size + 1;
    }
    return result;
  }
}

/**
 * The source a command-line argument names: an existing folder, else a git commit (when `git
 * rev-parse --verify` knows it) holding the same folder as `folderOfOther` (the other argument).
 *
 * @param arg the argument as typed
 * @param folderOfOther the other side's folder, absolute; a commit is read at the same path
 * @throws CliFatalError when it is neither
 */
export function treeSourceOf(arg: string, cwd: string, folderOfOther: string): TreeSource {
  const dir = path.resolve(cwd, arg);
  if (isFolder(dir)) return new DiskTreeSource(dir, arg);
  if (fs.existsSync(dir)) throw new CliFatalError(`${arg}: not a folder (give a synthesized tree folder, e.g. dist/quickstart, or a git ref)`);
  if (!isCommit(cwd, arg)) {
    throw new CliFatalError(`${arg}: no such folder, and not a git ref here (give a tree folder, e.g. dist/quickstart, or a commit, e.g. origin/main)`);
  }
  if (!isFolder(folderOfOther)) {
    throw new CliFatalError(`${arg} is a git ref: the other side must be a folder, whose path inside the repository is read from the ref`);
  }
  const top = git(folderOfOther, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
  const folder = path.relative(fs.realpathSync(top), fs.realpathSync(folderOfOther)).split(path.sep).join('/');
  if (folder.startsWith('..')) throw new CliFatalError(`${folderOfOther} is not inside the git repository of ${arg}`);
  return new GitTreeSource(top, arg, folder);
}

function isFolder(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

function isCommit(cwd: string, ref: string): boolean {
  if (ref.startsWith('-')) return false;
  try {
    git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

function git(cwd: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new CliFatalError('git is not installed (kmetal plan reads a ref with git)');
    const why = err.stderr?.toString('utf8').trim().split('\n')[0];
    throw new CliFatalError(`git ${args[0]} failed in ${cwd}${why ? `: ${why}` : ''}`);
  }
}
