import * as fs from 'fs';
import * as path from 'path';

/** One context of a test kubeconfig. */
export interface TestContext {
  readonly name: string;
  readonly server: string;
  /** CA the client trusts (PEM). */
  readonly caPem?: string;
  /** Bearer token of the context's user. */
  readonly token?: string;
  readonly insecureSkipTlsVerify?: boolean;
}

/** Writes a kubeconfig with one cluster and one user per context; returns its path. */
export function writeKubeconfig(dir: string, file: string, contexts: TestContext[], current?: string): string {
  const config = {
    'apiVersion': 'v1',
    'kind': 'Config',
    'current-context': current ?? contexts[0]?.name ?? '',
    'clusters': contexts.map((c) => ({
      name: `${c.name}-cluster`,
      cluster: {
        server: c.server,
        ...(c.caPem ? { 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } : {}),
        ...(c.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
      },
    })),
    'users': contexts.map((c) => ({ name: `${c.name}-user`, user: c.token ? { token: c.token } : {} })),
    'contexts': contexts.map((c) => ({ name: c.name, context: { cluster: `${c.name}-cluster`, user: `${c.name}-user` } })),
  };
  const out = path.join(dir, file);
  fs.writeFileSync(out, JSON.stringify(config, null, 2));
  return out;
}
