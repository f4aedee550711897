#!/usr/bin/env node
// The `kmetal` command (package.json "bin"). Everything lives in ./main, which tests drive directly.
import { processIo } from './io';
import { runKmetal } from './main';

runKmetal(process.argv.slice(2), processIo()).then(
  (code) => { process.exitCode = code; },
  (e) => {
    // runKmetal turns every error into a line; this is for the impossible case, still without a stack.
    process.stderr.write(`kmetal: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
