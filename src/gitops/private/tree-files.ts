import * as fs from 'fs';
import * as path from 'path';
import { findManifestFiles, parseYamlDocuments } from '../../conformance/yaml-documents';

/** One parsed document of a file of the tree. */
export interface TreeFileDocument {
  /** Zero-based position in the file's YAML stream. */
  readonly documentIndex: number;
  /** The parsed value (`undefined` for an empty document). */
  readonly value: unknown;
  /** Why the document could not be parsed. */
  readonly error?: string;
}

/**
 * The files of a Flux tree, by path relative to the tree folder (`/`-separated). The tree model reads
 * a tree through this, so that the same reader serves the tree on disk (`kmetal check`) and the tree
 * FluxTree has rendered in memory but not yet written (the reconcile check at synth).
 */
export interface TreeFiles {
  /** Whether `rel` is a folder of the tree (`''` is the tree folder itself). */
  isFolder(rel: string): boolean;
  /** Whether `rel` is a file of the tree. */
  isFile(rel: string): boolean;
  /** The parsed documents of a file. */
  documents(rel: string): TreeFileDocument[];
  /** Every `*.yaml`/`*.yml` manifest file under the folder `rel` (kustomize files excluded), sorted. */
  manifestFiles(rel: string): string[];
  /** Every file under the folder `rel`, sorted. */
  allFiles(rel: string): string[];
  /** The names of the folders directly inside the folder `rel`, sorted. */
  subfolders(rel: string): string[];
}

const KUSTOMIZE_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** The tree on disk. */
export class DiskTreeFiles implements TreeFiles {
  constructor(public readonly root: string) {}

  public isFolder(rel: string): boolean {
    const full = this.abs(rel);
    return full !== undefined && fs.existsSync(full) && fs.statSync(full).isDirectory();
  }

  public isFile(rel: string): boolean {
    const full = this.abs(rel);
    return full !== undefined && fs.existsSync(full) && fs.statSync(full).isFile();
  }

  public documents(rel: string): TreeFileDocument[] {
    return parseYamlDocuments(fs.readFileSync(this.abs(rel)!, 'utf8'));
  }

  public manifestFiles(rel: string): string[] {
    return findManifestFiles(this.abs(rel)!).map((f) => this.relative(f));
  }

  public allFiles(rel: string): string[] {
    const out: string[] = [];
    const visit = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(full);
        else out.push(this.relative(full));
      }
    };
    const start = this.abs(rel);
    if (start !== undefined && fs.existsSync(start)) visit(start);
    return out.sort();
  }

  public subfolders(rel: string): string[] {
    const dir = this.abs(rel);
    if (dir === undefined || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }

  private abs(rel: string): string | undefined {
    const full = path.resolve(this.root, rel);
    return full === this.root || full.startsWith(this.root + path.sep) ? full : undefined;
  }

  private relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }
}

/**
 * A tree held in memory: every file's parsed documents by relative path (FluxTree's rendered
 * objects, before they are serialized).
 */
export class MemoryTreeFiles implements TreeFiles {
  private readonly folders = new Set<string>(['']);
  private readonly sorted: string[];

  constructor(private readonly files: ReadonlyMap<string, readonly unknown[]>) {
    for (const rel of files.keys()) {
      for (let d = path.posix.dirname(rel); d !== '.' && !this.folders.has(d); d = path.posix.dirname(d)) this.folders.add(d);
    }
    this.sorted = [...files.keys()].sort();
  }

  public isFolder(rel: string): boolean {
    return this.folders.has(normalize(rel));
  }

  public isFile(rel: string): boolean {
    return this.files.has(normalize(rel));
  }

  public documents(rel: string): TreeFileDocument[] {
    return (this.files.get(normalize(rel)) ?? []).map((value, documentIndex) => ({ documentIndex, value }));
  }

  public manifestFiles(rel: string): string[] {
    return this.allFiles(rel).filter((f) => /\.ya?ml$/.test(f) && !KUSTOMIZE_FILES.has(path.posix.basename(f)));
  }

  public allFiles(rel: string): string[] {
    const prefix = normalize(rel);
    if (prefix === '') return [...this.sorted];
    // The files under a folder are one run of the sorted list: found by binary search, since a
    // scan per folder made reading a tree of thousands of tenant folders quadratic.
    const start = `${prefix}/`;
    const out: string[] = [];
    for (let i = lowerBound(this.sorted, start); i < this.sorted.length && this.sorted[i].startsWith(start); i++) out.push(this.sorted[i]);
    return out;
  }

  public subfolders(rel: string): string[] {
    const prefix = normalize(rel);
    const names = new Set<string>();
    for (const d of this.folders) {
      if (d === '' || (prefix !== '' && !d.startsWith(`${prefix}/`))) continue;
      const rest = prefix === '' ? d : d.slice(prefix.length + 1);
      if (rest !== '' && !rest.includes('/')) names.add(rest);
    }
    return [...names].sort();
  }
}

/** The first index of a sorted list whose entry is not below `value`. */
function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Already normal: no empty or "." segment (every path the tree reader builds itself).
const NOT_NORMAL = /^\/|\/$|\/\/|(?:^|\/)\.(?:\/|$)/;

function normalize(rel: string): string {
  if (!NOT_NORMAL.test(rel)) return rel;
  return rel.split('/').filter((s) => s !== '' && s !== '.').join('/');
}
