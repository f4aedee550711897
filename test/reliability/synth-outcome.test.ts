// Property 1: building and synthesizing any platform, with valid and invalid input, either succeeds
// or fails with the library's own validation error naming a construct path (FluxTree's aggregate
// of failed validations names one per line) and a fix. Never a TypeError, a RangeError, a cdk8s or
// constructs error, never a credential quoted in a message or written to the output.
import * as fc from 'fast-check';
import { platformSpec } from './support/arbitraries';
import { CANARY, PlatformSpec } from './support/platform-spec';
import { params, Tally } from './support/run';
import { attempt, libraryErrorProblem, sameAsFluxTree } from './support/synth';

// One platform in this many is also written by the real FluxTree.synth() to a temporary folder,
// and must give the same files (or the same error) as the in-memory synthesis.
const ON_DISK_EVERY = 50;

describe('property 1: synth succeeds or fails with a KmetalValidationError naming a construct path', () => {
  test('over generated platforms with valid and invalid input', () => {
    const tally = new Tally();
    let n = 0;
    fc.assert(fc.property(platformSpec({ bad: true }), (spec: PlatformSpec) => {
      tally.platform(spec.tenants.length);
      const outcome = attempt(spec);
      if (outcome.ok) {
        tally.count('synthesized');
        const leaked = [...outcome.result.files.entries()].find(([, text]) => text.includes(CANARY));
        if (leaked) throw new Error(`a credential from the input is written to ${leaked[0]}`);
      } else {
        tally.count(outcome.phase === 'build' ? 'refused while building' : 'refused at synth');
        const problem = libraryErrorProblem(outcome.error, outcome.app);
        if (problem) throw new Error(problem);
      }
      if (++n % ON_DISK_EVERY === 0) {
        tally.count('also written to disk');
        const differs = sameAsFluxTree(spec);
        if (differs) throw new Error(`the in-memory synthesis differs from FluxTree.synth(): ${differs}`);
      }
    }), params());
    tally.report('property 1 (synth outcome)');
    // The generator must exercise both sides of the property.
    expect(tally.get('synthesized')).toBeGreaterThan(100);
    expect(tally.get('refused while building') + tally.get('refused at synth')).toBeGreaterThan(100);
  });
});
