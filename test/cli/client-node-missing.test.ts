// @kubernetes/client-node is an optional peer of cdk8s-kmetal: an app that only synthesizes YAML does
// not install it, and the commands that talk to a cluster say how to add it. Run in this process with
// the import replaced (the package is installed here as a dev dependency); the package smoke test
// (build-tools/package-smoke) runs the real thing in a folder without it.
import * as path from 'path';
import { memoryIo } from './support/memory-io';
import { CLIENT_NODE_MISSING, isClientNodeMissing, setClientNodeImporterForTesting } from '../../src/cli/kube/client-node';
import { runKmetal } from '../../src/cli/main';

/** The rejection Node's ESM loader gives `import('@kubernetes/client-node')` when the package is not there. */
function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from ${path.join(__dirname, 'lib', 'cli', 'kube', 'client-node.js')}`), { code: 'ERR_MODULE_NOT_FOUND' });
}

afterEach(() => setClientNodeImporterForTesting());

describe('kmetal without @kubernetes/client-node', () => {
  const KUBECONFIG = path.join(__dirname, 'no-such-kubeconfig');

  test.each([
    ['verify', ['verify', 'dist/quickstart', '--kubeconfig', KUBECONFIG]],
    ['drift', ['drift', 'dist/quickstart', '--kubeconfig', KUBECONFIG]],
    ['inventory', ['inventory', '--kubeconfig', KUBECONFIG]],
  ])('%s: one line naming the fix, exit code 2, no stack trace', async (_command, argv) => {
    setClientNodeImporterForTesting(() => Promise.reject(notFound('@kubernetes/client-node')));
    const io = memoryIo();
    const code = await runKmetal(argv, io);
    expect(code).toBe(2);
    expect(io.err()).toBe(`kmetal: ${CLIENT_NODE_MISSING}\n`);
    expect(io.err()).toContain('npm install @kubernetes/client-node');
    expect(io.err()).toContain('beside cdk8s-kmetal');
    expect(io.out()).toBe('');
  });

  test('--json: the same line as a fatal error document', async () => {
    setClientNodeImporterForTesting(() => Promise.reject(notFound('@kubernetes/client-node')));
    const io = memoryIo();
    expect(await runKmetal(['verify', 'dist/quickstart', '--kubeconfig', KUBECONFIG, '--json'], io)).toBe(2);
    expect(JSON.parse(io.out())).toEqual({ command: 'verify', error: { kind: 'fatal', message: CLIENT_NODE_MISSING, exitCode: 2 } });
  });

  test('CommonJS resolution failures count too', () => {
    expect(isClientNodeMissing(Object.assign(new Error("Cannot find module '@kubernetes/client-node'"), { code: 'MODULE_NOT_FOUND' }))).toBe(true);
  });

  test('a module missing inside an installed client-node is not reported as client-node missing', async () => {
    // A broken install names the module it lacks: telling the user to install client-node would mislead.
    expect(isClientNodeMissing(notFound('ws'))).toBe(false);
    setClientNodeImporterForTesting(() => Promise.reject(notFound('ws')));
    const io = memoryIo();
    expect(await runKmetal(['verify', 'dist/quickstart', '--kubeconfig', KUBECONFIG], io)).toBe(2);
    expect(io.err()).toMatch(/^kmetal: internal error: Cannot find package 'ws'/);
  });

  test('check (offline) never loads it', async () => {
    setClientNodeImporterForTesting(() => { throw new Error('client-node loaded'); });
    const io = memoryIo();
    expect(await runKmetal(['check', 'dist/quickstart'], io)).toBe(0);
  });
});

describe('the library entry point', () => {
  test('importing cdk8s-kmetal does not reach the client-node loader', () => {
    let loaded = false;
    jest.isolateModules(() => {
      jest.doMock('../../src/cli/kube/client-node', () => {
        loaded = true;
        return {};
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require('../../src');
      expect(lib.FleetReport).toBeDefined();
    });
    expect(loaded).toBe(false);
  });
});
