/**
 * The one version matrix of the platform: which upstream release of every component the library
 * installs and emits objects for, where its chart (or release manifests) come from, and which
 * combination was validated together (against the pinned CRDs of `imports/crds.lock.json`).
 *
 * Everything that pins a version reads it from here, so moving the platform to a new release is a
 * change in one place, and a test asserts that nothing else hard-codes a version.
 */

/** How a component is installed by Flux. */
export enum InstallMethod {
  /** A Flux HelmRelease of the upstream chart. */
  HELM_CHART = 'helm',
  /** Upstream release manifests (no chart exists), pulled by Flux as an OCI artifact mirror. */
  RELEASE_MANIFESTS = 'manifests',
  /** A Cluster API provider installed by the Cluster API operator (a provider custom resource). */
  CAPI_PROVIDER = 'capi-provider',
  /** Nothing is installed: the component is a chart the library's own constructs release (e.g. per-tenant etcd). */
  REFERENCED_CHART = 'referenced-chart',
}

/** One pinned component. */
export interface ComponentVersion {
  /** Component id, e.g. `cert-manager`. */
  readonly component: string;
  /** Upstream release the constructs were validated against. */
  readonly version: string;
  /** How Flux installs it. */
  readonly installMethod: InstallMethod;
  /** Helm chart name, for charts. @default - not a chart */
  readonly chart?: string;
  /** Helm chart version, for charts (may differ from the app version). @default - not a chart */
  readonly chartVersion?: string;
  /** Upstream chart repository (`https://` or `oci://`), for charts. @default - not a chart */
  readonly chartRepository?: string;
  /** Namespace the component runs in on the under cluster. */
  readonly namespace: string;
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
  /** Name of the validated combination below (shown in reports). */
  public static readonly VALIDATED_SET = 'kmetal-2026.11';

  /**
   * Kubernetes versions a tenant control plane may run with the pinned Kamaji.
   *
   * Kamaji's admission webhook refuses a TenantControlPlane whose minor is above the kubeadm it was
   * built with (`internal/upgrade/kubeadm_version.go`, v1.35 in the release we validated against),
   * and refuses skipping minors on upgrade. The floor is the oldest minor the pinned Cluster API
   * (v1.14) still supports for workload clusters.
   */
  public static readonly KAMAJI_KUBERNETES: KubernetesMinorRange = { minMinor: 30, maxMinor: 35 };

  /** Every component of the platform, as validated together. */
  public static readonly COMPONENTS: ComponentVersion[] = [
    { component: 'flux2', version: 'v2.9.4', installMethod: InstallMethod.REFERENCED_CHART, namespace: 'flux-system', apiVersions: ['helm.toolkit.fluxcd.io/v2', 'kustomize.toolkit.fluxcd.io/v1', 'source.toolkit.fluxcd.io/v1'] },
    { component: 'cert-manager', version: 'v1.21.1', installMethod: InstallMethod.HELM_CHART, chart: 'cert-manager', chartVersion: 'v1.21.1', chartRepository: 'oci://quay.io/jetstack/charts', namespace: 'cert-manager', apiVersions: ['cert-manager.io/v1'] },
    { component: 'metallb', version: 'v0.16.1', installMethod: InstallMethod.HELM_CHART, chart: 'metallb', chartVersion: '0.16.1', chartRepository: 'https://metallb.github.io/metallb', namespace: 'metallb-system', apiVersions: ['metallb.io/v1beta1', 'metallb.io/v1beta2'] },
    { component: 'kube-ovn', version: 'v1.16.2', installMethod: InstallMethod.HELM_CHART, chart: 'kube-ovn', chartVersion: 'v1.16.2', chartRepository: 'https://kubeovn.github.io/kube-ovn', namespace: 'kube-system', apiVersions: ['kubeovn.io/v1'] },
    { component: 'kubevirt', version: 'v1.9.0', installMethod: InstallMethod.RELEASE_MANIFESTS, namespace: 'kubevirt', apiVersions: ['kubevirt.io/v1'] },
    { component: 'cdi', version: 'v1.66.0', installMethod: InstallMethod.RELEASE_MANIFESTS, namespace: 'cdi', apiVersions: ['cdi.kubevirt.io/v1beta1'] },
    { component: 'cluster-api-operator', version: 'v0.28.0', installMethod: InstallMethod.HELM_CHART, chart: 'cluster-api-operator', chartVersion: '0.28.0', chartRepository: 'https://kubernetes-sigs.github.io/cluster-api-operator', namespace: 'capi-operator-system', apiVersions: ['operator.cluster.x-k8s.io/v1alpha2'] },
    { component: 'cluster-api', version: 'v1.14.0', installMethod: InstallMethod.CAPI_PROVIDER, namespace: 'capi-system', apiVersions: ['cluster.x-k8s.io/v1beta2'] },
    { component: 'cluster-api-bootstrap-kubeadm', version: 'v1.14.0', installMethod: InstallMethod.CAPI_PROVIDER, namespace: 'capi-kubeadm-bootstrap-system', apiVersions: ['bootstrap.cluster.x-k8s.io/v1beta2'] },
    { component: 'cluster-api-control-plane-provider-kamaji', version: 'v0.20.0', installMethod: InstallMethod.CAPI_PROVIDER, namespace: 'kamaji-system', apiVersions: ['controlplane.cluster.x-k8s.io/v1alpha2'] },
    { component: 'cluster-api-provider-kubevirt', version: 'v0.11.2', installMethod: InstallMethod.CAPI_PROVIDER, namespace: 'capk-system', apiVersions: ['infrastructure.cluster.x-k8s.io/v1alpha1'] },
    { component: 'cluster-api-provider-metal3', version: 'v1.13.2', installMethod: InstallMethod.CAPI_PROVIDER, namespace: 'capm3-system', apiVersions: ['infrastructure.cluster.x-k8s.io/v1beta2'] },
    { component: 'baremetal-operator', version: 'v0.13.2', installMethod: InstallMethod.RELEASE_MANIFESTS, namespace: 'baremetal-operator-system', apiVersions: ['metal3.io/v1alpha1'] },
    // Ironic's manifests are the baremetal-operator's `ironic-deployment/default` at the same tag.
    { component: 'ironic', version: 'v0.13.2', installMethod: InstallMethod.RELEASE_MANIFESTS, namespace: 'baremetal-operator-system', apiVersions: [] },
    // Kamaji publishes its chart only as a rolling `0.0.0+latest`: the controller release is pinned
    // through the image tag in the HelmRelease values instead.
    { component: 'kamaji', version: '26.8.2-edge', installMethod: InstallMethod.HELM_CHART, chart: 'kamaji', chartVersion: '0.0.0+latest', chartRepository: 'https://clastix.github.io/charts', namespace: 'kamaji-system', apiVersions: ['kamaji.clastix.io/v1alpha1'] },
    { component: 'kamaji-etcd', version: '0.17.0', installMethod: InstallMethod.REFERENCED_CHART, chart: 'kamaji-etcd', chartVersion: '0.17.0', chartRepository: 'https://clastix.github.io/charts', namespace: 'kamaji-system', apiVersions: [] },
    { component: 'capsule', version: 'v0.14.0', installMethod: InstallMethod.HELM_CHART, chart: 'capsule', chartVersion: '0.14.0', chartRepository: 'https://projectcapsule.github.io/charts', namespace: 'capsule-system', apiVersions: ['capsule.clastix.io/v1beta2'] },
    { component: 'sveltos', version: 'v1.13.0', installMethod: InstallMethod.HELM_CHART, chart: 'projectsveltos', chartVersion: '1.13.0', chartRepository: 'https://projectsveltos.github.io/helm-charts', namespace: 'projectsveltos', apiVersions: ['config.projectsveltos.io/v1beta1', 'lib.projectsveltos.io/v1beta1'] },
  ];

  /** The pinned entry of one component; throws for a component the matrix does not know. */
  public static component(component: string): ComponentVersion {
    const found = VersionMatrix.COMPONENTS.find((c) => c.component === component);
    if (!found) throw new Error(`version matrix has no component "${component}" (known: ${VersionMatrix.COMPONENTS.map((c) => c.component).join(', ')})`);
    return found;
  }

  /** The pinned version of one component (the chart version for referenced charts). */
  public static versionOf(component: string): string {
    return VersionMatrix.component(component).version;
  }

  private constructor() {}
}
