import type { ApiStatus, RequestDescription } from './api-status';
import { rbacResource, resourcePath, type ServedResource } from './discovery';
import type { KubeConnection } from './kube-connection';
import { CliFatalError } from '../errors';

/** The objects of a LIST, or the failure of one of its pages. */
export type ListResult =
  | { readonly items: any[] }
  | { readonly failure: ApiStatus; readonly describe: RequestDescription };

/** Which objects to list. */
export interface ListOptions {
  /** Only this namespace (namespaced kinds); all namespaces when absent. */
  readonly namespace?: string;
  /** A label selector, e.g. `app.kubernetes.io/managed-by=cdk8s-kmetal`. */
  readonly labelSelector?: string;
}

const PAGE_SIZE = 500;
// 500 pages of 500 objects: far beyond any tree's kinds, and a bound on a server that keeps
// answering with a continue token.
const MAX_PAGES = 500;

/**
 * Lists a resource, page by page (`limit` + `continue`), across all namespaces unless one is given.
 */
export async function listObjects(conn: KubeConnection, r: ServedResource, options: ListOptions = {}): Promise<ListResult> {
  const describe: RequestDescription = { verb: 'list', resource: rbacResource(r), ...(options.namespace !== undefined && r.namespaced ? { namespace: options.namespace } : {}) };
  const items: any[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: { [k: string]: string } = { limit: String(PAGE_SIZE) };
    if (options.labelSelector) query.labelSelector = options.labelSelector;
    if (token) query.continue = token;
    const res = await conn.request({ method: 'GET', path: resourcePath(r, options.namespace), query, describe });
    if (res.failure) return { failure: res.failure, describe };
    if (Array.isArray(res.body?.items)) items.push(...res.body.items);
    token = typeof res.body?.metadata?.continue === 'string' && res.body.metadata.continue !== '' ? res.body.metadata.continue : undefined;
    if (token === undefined) return { items };
  }
  throw new CliFatalError(`${conn.target.server}: listing ${rbacResource(r)} did not end after ${MAX_PAGES} pages of ${PAGE_SIZE}`);
}
