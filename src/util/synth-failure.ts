// How a failed synthesis reads on a terminal: the findings, one per line under the check that
// found them, and the fix; never stack frames (they show the library's insides, not the user's
// mistake). Shared by FluxTree.synth({ exitOnError }), `kmetal synth` and the cdk8s plugin.
// Internal: not exported from the package.
import { isKmetalValidationError } from './errors';

/** True for an error whose message is findings: a KmetalValidationError, or cdk8s's own validation error. */
export function isFindingsError(error: unknown): boolean {
  return isKmetalValidationError(error) || (error instanceof Error && error.message.startsWith('Validation failed with the following errors:'));
}

/**
 * The text for standard error (ends with a newline): for findings, the message as lines
 * (`[<construct path>] ...`); for anything else the error's first line, and the stack only when
 * `debug` (KMETAL_DEBUG=1).
 */
export function formatSynthFailure(error: unknown, debug: boolean = !!process.env.KMETAL_DEBUG): string {
  if (isFindingsError(error)) {
    const message = (error as Error).message
      // A multi-line problem ends with a line break before ". Fix: ...": keep the fix on its own line.
      .replace(/\n\s*\. Fix: /g, '\nFix: ')
      .replace(/\s+$/, '');
    return `${message}\n`;
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (debug && error instanceof Error && error.stack) return `${error.stack}\n`;
  return `${text.split('\n')[0]}\n(not a finding of the checks: an error in the program or a bug; KMETAL_DEBUG=1 shows where it happened)\n`;
}
