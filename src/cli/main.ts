import * as fs from 'fs';
import * as path from 'path';
import { parseCommandLine, wantsJson } from './args';
import { runCheck } from './commands/check';
import { runDrift } from './commands/drift';
import { runInventory } from './commands/inventory';
import { runPlan } from './commands/plan';
import { runSynth } from './commands/synth';
import { runVerify } from './commands/verify';
import { ExitCode, isCliFatalError, isUsageError, type CliErrorDocument, type CliErrorKind } from './errors';
import { HELP } from './help';
import type { CliIo } from './io';
import { CLIENT_NODE_MISSING, isClientNodeMissing } from './kube/client-node';
import { SecretScrubber, scrubbedIo } from './redact';
import { writeJson } from './report';

/**
 * Runs `kmetal` with the arguments after the program name.
 *
 * Every failure ends in one line on standard error (`kmetal: ...`), never a stack trace (unless
 * `KMETAL_DEBUG=1`); with `--json` it is also a JSON document on standard output
 * (`CliErrorDocument`), so a script reading stdout always gets JSON. Everything written passes the
 * secret scrubber.
 *
 * @returns the exit code: 0 nothing to report, 1 findings (plan: changes), 2 the command could not run,
 * 3 refused by policy (plan: a destructive change not acknowledged, or surge VMs that do not fit)
 */
export async function runKmetal(argv: readonly string[], io: CliIo): Promise<number> {
  const scrubber = new SecretScrubber();
  const out = scrubbedIo(io, scrubber);
  const fail = (kind: CliErrorKind, message: string, exitCode: number): number => {
    out.stderr(`kmetal: ${message}\n`);
    if (wantsJson(argv)) {
      const doc: CliErrorDocument = { command: argv[0], error: { kind, message, exitCode } };
      writeJson(out, doc);
    }
    return exitCode;
  };
  try {
    const line = parseCommandLine(argv);
    switch (line.command) {
      case 'usage':
        // No command is a usage error: a script that forgot its arguments must not read success.
        out.stderr(HELP['']);
        return ExitCode.FATAL;
      case 'help':
        out.stdout(HELP[line.topic] ?? HELP['']);
        return ExitCode.OK;
      case 'version':
        out.stdout(`${packageVersion()}\n`);
        return ExitCode.OK;
      case 'check':
        return runCheck(line.options, out);
      case 'plan':
        return runPlan(line.options, out);
      case 'verify':
        return await runVerify(line.options, out, scrubber);
      case 'drift':
        return await runDrift(line.options, out, scrubber);
      case 'inventory':
        return await runInventory(line.options, out, scrubber);
      case 'synth':
        return await runSynth(line.options, out);
    }
  } catch (e) {
    if (isCliFatalError(e)) return fail(isUsageError(e) ? 'usage' : 'fatal', oneLine(e.message), e.exitCode);
    // loadClientNode() already turns a missing package into a CliFatalError; this catches an import of it elsewhere.
    if (isClientNodeMissing(e)) return fail('fatal', CLIENT_NODE_MISSING, ExitCode.FATAL);
    const message = e instanceof Error ? e.message : String(e);
    const code = fail('internal', `internal error: ${oneLine(message)} (a bug: please report it; KMETAL_DEBUG=1 shows where)`, ExitCode.FATAL);
    if (io.env.KMETAL_DEBUG && e instanceof Error && e.stack) out.stderr(`${e.stack}\n`);
    return code;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
