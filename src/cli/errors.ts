/**
 * A failure that ends the command with one clear line (no stack trace): no kubeconfig, unknown
 * context, unreachable server, TLS failure, refused credentials, a tree that cannot be read.
 */
export class CliFatalError extends Error {
  constructor(message: string, public readonly exitCode: number = ExitCode.FATAL) {
    super(message);
    this.name = 'CliFatalError';
    Object.setPrototypeOf(this, CliFatalError.prototype);
  }
}

/** A command line the command does not understand (exit code 2, with a pointer to `--help`). */
export class UsageError extends CliFatalError {
  constructor(message: string) {
    super(message, ExitCode.FATAL);
    this.name = 'UsageError';
    Object.setPrototypeOf(this, UsageError.prototype);
  }
}

/** Exit codes of `kmetal`. */
export enum ExitCode {
  /** Nothing to report (check, verify), no drift (drift), inventory written. */
  OK = 0,
  /** Findings: errors (check, verify), drift (drift), changes (plan). */
  FINDINGS = 1,
  /** The command could not run: usage, kubeconfig, connection, unreadable tree. */
  FATAL = 2,
  /** Refused by policy (plan): a destructive change the destructive-change guard watches is not acknowledged. */
  REFUSED = 3,
}

/** True for a `CliFatalError` (also across module copies, where `instanceof` fails). */
export function isCliFatalError(e: unknown): e is CliFatalError {
  return e instanceof CliFatalError || (typeof e === 'object' && e !== null && ((e as Error).name === 'CliFatalError' || (e as Error).name === 'UsageError') && typeof (e as any).exitCode === 'number');
}

/** How a command that could not run failed, in its `--json` document. */
export type CliErrorKind = 'usage' | 'fatal' | 'internal';

/** The `--json` document of a command that could not run (exit code 2): `{ command, error }`. */
export interface CliErrorDocument {
  /** The command as given (`check`, `verify`, ...; an unknown word as typed). */
  readonly command: string;
  readonly error: {
    /** `usage`: the command line; `fatal`: what the command needed (a folder, a kubeconfig, a server); `internal`: a bug. */
    readonly kind: CliErrorKind;
    /** The line written to standard error, without `kmetal: `. */
    readonly message: string;
    readonly exitCode: number;
  };
}

/** True for a `UsageError` (also across module copies). */
export function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || (isCliFatalError(e) && e.name === 'UsageError');
}
