/**
 * The one version matrix of the platform: which upstream release of every component the library's
 * constructs emit objects for, and which combinations were validated together (against the pinned
 * CRDs in `imports/crds.lock.json`).
 *
 * Everything that pins a version reads it from here, so moving the platform to a new release is a
 * change in one place, and a test can assert that nothing else hard-codes a version.
 */
export interface ComponentVersion {
  /** Component name as users say it. */
  readonly component: string;
  /** Upstream release the constructs were validated against. */
  readonly version: string;
  /** The API versions of its kinds that the constructs emit. */
  readonly apiVersions: string[];
}

/** A Kubernetes minor version range, inclusive. */
export interface KubernetesMinorRange {
  /** Lowest supported minor, e.g. 30 for v1.30. */
  readonly minMinor: number;
  /** Highest supported minor, e.g. 35 for v1.35. */
  readonly maxMinor: number;
}

/**
 * The pinned, validated component set.
 */
export class VersionMatrix {
  /**
   * Kubernetes versions a tenant control plane may run with the pinned Kamaji.
   *
   * Kamaji's admission webhook refuses a TenantControlPlane whose minor is above the kubeadm it was
   * built with (`internal/upgrade/kubeadm_version.go`, v1.35 in the release we validated against),
   * and refuses skipping minors on upgrade. The floor is the oldest minor the pinned Cluster API
   * (v1.14) still supports for workload clusters.
   */
  public static readonly KAMAJI_KUBERNETES: KubernetesMinorRange = { minMinor: 30, maxMinor: 35 };

  /** Cluster API core and its providers, Kamaji, and the etcd chart Kamaji datastores use. */
  public static readonly COMPONENTS: ComponentVersion[] = [
    { component: 'cluster-api', version: 'v1.14.0', apiVersions: ['cluster.x-k8s.io/v1beta2', 'bootstrap.cluster.x-k8s.io/v1beta2'] },
    { component: 'cluster-api-control-plane-provider-kamaji', version: 'v0.20.0', apiVersions: ['controlplane.cluster.x-k8s.io/v1alpha2'] },
    { component: 'cluster-api-provider-kubevirt', version: 'v0.11.2', apiVersions: ['infrastructure.cluster.x-k8s.io/v1alpha1'] },
    { component: 'kamaji', version: '26.8.2-edge', apiVersions: ['kamaji.clastix.io/v1alpha1'] },
    { component: 'kamaji-etcd', version: '0.17.0', apiVersions: [] },
    { component: 'flux2', version: 'v2.9.4', apiVersions: ['helm.toolkit.fluxcd.io/v2', 'kustomize.toolkit.fluxcd.io/v1', 'source.toolkit.fluxcd.io/v1'] },
  ];

  /** The pinned version of one component; throws for a component the matrix does not know. */
  public static versionOf(component: string): string {
    const found = VersionMatrix.COMPONENTS.find((c) => c.component === component);
    if (!found) throw new Error(`version matrix has no component "${component}"`);
    return found.version;
  }

  private constructor() {}
}
