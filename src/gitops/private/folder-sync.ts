import * as fs from 'fs';
import * as path from 'path';
import { FolderSyncError, legacyOwnedFiles, manifestOfHashes, MANIFEST_FILE, readManifest, sha256 } from './tree-manifest';

/** What a sync did on disk. */
export interface FolderSyncStats {
  /** Files created or rewritten because their bytes changed (the manifest not counted). */
  readonly written: number;
  /** Stale files the writer had written that it removed. */
  readonly removed: number;
}

/** How a sync treats what it finds. */
export interface FolderSyncOptions {
  /** Paths (relative) whose files are never deleted and never taken over. */
  readonly preserve?: string[];
  /** Overwrite or delete files the writer wrote that were changed since (otherwise refused). */
  readonly discardEdits?: boolean;
}

type EntryKind = 'file' | 'other';

/**
 * The files of a tree: relative path with `/` → content. A `Map` is one; so is a tree whose text is
 * made on demand (`serializeTree`): `get` may build the text anew on every call, so the sync asks
 * for each file's text at most once where it can and keeps none of it after the file is written.
 */
export interface TreeContent {
  has(rel: string): boolean;
  get(rel: string): string | undefined;
  keys(): IterableIterator<string>;
}

/**
 * Makes the writer's files under `root` exactly `files` (relative path with `/` → content), and
 * records them in the manifest (`.kmetal-tree.json`).
 *
 * The writer touches only files it wrote: those listed in the previous manifest whose bytes are
 * still the listed ones. Without a manifest (a tree written before manifests existed) it takes over
 * the files whose bytes are exactly what it writes now and those of the Flux layout it writes (see
 * `legacyOwnedFiles`). Any other file is the user's: it is never deleted, and a tree file at its
 * path is refused. Everything is decided before the first change, so a refusal leaves the folder
 * byte-identical. Files whose bytes are already right are not rewritten (their modification time,
 * and tools that watch it, are not disturbed). Symbolic links are never followed.
 */
export function syncFolder(root: string, files: TreeContent, options: FolderSyncOptions = {}): FolderSyncStats {
  const preserve = options.preserve ?? [];
  const isPreserved = (rel: string) => preserve.some(p => rel === p || rel.startsWith(`${p}/`));
  if (files.has(MANIFEST_FILE)) throw new Error(`internal: the tree has a file named like the writer's manifest ${MANIFEST_FILE}`);

  const rootStat = lstatOrUndefined(root);
  if (rootStat && !rootStat.isDirectory()) {
    throw new FolderSyncError([`${root} exists and is not a directory (or is a symbolic link)`], 'the Flux tree writer only writes into a real directory: remove it, or choose another outdir/appName');
  }
  const disk = rootStat ? scanFolder(root) : { entries: new Map<string, EntryKind>(), dirs: new Set<string>() };
  const previous = rootStat ? readManifest(root) : undefined;
  const bytes = new Map<string, Buffer>();
  const read = (rel: string): Buffer => {
    let b = bytes.get(rel);
    if (!b) {
      b = fs.readFileSync(path.join(root, rel));
      bytes.set(rel, b);
    }
    return b;
  };
  const regular = new Set([...disk.entries].filter(([rel, kind]) => kind === 'file' && rel !== MANIFEST_FILE && !isPreserved(rel)).map(([rel]) => rel));
  const legacy = rootStat && previous === undefined ? legacyOwnedFiles(regular, rel => read(rel).toString('utf8')) : undefined;

  const show = (rel: string) => path.join(root, rel);
  const problems: string[] = [];
  // sha256 of every tree file's bytes, for the manifest: of unchanged files here, of the others as
  // they are written.
  const hashes = new Map<string, string>();
  // Text made here for a tree file that is on disk with other bytes: written below without making it again.
  const pending = new Map<string, string>();
  const toDelete = new Set<string>();
  for (const [rel, kind] of disk.entries) {
    if (rel === MANIFEST_FILE) continue;
    const wanted = files.has(rel);
    if (wanted && kind === 'file') {
      const content = files.get(rel)!;
      const onDisk = read(rel);
      if (onDisk.equals(Buffer.from(content, 'utf8'))) {
        hashes.set(rel, sha256(onDisk));
        continue;
      }
      pending.set(rel, content);
    }
    // A preserved path is never deleted; a tree file there is still subject to the rules below.
    if (!wanted && isPreserved(rel)) continue;
    const listed = previous?.get(rel);
    let ours: boolean;
    if (previous !== undefined) {
      if (listed === undefined) {
        ours = false;
      } else if (kind === 'file' && sha256(read(rel)) === listed) {
        ours = true;
      } else if (options.discardEdits) {
        ours = true;
      } else {
        problems.push(`${show(rel)}: changed since FluxTree wrote it, and this synthesis ${!wanted ? 'no longer has it (it would be deleted)' : 'writes it differently (it would be overwritten)'}. ` +
          'Restore it (git checkout -- <file>) and make the change in the program instead, or pass discardEdits: true to let the writer replace it');
        continue;
      }
    } else {
      ours = legacy?.has(rel) ?? false;
    }
    if (ours) {
      if (!wanted) toDelete.add(rel);
    } else if (wanted) {
      problems.push(`${show(rel)}: not written by FluxTree (${previous ? `not in ${MANIFEST_FILE}` : 'not a file of the Flux layout it writes'}), and the tree has a file there. ` +
        'Move or rename your file (files of your own are safe anywhere else in the folder), or delete it if it is an old copy of the tree');
    }
  }

  // Folders the tree needs where a file is, and files the tree needs where a folder is.
  const neededDirs = new Set<string>();
  for (const rel of files.keys()) {
    for (let d = path.posix.dirname(rel); d !== '.' && !neededDirs.has(d); d = path.posix.dirname(d)) neededDirs.add(d);
  }
  for (const d of neededDirs) {
    if (disk.entries.has(d) && !toDelete.has(d)) {
      problems.push(`${show(d)}: ${disk.entries.get(d) === 'file' ? 'a file' : 'a symbolic link or special file'} the writer did not write (or that was changed), where the tree needs a folder. Move or rename it`);
    }
  }
  const foldersInTheWay: string[] = [];
  for (const rel of files.keys()) {
    if (!disk.dirs.has(rel)) continue;
    const keep = [...disk.entries.keys()].filter(e => e.startsWith(`${rel}/`) && !toDelete.has(e));
    if (keep.length > 0) {
      problems.push(`${show(rel)}: a folder holding files the writer did not write (${keep.slice(0, 3).map(show).join(', ')}${keep.length > 3 ? ', ...' : ''}), where the tree needs a file. Move the folder`);
    } else {
      foldersInTheWay.push(rel);
    }
  }
  if (problems.length > 0) {
    throw new FolderSyncError(problems, 'see each file above; nothing was written. The writer deletes and overwrites only files it wrote (listed in <app folder>/.kmetal-tree.json)');
  }

  // Act: nothing below can be refused any more.
  for (const rel of toDelete) fs.unlinkSync(path.join(root, rel));
  for (const rel of foldersInTheWay) fs.rmSync(path.join(root, rel), { recursive: true, force: true });
  removeEmptiedFolders(root, [...toDelete], neededDirs);

  let written = 0;
  const madeDirs = new Set<string>();
  const write = (rel: string, content: string) => {
    const abs = path.join(root, rel);
    const dir = path.dirname(abs);
    if (!madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    fs.writeFileSync(abs, content, 'utf8');
  };
  for (const rel of [...files.keys()].sort()) {
    if (hashes.has(rel)) continue;
    // A file of the user's at a tree path was refused above; a link the writer owned is replaced, not followed.
    if (disk.entries.get(rel) === 'other') fs.unlinkSync(path.join(root, rel));
    const content = pending.get(rel) ?? files.get(rel)!;
    pending.delete(rel);
    write(rel, content);
    hashes.set(rel, sha256(content));
    written++;
  }
  const manifest = manifestOfHashes(hashes);
  const manifestPath = path.join(root, MANIFEST_FILE);
  if (disk.entries.get(MANIFEST_FILE) !== 'file' || fs.readFileSync(manifestPath, 'utf8') !== manifest) write(MANIFEST_FILE, manifest);
  return { written, removed: toDelete.size };
}

/** Every entry under `root`, symbolic links as entries (never followed), and the folders. */
function scanFolder(root: string): { entries: Map<string, EntryKind>; dirs: Set<string> } {
  const entries = new Map<string, EntryKind>();
  const dirs = new Set<string>();
  const visit = (relDir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relDir), { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.add(rel);
        visit(rel);
      } else {
        entries.set(rel, entry.isFile() ? 'file' : 'other');
      }
    }
  };
  visit('');
  return { entries, dirs };
}

/** Removes the folders that deleting `deleted` left empty (deepest first), except those the tree needs. */
function removeEmptiedFolders(root: string, deleted: string[], neededDirs: Set<string>): void {
  const candidates = new Set<string>();
  for (const rel of deleted) {
    for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) candidates.add(d);
  }
  for (const d of [...candidates].sort((a, b) => b.split('/').length - a.split('/').length)) {
    if (neededDirs.has(d)) continue;
    const abs = path.join(root, d);
    if (fs.existsSync(abs) && fs.readdirSync(abs).length === 0) fs.rmdirSync(abs);
  }
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}
