import { failureLine } from './api-status';
import type { KubeConnection } from './kube-connection';
import { CliFatalError } from '../errors';

/** A resource the server serves (one entry of an `APIResourceList`). */
export interface ServedResource {
  /** API group, `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural resource name, used in paths: `clusters`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Why a kind has no served resource. */
export type Unserved =
  | { readonly status: 'group-version-not-served'; readonly message: string }
  | { readonly status: 'kind-not-served'; readonly message: string }
  | { readonly status: 'unavailable'; readonly message: string };

/**
 * What the server serves, asked once per group/version: `GET /api` and `GET /apis` first, then
 * `GET /api/v1` or `GET /apis/<group>/<version>` for the group/versions the command needs.
 */
export class Discovery {
  /** Reads the served group/versions; the first request of every command, so it also proves the connection. */
  public static async start(conn: KubeConnection): Promise<Discovery> {
    const core = await conn.request({ method: 'GET', path: '/api', describe: { verb: 'get', resource: '/api' } });
    if (core.failure) throw discoveryFailure(conn, core.failure.code, failureLine(core.failure, { verb: 'get', resource: '/api' }));
    const groups = await conn.request({ method: 'GET', path: '/apis', describe: { verb: 'get', resource: '/apis' } });
    if (groups.failure) throw discoveryFailure(conn, groups.failure.code, failureLine(groups.failure, { verb: 'get', resource: '/apis' }));
    const served = new Set<string>();
    for (const v of Array.isArray(core.body?.versions) ? core.body.versions : []) if (typeof v === 'string') served.add(v);
    for (const g of Array.isArray(groups.body?.groups) ? groups.body.groups : []) {
      for (const v of Array.isArray(g?.versions) ? g.versions : []) if (typeof v?.groupVersion === 'string') served.add(v.groupVersion);
    }
    if (served.size === 0) {
      throw new CliFatalError(`${conn.target.server} does not answer like a Kubernetes API server (GET /api and /apis list no API versions)`);
    }
    return new Discovery(conn, served);
  }

  private readonly lists = new Map<string, Promise<ServedResource[] | Unserved>>();

  private constructor(private readonly conn: KubeConnection, private readonly servedGroupVersions: Set<string>) {}

  /** Whether the server lists the group/version (`v1`, `cluster.x-k8s.io/v1beta2`). */
  public servesGroupVersion(apiVersion: string): boolean {
    return this.servedGroupVersions.has(apiVersion);
  }

  /** The served resource of a kind, or why there is none. */
  public async resource(apiVersion: string, kind: string): Promise<ServedResource | Unserved> {
    if (!this.servedGroupVersions.has(apiVersion)) {
      return { status: 'group-version-not-served', message: `the cluster does not serve ${apiVersion} (no such API group/version)` };
    }
    let list = this.lists.get(apiVersion);
    if (!list) {
      list = this.readList(apiVersion);
      this.lists.set(apiVersion, list);
    }
    const resources = await list;
    if (!Array.isArray(resources)) return resources;
    const found = resources.find((r) => r.kind === kind);
    return found ?? { status: 'kind-not-served', message: `the cluster serves ${apiVersion} but not its kind ${kind}` };
  }

  private async readList(apiVersion: string): Promise<ServedResource[] | Unserved> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await this.conn.request({ method: 'GET', path, describe: { verb: 'get', resource: path } });
    if (res.failure) {
      if (res.failure.code === 404) return { status: 'group-version-not-served', message: `the cluster does not serve ${apiVersion} (${failureLine(res.failure, { verb: 'get', resource: path })})` };
      if (res.failure.code === 403) throw discoveryFailure(this.conn, 403, failureLine(res.failure, { verb: 'get', resource: path }));
      return { status: 'unavailable', message: `${apiVersion} is registered but its resources cannot be listed: ${failureLine(res.failure, { verb: 'get', resource: path })}` };
    }
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return (Array.isArray(res.body?.resources) ? res.body.resources : [])
      // Subresources (`clusters/status`) share the kind of their parent.
      .filter((r: any) => typeof r?.name === 'string' && !r.name.includes('/') && typeof r.kind === 'string')
      .map((r: any) => ({ group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced === true }));
  }
}

/** Path of a resource's collection or object: `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]`. */
export function resourcePath(r: ServedResource, namespace?: string, name?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The resource as RBAC names it: `clusters.cluster.x-k8s.io`, `namespaces`. */
export function rbacResource(r: ServedResource): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

function discoveryFailure(conn: KubeConnection, code: number, line: string): CliFatalError {
  const hint = code === 404 ? ' (is this the address of a Kubernetes API server?)' : '';
  return new CliFatalError(`${conn.target.server} (context "${conn.target.contextName}"): ${line}${hint}`);
}
