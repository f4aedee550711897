import * as fs from 'fs';
import * as path from 'path';

/** The repository root. */
const repoRoot = path.resolve(__dirname, '..', '..');

/** The pinned upstream material beside the repository (never copied into it). */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');

/** The parts of `../shared` the tests read. */
export type UpstreamPart = 'crds' | 'charts' | 'samples';

/**
 * The folder `../shared/<part>`, or `undefined` when it is absent: then a single skipped test says what
 * is missing, and the caller declares no test that reads it. A clean clone without `../shared` beside it
 * still runs everything that does not need the upstream bytes; CI always has them.
 */
export function requireUpstream(part: UpstreamPart): string | undefined {
  const dir = path.join(sharedDir, part);
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) return dir;
  const line = `../shared/${part} is absent: the tests that read it are left out (CI runs them with ../shared beside the repository; see README)`;
  // Jest lists no test of a suite whose tests are all skipped, and its console adds a stack per call:
  // one plain line on stderr, and the skipped test for the summary count.
  process.stderr.write(`${path.relative(repoRoot, expect.getState().testPath ?? '')}: ${line}\n`);
  test.skip(line, () => undefined);
  return undefined;
}
