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

/** The cluster-autoscaler release built for one Kubernetes minor. */
export interface ClusterAutoscalerRelease {
  /** The Kubernetes minor, e.g. 33 for v1.33. */
  readonly kubernetesMinor: number;
  /** The autoscaler release (the image tag), e.g. `v1.33.6`. */
  readonly version: string;
  /** The upstream tag of kubernetes/autoscaler it comes from. */
  readonly tag: string;
  /** The commit of that tag. */
  readonly commit: string;
}

/** An image the library's own objects run (not a component Flux installs). */
export interface PinnedImage {
  /** What it is for, e.g. `etcdctl` (the key `VersionMatrix.image()` takes). */
  readonly purpose: string;
  /** The repository, e.g. `quay.io/coreos/etcd`. */
  readonly repository: string;
  /** The tag. */
  readonly tag: string;
  /** Where the version comes from. */
  readonly source: string;
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
    // The Kairos operator builds the OSArtifacts of Kairos NodeImages (kairos-io/kairos-operator
    // v0.1.3, 554c054f47ae, config/default: namespace operator-system; the pinned CRDs are its own).
    { component: 'kairos-operator', version: 'v0.1.3', installMethod: InstallMethod.RELEASE_MANIFESTS, namespace: 'operator-system', apiVersions: ['build.kairos.io/v1alpha2', 'operator.kairos.io/v1alpha1'] },
    // Kamaji publishes its chart only as a rolling `0.0.0+latest`: the controller release is pinned
    // through the image tag in the HelmRelease values instead.
    { component: 'kamaji', version: '26.8.2-edge', installMethod: InstallMethod.HELM_CHART, chart: 'kamaji', chartVersion: '0.0.0+latest', chartRepository: 'https://clastix.github.io/charts', namespace: 'kamaji-system', apiVersions: ['kamaji.clastix.io/v1alpha1'] },
    { component: 'kamaji-etcd', version: '0.17.0', installMethod: InstallMethod.REFERENCED_CHART, chart: 'kamaji-etcd', chartVersion: '0.17.0', chartRepository: 'https://clastix.github.io/charts', namespace: 'kamaji-system', apiVersions: [] },
    { component: 'capsule', version: 'v0.14.0', installMethod: InstallMethod.HELM_CHART, chart: 'capsule', chartVersion: '0.14.0', chartRepository: 'https://projectcapsule.github.io/charts', namespace: 'capsule-system', apiVersions: ['capsule.clastix.io/v1beta2'] },
    { component: 'sveltos', version: 'v1.13.0', installMethod: InstallMethod.HELM_CHART, chart: 'projectsveltos', chartVersion: '1.13.0', chartRepository: 'https://projectsveltos.github.io/helm-charts', namespace: 'projectsveltos', apiVersions: ['config.projectsveltos.io/v1beta1', 'lib.projectsveltos.io/v1beta1'] },
  ];

  /** Repository of the cluster-autoscaler image (kubernetes/autoscaler cluster-autoscaler/charts/cluster-autoscaler/values.yaml `image.repository`). */
  public static readonly CLUSTER_AUTOSCALER_IMAGE = 'registry.k8s.io/autoscaling/cluster-autoscaler';

  /**
   * The cluster-autoscaler for each tenant Kubernetes minor. Upstream builds one autoscaler minor per
   * Kubernetes minor against that minor's scheduler and client libraries, and supports it only
   * against the same minor (kubernetes/autoscaler cluster-autoscaler/README.md, "Releases"): a tenant
   * cluster's autoscaler must match the tenant's minor, not the under cluster's. Each entry is the
   * newest patch tag of the minor in kubernetes/autoscaler (`cluster-autoscaler/version/version.go`
   * at that tag holds the same version). A tenant minor missing here is refused at synth.
   */
  public static readonly CLUSTER_AUTOSCALER: ClusterAutoscalerRelease[] = [
    { kubernetesMinor: 30, version: 'v1.30.7', tag: 'cluster-autoscaler-1.30.7', commit: '4be8b2d7d49352fc158fec8773186516eec126c8' },
    { kubernetesMinor: 31, version: 'v1.31.5', tag: 'cluster-autoscaler-1.31.5', commit: 'f0fb6c4b57c807f7544afbb2819ed2bf351f69c8' },
    { kubernetesMinor: 32, version: 'v1.32.7', tag: 'cluster-autoscaler-1.32.7', commit: 'f645beb1ec472b785e5c196b3768c0d93195a75a' },
    { kubernetesMinor: 33, version: 'v1.33.6', tag: 'cluster-autoscaler-1.33.6', commit: 'be4b5a18814a53539d0fe6299c92839152cae54c' },
    { kubernetesMinor: 34, version: 'v1.34.5', tag: 'cluster-autoscaler-1.34.5', commit: 'cb2123ed13148c38fbdb1ede42d8e99761ee2909' },
    { kubernetesMinor: 35, version: 'v1.35.2', tag: 'cluster-autoscaler-1.35.2', commit: '2d42588803c71fe9b35dcd9e3669ac6bb550ca22' },
  ];

  /**
   * Images the library's own workloads run (the tenant etcd backup), pinned by tag.
   * - `etcdctl`: the etcd release of the pinned kamaji-etcd chart (Chart.yaml `appVersion: "3.6.12"`
   *   at clastix/kamaji-etcd v0.17.0, 92f31f016f4e; the chart's `image.repository` quay.io/coreos/etcd),
   *   so snapshots are taken by the same etcd version that serves them.
   * - `rclone`: rclone v1.75.0 (rclone/rclone 9ee9d0a0cafd, `.github/workflows/build_publish_docker_image.yml`
   *   tags images `{{version}}`, i.e. `1.75.0`; the image is Alpine with a shell, entrypoint `rclone`).
   * - `kubevirt-cloud-controller-manager`: kubevirt/cloud-provider-kubevirt v0.6.0 (37201f6ce1da);
   *   `.github/workflows/publish.yaml` pushes `quay.io/kubevirt/kubevirt-cloud-controller-manager:<tag>`
   *   for every `v*.*.*` tag (Makefile `image`/`push` with `VERSION=<tag>`). Upstream publishes no
   *   digests in git, so the tag is the pin.
   * - the CSI sidecars of the KubeVirt CSI driver (`csi-provisioner`, `csi-attacher`,
   *   `csi-node-driver-registrar`, `csi-livenessprobe`): kubevirt/csi-driver's own manifests
   *   (deploy/controller-infra/base/deploy.yaml at 27b52aa22da7) name `:latest` OpenShift builds, so
   *   the upstream kubernetes-csi releases are pinned instead, as kubernetes-csi/csi-driver-host-path
   *   v1.18.0 (cc78ee78ae23) deploys them together in deploy/kubernetes-1.34/hostpath/csi-hostpath-plugin.yaml.
   *   The KubeVirt CSI driver image itself has no release tag upstream (the repository has no tags;
   *   `.github/workflows/create_image.yaml` pushes `latest` for main), so it is a required input of
   *   `PlatformUnderCluster.addTenantStorage()` (a mirror built from a pinned commit).
   */
  public static readonly IMAGES: PinnedImage[] = [
    { purpose: 'etcdctl', repository: 'quay.io/coreos/etcd', tag: 'v3.6.12', source: 'clastix/kamaji-etcd v0.17.0 charts/kamaji-etcd/Chart.yaml appVersion' },
    { purpose: 'rclone', repository: 'docker.io/rclone/rclone', tag: '1.75.0', source: 'rclone/rclone v1.75.0 (9ee9d0a0cafd5e5fe3b271d2280b090ab6e64048)' },
    { purpose: 'kubevirt-cloud-controller-manager', repository: 'quay.io/kubevirt/kubevirt-cloud-controller-manager', tag: 'v0.6.0', source: 'kubevirt/cloud-provider-kubevirt v0.6.0 (37201f6ce1da7d03fa5322885cb1b6991c673d56) .github/workflows/publish.yaml' },
    { purpose: 'csi-provisioner', repository: 'registry.k8s.io/sig-storage/csi-provisioner', tag: 'v6.3.0', source: 'kubernetes-csi/csi-driver-host-path v1.18.0 (cc78ee78ae23908c9e0607df2fe09c7ecfa52597) deploy/kubernetes-1.34/hostpath/csi-hostpath-plugin.yaml' },
    { purpose: 'csi-attacher', repository: 'registry.k8s.io/sig-storage/csi-attacher', tag: 'v4.12.0', source: 'kubernetes-csi/csi-driver-host-path v1.18.0 (cc78ee78ae23908c9e0607df2fe09c7ecfa52597) deploy/kubernetes-1.34/hostpath/csi-hostpath-plugin.yaml' },
    { purpose: 'csi-node-driver-registrar', repository: 'registry.k8s.io/sig-storage/csi-node-driver-registrar', tag: 'v2.17.0', source: 'kubernetes-csi/csi-driver-host-path v1.18.0 (cc78ee78ae23908c9e0607df2fe09c7ecfa52597) deploy/kubernetes-1.34/hostpath/csi-hostpath-plugin.yaml' },
    { purpose: 'csi-livenessprobe', repository: 'registry.k8s.io/sig-storage/livenessprobe', tag: 'v2.19.0', source: 'kubernetes-csi/csi-driver-host-path v1.18.0 (cc78ee78ae23908c9e0607df2fe09c7ecfa52597) deploy/kubernetes-1.34/hostpath/csi-hostpath-plugin.yaml' },
  ];

  /** The cluster-autoscaler release for a Kubernetes minor (e.g. 33), or undefined when none is known. */
  public static clusterAutoscalerFor(kubernetesMinor: number): ClusterAutoscalerRelease | undefined {
    return VersionMatrix.CLUSTER_AUTOSCALER.find((r) => r.kubernetesMinor === kubernetesMinor);
  }

  /** The pinned reference (`repository:tag`) of one of `IMAGES`; throws for an unknown purpose. */
  public static image(purpose: string): string {
    const found = VersionMatrix.IMAGES.find((i) => i.purpose === purpose);
    if (!found) throw new Error(`version matrix has no image "${purpose}" (known: ${VersionMatrix.IMAGES.map((i) => i.purpose).join(', ')})`);
    return `${found.repository}:${found.tag}`;
  }

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
