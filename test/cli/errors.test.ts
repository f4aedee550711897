import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { FLUX_GROUPS, TestWorkspace, TOKEN } from './support/fixture';
import { KmetalHost, type KmetalRun } from './support/kmetal-host';
import { writeKubeconfig } from './support/kubeconfig';
import { makeTestCertificate } from './support/tls';

// Every error a user meets is one line on standard error, never a stack trace, never a credential.
let host: KmetalHost;
let ws: TestWorkspace;
let silent: net.Server;
const silentSockets = new Set<net.Socket>();
const WRONG_TOKEN = 'wrong-token-that-must-not-be-printed-0123456789';

beforeAll(async () => {
  host = await KmetalHost.start();
  ws = TestWorkspace.create();
  // Accepts connections and never answers: a server that hangs (or a firewall that eats packets).
  silent = net.createServer((socket) => { silentSockets.add(socket); socket.on('close', () => silentSockets.delete(socket)); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await host?.stop();
  await ws?.dispose();
});

/** Asserts a fatal run: exit 2, nothing on stdout, exactly one `kmetal: ...` line on stderr, no stack, no credential. */
function fatal(run: KmetalRun): string {
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^kmetal: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  for (const secret of [TOKEN, WRONG_TOKEN]) expect(run.stderr).not.toContain(secret);
  expect(run.code).toBe(2);
  return run.stderr.trim();
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function kubeconfigFor(name: string, server: string, options: { caPem?: string; token?: string } = {}): string {
  return writeKubeconfig(ws.dir, `${name}.kubeconfig`, [{ name: 'stand-in', server, caPem: options.caPem ?? ws.cert.certPem, token: options.token ?? TOKEN }]);
}

describe('kubeconfig errors', () => {
  test('no kubeconfig at all', async () => {
    const line = fatal(await host.run(['verify', 'dist/quickstart'], { env: {} }));
    expect(line).toBe('kmetal: no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config');
  });

  test('--kubeconfig naming a missing file', async () => {
    expect(fatal(await host.run(['drift', 'dist/quickstart', '--kubeconfig', 'nope.yaml']))).toBe('kmetal: kubeconfig nope.yaml not found (--kubeconfig)');
  });

  test('KUBECONFIG naming only missing files', async () => {
    expect(fatal(await host.run(['inventory'], { env: { KUBECONFIG: '/nope/a:/nope/b' } }))).toBe('kmetal: no kubeconfig: KUBECONFIG names /nope/a:/nope/b, which does not exist');
  });

  test('an unknown context, listing the known ones', async () => {
    const { kubeconfig } = await ws.standIn('ctx', (s) => s.serveBuiltins());
    expect(fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig, '--context', 'prod']))).toBe(`kmetal: context "prod" is not in kubeconfig ${kubeconfig} (contexts: stand-in)`);
  });

  test('a kubeconfig that is not YAML: the line number, never the text (which holds the token)', async () => {
    const file = path.join(ws.dir, 'broken.kubeconfig');
    fs.writeFileSync(file, `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${TOKEN}\n   bad: [\n`);
    expect(fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', file]))).toMatch(/^kmetal: kubeconfig \S+broken\.kubeconfig is not valid YAML \(line \d+\)$/);
  });

  test('the default ~/.kube/config is used when nothing else is given', async () => {
    const { server } = await ws.standIn('home', (s) => s.serveBuiltins().serveGroupsFromBundle(FLUX_GROUPS).addNamespaces('default', 'flux-system'));
    const home = path.join(ws.dir, 'home');
    fs.mkdirSync(path.join(home, '.kube'), { recursive: true });
    fs.copyFileSync(kubeconfigFor('home', server.url), path.join(home, '.kube', 'config'));
    const run = await host.run(['verify', 'dist/quickstart', '--quiet'], { env: { HOME: home } });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`against ${server.url.replace(/\./g, '\\.')}, context stand-in`));
  });
});

describe('connection errors', () => {
  test('an unreachable server: its URL and what happened', async () => {
    const url = `https://127.0.0.1:${await freePort()}`;
    const line = fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfigFor('refused', url)]));
    expect(line).toBe(`kmetal: cannot reach ${url}: connection refused (ECONNREFUSED) (context "stand-in", get /api); is the cluster running, and is this its address?`);
  });

  test('a server that never answers: its URL and the timeout', async () => {
    const url = `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const started = Date.now();
    const line = fatal(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfigFor('silent', url), '--request-timeout', '1s']));
    expect(line).toBe(`kmetal: no answer from ${url} within 1 s (context "stand-in", get /api); is the server reachable from here? (--request-timeout sets the limit)`);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('a TLS failure: the server\'s certificate is not the one the kubeconfig trusts', async () => {
    const { server } = await ws.standIn('tls', (s) => s.serveBuiltins());
    const other = makeTestCertificate(ws.dir, 'other-ca');
    const line = fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfigFor('tls', server.url, { caPem: other.certPem })]));
    expect(line).toMatch(new RegExp(`^kmetal: TLS failure talking to ${server.url.replace(/\./g, '\\.')}: the server's certificate .+ \\([A-Z_]+\\) \\(context "stand-in", get /api\\); check certificate-authority\\(-data\\) of cluster "stand-in-cluster" in the kubeconfig, and the server address$`));
  });

  test('a plain http:// server is refused by client-node unless TLS checks are off: said in one line', async () => {
    const line = fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfigFor('http', 'http://127.0.0.1:1')]));
    expect(line).toBe('kmetal: cluster "stand-in-cluster" has an http:// server; client-node talks plain HTTP only with insecure-skip-tls-verify: true in the kubeconfig (use https)');
  });
});

describe('refusals by the server', () => {
  test('401: the credentials are refused, naming the verb and resource', async () => {
    const { server } = await ws.standIn('401', (s) => s.serveBuiltins());
    const line = fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfigFor('401', server.url, { token: WRONG_TOKEN })]));
    expect(line).toBe(`kmetal: ${server.url} refused the credentials of context "stand-in" (user "stand-in-user"): 401 Unauthorized on get /api; log in again or fix the user in the kubeconfig`);
  });

  test('403 on discovery: which request was forbidden, and the server\'s message', async () => {
    const { kubeconfig, server } = await ws.standIn('403', (s) => {
      s.serveBuiltins();
      s.override((r) => r.path === '/apis', 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'forbidden: User "ci" cannot get path "/apis"' });
    });
    expect(fatal(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfig]))).toBe(`kmetal: ${server.url} (context "stand-in"): forbidden (403 Forbidden): not allowed to get /apis: forbidden: User "ci" cannot get path "/apis"`);
  });

  test('404 on discovery: not a Kubernetes API server', async () => {
    const { kubeconfig, server } = await ws.standIn('404', (s) => {
      s.serveBuiltins();
      s.override((r) => r.path === '/api', 404, { message: 'page not found' });
    });
    expect(fatal(await host.run(['verify', 'dist/quickstart', '--kubeconfig', kubeconfig]))).toBe(`kmetal: ${server.url} (context "stand-in"): 404 Not Found on get /api: page not found (is this the address of a Kubernetes API server?)`);
  });

  test('404 for a kind the cluster does not serve (inventory without Metal3)', async () => {
    const { kubeconfig, server } = await ws.standIn('nometal3', (s) => s.serveBuiltins());
    expect(fatal(await host.run(['inventory', '--kubeconfig', kubeconfig]))).toBe(`kmetal: ${server.url} (context "stand-in"): the cluster does not serve metal3.io/v1alpha1 (no such API group/version); is the Metal3 baremetal-operator installed on this cluster?`);
  });
});

test('usage errors are one line too', async () => {
  expect(fatal(await host.run(['verify', 'dist/quickstart', '--dry-run=false']))).toBe('kmetal: verify: unknown option --dry-run (see kmetal verify --help)');
});
