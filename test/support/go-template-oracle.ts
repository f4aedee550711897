// The Go oracle for the TypeScript template evaluator: build-tools/go-template-oracle compiled once
// per test run (cached in the OS temp dir by the source's sha256) and fed templates in one batch.
//
// It needs Go and sprig's sources from Debian; without them the differential tests skip with one line.

import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SOURCE = path.join(__dirname, '..', '..', 'build-tools', 'go-template-oracle', 'main.go');
const GOPATH_DEBIAN = '/usr/share/gocode';
const SPRIG = path.join(GOPATH_DEBIAN, 'src', 'github.com', 'Masterminds', 'sprig');

/** One line for a skipped test: what to install to run it. */
export const ORACLE_MISSING = 'Go template oracle unavailable: apt-get install golang-go golang-github-masterminds-sprig-dev';

export interface OracleCase { readonly template: string; readonly data: unknown }
export type OracleResult = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly error: string };

let built: string | null | undefined;

/** Path of the oracle binary, building it if needed; undefined when Go or sprig is not installed. */
export function goTemplateOracle(): string | undefined {
  if (built !== undefined) return built ?? undefined;
  built = null;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0 || !fs.existsSync(SPRIG)) return undefined;
  const source = fs.readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).update(go.stdout).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `kmetal-go-template-oracle-${hash}`);
  const bin = path.join(dir, 'oracle');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    // GOPATH mode against Debian's packaged sources: no module download, works offline.
    const tmp = fs.mkdtempSync(path.join(dir, 'build-'));
    execFileSync('go', ['build', '-o', `${bin}.partial`, SOURCE], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: `${GOPATH_DEBIAN}:${tmp}`, GOCACHE: path.join(tmp, 'cache'), GOFLAGS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    fs.renameSync(`${bin}.partial`, bin);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  built = bin;
  return bin;
}

/** Renders every case with Go, in one process; results are in input order. */
export function runGoTemplateOracle(bin: string, cases: readonly OracleCase[]): OracleResult[] {
  const input = cases.map((c) => JSON.stringify({ template: c.template, data: c.data ?? null })).join('\n') + '\n';
  const out = execFileSync(bin, [], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const results = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { ok: boolean; output?: string; error?: string });
  if (results.length !== cases.length) throw new Error(`oracle answered ${results.length} of ${cases.length} cases`);
  return results.map((r) => (r.ok ? { ok: true, output: r.output ?? '' } : { ok: false, error: r.error ?? '' }));
}
