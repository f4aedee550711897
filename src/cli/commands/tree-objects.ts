import type { Discovery, ServedResource } from '../kube/discovery';
import type { FluxTreeModel, TreeObject } from '../tree/flux-tree-reader';
import { InstalledApis, type ApiInstaller } from '../tree/installed-apis';

/** Whether the cluster serves an object's kind, and if not, whether the tree brings it. */
export type Served =
  | { readonly status: 'served'; readonly resource: ServedResource }
  /** Not served; a layer applied before the object's brings it. */
  | { readonly status: 'arrives'; readonly code: string; readonly message: string }
  /** Not served; a layer brings it, but the object's layer does not wait for it. */
  | { readonly status: 'arrives-unordered'; readonly code: string; readonly message: string }
  /** Not served, and nothing in the tree brings it (or its API is broken). */
  | { readonly status: 'not-served'; readonly code: string; readonly message: string };

const FLUX_GROUPS = /^(kustomize|helm|source|notification|image)\.toolkit\.fluxcd\.io\//;

/** The tree's objects as the cluster sees them: served kinds, and what the tree's own layers bring. */
export class TreeOnCluster {
  private readonly installs: InstalledApis;

  constructor(private readonly tree: FluxTreeModel, private readonly discovery: Discovery) {
    this.installs = InstalledApis.of(tree);
  }

  /** Looks up the object's kind (one discovery request per group/version). */
  public async served(object: TreeObject): Promise<Served> {
    const found = await this.discovery.resource(object.apiVersion, object.kind);
    if (!('status' in found)) return { status: 'served', resource: found };
    if (found.status === 'unavailable') return { status: 'not-served', code: 'api-unavailable', message: found.message };
    const installers = this.installs.installersOf(object.apiVersion, object.kind);
    const ready = installers.find((i) => this.tree.isReadyBefore(i.layer, object.layer));
    if (ready) {
      return { status: 'arrives', code: 'arrives-with-layer', message: `not verified: ${object.apiVersion} ${object.kind} is not served yet; it arrives with layer ${ready.layer.name} (${ready.how})` };
    }
    if (installers.length > 0) {
      const i = installers[0];
      return { status: 'arrives-unordered', code: 'arrives-unordered', message: `${object.apiVersion} ${object.kind} is not served yet; layer ${i.layer.name} brings it (${i.how}), but layer ${object.layer.name} does not depend on it: Flux may apply this object first and fail until it is served (add a dependsOn)` };
    }
    const flux = FLUX_GROUPS.test(object.apiVersion) ? '; is Flux installed (flux bootstrap)?' : '';
    return { status: 'not-served', code: 'not-served', message: `${found.message}, and no layer of this tree installs it${flux}` };
  }

  /** The namespace Flux applies a namespaced object to: the layer's `targetNamespace`, else its own. */
  public namespaceFor(object: TreeObject, namespaced: boolean): string | undefined {
    return namespaced ? object.layer.targetNamespace ?? object.namespace : undefined;
  }

  /** What in the tree creates a namespace (Namespace objects, releases creating theirs), earliest layer first. */
  public creatorsOf(namespace: string): ApiInstaller[] {
    return this.installs.creatorsOf(namespace);
  }
}
