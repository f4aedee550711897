// Skips like test/support/upstream.ts (one plain line on stderr and one skipped test), for what
// requireUpstream does not cover: any sub-path of ../shared, and command-line tools.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { sharedDir } from './upstream';

const repoRoot = path.resolve(__dirname, '..', '..');

/** One skipped test named by the line, and the line on stderr (test/support/upstream.ts's way). */
export function skipWith(line: string): undefined {
  process.stderr.write(`${path.relative(repoRoot, expect.getState().testPath ?? '')}: ${line}\n`);
  test.skip(line, () => undefined);
  return undefined;
}

/** `../shared/<rel>` (file or folder), or undefined with one skipped test when it is absent. */
export function requireShared(rel: string): string | undefined {
  const p = path.join(sharedDir, rel);
  if (fs.existsSync(p)) return p;
  return skipWith(`../shared/${rel} is absent: the tests that read it are left out (CI runs them with ../shared beside the repository; see README)`);
}

/** Whether a command runs (`<cmd> <args>` exits 0), else one skipped test saying what to install. */
export function requireTool(cmd: string, args: readonly string[], install: string): boolean {
  const run = spawnSync(cmd, [...args], { encoding: 'utf8' });
  if (!run.error && run.status === 0) return true;
  skipWith(`${cmd} not found: the tests that need it are left out (${install})`);
  return false;
}
