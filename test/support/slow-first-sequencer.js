// Jest runs test files in the order its cache of earlier durations gives; a clean clone (CI) has no
// cache, and Jest then orders by file size, which starts the suites that take minutes (small files
// driving property tests or real `cdk8s synth` runs) last, leaving one of two workers idle at the end.
// These go first; everything else keeps Jest's own order.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

// Slowest first, measured in CI (`npx projen build` on 2 cores): seconds per file.
const SLOW = [
  'test/reliability/output.test.ts', // ~150 s: properties 2-4 over 1,000+ platforms
  'test/plugin/cdk8s-synth.test.ts', // ~60 s: the real cdk8s CLI, twice
  'test/cli/synth.test.ts', // ~50 s: kmetal synth child processes
  'test/platform/reference-platform.test.ts', // ~25 s
  'test/reliability/synth-outcome.test.ts', // ~18 s
];

class SlowFirstSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const rank = (t) => {
      const i = SLOW.findIndex((s) => t.path.endsWith(s));
      return i === -1 ? SLOW.length : i;
    };
    // Array.prototype.sort is stable: files outside the list keep Jest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
