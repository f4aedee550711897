import { KmetalHost } from './support/kmetal-host';
import { memoryIo } from './support/memory-io';
import { runKmetal } from '../../src/cli/main';

// With --json, a script reads standard output: a command that could not run must still give it JSON,
// with the same exit code and the same line on standard error as without --json. The cluster commands
// load @kubernetes/client-node, which needs a process of its own (see support/cli-host.ts).
let host: KmetalHost;
beforeAll(async () => { host = await KmetalHost.start(); });
afterAll(async () => { await host?.stop(); });

async function failing(argv: string[]): Promise<{ code: number; doc: any; err: string }> {
  const run = await host.run(argv); // no KUBECONFIG, no HOME: the cluster commands have no kubeconfig
  return { code: run.code, doc: JSON.parse(run.stdout), err: run.stderr };
}

describe('--json: a command that could not run is a JSON document on standard output', () => {
  test.each([
    ['check', ['check', 'dist/nope', '--json'], 'dist/nope: no such folder (give the folder of a synthesized app, e.g. dist/quickstart)'],
    ['verify', ['verify', 'dist/quickstart', '--json'], 'no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config'],
    ['drift', ['drift', 'dist/quickstart', '--json', '--quiet'], 'no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config'],
    ['inventory', ['inventory', '--json'], 'no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config'],
  ])('%s: a fatal error (%j), exit 2', async (command, argv, message) => {
    const { code, doc, err } = await failing(argv);
    expect(code).toBe(2);
    expect(doc).toEqual({ command, error: { kind: 'fatal', message, exitCode: 2 } });
    expect(err).toBe(`kmetal: ${message}\n`);
  });

  test.each([
    ['check', ['check', '--json'], /^check needs one folder/],
    ['check', ['check', 'dist/quickstart', '--json', '--policy', 'maybe'], /^check: --policy takes on or off/],
    ['verify', ['verify', 'dist/quickstart', '--json', '--force'], /^verify: unknown option --force/],
    ['drift', ['drift', 'dist/quickstart', '--json', '--request-timeout', 'soon'], /is not a duration/],
    ['inventory', ['inventory', 'dist/quickstart', '--json'], /^inventory takes no folder/],
    ['deploy', ['deploy', '--json'], /^unknown command "deploy"/],
  ])('%s: a usage error (%j), exit 2', async (command, argv, message) => {
    const { code, doc, err } = await failing(argv as string[]);
    expect(code).toBe(2);
    expect(doc).toEqual({ command, error: { kind: 'usage', message: expect.stringMatching(message as RegExp), exitCode: 2 } });
    expect(err).toBe(`kmetal: ${doc.error.message}\n`);
  });

  test('without --json, standard output stays empty', async () => {
    const io = memoryIo();
    expect(await runKmetal(['check', 'dist/nope'], io)).toBe(2);
    expect(io.out()).toBe('');
  });

  test('a command that runs prints its own document, not an error document', async () => {
    const io = memoryIo();
    await runKmetal(['check', 'dist/quickstart', '--json', '--policy', 'off'], io);
    expect(JSON.parse(io.out())).toMatchObject({ command: 'check', tree: 'dist/quickstart' });
    expect(JSON.parse(io.out()).error).toBeUndefined();
  });
});

test('kmetal with no arguments prints the usage on standard error and exits 2', async () => {
  const io = memoryIo();
  expect(await runKmetal([], io)).toBe(2);
  expect(io.out()).toBe('');
  expect(io.err()).toContain('Usage: kmetal <command> [options]');
});
