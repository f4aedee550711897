// Properties 2 and 3, over the same platforms (one synthesis serves both, which halves the time):
// among generated platforms, the first 1,000 that synthesize are checked for
//   2. conformance: every emitted object passes the pinned CRD schemas and CEL rules;
//   3. cross-object invariants, read from the output objects alone: no overlapping CIDRs inside a
//      VPC or across an approved peering, every VIP inside its MetalLB pool and unique, every
//      tenant's Capsule quota at least what its pools ask for, no credential values.
// Most platforms come from the valid generator (quotas, overlaps and pool sizes still random), a
// quarter from the bad-input one: a wrong value that slips through validation must still give
// conformant, consistent output.
import * as fc from 'fast-check';
import { ConformanceChecker, FindingSeverity, formatFindings } from '../../src';
import { platformSpec } from './support/arbitraries';
import { allViolations } from './support/invariants';
import { features, params, RUNS, Tally } from './support/run';
import { attempt } from './support/synth';

const checker = ConformanceChecker.default();

describe('properties 2 and 3: a platform that synthesizes is conformant and consistent', () => {
  test('every object passes schema and CEL checks, and the cross-object invariants hold on the output', () => {
    const tally = new Tally();
    const platforms = fc.oneof({ weight: 3, arbitrary: platformSpec({ bad: false }) }, { weight: 1, arbitrary: platformSpec({ bad: true }) });
    fc.assert(fc.property(platforms, (spec) => {
      tally.platform(spec.tenants.length);
      const outcome = attempt(spec);
      if (!outcome.ok) tally.count('refused (skipped)');
      fc.pre(outcome.ok);
      if (!outcome.ok) return;
      tally.count('synthesized and checked');
      for (const f of features(spec)) tally.count(`with ${f}`);
      // ExternalSecrets (BmcCredentials.fromExternalSecret) are documented as not schema-checked: no CRD is pinned for them.
      const objects = outcome.result.objects();
      const findings = checker.validateObjects(objects.map((p) => p.obj))
        .filter((f) => f.severity === FindingSeverity.ERROR && !(f.code === 'unknown-kind' && f.apiVersion.startsWith('external-secrets.io/')));
      if (findings.length) throw new Error(`property 2 (conformance):\n${formatFindings(findings)}`);
      const violations = allViolations(objects);
      if (violations.length) throw new Error(`property 3 (invariants):\n  ${violations.join('\n  ')}`);
    }), params({ maxSkipsPerRun: 2 }));
    tally.report('properties 2+3 (conformance, invariants)');
    expect(tally.get('synthesized and checked')).toBeGreaterThanOrEqual(RUNS);
  });
});
