/**
 * What a tenant cluster's workers are. A Cluster API `Cluster` has one `infrastructureRef`, and each
 * provider's machine controller fetches its own infrastructure-cluster kind under that name (CAPK
 * v0.11.2 controllers/kubevirtmachine_controller.go gets a `KubevirtCluster`, CAPM3 v1.13.2
 * controllers/metal3machine_controller.go a `Metal3Cluster`), so one cluster cannot mix VM pools
 * and bare-metal pools: a tenant wanting both has two clusters.
 */
export enum ClusterInfrastructure {
  /** Workers are KubeVirt VMs on the under cluster (Cluster API provider KubeVirt, `KubevirtCluster`). */
  KUBEVIRT = 'KubeVirt',
  /** Workers are whole servers (Cluster API provider Metal3, `Metal3Cluster`); every pool sets `bareMetal`. */
  METAL3 = 'Metal3',
}

/**
 * The API server port of tenant control planes: Kamaji's TenantControlPlane default, which the
 * Kamaji provider keeps unless `Cluster.spec.clusterNetwork.apiServerPort` is set
 * (cluster-api-control-plane-provider-kamaji v0.20.0 controllers/kamajicontrolplane_controller_tcp.go).
 * A `Metal3Cluster` states it in `controlPlaneEndpoint`, which the provider checks rather than
 * patches (controllers/kamajicontrolplane_controller_cluster_patch.go `checkGenericCluster`). @internal
 */
export const TENANT_API_SERVER_PORT = 6443;
