// Builds a small Go program for a test oracle, once per Go version and source (cached in the OS temp
// dir by sha256), in GOPATH mode against Debian's packaged sprig sources: no module download, offline.
// Shared by the template-evaluator oracle and the chart-helper oracle, so both build the same way.

import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const GOPATH_DEBIAN = '/usr/share/gocode';
const SPRIG = path.join(GOPATH_DEBIAN, 'src', 'github.com', 'Masterminds', 'sprig');

/** The Debian packages the Go oracles need; named by every skip line. */
export const GO_PACKAGES = 'golang-go golang-github-masterminds-sprig-dev';

let goVersion: string | null | undefined;

/** `go version` output when Go and Debian's sprig sources are installed; undefined otherwise (cheap: no build). */
export function goToolchain(): string | undefined {
  if (goVersion === undefined) {
    const go = spawnSync('go', ['version'], { encoding: 'utf8' });
    goVersion = !go.error && go.status === 0 && fs.existsSync(SPRIG) ? go.stdout : null;
  }
  return goVersion ?? undefined;
}

/**
 * Path of the compiled program `name` from Go `source`, building it if the cache lacks it;
 * undefined when Go or sprig is not installed.
 */
export function buildGoProgram(name: string, source: string | Buffer): string | undefined {
  const version = goToolchain();
  if (version === undefined) return undefined;
  const hash = createHash('sha256').update(source).update(version).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `kmetal-${name}-${hash}`);
  const bin = path.join(dir, name);
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(dir, 'build-'));
  const src = path.join(tmp, 'main.go');
  fs.writeFileSync(src, source);
  execFileSync('go', ['build', '-o', `${bin}.partial`, src], {
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${GOPATH_DEBIAN}:${tmp}`, GOCACHE: path.join(tmp, 'cache'), GOFLAGS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Rename last: a concurrent jest worker sees either no binary or a complete one.
  fs.renameSync(`${bin}.partial`, bin);
  fs.rmSync(tmp, { recursive: true, force: true });
  return bin;
}
