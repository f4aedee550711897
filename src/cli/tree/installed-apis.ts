import type { FluxTreeModel, TreeLayer, TreeObject } from './flux-tree-reader';
import { InstallMethod, VersionMatrix, type ComponentVersion } from '../../platform/version-matrix';
import { releaseManifestContents } from '../../reconcile/models/release-manifests';

/** An object of the tree that makes the cluster serve an API: a CRD, or a release known to install CRDs. */
export interface ApiInstaller {
  /** The layer that applies the installer. */
  readonly layer: TreeLayer;
  /** The CRD, HelmRelease, Flux Kustomization or Cluster API provider. */
  readonly object: TreeObject;
  /** How it installs the API, for messages: `CRD clusters.cluster.x-k8s.io`, `HelmRelease flux-system/kamaji (chart kamaji)`. */
  readonly how: string;
}

// Cluster API providers the operator installs, by kind and name, as PlatformUnderCluster emits them
// (src/platform/platform-under-cluster.ts, emitProviders): the component says which API versions arrive.
const CAPI_PROVIDERS: { [kindAndName: string]: string } = {
  'CoreProvider/cluster-api': 'cluster-api',
  'BootstrapProvider/kubeadm': 'cluster-api-bootstrap-kubeadm',
  'ControlPlaneProvider/kamaji': 'cluster-api-control-plane-provider-kamaji',
  'InfrastructureProvider/kubevirt': 'cluster-api-provider-kubevirt',
  'InfrastructureProvider/metal3': 'cluster-api-provider-metal3',
};

/**
 * Which layer of a tree brings which API: CRD objects (exact group, version and kind) and releases
 * the version matrix knows (a HelmRelease of a pinned chart, a Flux Kustomization of pinned release
 * manifests, a Cluster API provider), which bring the API versions their component emits.
 */
export class InstalledApis {
  /** Indexes the installers of a tree. */
  public static of(tree: FluxTreeModel): InstalledApis {
    const index = new InstalledApis();
    for (const object of tree.objects) index.add(object);
    return index;
  }

  // `group/version/kind` → installers (CRDs), `group/version` → installers (releases: any kind).
  private readonly byKind = new Map<string, ApiInstaller[]>();
  // namespace → what creates it: Namespace objects, releases that create their target namespace.
  private readonly byNamespace = new Map<string, ApiInstaller[]>();
  private readonly byApiVersion = new Map<string, ApiInstaller[]>();
  private readonly scopes = new Map<string, 'Namespaced' | 'Cluster'>();

  private constructor() {}

  /** The installers of an API, earliest layer first. */
  public installersOf(apiVersion: string, kind: string): ApiInstaller[] {
    return [...(this.byKind.get(`${apiVersion}/${kind}`) ?? []), ...(this.byApiVersion.get(apiVersion) ?? [])]
      .sort((a, b) => a.layer.position - b.layer.position);
  }

  /** What creates a namespace, earliest layer first: a Namespace object, or a release known to create it. */
  public creatorsOf(namespace: string): ApiInstaller[] {
    return [...(this.byNamespace.get(namespace) ?? [])].sort((a, b) => a.layer.position - b.layer.position);
  }

  /** The scope a CRD of the tree declares for the kind, if the tree has one. */
  public scopeOf(apiVersion: string, kind: string): 'Namespaced' | 'Cluster' | undefined {
    return this.scopes.get(`${apiVersion}/${kind}`);
  }

  private add(object: TreeObject): void {
    const m = object.manifest;
    const group = object.apiVersion.split('/')[0];
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      push(this.byNamespace, object.name, { layer: object.layer, object, how: `Namespace ${object.name}` });
      return;
    }
    if (group === 'helm.toolkit.fluxcd.io' && object.kind === 'HelmRelease' && m.spec?.install?.createNamespace === true && typeof m.spec?.targetNamespace === 'string') {
      push(this.byNamespace, m.spec.targetNamespace, { layer: object.layer, object, how: `HelmRelease ${object.namespace ?? ''}/${object.name} (createNamespace)` });
    }
    if (object.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') {
      const crdGroup = m.spec?.group;
      const crdKind = m.spec?.names?.kind;
      if (typeof crdGroup !== 'string' || typeof crdKind !== 'string') return;
      for (const v of Array.isArray(m.spec?.versions) ? m.spec.versions : []) {
        if (typeof v?.name !== 'string' || v.served === false) continue;
        const key = `${crdGroup}/${v.name}/${crdKind}`;
        push(this.byKind, key, { layer: object.layer, object, how: `CRD ${object.name}` });
        if (m.spec?.scope === 'Namespaced' || m.spec?.scope === 'Cluster') this.scopes.set(key, m.spec.scope);
      }
      return;
    }
    for (const [component, how] of this.releasedComponents(object)) {
      for (const apiVersion of component.apiVersions) push(this.byApiVersion, apiVersion, { layer: object.layer, object, how });
      // Some release manifests bring their own namespace (the reconcile check's model says which; a
      // chart's is created by createNamespace, above).
      if (component.installMethod === InstallMethod.RELEASE_MANIFESTS && releaseManifestContents(component.component)?.bringsNamespace === true) {
        push(this.byNamespace, component.namespace, { layer: object.layer, object, how });
      }
    }
  }

  private releasedComponents(object: TreeObject): Array<[ComponentVersion, string]> {
    const m = object.manifest;
    const group = object.apiVersion.split('/')[0];
    const where = object.namespace ? `${object.namespace}/${object.name}` : object.name;
    if (group === 'helm.toolkit.fluxcd.io' && object.kind === 'HelmRelease') {
      const chart = m.spec?.chart?.spec?.chart;
      return VersionMatrix.COMPONENTS
        .filter((c) => c.installMethod === InstallMethod.HELM_CHART && c.chart !== undefined && c.chart === chart)
        .map((c) => [c, `HelmRelease ${where} (chart ${chart})`]);
    }
    // The Kustomizations of the tree's own layers apply folders; only those inside a layer apply releases.
    if (group === 'kustomize.toolkit.fluxcd.io' && object.kind === 'Kustomization' && !object.layer.bootstrap) {
      const source = m.spec?.sourceRef?.name;
      return VersionMatrix.COMPONENTS
        .filter((c) => c.installMethod === InstallMethod.RELEASE_MANIFESTS && (c.component === object.name || source === `${c.component}-manifests`))
        .map((c) => [c, `Kustomization ${where} (${c.component} release manifests)`]);
    }
    if (group === 'operator.cluster.x-k8s.io') {
      const component = CAPI_PROVIDERS[`${object.kind}/${object.name}`];
      const c = component !== undefined ? VersionMatrix.COMPONENTS.find((x) => x.component === component) : undefined;
      return c ? [[c, `${object.kind} ${where} (Cluster API operator)`]] : [];
    }
    return [];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
