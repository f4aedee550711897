import * as fs from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as path from 'path';
import type { TestCertificate } from './tls';

/**
 * A STAND-IN for a Kubernetes API server, for tests only: no Kubernetes API server can be installed
 * where these tests run. It implements exactly what `kmetal` uses, the way kube-apiserver answers:
 * discovery (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`), GET of an object, LIST (label
 * selectors, `limit`/`continue`), and PATCH with server-side apply in dry-run mode only. It checks
 * the bearer token and records every request. It validates nothing else: admission behaviour a test
 * needs (a rejection, a warning) is set up explicitly with `reject`, `override` or `warnOnApply`.
 */
export class StandInApiServer {
  /** Every request received, in order. */
  public readonly requests: RecordedRequest[] = [];
  /** `https://127.0.0.1:<port>`, once started. */
  public url = '';

  private readonly served = new Map<string, StandInResource[]>();
  private readonly objects = new Map<string, any>();
  private readonly overrides: Array<{ match: (r: RecordedRequest) => boolean; status: number; body: unknown }> = [];
  private readonly rejections: Array<(obj: any, r: RecordedRequest) => StandInCause[] | undefined> = [];
  private readonly applyWarnings: Array<{ match: (obj: any) => boolean; text: string }> = [];
  private readonly server: https.Server;
  private uidCounter = 0;

  constructor(private readonly token: string, tls: TestCertificate) {
    this.server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
  }

  /** Serves the given kinds under a group/version (`v1`, `cluster.x-k8s.io/v1beta2`). */
  public serve(groupVersion: string, resources: StandInResource[]): this {
    this.served.set(groupVersion, [...(this.served.get(groupVersion) ?? []), ...resources]);
    return this;
  }

  /** Serves the built-in kinds `kmetal` meets: namespaces, nodes, configmaps, secrets, workloads, RBAC, CRDs, admission policies (GA since v1.30). */
  public serveBuiltins(): this {
    this.serve('v1', [
      { kind: 'Namespace', plural: 'namespaces', namespaced: false },
      { kind: 'Node', plural: 'nodes', namespaced: false },
      { kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
      { kind: 'Secret', plural: 'secrets', namespaced: true },
      { kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
    ]);
    this.serve('apps/v1', [{ kind: 'Deployment', plural: 'deployments', namespaced: true }]);
    this.serve('batch/v1', [{ kind: 'CronJob', plural: 'cronjobs', namespaced: true }]);
    this.serve('rbac.authorization.k8s.io/v1', [
      { kind: 'Role', plural: 'roles', namespaced: true },
      { kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
    ]);
    this.serve('admissionregistration.k8s.io/v1', [
      { kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', namespaced: false },
      { kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', namespaced: false },
    ]);
    return this.serve('apiextensions.k8s.io/v1', [{ kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false }]);
  }

  /** Serves the served versions of every kind of the given API groups, as the pinned CRDs (the schema bundle) declare them. */
  public serveGroupsFromBundle(groups: string[]): this {
    const bundleDir = path.join(__dirname, '..', '..', '..', 'imports', 'schemas');
    for (const group of groups) {
      const bundled = JSON.parse(fs.readFileSync(path.join(bundleDir, `${group}.json`), 'utf8'));
      for (const k of bundled.kinds) {
        for (const v of k.versions.filter((x: any) => x.served)) {
          this.serve(`${group}/${v.name}`, [{ kind: k.kind, plural: k.plural, namespaced: k.scope === 'Namespaced' }]);
        }
      }
    }
    return this;
  }

  /** Adds a live object (the server fills uid, resourceVersion, creationTimestamp). */
  public addObject(obj: any): this {
    const r = this.resourceOf(obj.apiVersion, obj.kind);
    if (!r) throw new Error(`stand-in: ${obj.apiVersion} ${obj.kind} is not served; serve it first`);
    const stored = {
      ...obj,
      metadata: { ...obj.metadata, uid: `uid-${++this.uidCounter}`, resourceVersion: String(this.uidCounter), creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
    };
    this.objects.set(objectKey(groupOf(obj.apiVersion), r.plural, r.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name), stored);
    return this;
  }

  /** Adds namespaces that exist. */
  public addNamespaces(...names: string[]): this {
    for (const name of names) this.addObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    return this;
  }

  /** Rejects dry-run applies for which `check` returns causes (422 Invalid, as a validating webhook or CEL rule would). */
  public reject(check: (obj: any, r: RecordedRequest) => StandInCause[] | undefined): this {
    this.rejections.push(check);
    return this;
  }

  /** Answers matching requests with this status and body instead. */
  public override(match: (r: RecordedRequest) => boolean, code: number, body: unknown): this {
    this.overrides.push({ match, status: code, body });
    return this;
  }

  /** Adds a `Warning` header to accepted applies of matching objects. */
  public warnOnApply(match: (obj: any) => boolean, text: string): this {
    this.applyWarnings.push({ match, text });
    return this;
  }

  /** Listens on 127.0.0.1, on a port the system picks. */
  public async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops listening and closes every connection. */
  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The requests of one method. */
  public requestsOf(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  private handle(req: import('http').IncomingMessage, text: string, res: import('http').ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      contentType: req.headers['content-type'],
      authorized: req.headers.authorization === `Bearer ${this.token}`,
      body: text.length > 0 ? safeJson(text) : undefined,
    };
    this.requests.push(recorded);
    const send = (code: number, body: unknown, headers: { [h: string]: string } = {}) => {
      res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!recorded.authorized) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const override = this.overrides.find((o) => o.match(recorded));
    if (override) return send(override.status, override.body);
    if (recorded.method === 'GET' && url.pathname === '/api') return send(200, { kind: 'APIVersions', versions: this.served.has('v1') ? ['v1'] : [] });
    if (recorded.method === 'GET' && url.pathname === '/apis') return send(200, this.groupList());
    const route = this.route(url.pathname);
    if (!route) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (route.discovery) return send(200, { kind: 'APIResourceList', groupVersion: route.groupVersion, resources: route.resources.map((r) => ({ name: r.plural, kind: r.kind, namespaced: r.namespaced, verbs: ['get', 'list', 'patch'] })) });
    const { resource, group, namespace, name } = route;
    if (recorded.method === 'GET' && name !== undefined) {
      const obj = this.objects.get(objectKey(group, resource.plural, namespace, name));
      return obj ? send(200, obj) : send(404, notFound(group, resource.plural, name));
    }
    if (recorded.method === 'GET') return send(200, this.list(route, recorded.query));
    if (recorded.method === 'PATCH' && name !== undefined) return this.apply(route, recorded, send);
    return send(405, status(405, 'MethodNotAllowed', `the stand-in does not implement ${recorded.method} ${url.pathname}`));
  }

  private apply(route: ObjectRoute, r: RecordedRequest, send: (s: number, b: unknown, h?: { [h: string]: string }) => void): void {
    // The stand-in refuses anything that would change a real cluster.
    if (r.query.dryRun !== 'All') return send(400, status(400, 'BadRequest', 'stand-in: only dry-run requests are accepted'));
    if (r.contentType !== 'application/apply-patch+yaml') return send(415, status(415, 'UnsupportedMediaType', `stand-in: not a server-side apply (${r.contentType})`));
    if (!r.query.fieldManager) return send(422, status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
    const obj = r.body;
    if (route.resource.namespaced && !this.objects.has(objectKey('', 'namespaces', undefined, route.namespace!))) {
      return send(404, { ...notFound('', 'namespaces', route.namespace!), message: `namespaces "${route.namespace}" not found` });
    }
    if (obj?.metadata?.name !== route.name || (route.resource.namespaced && obj?.metadata?.namespace !== route.namespace)) {
      return send(400, status(400, 'BadRequest', 'the name (or namespace) of the object does not match the name (or namespace) on the URL'));
    }
    for (const check of this.rejections) {
      const causes = check(obj, r);
      if (causes && causes.length > 0) {
        return send(422, {
          ...status(422, 'Invalid', `${route.resource.kind}.${route.group} "${route.name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`),
          details: { name: route.name, group: route.group, kind: route.resource.plural, causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })) },
        });
      }
    }
    const key = objectKey(route.group, route.resource.plural, route.namespace, route.name!);
    const existing = this.objects.get(key);
    const warnings = this.applyWarnings.filter((w) => w.match(obj)).map((w) => `299 - "${w.text}"`).join(', ');
    send(existing ? 200 : 201, { ...existing, ...obj, metadata: { ...existing?.metadata, ...obj.metadata, uid: existing?.metadata?.uid ?? 'dry-run-uid' } }, warnings ? { Warning: warnings } : {});
  }

  private list(route: ObjectRoute, query: { [k: string]: string }): unknown {
    const prefix = `${route.group}/${route.resource.plural}/`;
    const all = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .filter(([, o]) => route.namespace === undefined || o.metadata?.namespace === route.namespace)
      .filter(([, o]) => matchesSelector(o.metadata?.labels ?? {}, query.labelSelector))
      .map(([, o]) => o);
    const start = Number(query.continue ?? '0');
    const limit = query.limit ? Number(query.limit) : all.length;
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return { kind: `${route.resource.kind}List`, apiVersion: route.groupVersion, metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) }, items: page };
  }

  private groupList(): unknown {
    const groups = new Map<string, string[]>();
    for (const gv of this.served.keys()) {
      if (!gv.includes('/')) continue;
      const [g, v] = gv.split('/');
      groups.set(g, [...(groups.get(g) ?? []), v]);
    }
    return {
      kind: 'APIGroupList',
      groups: [...groups.entries()].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private route(pathname: string): Route | undefined {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(\/.*)?$/.exec(pathname);
    if (!m) return undefined;
    const groupVersion = m[1] ?? `${m[2]}/${m[3]}`;
    const group = m[1] ? '' : m[2];
    const resources = this.served.get(groupVersion);
    if (!resources) return undefined;
    const rest = (m[4] ?? '').split('/').filter((s) => s !== '').map(decodeURIComponent);
    if (rest.length === 0) return { discovery: true, groupVersion, resources };
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest.splice(0, 2);
    }
    const resource = resources.find((r) => r.plural === rest[0]);
    if (!resource || rest.length > 2) return undefined;
    return { discovery: false, groupVersion, group, resource, namespace, name: rest[1] };
  }

  private resourceOf(apiVersion: string, kind: string): StandInResource | undefined {
    return this.served.get(apiVersion)?.find((r) => r.kind === kind);
  }
}

/** A kind the stand-in serves. */
export interface StandInResource {
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** A cause of a rejection. */
export interface StandInCause {
  readonly field: string;
  readonly message: string;
  readonly reason?: string;
}

/** A request as the stand-in received it (the token is only recorded as matching or not). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: { readonly [name: string]: string };
  readonly contentType?: string;
  readonly authorized: boolean;
  readonly body?: any;
}

type ObjectRoute = { discovery: false; groupVersion: string; group: string; resource: StandInResource; namespace?: string; name?: string };
type Route = { discovery: true; groupVersion: string; resources: StandInResource[] } | ObjectRoute;

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function notFound(group: string, plural: string, name: string) {
  return { ...status(404, 'NotFound', `${plural}${group ? `.${group}` : ''} "${name}" not found`), details: { name, group, kind: plural } };
}

function objectKey(group: string, plural: string, namespace: string | undefined, name: string): string {
  return `${group}/${plural}/${namespace ?? ''}/${name}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `a=b`, `a`, `a in (x,y)`, comma-separated: the selector forms `kmetal` sends. */
function matchesSelector(labels: { [k: string]: string }, selector: string | undefined): boolean {
  if (!selector) return true;
  const terms = selector.split(/,(?![^(]*\))/).map((t) => t.trim()).filter((t) => t !== '');
  return terms.every((t) => {
    const set = /^(\S+)\s+in\s+\(([^)]*)\)$/.exec(t);
    if (set) return set[2].split(',').map((v) => v.trim()).includes(labels[set[1]]);
    const eq = /^([^=!]+)==?(.*)$/.exec(t);
    if (eq) return labels[eq[1]] === eq[2];
    return t in labels;
  });
}
