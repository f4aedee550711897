// Loaded (`node -r`) before the user's program by `kmetal synth`: a failure of the program ends in
// lines on standard error, never in Node's stack trace of the library's insides.
import * as fs from 'fs';
import { formatSynthFailure, isFindingsError } from '../util/synth-failure';

function fail(error: unknown): never {
  const findings = isFindingsError(error);
  const program = process.argv[1] ?? 'the program';
  fs.writeSync(2, `kmetal synth: ${program} failed${findings ? ', nothing was written' : ''}:\n${formatSynthFailure(error)}`);
  process.exit(findings ? 1 : 2);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
