import { REPO_ROOT } from './fixture';
import type { CliIo } from '../../../src/cli/io';

/** An IO that collects what a command writes, for commands run in the test process. */
export function memoryIo(env: { [k: string]: string } = {}): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => { out.push(t); },
    stderr: (t) => { err.push(t); },
    stderrIsTTY: false,
    env,
    cwd: REPO_ROOT,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
