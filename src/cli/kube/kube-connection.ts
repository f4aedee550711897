import { parseStatus, describeRequest, statusText, type ApiStatus, type RequestDescription } from './api-status';
import { loadClientNode, type ClientNode } from './client-node';
import type { KubeTarget } from './kubeconfig';
import { CliFatalError } from '../errors';
import type { SecretScrubber } from '../redact';

/** One request to the API server. */
export interface KubeRequest {
  readonly method: 'GET' | 'PATCH';
  /** Path from the server root, e.g. `/apis/cluster.x-k8s.io/v1beta2/namespaces/a/clusters/b`. */
  readonly path: string;
  /** Query parameters. */
  readonly query?: { readonly [name: string]: string };
  /** Body, sent byte for byte. */
  readonly body?: string;
  /** Content type of the body. */
  readonly contentType?: string;
  /** Which verb on which resource, for messages. */
  readonly describe: RequestDescription;
}

/** What the server answered (any status except 401, which ends the command). */
export interface KubeResponse {
  readonly status: number;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly body: any;
  /** Messages of the server's `Warning` headers (deprecations, dropped fields). */
  readonly warnings: string[];
  /** The failure, for statuses outside 2xx. */
  readonly failure?: ApiStatus;
}

/** Options of a connection. */
export interface KubeConnectionOptions {
  /** How long one request may take, in milliseconds, before the command gives up on the server. */
  readonly timeoutMs: number;
}

const USER_AGENT = 'kmetal (cdk8s-kmetal)';
// Codes Node's TLS layer gives when the server's certificate cannot be trusted, with what to check.
const TLS_CODES: { [code: string]: string } = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server\'s certificate is self-signed and not the kubeconfig\'s certificate authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server\'s certificate chain ends in a certificate authority the kubeconfig does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server\'s certificate is not signed by the kubeconfig\'s certificate authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server\'s certificate is not signed by the kubeconfig\'s certificate authority',
  UNABLE_TO_GET_ISSUER_CERT: 'the server\'s certificate is not signed by the kubeconfig\'s certificate authority',
  CERT_HAS_EXPIRED: 'the server\'s certificate has expired',
  CERT_NOT_YET_VALID: 'the server\'s certificate is not valid yet (check the clocks)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server\'s certificate does not name this address',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS at this address (an http:// server?)',
  EPROTO: 'the TLS handshake failed (an http:// server, or no common protocol version)',
};
const UNREACHABLE_CODES: { [code: string]: string } = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
};

/**
 * Requests to one API server through @kubernetes/client-node: its kubeconfig handling (contexts,
 * tokens, client certificates, exec and auth-provider plugins, CA, proxies) and its HTTP library.
 * Bodies are sent and read as plain JSON: client-node's typed object API re-serializes objects
 * through its models, which drops fields its built-in models do not know and renames others
 * (`x-kubernetes-*` in CRDs) — exactly what a verification must not do.
 *
 * Every transport failure and every 401 ends the command with one line (server, context, and the
 * verb and resource that was refused); other statuses are returned for the caller to judge.
 */
export class KubeConnection {
  /** Opens a connection (no request is made until the first `request`). */
  public static async open(target: KubeTarget, options: KubeConnectionOptions, scrubber: SecretScrubber): Promise<KubeConnection> {
    return new KubeConnection(await loadClientNode(), target, options, scrubber);
  }

  /** Number of requests sent. */
  public requestCount = 0;
  // The TLS agent client-node builds from the kubeconfig, reused so requests share connections.
  private agent: any;

  private constructor(
    private readonly k8s: ClientNode,
    public readonly target: KubeTarget,
    private readonly options: KubeConnectionOptions,
    private readonly scrubber: SecretScrubber,
  ) {}

  /** Sends a request; returns the answer unless it is a 401 or never arrives. */
  public async request(req: KubeRequest): Promise<KubeResponse> {
    const { k8s, target } = this;
    const query = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
    const base = target.kubeConfig.getCurrentCluster()!.server.replace(/\/+$/, '');
    const ctx = new k8s.RequestContext(`${base}${req.path}${query}`, req.method as any);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', USER_AGENT);
    if (req.body !== undefined) {
      ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
      ctx.setBody(req.body);
    }
    try {
      await target.kubeConfig.applySecurityAuthentication(ctx);
    } catch (e) {
      throw new CliFatalError(this.credentialsProblem(e));
    }
    if (this.agent === undefined) this.agent = ctx.getAgent();
    else ctx.setAgent(this.agent);
    ctx.setSignal(AbortSignal.timeout(this.options.timeoutMs));

    this.requestCount++;
    let status: number;
    let headers: { [name: string]: string };
    let text: string;
    try {
      const response = await new k8s.IsomorphicFetchHttpLibrary().send(ctx).toPromise();
      status = response.httpStatusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (e) {
      throw new CliFatalError(this.transportProblem(e, req));
    }
    let body: any;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const warnings = parseWarnings(headers.warning);
    if (status === 401) {
      throw new CliFatalError(`${target.server} refused the credentials of context "${target.contextName}" (user "${target.userName}"): ${statusText(401)} on ${describeRequest(req.describe)}; log in again or fix the user in the kubeconfig`);
    }
    return { status, body, warnings, failure: status >= 200 && status < 300 ? undefined : parseStatus(status, body, text) };
  }

  /** Releases the connections (lets the process exit at once). */
  public close(): void {
    this.agent?.destroy?.();
  }

  private transportProblem(e: unknown, req: KubeRequest): string {
    const { server, contextName } = this.target;
    const err = e as { name?: string; code?: string; errno?: string; type?: string; message?: string };
    const where = `(context "${contextName}", ${describeRequest(req.describe)})`;
    if (err?.name === 'AbortError' || err?.type === 'aborted' || err?.name === 'TimeoutError') {
      const seconds = this.options.timeoutMs / 1000;
      return `no answer from ${server} within ${seconds} s ${where}; is the server reachable from here? (--request-timeout sets the limit)`;
    }
    const code = err?.code ?? err?.errno ?? '';
    if (TLS_CODES[code] !== undefined) {
      return `TLS failure talking to ${server}: ${TLS_CODES[code]} (${code}) ${where}; check certificate-authority(-data) of cluster "${this.target.clusterName}" in the kubeconfig, and the server address`;
    }
    if (UNREACHABLE_CODES[code] !== undefined) {
      return `cannot reach ${server}: ${UNREACHABLE_CODES[code]} (${code}) ${where}; is the cluster running, and is this its address?`;
    }
    const detail = this.scrubber.scrub(String(err?.message ?? e)).replace(/request to \S+ failed, reason: /, '');
    return `request to ${server} failed ${where}: ${detail}${code ? ` (${code})` : ''}`;
  }

  private credentialsProblem(e: unknown): string {
    const message = this.scrubber.scrub(e instanceof Error ? e.message : String(e));
    if (/HTTP protocol is not allowed/.test(message)) {
      return `cluster "${this.target.clusterName}" has an http:// server; client-node talks plain HTTP only with insecure-skip-tls-verify: true in the kubeconfig (use https)`;
    }
    return `cannot use the credentials of context "${this.target.contextName}" (user "${this.target.userName}"): ${message.replace(/\s*\n\s*/g, ' ')}`;
  }
}

/** `299 - "message"` values of `Warning` headers (several are joined with ", " by the HTTP library). */
function parseWarnings(header: string | undefined): string[] {
  if (!header) return [];
  const out: string[] = [];
  const re = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m !== null; m = re.exec(header)) out.push(m[1].replace(/\\(.)/g, '$1'));
  return out;
}
