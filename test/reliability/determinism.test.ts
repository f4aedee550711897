// Property 4, over the same generated platforms (valid and invalid):
//   a. synth is deterministic: the same input twice gives identical bytes in every file, or the
//      same error message;
//   b. synth does not depend on declaration order where order carries no meaning: tenants, hosts
//      and subnets declared in a shuffled order give the same set of objects (compared as sorted
//      serialized objects), or both orders are refused.
import * as fc from 'fast-check';
import { platformSpec } from './support/arbitraries';
import { params, RUNS, Tally } from './support/run';
import { shuffleSpec } from './support/shuffle';
import { attempt, Outcome } from './support/synth';

/** The serialized objects of a tree, sorted: every file but the kustomize lists (which are sorted anyway). */
function objectSet(outcome: Outcome): string[] {
  if (!outcome.ok) return [];
  return [...outcome.result.files.entries()].filter(([f]) => !f.endsWith('/kustomization.yaml')).map(([, text]) => text).sort();
}

function errorText(outcome: Outcome): string {
  return outcome.ok ? '(synthesized)' : outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
}

function firstDifference(a: string[], b: string[]): string {
  const i = a.findIndex((x, k) => x !== b[k]);
  return `${a.length} vs ${b.length} objects; first difference:\n--- first\n${a[i] ?? '(none)'}\n--- second\n${b[i] ?? '(none)'}`;
}

describe('property 4: synth is deterministic and independent of declaration order', () => {
  test('same input twice gives identical bytes; tenants, hosts and subnets in any order give the same objects', () => {
    const tally = new Tally();
    const spec = fc.oneof({ weight: 3, arbitrary: platformSpec({ bad: false }) }, { weight: 1, arbitrary: platformSpec({ bad: true }) });
    fc.assert(fc.property(spec, fc.nat(), (s, shuffleSeed) => {
      tally.platform(s.tenants.length);
      const first = attempt(s);
      const again = attempt(s);
      tally.count(first.ok ? 'synthesized' : 'refused');
      // a. Determinism: byte for byte, or the same refusal.
      if (first.ok !== again.ok) throw new Error(`property 4a: the same input ${first.ok ? 'synthesized, then was refused' : 'was refused, then synthesized'}: ${errorText(first.ok ? again : first)}`);
      if (first.ok && again.ok) {
        const a = [...first.result.files.entries()].sort();
        const b = [...again.result.files.entries()].sort();
        if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`property 4a: the same input gave other bytes: ${firstDifference(a.map((x) => x.join('\n')), b.map((x) => x.join('\n')))}`);
      } else if (errorText(first) !== errorText(again)) {
        throw new Error(`property 4a: the same input was refused with two different messages:\n${errorText(first)}\n${errorText(again)}`);
      }
      // b. Declaration order: tenants, hosts and subnets shuffled.
      const shuffled = attempt(shuffleSpec(s, shuffleSeed));
      if (first.ok !== shuffled.ok) {
        throw new Error(`property 4b: ${first.ok ? 'the platform synthesizes, but is refused when declared in another order' : 'the platform is refused, but synthesizes when declared in another order'}: ${errorText(first.ok ? shuffled : first)}`);
      }
      if (first.ok) {
        const a = objectSet(first);
        const b = objectSet(shuffled);
        if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`property 4b: another declaration order gave other objects: ${firstDifference(a, b)}`);
      }
    }), params());
    tally.report('property 4 (determinism, declaration order)');
    expect(tally.get('synthesized')).toBeGreaterThan(RUNS / 2);
  });
});
