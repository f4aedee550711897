// Runs every entry of the bad-input catalog: each wrong input is refused with a KmetalValidationError
// naming the exact construct path and field, saying what is wrong and how to fix it (and quoting no
// credential the input carried). Also checks that docs/errors.md is rendered from this catalog.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { CATALOG, runEntry } from './catalog';
import { ERRORS_DOC, renderErrorsDoc } from '../../build-tools/errors-doc';
import { PeeringRequest } from '../../src';
import { pendingPeering } from './entries/network';
import { synthInMemory } from '../reliability/support/synth';

describe('bad-input catalog', () => {
  test('holds at least 40 distinct wrong inputs over the constructs', () => {
    const ids = CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(CATALOG.map((e) => e.construct)).size).toBeGreaterThanOrEqual(15);
  });

  test.each(CATALOG.map((e) => [e.id, e] as const))('%s: names the construct path and field, says what is wrong and how to fix it', (_, entry) => {
    const result = runEntry(entry);
    expect({ path: result.path, field: result.field }).toEqual({ path: entry.path, field: entry.field });
    expect(result.line.startsWith(`[${entry.path}] ${entry.field}: `)).toBe(true);
    expect(result.line).toMatch(entry.message);
    const [problem, ...fix] = result.line.split('. Fix: ');
    expect(problem.length).toBeGreaterThan(`[${entry.path}] ${entry.field}: `.length);
    expect(fix.join('. Fix: ')).toMatch(entry.fix);
    if (entry.secret) expect(result.line).not.toContain(entry.secret);
  });

  test('an unapproved peering is reported, not refused: both VPCs carry it as pending and nothing is peered', () => {
    const app = new App();
    pendingPeering(app);
    const objects = synthInMemory(app).objects().map((p) => p.obj).filter((o) => o.kind === 'Vpc');
    expect(objects.map((o) => [o.metadata.name, o.metadata.annotations?.['kmetal.io/pending-peerings']]).sort()).toEqual([['acme', 'globex'], ['globex', 'acme']]);
    expect(objects.every((o) => o.spec.vpcPeerings === undefined)).toBe(true);
    expect(PeeringRequest.pendingIn(app).map((p) => p.node.path)).toEqual(['tenant-acme/peer-globex']);
  });

  test('docs/errors.md is rendered from this catalog (regenerate: npx ts-node --prefer-ts-exts --transpile-only build-tools/errors-doc.ts)', () => {
    expect(fs.readFileSync(path.join(__dirname, '..', '..', ERRORS_DOC), 'utf8')).toBe(renderErrorsDoc());
  });
});
