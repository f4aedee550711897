// The Go oracle for the TypeScript template evaluator: build-tools/go-template-oracle compiled once
// per test run (cached in the OS temp dir by the source's sha256) and fed templates in one batch.
//
// It needs Go and sprig's sources from Debian; without them the differential tests skip with one line.

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildGoProgram, GO_PACKAGES } from './go-build';

const SOURCE = path.join(__dirname, '..', '..', 'build-tools', 'go-template-oracle', 'main.go');

/** One line for a skipped test: what to install to run it. */
export const ORACLE_MISSING = `Go template oracle unavailable: apt-get install ${GO_PACKAGES}`;

export interface OracleCase { readonly template: string; readonly data: unknown }
export type OracleResult = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly error: string };

let built: string | null | undefined;

/** Path of the oracle binary, building it if needed; undefined when Go or sprig is not installed. */
export function goTemplateOracle(): string | undefined {
  if (built === undefined) built = buildGoProgram('go-template-oracle', fs.readFileSync(SOURCE)) ?? null;
  return built ?? undefined;
}

/** Renders every case with Go, in one process; results are in input order. */
export function runGoTemplateOracle(bin: string, cases: readonly OracleCase[]): OracleResult[] {
  const input = cases.map((c) => JSON.stringify({ template: c.template, data: c.data ?? null })).join('\n') + '\n';
  const out = execFileSync(bin, [], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const results = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { ok: boolean; output?: string; error?: string });
  if (results.length !== cases.length) throw new Error(`oracle answered ${results.length} of ${cases.length} cases`);
  return results.map((r) => (r.ok ? { ok: true, output: r.output ?? '' } : { ok: false, error: r.error ?? '' }));
}
