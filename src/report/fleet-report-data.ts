// The schema of `report.json` (FleetReport.toJson()): plain data, jsii structs. Every number is a
// plain JSON number; sizes carry their unit in the name (cores, GiB). Fields that may be absent
// are optional and left out of the JSON (never null).
import type { VipAllocation } from '../network/control-plane-vip-pool';
import type { SpreadMode } from '../tenancy/placement';

/** A count of devices (GPUs or other PCI devices) of one kind. */
export interface FleetReportDeviceCount {
  /** Device resource name (`nvidia.com/GA100_A100_PCIE_80GB`) or host GPU model, as the field says. */
  readonly name: string;
  /** How many. */
  readonly count: number;
}

/** A VM or machine size. */
export interface FleetReportMachineSize {
  /** vCPU cores. */
  readonly cpuCores: number;
  /** Memory in GiB. */
  readonly memoryGiB: number;
}

/** One worker pool of a tenant, as declared (also for clusters built from a class). */
export interface FleetReportNodePool {
  /** Pool name. */
  readonly name: string;
  /** Most VMs the pool runs: `replicas`, or the autoscaler's maximum. */
  readonly vms: number;
  /** Whether the Cluster API autoscaler owns the count. */
  readonly autoscaled: boolean;
  /** Autoscaler minimum, when autoscaled. @default - not autoscaled */
  readonly minReplicas?: number;
  /** Autoscaler maximum, when autoscaled. @default - not autoscaled */
  readonly maxReplicas?: number;
  /** vCPU cores per VM. */
  readonly cpuCoresPerVm: number;
  /** Guest memory per VM in GiB. */
  readonly memoryGiBPerVm: number;
  /** Devices per VM, by resource name. */
  readonly gpusPerVm: FleetReportDeviceCount[];
  /** vCPUs of the pool at its largest (`vms` × `cpuCoresPerVm`). */
  readonly cpuCores: number;
  /** Guest memory of the pool at its largest, in GiB. */
  readonly memoryGiB: number;
  /** Devices of the pool at its largest, by resource name. */
  readonly gpus: FleetReportDeviceCount[];
  /** How the pool's VMs spread across hosts (`placement.spread`). */
  readonly spread: SpreadMode;
  /** Whether the VMs live-migrate when a host drains. */
  readonly liveMigration: boolean;
  /**
   * VMs the pool creates beyond its size while it rolls (`rollout.maxSurge`; `kmetal plan` checks
   * them against `vmCapacity`, or against its host group's when the pool is pinned).
   */
  readonly maxSurge: number;
  /** Host labels the pool's VMs are pinned to (`hostSelector`); its group in `vmHostGroups`. @default - not pinned */
  readonly hostLabels?: { [key: string]: string };
}

/** The hosted (Kamaji) control plane of a tenant. */
export interface FleetReportControlPlane {
  /** How the API server pods spread across hosts (`controlPlane.spread`). */
  readonly spread: SpreadMode;
  /** API server replicas. */
  readonly replicas: number;
  /** Whether konnectivity runs. */
  readonly konnectivity: boolean;
  /** kube-apiserver CPU request, as written in the output. @default - none set */
  readonly apiServerCpuRequest?: string;
  /** kube-apiserver memory request, as written in the output. @default - none set */
  readonly apiServerMemoryRequest?: string;
  /** kube-apiserver CPU limit. @default - none set */
  readonly apiServerCpuLimit?: string;
  /** kube-apiserver memory limit. @default - none set */
  readonly apiServerMemoryLimit?: string;
  /** CPU the control-plane pods take on the shared nodes (replicas × the governance model's per-replica size). */
  readonly footprintCpuCores: number;
  /** Memory the control-plane pods take on the shared nodes, in GiB. */
  readonly footprintMemoryGiB: number;
}

/** Where a tenant's control plane keeps its state. */
export interface FleetReportDataStore {
  /** Name of the Kamaji DataStore. */
  readonly name: string;
  /** Engine (`etcd`, `PostgreSQL`, ...). */
  readonly driver: string;
  /** True when the datastore serves this tenant only. */
  readonly dedicated: boolean;
  /** etcd members, for a dedicated etcd of this app. @default - not a dedicated etcd of this app */
  readonly etcdMembers?: number;
  /** Volume per etcd member in GiB. @default - not a dedicated etcd of this app */
  readonly etcdStorageGiB?: number;
  /** CPU the dedicated etcd takes on the shared nodes (0 for a datastore declared elsewhere). */
  readonly footprintCpuCores: number;
  /** Memory the dedicated etcd takes on the shared nodes, in GiB. */
  readonly footprintMemoryGiB: number;
}

/** A subnet of a tenant VPC. */
export interface FleetReportSubnet {
  /** Subnet name inside the VPC. */
  readonly name: string;
  /** Its CIDR. */
  readonly cidr: string;
}

/** A VPC a tenant's workers are attached to. */
export interface FleetReportVpc {
  /** Name of the Kube-OVN Vpc. */
  readonly name: string;
  /** Its subnets. */
  readonly subnets: FleetReportSubnet[];
}

/** The Capsule quota a tenant's namespace lives under. */
export interface FleetReportQuota {
  /** Name of the Capsule Tenant. */
  readonly tenantName: string;
  /** The `hard` limits as written (quota key → quantity). */
  readonly hard: { [resource: string]: string };
  /** CPU requests limit in cores. @default - no CPU limit */
  readonly cpuCores?: number;
  /** Memory requests limit in GiB. @default - no memory limit */
  readonly memoryGiB?: number;
  /** Storage requests limit in GiB. @default - no storage limit */
  readonly storageGiB?: number;
  /** Most VirtualMachines. @default - no VM limit */
  readonly virtualMachines?: number;
  /** Device limits by resource name. */
  readonly gpus: FleetReportDeviceCount[];
  /** Most namespaces. @default - none set */
  readonly namespaceQuota?: number;
  /** Other tenant clusters under the same Capsule tenant (the quota is shared with them). */
  readonly sharedWith: string[];
}

/** One tenant cluster. */
export interface FleetReportTenant {
  /** Cluster name. */
  readonly name: string;
  /** Namespace on the under cluster. */
  readonly namespace: string;
  /** Construct path of the TenantCluster. */
  readonly constructPath: string;
  /** The TenantClusterClass it is built from. @default - not built from a class */
  readonly clusterClass?: string;
  /** Kubernetes release, e.g. `v1.33.2`. */
  readonly kubernetesVersion: string;
  /** Kubernetes minor, e.g. `v1.33`. */
  readonly kubernetesMinor: string;
  /** The edge site the cluster runs at (its workers are then not counted against the pools). @default - the under cluster */
  readonly site?: string;
  /** Labels of the Cluster object. */
  readonly labels: { [key: string]: string };
  /** The hosted control plane. */
  readonly controlPlane: FleetReportControlPlane;
  /** The datastore. */
  readonly dataStore: FleetReportDataStore;
  /** Worker pools. */
  readonly nodePools: FleetReportNodePool[];
  /** Worker VMs at their largest, summed over the pools. */
  readonly workerVms: number;
  /** Worker vCPUs at their largest. */
  readonly workerCpuCores: number;
  /** Worker guest memory at its largest, in GiB. */
  readonly workerMemoryGiB: number;
  /** Worker devices at their largest, by resource name. */
  readonly workerGpus: FleetReportDeviceCount[];
  /** The API server VIP. @default - none known (MetalLB picks it) */
  readonly endpointAddress?: string;
  /** The VIP pool the VIP comes from. @default - no pool of this app */
  readonly vipPool?: string;
  /** Pod CIDR of the tenant cluster. */
  readonly podCidr: string;
  /** Service CIDR of the tenant cluster. */
  readonly serviceCidr: string;
  /** VPCs the workers attach to. */
  readonly vpcs: FleetReportVpc[];
  /** The Capsule quota. @default - ungoverned */
  readonly governance?: FleetReportQuota;
  /** The size each of the dedicated control-plane machines the savings compare with would have. */
  readonly dedicatedControlPlaneMachine: FleetReportMachineSize;
}

/** GPUs of one model: what hosts have, what is allocated, what is left. */
export interface FleetReportGpuCapacity {
  /** Host GPU model (or the device name when no host model matches it). */
  readonly model: string;
  /** Device resource names of the VMs that use the model. */
  readonly devices: string[];
  /** GPUs on the hosts. */
  readonly capacity: number;
  /** GPUs the VMs request at their largest. */
  readonly allocated: number;
  /** `capacity − allocated` (negative: over-committed). */
  readonly headroom: number;
}

/** Capacity of a set of hosts against what is placed on them. */
export interface FleetReportCapacity {
  /** Number of hosts. */
  readonly hostCount: number;
  /** Physical cores of the hosts. */
  readonly physicalCpuCores: number;
  /** Installed memory of the hosts, in GiB. */
  readonly physicalMemoryGiB: number;
  /** Cores kept for the hosts themselves. */
  readonly reservedCpuCores: number;
  /** Memory kept for the hosts themselves, in GiB. */
  readonly reservedMemoryGiB: number;
  /** Overcommit ratio applied to CPU. */
  readonly cpuOvercommitRatio: number;
  /** Overcommit ratio applied to memory. */
  readonly memoryOvercommitRatio: number;
  /** Schedulable CPU: (physical − reserved) × ratio. */
  readonly cpuCapacity: number;
  /** Schedulable memory in GiB: (physical − reserved) × ratio. */
  readonly memoryCapacityGiB: number;
  /** CPU allocated. */
  readonly cpuAllocated: number;
  /** Memory allocated in GiB. */
  readonly memoryAllocatedGiB: number;
  /** `cpuCapacity − cpuAllocated` (negative: over-committed). */
  readonly cpuHeadroom: number;
  /** `memoryCapacityGiB − memoryAllocatedGiB` (negative: over-committed). */
  readonly memoryHeadroomGiB: number;
  /** Share of CPU capacity allocated, in percent (0 when there is no capacity and nothing allocated). */
  readonly cpuUsedPercent: number;
  /** Share of memory capacity allocated, in percent. */
  readonly memoryUsedPercent: number;
  /** GPUs per model. */
  readonly gpus: FleetReportGpuCapacity[];
}

/** One server. */
export interface FleetReportHost {
  /** Host name. */
  readonly name: string;
  /** Physical cores. */
  readonly cpuCores: number;
  /** Installed memory in GiB. */
  readonly memoryGiB: number;
  /** GPUs by model. */
  readonly gpus: FleetReportDeviceCount[];
  /** Whether the host runs tenants' worker VMs. */
  readonly runsVms: boolean;
  /** Whether the host runs the hosted control planes. */
  readonly runsControlPlanes: boolean;
  /**
   * The tenant bare-metal pool the host is assigned to (`namespace/cluster pool`), when one is.
   * @default - none: the host is not a tenant's server
   */
  readonly tenantPool?: string;
  /** Its labels. */
  readonly labels: { [key: string]: string };
}

/** One tenant node pool of whole servers, and the servers it gets (`HostClaims`). */
export interface FleetReportMetalPool {
  /** `namespace/cluster` of the tenant cluster. */
  readonly cluster: string;
  /** Node pool name. */
  readonly pool: string;
  /** The BareMetalPool the servers come from. */
  readonly bareMetalPool: string;
  /** Servers the pool may hold at once (replicas, or maxReplicas when autoscaled). */
  readonly hostsWanted: number;
  /** Servers of the bare-metal pool its host selector matches. */
  readonly hostsMatching: number;
  /** The servers it is assigned. */
  readonly hosts: string[];
  /** Servers wanted but not available (0 when the pool fits; synthesis fails otherwise). */
  readonly shortfall: number;
  /** Physical cores of the assigned servers. */
  readonly cpuCores: number;
  /** Memory of the assigned servers in GiB. */
  readonly memoryGiB: number;
  /** GPUs of the assigned servers, by model. */
  readonly gpus: FleetReportDeviceCount[];
}

/** One BareMetalPool. */
export interface FleetReportBareMetalPool {
  /** Pool name. */
  readonly name: string;
  /** Namespace of the hosts. */
  readonly namespace: string;
  /** Construct path. */
  readonly constructPath: string;
  /** Number of hosts. */
  readonly hostCount: number;
  /** Physical cores. */
  readonly cpuCores: number;
  /** Installed memory in GiB. */
  readonly memoryGiB: number;
  /** GPUs by model. */
  readonly gpus: FleetReportDeviceCount[];
  /** The pool's VM hosts against its share of the worker VMs. */
  readonly vms: FleetReportCapacity;
  /** The pool's control-plane hosts against its share of the hosted control planes. */
  readonly controlPlanes: FleetReportCapacity;
  /** The hosts. */
  readonly hosts: FleetReportHost[];
}

/** One ControlPlaneVipPool. */
export interface FleetReportVipPool {
  /** Name of the MetalLB IPAddressPool. */
  readonly name: string;
  /** Its addresses as given. */
  readonly addresses: string[];
  /** VIPs the pool holds. */
  readonly capacity: number;
  /** VIPs allocated. */
  readonly used: number;
  /** VIPs left. */
  readonly free: number;
  /** Share used, in percent. */
  readonly usedPercent: number;
  /** Every tenant's VIP, in name order. */
  readonly allocations: VipAllocation[];
}

/** Tenants of one Kubernetes version (or minor). */
export interface FleetReportVersionCount {
  /** The version (`v1.33.2`) or minor (`v1.33`). */
  readonly version: string;
  /** Number of tenants. */
  readonly tenantCount: number;
  /** Their names, sorted. */
  readonly tenants: string[];
}

/** Kubernetes versions across the fleet. */
export interface FleetReportKubernetesVersions {
  /** Tenants per release, oldest first. */
  readonly versions: FleetReportVersionCount[];
  /** Tenants per minor, oldest first. */
  readonly minors: FleetReportVersionCount[];
  /** Oldest minor in the fleet. @default - no tenants */
  readonly oldestMinor?: string;
  /** Newest minor in the fleet. @default - no tenants */
  readonly newestMinor?: string;
  /** Minors between the oldest and the newest (0: one minor fleet-wide). */
  readonly minorSkew: number;
  /** Minors the platform allows. */
  readonly allowedMinors: string[];
  /** Tenants on a minor the platform does not allow. */
  readonly outsideAllowed: string[];
}

/** Hosted control planes against dedicated control-plane machines. */
export interface FleetReportSavings {
  /** Tenants compared. */
  readonly tenantCount: number;
  /** Dedicated control-plane machines each tenant would need. */
  readonly dedicatedMachinesPerTenant: number;
  /** Dedicated control-plane machines of the whole fleet. */
  readonly dedicatedMachines: number;
  /** Their vCPUs. */
  readonly dedicatedCpuCores: number;
  /** Their memory in GiB. */
  readonly dedicatedMemoryGiB: number;
  /** Shared nodes that host every tenant's control plane instead. */
  readonly hostedNodes: number;
  /** CPU the hosted control planes and their etcds request. */
  readonly hostedCpuCores: number;
  /** Memory the hosted control planes and their etcds request, in GiB. */
  readonly hostedMemoryGiB: number;
  /** `dedicatedMachines − hostedNodes`. */
  readonly savedMachines: number;
  /** `dedicatedCpuCores − hostedCpuCores`. */
  readonly savedCpuCores: number;
  /** `dedicatedMemoryGiB − hostedMemoryGiB`. */
  readonly savedMemoryGiB: number;
  /** Saved machines in percent of the dedicated ones. */
  readonly savedMachinesPercent: number;
  /** Saved vCPUs in percent. */
  readonly savedCpuPercent: number;
  /** Saved memory in percent. */
  readonly savedMemoryPercent: number;
}

/** A policy finding, as the report lists it. */
export interface FleetReportPolicyFinding {
  /** Rule id. */
  readonly ruleId: string;
  /** `error`, `warning` or `info`. */
  readonly severity: string;
  /** Construct path. */
  readonly constructPath: string;
  /** What is wrong. */
  readonly message: string;
}

/** What the app's policy packs said in their latest run. */
export interface FleetReportPolicy {
  /** Whether packs ran before the report was computed. */
  readonly ran: boolean;
  /** Unsuppressed errors. */
  readonly errors: number;
  /** Unsuppressed warnings. */
  readonly warnings: number;
  /** Unsuppressed findings. */
  readonly findings: FleetReportPolicyFinding[];
}

/** The settings the figures were computed with. */
export interface FleetReportSettings {
  /** vCPUs per physical core handed out to VMs. */
  readonly cpuOvercommitRatio: number;
  /** Guest memory per GiB of host memory handed out to VMs. */
  readonly memoryOvercommitRatio: number;
  /** Cores kept per host. */
  readonly reservedCpuCoresPerHost: number;
  /** Memory kept per host in GiB. */
  readonly reservedMemoryGiBPerHost: number;
  /** virt-launcher memory counted on top of each VM's guest memory, in GiB. */
  readonly vmMemoryOverheadGiB: number;
  /** Labels selecting the VM hosts. @default - every host not selected as a control-plane host */
  readonly vmHostLabels?: { [key: string]: string };
  /** Labels selecting the hosts of the hosted control planes. */
  readonly controlPlaneHostLabels: { [key: string]: string };
  /** Dedicated control-plane machines per tenant the savings compare with. */
  readonly dedicatedMachinesPerTenant: number;
  /** CPU of one hosted API server replica (cores). */
  readonly controlPlaneCpuCoresPerReplica: number;
  /** Memory of one hosted API server replica (GiB). */
  readonly controlPlaneMemoryGiBPerReplica: number;
  /** CPU of one dedicated etcd member (cores). */
  readonly etcdCpuCoresPerMember: number;
  /** Memory of one dedicated etcd member (GiB). */
  readonly etcdMemoryGiBPerMember: number;
}

/** Headline figures. */
export interface FleetReportSummary {
  /** Tenant clusters. */
  readonly tenants: number;
  /** Tenant clusters at edge sites. */
  readonly tenantsAtSites: number;
  /** Worker VMs at their largest (under cluster tenants). */
  readonly workerVms: number;
  /** Worker vCPUs at their largest. */
  readonly workerCpuCores: number;
  /** Worker guest memory at its largest, in GiB. */
  readonly workerMemoryGiB: number;
  /** Worker GPUs at their largest. */
  readonly workerGpus: number;
  /** Servers of all pools. */
  readonly hosts: number;
  /** Whether worker VMs and control planes fit their hosts (no negative headroom). */
  readonly fits: boolean;
}

/** Worker pools pinned to the same host labels, and the hosts that carry them. */
export interface FleetReportHostGroup {
  /** The labels (a pool's `hostSelector`). */
  readonly hostLabels: { [key: string]: string };
  /** The pools, as `<namespace>/<cluster>/<pool>`. */
  readonly pools: string[];
  /** The hosts carrying the labels (tenants' servers excluded) against the pools' VMs at their largest. */
  readonly capacity: FleetReportCapacity;
}

/** The whole report (`report.json`). */
export interface FleetReportData {
  /** Identifies the document: `cdk8s-kmetal/fleet-report`. */
  readonly schema: string;
  /** Version of the schema (incremented on incompatible changes). */
  readonly schemaVersion: number;
  /** Report title. */
  readonly title: string;
  /** Construct path of the platform. */
  readonly platformPath: string;
  /** Name of the under cluster. */
  readonly clusterName: string;
  /** Settings of the computation. */
  readonly settings: FleetReportSettings;
  /** The assumptions behind the figures, in words. */
  readonly assumptions: string[];
  /** Headline figures. */
  readonly summary: FleetReportSummary;
  /** Tenant clusters, by name. */
  readonly tenants: FleetReportTenant[];
  /** Bare-metal pools, by name. */
  readonly bareMetalPools: FleetReportBareMetalPool[];
  /** Tenant node pools of whole servers, in declaration order. */
  readonly tenantMetalPools: FleetReportMetalPool[];
  /** All VM hosts against all tenants' worker VMs (what policy rule KM-CAP-001 checks). */
  readonly vmCapacity: FleetReportCapacity;
  /**
   * Pools pinned to hosts by labels, one group per distinct set of labels: the hosts carrying them
   * against those pools' VMs (the scheduler keeps the VMs there, so their surge must fit there).
   */
  readonly vmHostGroups: FleetReportHostGroup[];
  /** All control-plane hosts against every hosted control plane and etcd. */
  readonly controlPlaneCapacity: FleetReportCapacity;
  /** VIP pools, by name. */
  readonly vipPools: FleetReportVipPool[];
  /** Kubernetes versions and skew. */
  readonly kubernetesVersions: FleetReportKubernetesVersions;
  /** What the hosted control planes save. */
  readonly savings: FleetReportSavings;
  /** The latest policy run of the app. */
  readonly policy: FleetReportPolicy;
}
