// Runs the real `cdk8s synth` (cdk8s-cli, a dev dependency) on examples/cdk8s-plugin, whose
// cdk8s.yaml declares the plugin by local path: the app has one deliberate violation (KM-TEN-002).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

jest.setTimeout(300_000);

const repo = path.resolve(__dirname, '..', '..');
const example = path.join(repo, 'examples', 'cdk8s-plugin');
const cli = path.join(repo, 'node_modules', '.bin', 'cdk8s');
const cliVersion: string = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'cdk8s-cli', 'package.json'), 'utf8')).version;

let scratch: string;
let home: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-cdk8s-synth-'));
  // The CLI looks up its latest version on npm unless its cache (in $HOME) says it is current.
  home = path.join(scratch, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, '.cdk8s-cli.version'), cliVersion);
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function synth(cwd: string, name: string, env: { [k: string]: string } = {}): { status: number | null; output: string } {
  const r = spawnSync(cli, ['synth', '--output', path.join(scratch, name)], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOME: home, npm_config_update_notifier: 'false', KMETAL_WARNINGS: 'off', ...env },
    timeout: 240_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('cdk8s synth with the kmetal validation plugin', () => {
  test('fails with exit code 2 and the violation: rule, object, construct path, recommendation and fix', () => {
    const r = synth(example, 'violation');
    expect(r.output).toContain('Performing validations');
    expect(r.status).toBe(2);
    expect(r.output).toContain('KM-TEN-002 (error) (1 occurrences)');
    expect(r.output).toMatch(/Construct Path: tenants\/lab\//);
    expect(r.output).toMatch(/Resource Name: lab/);
    expect(r.output).toMatch(/KamajiControlPlane tenant-lab\/lab: spec\.replicas is 1: below the minimum of 2/);
    expect(r.output).toContain('Recommendation: Tenant control planes run at least 2 API servers');
    expect(r.output).toContain('How to fix: set controlPlane.replicas to 2 or more');
    expect(r.output).toContain('Validation failed');
  });

  test('passes once the violation is fixed', () => {
    const r = synth(example, 'fixed', { KMETAL_EXAMPLE_FIXED: '1' });
    expect(r.status).toBe(0);
    expect(r.output).toContain('Validations ended succesfully');
    expect(r.output).not.toContain('KM-TEN-002');
  });

  test('passes once the violation is suppressed in cdk8s.yaml (a copy of the example\'s config)', () => {
    const dir = path.join(scratch, 'suppressed-app');
    fs.mkdirSync(dir);
    const config = fs.readFileSync(path.join(example, 'cdk8s.yaml'), 'utf8')
      // The copy runs the example's app and plugin from their own folder.
      .replace('app: npx ts-node --prefer-ts-exts --transpile-only app.ts', `app: ${path.join(repo, 'node_modules', '.bin', 'ts-node')} --prefer-ts-exts --transpile-only ${path.join(example, 'app.ts')}`)
      .replace('package: ./plugin', `package: ${path.join(example, 'plugin')}`)
      .replace(/ {6}# suppressions:\n {6}# {3}- ruleId: KM-TEN-002\n {6}# {5}path: tenants\/lab\n {6}# {5}reason: (.*)\n/, '      suppressions:\n        - ruleId: KM-TEN-002\n          path: tenants/lab\n          reason: $1\n');
    expect(config).toMatch(/^ {6}suppressions:$/m);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), config);
    const r = synth(dir, 'suppressed');
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/\[kmetal\] KM-TEN-002 \[tenants\/lab\/KamajiControlPlane\] .*\(suppressed: lab cluster, one API server is enough\)/);
    expect(r.output).toContain('Validations ended succesfully');
  });
});
