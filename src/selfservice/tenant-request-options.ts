import type { HelmChartAddon } from '../addons/helm-chart';
import type { NetworkPlanes } from '../network/network-planes';
import type { TenantSubnetOptions } from '../network/tenant-subnet';
import type { IDataStore } from '../tenancy/datastore';
import type { TenantClusterClass } from '../tenancy/tenant-cluster-class';
import type { TenantGovernanceOptions, TenantQuota } from '../tenancy/tenant-governance';

/** A size class tenants choose with `size`: how big the hosted control plane and its etcd are. */
export interface TenantSizeClass {
  /** The name requests use, e.g. `small`. */
  readonly name: string;
  /** API server replicas. @default 2 */
  readonly controlPlaneReplicas?: number;
  /** Members of the dedicated etcd. @default 3 */
  readonly etcdReplicas?: number;
  /** Volume per etcd member in GiB. @default 8 */
  readonly etcdStorageGiB?: number;
}

/** A kind of worker VM tenants choose per pool with `nodeClass`. */
export interface TenantNodeClass {
  /** The name requests use, e.g. `standard`. */
  readonly name: string;
  /** vCPU cores per VM. */
  readonly cpuCores: number;
  /** Guest memory per VM in GiB. */
  readonly memoryGiB: number;
  /** The cluster class's worker class the pools use. @default - the class's first worker class */
  readonly workerClass?: string;
  /** GPU model (KubeVirt resource name) pools of this class may ask for with `gpusPerNode`. @default - no GPUs */
  readonly gpuDeviceName?: string;
  /** Most GPUs per VM. @default 1 when `gpuDeviceName` is set */
  readonly maxGpusPerNode?: number;
}

/** An add-on of the platform's catalogue, which requests opt into by name (`addons`). */
export interface TenantAddonOffer {
  /** The name requests use, e.g. `monitoring`. */
  readonly name: string;
  /** The charts installed into the cluster of each request that opts in (pinned versions). */
  readonly helmCharts: HelmChartAddon[];
}

/** What the platform grants one team (the folder `tenants/<team>/`). */
export interface TenantTeam {
  /** Team name: the folder name. */
  readonly name: string;
  /** Hard limits over all the team's clusters (Capsule tenant quota). @default - derived from the requests */
  readonly quota?: TenantQuota;
  /**
   * Public addresses (CIDRs or `a-b` ranges in the public plane) the team's load balancers may use;
   * requests take `loadBalancerAddresses` of them, in file order.
   * @default - none
   */
  readonly loadBalancerAddresses?: string[];
  /** Names of `sharedDataStores` the team's requests may name in `dataStore`. @default - none */
  readonly dataStores?: string[];
}

/** Tenant VPCs: every team gets one `TenantVpc`, named after the team, its clusters' workers on it. */
export interface TenantRequestVpcOptions {
  /** The platform's network planes. */
  readonly planes: NetworkPlanes;
  /** Subnets of every team VPC (VPCs are isolated, so every team may reuse them). @default - one `workers` subnet, 10.10.0.0/16 */
  readonly subnets?: TenantSubnetOptions[];
}

/** Options of `TenantRequests.load()`: what the platform offers tenants, and on which terms. */
export interface TenantRequestsOptions {
  /** The golden class every requested cluster is built from. */
  readonly clusterClass: TenantClusterClass;
  /** The size classes requests choose from. */
  readonly sizes: TenantSizeClass[];
  /** The VM classes pools choose from. */
  readonly nodeClasses: TenantNodeClass[];
  /**
   * Releases a requested minor maps to (`v1.34` → the latest `v1.34.x` listed). Which minors and
   * releases are allowed at all is the platform's (`allowedKubernetesMinors`) and the
   * `PlatformBoundaries`' business.
   * @default - the class's `defaultVersion` for its minor, `<minor>.0` otherwise
   */
  readonly kubernetesReleases?: string[];
  /** Add-ons requests may opt into. @default - none */
  readonly addonCatalog?: TenantAddonOffer[];
  /**
   * The teams allowed to request clusters, with what each is granted. When given, a folder of any
   * other team is an error.
   * @default - any folder is a team, with derived quotas and no grants
   */
  readonly teams?: TenantTeam[];
  /** Give every team a VPC. @default - no VPCs: workers on the under cluster's pod network */
  readonly vpc?: TenantRequestVpcOptions;
  /** Shared datastores that `teams` may be granted. @default - none */
  readonly sharedDataStores?: IDataStore[];
  /**
   * Governance every team's Capsule tenant gets (limit ranges, network policies, storage classes).
   * Owners come from the requests and quotas from `teams`.
   * @default - none beyond the derived quota
   */
  readonly governance?: TenantGovernanceOptions;
}
