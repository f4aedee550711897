import * as fs from 'fs';
import * as path from 'path';

/** What a sync did on disk. */
export interface FolderSyncStats {
  /** Files created or rewritten because their bytes changed. */
  readonly written: number;
  /** Stale files (and things in the way of new files) removed. */
  readonly removed: number;
}

/**
 * Makes the folder `root` contain exactly `files` (relative path with `/` → content).
 *
 * Files whose bytes are already right are left alone (so their modification time, and tools that
 * watch it, are not disturbed), everything else under `root` is removed except `preserve`d paths.
 * Nothing outside `root` is touched: symbolic links found inside are removed as links, never
 * followed, and a `root` that is itself a link or a file is refused.
 */
export function syncFolder(root: string, files: Map<string, string>, preserve: string[] = []): FolderSyncStats {
  const neededDirs = new Set<string>(['']);
  for (const rel of files.keys()) {
    for (let d = path.posix.dirname(rel); d !== '.' && !neededDirs.has(d); d = path.posix.dirname(d)) {
      neededDirs.add(d);
    }
  }
  const isPreserved = (rel: string) => preserve.some(p => rel === p || rel.startsWith(`${p}/`));

  let removed = 0;
  const existingFiles = new Set<string>();
  const rootStat = lstatOrUndefined(root);
  if (rootStat && !rootStat.isDirectory()) {
    throw new Error(`${root} exists and is not a directory (or is a symbolic link); the Flux tree writer only writes into a real directory it owns. Remove it and synthesize again.`);
  }
  if (rootStat) {
    // Depth-first over what is on disk; directories are emptied before we decide to remove them.
    const visit = (relDir: string): void => {
      const abs = path.join(root, relDir);
      for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
        const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
        if (isPreserved(rel)) continue;
        const entryAbs = path.join(root, rel);
        if (entry.isDirectory()) {
          if (files.has(rel)) {
            fs.rmSync(entryAbs, { recursive: true, force: true });
            removed++;
            continue;
          }
          visit(rel);
          if (!neededDirs.has(rel) && fs.readdirSync(entryAbs).length === 0) fs.rmdirSync(entryAbs);
        } else if (entry.isFile() && files.has(rel)) {
          existingFiles.add(rel);
        } else {
          fs.unlinkSync(entryAbs);
          removed++;
        }
      }
    };
    visit('');
  }

  let written = 0;
  const madeDirs = new Set<string>();
  for (const rel of [...files.keys()].sort()) {
    const content = files.get(rel)!;
    const abs = path.join(root, rel);
    if (existingFiles.has(rel) && fs.readFileSync(abs, 'utf8') === content) continue;
    const dir = path.dirname(abs);
    if (!madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    fs.writeFileSync(abs, content, 'utf8');
    written++;
  }
  return { written, removed };
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}
