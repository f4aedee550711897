import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './support/fixture';
import type { CliIo } from '../../src/cli/io';
import { runKmetal } from '../../src/cli/main';

jest.setTimeout(180_000);

// The programs live inside the repository (.tmp/ is git-ignored), so that they resolve cdk8s from
// its node_modules as a user's program resolves it from theirs.
let work: string;
beforeAll(() => {
  fs.mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
  work = fs.mkdtempSync(path.join(REPO_ROOT, '.tmp', 'synth-'));
  const header = `import { ApiObject, App } from 'cdk8s';\nimport { FluxTree, GitOpsUnit } from '${path.join(REPO_ROOT, 'src')}';\n`;
  const body = (namespace: string) => `const app = new App();
const unit = new GitOpsUnit(app, 'apps', { path: 'apps' });
new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: '${namespace}' } });
new ApiObject(unit, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
const result = FluxTree.synth(app, { outdir: 'dist', appName: 'demo', exitOnError: process.env.EXIT_ON_ERROR === '1' });
console.log(FluxTree.formatSummary(result));
`;
  fs.writeFileSync(path.join(work, 'good.ts'), header + body('apps'));
  // Two objects in namespaces nothing creates: two reconcile findings.
  fs.writeFileSync(path.join(work, 'findings.ts'), header + body('missing').replace("name: 'apps' } });", "name: 'apps' } });\nnew ApiObject(unit, 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2', namespace: 'other' } });"));
  fs.writeFileSync(path.join(work, 'bug.js'), 'const x = undefined;\nx.property;\n');
  // A project whose TypeScript is 7 (a native compiler: its package exports no compiler API).
  const ts7 = path.join(work, 'ts7', 'node_modules', 'typescript');
  fs.mkdirSync(ts7, { recursive: true });
  fs.writeFileSync(path.join(ts7, 'package.json'), JSON.stringify({ name: 'typescript', version: '7.0.2', main: 'index.js' }));
  fs.writeFileSync(path.join(ts7, 'index.js'), "module.exports = { version: '7.0.2', versionMajorMinor: '7.0' };\n");
  fs.writeFileSync(path.join(work, 'ts7', 'main.ts'), 'const answer: number = 42;\nconsole.log(answer);\n');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const ENV = { PATH: process.env.PATH ?? '', TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json') };

async function kmetalSynth(args: string[], env: { [k: string]: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => { out.push(t); }, stderr: (t) => { err.push(t); }, stderrIsTTY: false, env: { ...ENV, ...env }, cwd: work };
  const status = await runKmetal(['synth', ...args], io);
  return { status, stdout: out.join(''), stderr: err.join('') };
}

const STACK_FRAME = /^\s+at /m;

describe('kmetal synth <program>', () => {
  test('a TypeScript program is compiled with its project\'s TypeScript and runs; its output is passed through; exit 0', async () => {
    const r = await kmetalSynth(['good.ts']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^2 objects \(ConfigMap: 1, Namespace: 1\), 1 units, \d+ files → dist\/demo\n$/);
    expect(r.status).toBe(0);
  });

  test('findings are printed one per line under their check, without stack frames; exit 1; nothing written', async () => {
    fs.rmSync(path.join(work, 'dist'), { recursive: true, force: true });
    const r = await kmetalSynth(['findings.ts']);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`kmetal synth: ${path.join(work, 'findings.ts')} failed, nothing was written:`);
    expect(lines[1]).toBe("[<app>] reconcile: 2 problem(s) the platform's controllers would not reconcile:");
    expect(lines[2]).toMatch(/^ {2}\[apps\/cm\] error \[missing-namespace\] under: ConfigMap missing\/cm /);
    expect(lines[3]).toMatch(/^ {2}\[apps\/cm2\] error \[missing-namespace\] under: ConfigMap other\/cm2 /);
    expect(lines[4]).toBe('Fix: fix the objects listed above (their construct paths are in brackets); nothing was written');
    expect(lines).toHaveLength(5);
    expect(fs.existsSync(path.join(work, 'dist'))).toBe(false);
  });

  test('an error that is not a finding is one short line and exit 2; KMETAL_DEBUG=1 shows its stack', async () => {
    const r = await kmetalSynth(['bug.js']);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toMatch(/^kmetal synth: .*bug\.js failed:\nTypeError: Cannot read properties of undefined \(reading 'property'\)\n\(not a finding of the checks/);
    const debug = await kmetalSynth(['bug.js'], { KMETAL_DEBUG: '1' });
    expect(debug.stderr).toMatch(STACK_FRAME);
  });

  test('a project whose TypeScript has no compiler API (TypeScript 7) gets one line naming the fix', async () => {
    const r = await kmetalSynth(['ts7/main.ts']);
    expect(r).toEqual({ status: 2, stdout: '', stderr: `kmetal: synth: the project's TypeScript 7.0.2 (${path.join(work, 'ts7', 'node_modules', 'typescript', 'index.js')}) has no JavaScript compiler API to run main.ts with (TypeScript 7 is a native compiler): npm install --save-dev typescript@~6.0 beside it, or compile with tsc and pass the .js\n` });
  });

  test('a program that does not exist, or no program, is a one-line usage or fatal error', async () => {
    expect(await kmetalSynth(['nope.ts'])).toEqual({ status: 2, stdout: '', stderr: 'kmetal: synth: nope.ts does not exist (give the program that builds the app, e.g. kmetal synth main.ts)\n' });
    expect((await kmetalSynth([])).stderr).toBe('kmetal: synth needs the program that builds the app, e.g. kmetal synth main.ts (see kmetal synth --help)\n');
  });
});

describe('FluxTree.synth({ exitOnError: true }) in a ts-node program', () => {
  function tsNode(program: string, env: { [k: string]: string }) {
    return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(work, program)], {
      cwd: work, encoding: 'utf8', timeout: 120_000, env: { ...ENV, ...env },
    });
  }

  test('prints the findings to standard error without stack frames and exits 1', () => {
    const r = tsNode('findings.ts', { EXIT_ON_ERROR: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).toMatch(/^FluxTree\.synth failed, nothing was written:\n\[<app>\] reconcile: 2 problem\(s\)[^\n]*\n {2}\[apps\/cm\] [^\n]*\n {2}\[apps\/cm2\] [^\n]*\nFix: fix the objects listed above/);
  });

  test('without it the KmetalValidationError reaches Node\'s handler with only the program\'s own frames: Node shows the program\'s line', () => {
    const r = tsNode('findings.ts', {});
    expect(r.status).toBe(1);
    const program = path.join(work, 'findings.ts');
    // Node's report starts with the source line of the first frame: the user's call, not the library's throw.
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${program.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+$`));
    expect(r.stderr).toContain('KmetalValidationError: [<app>] reconcile: 2 problem(s)');
    const frames = r.stderr.split('\n').filter((l) => STACK_FRAME.test(l));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toContain(program);
    // KMETAL_DEBUG=1 keeps the library's frames for a bug report.
    const debug = tsNode('findings.ts', { KMETAL_DEBUG: '1' });
    expect(debug.stderr).toMatch(/^\s+at .*src\/gitops\/flux-tree\.ts:\d+:\d+\)?$/m);
  });
});
