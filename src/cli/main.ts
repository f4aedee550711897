import * as fs from 'fs';
import * as path from 'path';
import { parseCommandLine } from './args';
import { runCheck } from './commands/check';
import { runDrift } from './commands/drift';
import { runInventory } from './commands/inventory';
import { runVerify } from './commands/verify';
import { ExitCode, isCliFatalError } from './errors';
import { HELP } from './help';
import type { CliIo } from './io';
import { SecretScrubber, scrubbedIo } from './redact';

/**
 * Runs `kmetal` with the arguments after the program name.
 *
 * Every failure ends in one line on standard error (`kmetal: ...`), never a stack trace (unless
 * `KMETAL_DEBUG=1`); everything written passes the secret scrubber.
 *
 * @returns the exit code: 0 nothing to report, 1 findings, 2 the command could not run
 */
export async function runKmetal(argv: readonly string[], io: CliIo): Promise<number> {
  const scrubber = new SecretScrubber();
  const out = scrubbedIo(io, scrubber);
  try {
    const line = parseCommandLine(argv);
    switch (line.command) {
      case 'help':
        out.stdout(HELP[line.topic] ?? HELP['']);
        return ExitCode.OK;
      case 'version':
        out.stdout(`${packageVersion()}\n`);
        return ExitCode.OK;
      case 'check':
        return runCheck(line.options, out);
      case 'verify':
        return await runVerify(line.options, out, scrubber);
      case 'drift':
        return await runDrift(line.options, out, scrubber);
      case 'inventory':
        return await runInventory(line.options, out, scrubber);
    }
  } catch (e) {
    if (isCliFatalError(e)) {
      out.stderr(`kmetal: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    if (/Cannot find (package|module) '@kubernetes\/client-node'/.test(message)) {
      out.stderr('kmetal: @kubernetes/client-node is not installed (it is a dependency of cdk8s-kmetal: reinstall the package)\n');
      return ExitCode.FATAL;
    }
    out.stderr(`kmetal: internal error: ${message.replace(/\s*\n\s*/g, ' ')} (a bug: please report it; KMETAL_DEBUG=1 shows where)\n`);
    if (io.env.KMETAL_DEBUG && e instanceof Error && e.stack) out.stderr(`${e.stack}\n`);
    return ExitCode.FATAL;
  }
}

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
