import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Why the app folder `<outdir>/<appName>` cannot be right, or `undefined`. The writer owns the
 * files it writes there; these folders hold far more than a Flux tree (or the tree would bury a
 * project), so a typo in `outdir` is refused before anything is read or written.
 */
export function unsafeOutputFolder(outdir: string, appDir: string, cwd: string = process.cwd()): string | undefined {
  const out = path.resolve(cwd, outdir);
  const app = path.resolve(cwd, appDir);
  if (out === path.parse(out).root) return `${JSON.stringify(outdir)} is the file-system root`;
  const home = homeDirectory();
  if (home !== undefined && (out === home || app === home)) return `${JSON.stringify(outdir)} is the home directory`;
  if (app === cwd || cwd.startsWith(`${app}${path.sep}`)) return `the app folder ${app} is the working directory or contains it (the project itself)`;
  for (const marker of ['package.json', '.git']) {
    if (exists(path.join(app, marker))) return `the app folder ${app} holds a ${marker}: it is a project or repository root, not a Flux tree`;
  }
  return undefined;
}

function homeDirectory(): string | undefined {
  try {
    const home = os.homedir();
    return home ? path.resolve(home) : undefined;
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
