import { IConstruct } from 'constructs';
import type { IControlPlaneVipPool } from '../network/control-plane-vip';
import type { IDataStore, SecretKeyReference } from '../tenancy/datastore';
import type { TenantCluster, TenantClusterProps } from '../tenancy/tenant-cluster';

/**
 * Where a tenant cluster's control plane, datastore and workers run when they are not on the
 * under cluster that holds its Cluster API objects: what `TenantCluster` writes into its
 * `KamajiControlPlane` and `KubevirtCluster` when it is placed at a site.
 */
export interface TenantSitePlacement {
  /** Name of the site. */
  readonly siteName: string;
  /** Name of the Flux-managed cluster (and Flux tree, `clusters/<name>/`) that runs the site. */
  readonly clusterName: string;
  /**
   * The kubeconfig of the cluster that hosts the control plane, on the cluster holding the
   * tenant's Cluster API objects (`KamajiControlPlane.spec.deployment.externalClusterReference`).
   */
  readonly controlPlaneKubeconfig: SecretKeyReference;
  /** Namespace on the site's cluster where the tenant's `TenantControlPlane` and its pods go. */
  readonly controlPlaneNamespace: string;
  /**
   * The Secret Cluster API provider KubeVirt reads the site cluster's kubeconfig from (key
   * `kubeconfig`), for `KubevirtCluster.spec.infraClusterSecretRef`: worker VMs are created there.
   */
  readonly infraClusterSecretName: string;
  /** Namespace of `infraClusterSecretName`. */
  readonly infraClusterSecretNamespace: string;
  /** The VIP pool of the site, which the control plane's VIP comes from. */
  readonly vipPool: IControlPlaneVipPool;
  /**
   * The datastore the site created for the tenant (on the site's cluster, where its Kamaji reads it).
   * @default - none: the tenant brought its own `dataStore`
   */
  readonly dataStore?: IDataStore;
}

/**
 * A place tenant clusters can run at, away from the under cluster that declares them: an edge
 * site with its own management ("island") cluster. Implemented by `IslandSite`.
 */
export interface ITenantSite extends IConstruct {
  /** Name of the site. */
  readonly siteName: string;

  /**
   * Places a tenant cluster at the site: checks what the cluster references (VIP pool, datastore,
   * networks) belongs to the site, and creates what the site runs for it (namespace, datastore).
   *
   * Called once, by the `TenantCluster` constructor, when only the cluster's `clusterName` and
   * `namespace` are set. Use `TenantClusterProps.site` (or `IslandSite.addTenantCluster()`) rather
   * than calling it yourself.
   *
   * @param cluster the cluster being constructed
   * @param props the cluster's props as given
   */
  placeTenantCluster(cluster: TenantCluster, props: TenantClusterProps): TenantSitePlacement;
}
