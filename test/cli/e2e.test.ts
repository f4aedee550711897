import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as YAML from 'yaml';
import { REPO_ROOT } from './support/fixture';
import { KmetalHost } from './support/kmetal-host';
import { readFluxTree } from '../../src/cli/tree/flux-tree-reader';

/**
 * End-to-end against a real cluster: runs only when KMETAL_E2E_KUBECONFIG names a kubeconfig whose
 * current context's API server answers; skipped otherwise (the reason is in the test name). How to
 * run it against a kind cluster: README, "Live checks against a cluster".
 */
const KUBECONFIG = process.env.KMETAL_E2E_KUBECONFIG;

function skipReason(): string | undefined {
  if (!KUBECONFIG) return 'KMETAL_E2E_KUBECONFIG is not set';
  if (!fs.existsSync(KUBECONFIG)) return `KMETAL_E2E_KUBECONFIG names ${KUBECONFIG}, which does not exist`;
  let server: URL;
  try {
    const config = YAML.parse(fs.readFileSync(KUBECONFIG, 'utf8'));
    const context = config.contexts.find((c: any) => c.name === config['current-context']).context;
    server = new URL(config.clusters.find((c: any) => c.name === context.cluster).cluster.server);
  } catch {
    return `the current context of ${KUBECONFIG} names no cluster server`;
  }
  // A TCP connect, in a child process because Jest's test definitions are synchronous.
  const port = server.port || (server.protocol === 'https:' ? '443' : '80');
  const probe = `require('net').connect({host:${JSON.stringify(server.hostname)},port:${port},timeout:3000}).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))`;
  try {
    execFileSync(process.execPath, ['-e', probe], { timeout: 10_000 });
    return undefined;
  } catch {
    return `the API server ${server.origin} of ${KUBECONFIG} is not reachable`;
  }
}

const reason = skipReason();
const suite = reason === undefined ? describe : describe.skip;
if (reason !== undefined) {
  // Straight to stderr: Jest prints no names of a file whose tests are all skipped.
  process.stderr.write(`kmetal e2e tests skipped: ${reason} (set it to the kubeconfig of a reachable cluster; README, "Live checks against a cluster")\n`);
}

suite(`kmetal against a real cluster${reason ? ` (skipped: ${reason}; see README "Live checks against a cluster")` : ''}`, () => {
  let host: KmetalHost;
  beforeAll(async () => { host = await KmetalHost.start(); });
  afterAll(async () => { await host?.stop(); });
  const env = () => ({ HOME: process.env.HOME ?? '', PATH: process.env.PATH ?? '' });

  test('verify dry-runs every object of the quickstart tree and changes nothing', async () => {
    const tree = readFluxTree(`${REPO_ROOT}/dist/quickstart`);
    const before = JSON.parse((await host.run(['drift', 'dist/quickstart', '--kubeconfig', KUBECONFIG!, '--json', '--quiet'], { env: env() })).stdout);
    const run = await host.run(['verify', 'dist/quickstart', '--kubeconfig', KUBECONFIG!, '--json', '--quiet'], { env: env(), timeoutMs: 300_000 });
    expect(run.stderr).toBe('');
    expect([0, 1]).toContain(run.code); // 1 when the cluster lacks what the tree needs (e.g. no Flux)
    const doc = JSON.parse(run.stdout);
    expect(doc.summary.objects).toBe(tree.objects.length);
    // Namespaces are built in: every real server judges them.
    const namespaces = doc.layers.flatMap((l: any) => l.objects).filter((o: any) => o.kind === 'Namespace');
    expect(namespaces.every((o: any) => o.outcome === 'accepted')).toBe(true);
    const after = JSON.parse((await host.run(['drift', 'dist/quickstart', '--kubeconfig', KUBECONFIG!, '--json', '--quiet'], { env: env() })).stdout);
    expect(after.objects.map((o: any) => o.state)).toEqual(before.objects.map((o: any) => o.state));
  }, 600_000);

  test('drift reads the tree\'s objects and reports them as in sync, changed or missing', async () => {
    const run = await host.run(['drift', 'dist/quickstart', '--kubeconfig', KUBECONFIG!, '--json', '--quiet'], { env: env(), timeoutMs: 300_000 });
    expect([0, 1]).toContain(run.code);
    const states = new Set(JSON.parse(run.stdout).objects.map((o: any) => o.state));
    for (const s of states) expect(['in-sync', 'changed', 'missing', 'error']).toContain(s);
  }, 600_000);

  test('inventory reads BareMetalHosts, or says in one line that Metal3 is not installed', async () => {
    const run = await host.run(['inventory', '--kubeconfig', KUBECONFIG!], { env: env(), timeoutMs: 300_000 });
    if (run.code === 0) expect(JSON.parse(run.stdout).kind).toBe('KmetalInventory');
    else expect(run.stderr).toMatch(/^kmetal: .*is the Metal3 baremetal-operator installed on this cluster\?\n$/);
  }, 600_000);
});
