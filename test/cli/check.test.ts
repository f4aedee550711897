import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { memoryIo } from './support/memory-io';
import { removeFolder, writeTestTree } from './support/tree-builder';
import { runKmetal } from '../../src/cli/main';

// `kmetal check` needs no cluster, so it runs in the test process.
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-check-')); });
afterAll(() => removeFolder(tmp));

describe('kmetal check', () => {
  test('the quickstart tree conforms; the policy pack runs over its objects and decides the exit code with it', async () => {
    const io = memoryIo();
    const code = await runKmetal(['check', 'dist/quickstart', '--json'], io);
    const doc = JSON.parse(io.out());
    expect(doc.policy).toEqual({ ran: true, note: expect.stringMatching(/^kmetal-platform pack \(\d+ rules\) over the synthesized objects/) });
    const errors = doc.findings.filter((f: any) => f.severity === 'error');
    // Every error, if any, is a policy rule's: the tree itself conforms.
    expect(errors.filter((f: any) => !/^KM-/.test(f.code))).toEqual([]);
    expect(code).toBe(errors.length > 0 ? 1 : 0);
    expect(io.err()).toBe('');
  });

  test('--policy off checks structure and conformance only: the quickstart passes (exit 0)', async () => {
    const io = memoryIo();
    expect(await runKmetal(['check', 'dist/quickstart', '--policy', 'off'], io)).toBe(0);
    expect(io.out()).toMatch(/^dist\/quickstart: 0 errors, 0 warnings, \d+ notes?$/m);
    expect(io.out()).toMatch(/^policy: skipped \(--policy off\)$/m);
  });

  test('the reference platform tree has no error, as JSON', async () => {
    const io = memoryIo();
    expect(await runKmetal(['check', 'dist/reference-platform', '--json'], io)).toBe(0);
    const doc = JSON.parse(io.out());
    expect(doc).toMatchObject({ command: 'check', tree: 'dist/reference-platform', clusters: ['under'], summary: { errors: 0 } });
  });

  // Every committed example passes the platform policy pack: a rule that flags what the library
  // itself writes (KM-SEC-001 once read Kamaji's kubeconfigSecretKey: value as a credential) fails here.
  test.each(fs.readdirSync('dist').filter((d) => fs.existsSync(path.join('dist', d, '.kmetal-tree.json'))))('the committed dist/%s has no error', async (app) => {
    const io = memoryIo();
    const code = await runKmetal(['check', `dist/${app}`, '--json'], io);
    expect(JSON.parse(io.out()).findings.filter((f: any) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });

  test('a policy finding the tree\'s own policy report records as suppressed is reported with its reason, not as an error', async () => {
    const dir = writeTestTree(path.join(tmp, 'suppressed'), 'suppressed', [
      { path: 'tenants/a', objects: [{ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'a', namespace: 'default' }, spec: { paused: false } }] },
    ]);
    const first = memoryIo();
    expect(await runKmetal(['check', dir, '--json'], first)).toBe(1);
    const policyErrors = JSON.parse(first.out()).findings.filter((f: any) => f.severity === 'error' && /^KM-/.test(f.code));
    expect(policyErrors.length).toBeGreaterThan(0);
    // What Policy.writeReportTo(<tree>/report) writes when the program suppresses these findings.
    fs.mkdirSync(path.join(dir, 'report'));
    fs.writeFileSync(path.join(dir, 'report', 'policy-report.json'), JSON.stringify({
      findings: policyErrors.map((f: any) => ({
        ruleId: f.code,
        message: f.message.replace(/\. Fix: .*$/, ''),
        suppressed: true,
        suppressionReason: 'lab platform: add-ons are installed by hand',
        ...(f.kind ? { object: { apiVersion: f.apiVersion, kind: f.kind, name: f.name, ...(f.namespace ? { namespace: f.namespace } : {}) } } : {}),
      })),
    }));
    const second = memoryIo();
    expect(await runKmetal(['check', dir, '--json'], second)).toBe(0);
    const suppressed = JSON.parse(second.out()).findings.filter((f: any) => policyErrors.some((e: any) => e.code === f.code));
    expect(suppressed.every((f: any) => f.severity === 'info' && f.message.endsWith('(suppressed in the program: lab platform: add-ons are installed by hand)'))).toBe(true);
  });

  test('fails (exit 1) on a schema error and on broken structure, with the file of each finding', async () => {
    const dir = writeTestTree(path.join(tmp, 'bad'), 'bad', [
      { path: 'sources', objects: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'r', namespace: 'flux-system' }, spec: { url: 'https://example.com/charts', interval: '1h', colour: 'blue' } }] },
      { path: 'apps', dependsOn: ['sources'], objects: [] },
    ]);
    const ks = path.join(dir, 'clusters', 'under', 'apps.yaml');
    const doc = YAML.parse(fs.readFileSync(ks, 'utf8'));
    doc.spec.path = './dist/bad/nowhere';
    fs.writeFileSync(ks, YAML.stringify(doc));

    const io = memoryIo();
    expect(await runKmetal(['check', dir, '--json'], io)).toBe(1);
    const findings = JSON.parse(io.out()).findings;
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unknown-field', kind: 'HelmRepository', path: 'spec.colour', source: { file: 'sources/helmrepository-r.yaml', documentIndex: 0 } }));
    expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', code: 'tree-missing-path', source: { file: 'clusters/under/apps.yaml' } }));
  });

  test('gives namespaced objects of a layer with targetNamespace that namespace, as Flux does', async () => {
    const dir = writeTestTree(path.join(tmp, 'target'), 'target', [
      { path: 'apps', targetNamespace: 'team-a', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }] },
    ]);
    const io = memoryIo();
    expect(await runKmetal(['check', dir, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out()).findings.filter((f: any) => f.severity === 'error')).toEqual([]);
  });

  test('an outdir holding several apps: each app is checked as on its own and reported per app, then the total', async () => {
    const outdir = path.join(tmp, 'outdir');
    writeTestTree(outdir, 'good', [
      { path: 'apps', targetNamespace: 'team-a', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }] },
    ]);
    const bad = writeTestTree(outdir, 'bad', [
      { path: 'sources', objects: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'r', namespace: 'flux-system' }, spec: { url: 'https://example.com/charts', interval: '1h', colour: 'blue' } }] },
    ]);
    fs.mkdirSync(path.join(outdir, 'notes')); // a folder without clusters/ is not an app
    fs.writeFileSync(path.join(outdir, 'notes', 'x.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: default }\nspec: 1\n');

    const text = memoryIo();
    expect(await runKmetal(['check', outdir, '--policy', 'off'], text)).toBe(1);
    const lines = text.out().trim().split('\n');
    expect(lines.filter((l) => !/^(ERROR|WARNING|INFO) /.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^${outdir}/bad: 1 error, 0 warnings, \\d+ notes?$`)),
      'policy: skipped (--policy off)',
      expect.stringMatching(new RegExp(`^${outdir}/good: 0 errors, 0 warnings, \\d+ notes?$`)),
      'policy: skipped (--policy off)',
      expect.stringMatching(new RegExp(`^${outdir}: 2 apps checked \\(bad, good\\); 1 error, 0 warnings, \\d+ notes?; errors in bad$`)),
    ]);
    expect(text.out()).toMatch(/^ERROR source\.toolkit\.fluxcd\.io\/v1 HelmRepository flux-system\/r spec\.colour: .*\(sources\/helmrepository-r\.yaml#0\)$/m);

    // Per app, the JSON is what `kmetal check <outdir>/<app> --json` prints, under "apps".
    const json = memoryIo();
    expect(await runKmetal(['check', outdir, '--json', '--policy', 'off'], json)).toBe(1);
    const doc = JSON.parse(json.out());
    expect(doc).toMatchObject({ command: 'check', tree: outdir, summary: { errors: 1, warnings: 0 } });
    expect(doc.apps.map((a: any) => [a.app, a.tree, a.clusters, a.summary.errors])).toEqual([['bad', `${outdir}/bad`, ['under'], 1], ['good', `${outdir}/good`, ['under'], 0]]);
    const alone = memoryIo();
    expect(await runKmetal(['check', bad, '--json', '--policy', 'off'], alone)).toBe(1);
    const { command, ...single } = JSON.parse(alone.out());
    expect(command).toBe('check');
    expect(doc.apps[0]).toEqual({ app: 'bad', ...single });
  });

  test('an outdir of apps without errors exits 0; one app folder alone is checked as before', async () => {
    const outdir = path.join(tmp, 'clean-outdir');
    const one = writeTestTree(outdir, 'one', [{ path: 'apps', objects: [] }]);
    writeTestTree(outdir, 'two', [{ path: 'apps', objects: [] }]);
    const all = memoryIo();
    expect(await runKmetal(['check', `${outdir}/`, '--policy', 'off'], all)).toBe(0);
    expect(all.out()).toMatch(new RegExp(`^${outdir}/: 2 apps checked \\(one, two\\); 0 errors, 0 warnings, \\d+ notes?$`, 'm'));
    expect(all.out()).toMatch(new RegExp(`^${outdir}/one: 0 errors`, 'm'));
    const single = memoryIo();
    expect(await runKmetal(['check', one, '--policy', 'off'], single)).toBe(0);
    expect(single.out()).toMatch(new RegExp(`^${one}: 0 errors, 0 warnings, \\d+ notes?\npolicy: skipped \\(--policy off\\)\n$`));
  });

  test('a folder that does not exist is one fatal line (exit 2)', async () => {
    const io = memoryIo();
    expect(await runKmetal(['check', 'dist/nope'], io)).toBe(2);
    expect(io.err()).toBe('kmetal: dist/nope: no such folder (give the folder of a synthesized app, e.g. dist/quickstart)\n');
  });
});
