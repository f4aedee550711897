import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeKubeconfig } from './kubeconfig';
import { StandInApiServer } from './stand-in-api-server';
import { makeTestCertificate, type TestCertificate } from './tls';

/** The repository root. */
export const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * The token of the stand-in's user. Random per test run, so a test asserting that it appears in no
 * output cannot pass by accident.
 */
export const TOKEN = `kmetal-test-token-${randomBytes(16).toString('hex')}`;

/** API groups of a management cluster with the whole platform installed (every pinned CRD served). */
export const PLATFORM_GROUPS = fs.readdirSync(path.join(REPO_ROOT, 'imports', 'schemas'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length));

/** API groups of a cluster with only Flux installed (`flux bootstrap`). */
export const FLUX_GROUPS = ['helm.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io', 'notification.toolkit.fluxcd.io'];

/** A temporary folder with a certificate for 127.0.0.1, shared by the stand-ins of one test file. */
export class TestWorkspace {
  public static create(): TestWorkspace {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-cli-'));
    return new TestWorkspace(dir, makeTestCertificate(dir, 'stand-in'));
  }

  private readonly servers: StandInApiServer[] = [];

  private constructor(public readonly dir: string, public readonly cert: TestCertificate) {}

  /** Starts a stand-in set up by `setup`, and writes a kubeconfig (context `stand-in`) that trusts it. */
  public async standIn(name: string, setup: (s: StandInApiServer) => void): Promise<{ server: StandInApiServer; kubeconfig: string }> {
    const server = new StandInApiServer(TOKEN, this.cert);
    setup(server);
    await server.start();
    this.servers.push(server);
    const kubeconfig = writeKubeconfig(this.dir, `${name}.kubeconfig`, [{ name: 'stand-in', server: server.url, caPem: this.cert.certPem, token: TOKEN }]);
    return { server, kubeconfig };
  }

  /** Closes every stand-in and removes the folder. */
  public async dispose(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
