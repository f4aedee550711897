/**
 * What a command reads from and writes to: the process when run as `kmetal`, buffers in tests.
 * Every write goes through the secret scrubber (see `redact.ts`) before it reaches a stream.
 */
export interface CliIo {
  /** Writes to standard output (results: text reports, `--json` documents). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error (progress, warnings, the fatal line). */
  readonly stderr: (text: string) => void;
  /** Whether standard error is a terminal: progress is then one line rewritten in place. */
  readonly stderrIsTTY: boolean;
  /** Width of the terminal, when known (progress lines are cut to it). */
  readonly columns?: number;
  /** Environment variables (`KUBECONFIG`, `HOME`, ...). */
  readonly env: { readonly [name: string]: string | undefined };
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

/** The IO of the running process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
    env: process.env,
    cwd: process.cwd(),
  };
}
