// A whole platform as plain data: what the arbitraries generate, what `buildPlatform()` turns into
// constructs, and what a failing property prints (so a counterexample can be pasted into
// regressions.test.ts as it is).
//
// References between parts are indices, resolved modulo the length of the list they point into
// (an empty list means "no reference"), so every generated value is buildable and shrinks freely.
// Addresses of the public plane are offsets from its network address, for the same reason.

/** A value the builder resolves against a list: `idx` modulo its length. */
export interface Ref {
  readonly idx: number;
}

/** A Kubernetes release: a patch of an allowed minor, the class default, or literal text (maybe bad). */
export type VersionSpec =
  | { readonly kind: 'allowed'; readonly minor: number; readonly patch: number }
  | { readonly kind: 'default'; readonly minor: number; readonly patch: number }
  | { readonly kind: 'literal'; readonly text: string };

/** The under cluster's own settings (`PlatformUnderClusterProps`). */
export interface UnderSpec {
  readonly clusterName?: string;
  /** Minors tenants may run; indices into the supported minors, or literal (maybe bad) text. */
  readonly allowedMinors?: Array<number | string>;
  readonly permittedGpus: Array<{ readonly resourceName: string; readonly pciVendorSelector: string }>;
  readonly chartMirror?: string;
  readonly metal3: boolean;
  readonly releaseManifestsRegistry?: string;
  readonly versions?: { [component: string]: string };
}

/** `NetworkPlanesProps`, with literal (maybe bad) text where the arbitraries choose it. */
export interface PlanesSpec {
  readonly publicCidr: string;
  /** Offset of the public gateway from the network address. @default - the first usable */
  readonly gatewayOffset?: number;
  readonly nic: string;
  readonly vlanId?: number;
  readonly gatewayNodes: string[];
  /** `[first, last]` offsets of reserved public addresses. */
  readonly reserved: Array<[number, number]>;
  readonly nodeCidrs: string[];
  readonly tenantCidrs?: string[];
  readonly peeringLinkCidr?: string;
}

/** A ControlPlaneVipPool: CIDRs at offsets of the public network (or literal text). */
export interface VipPoolSpec {
  readonly name: string;
  readonly ranges: Array<{ readonly offset: number; readonly prefix: number } | { readonly literal: string }>;
  readonly joinPlanes: boolean;
  readonly l2: boolean;
}

/** The default node image of the platform. */
export type ImageSpec =
  | { readonly kind: 'containerDisk'; readonly ref: string }
  | { readonly kind: 'nodeImage'; readonly version: string; readonly containerDisk: string }
  | { readonly kind: 'dataVolume'; readonly url: string; readonly sizeGiB: number }
  | { readonly kind: 'none' };

export interface WorkerClassSpec {
  readonly name: string;
  readonly cpuCores?: number;
  readonly memoryGiB?: number;
}

export interface ClassSpec {
  readonly name: string;
  readonly version: VersionSpec;
  readonly workerClasses: WorkerClassSpec[];
  readonly controlPlaneReplicas?: number;
}

export type GpuSpec =
  | { readonly kind: 'permitted'; readonly idx: number; readonly count: number }
  | { readonly kind: 'literal'; readonly deviceName: string; readonly count: number };

export interface NodePoolSpec {
  readonly name: string;
  readonly replicas?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly cpuCores?: number;
  readonly memoryGiB?: number;
  readonly gpus: GpuSpec[];
  /** Persistent root disk, for pools of clusters without a class (`forceOnClass` passes it anyway). */
  readonly rootDiskGiB?: number;
  readonly forceOnClass?: boolean;
  readonly workerClass?: Ref | string;
  /** Boot this image instead of the default (maybe bad). */
  readonly image?: string;
}

export interface SubnetSpec {
  readonly name: string;
  /** `10.<a>.<b>.0/<prefix>` with the host bits cleared, or literal (maybe bad) text. */
  readonly cidr: { readonly a: number; readonly b: number; readonly prefix: number } | { readonly literal: string };
}

export interface VpcSpec {
  /** @default - the tenant's name */
  readonly name?: string;
  readonly external: boolean;
  readonly subnets: SubnetSpec[];
  /** The subnet the workers use (index into `subnets`), if any. */
  readonly workerSubnet?: Ref;
  /** Load-balancer addresses: CIDRs at offsets of the public network. */
  readonly loadBalancer: Array<{ readonly offset: number; readonly prefix: number }>;
  readonly egressOffset?: number;
}

export interface GovernanceSpec {
  readonly quota?: { readonly cpuCores?: number; readonly memoryGiB?: number; readonly storageGiB?: number; readonly virtualMachines?: number };
  readonly namespaceQuota?: number;
  readonly owners: string[];
}

/** An edge site (`IslandSite`): its island cluster and its VIP range. */
export interface SiteSpec {
  readonly name: string;
  /** `10.<100 + n>.0.64/<prefix>`, a range at an offset of the public network, or literal text. */
  readonly vips:
  | { readonly n: number; readonly prefix: number }
  | { readonly publicOffset: number; readonly prefix: number }
  | { readonly literal: string };
  readonly island: { readonly version: VersionSpec; readonly nodes: number; readonly cpuCores: number; readonly memoryGiB: number };
  /** Devices the island passes through (indices into the platform's catalog of GPUs). */
  readonly gpus: number[];
  /** Pin the island's VMs to the site's nodes (`hostSelector: { 'kmetal.io/site': <name> }`). */
  readonly pinned: boolean;
}

export interface TenantSpec {
  readonly name: string;
  /** Run at this edge site (index into `sites`) when sites exist. */
  readonly site?: Ref;
  readonly version: VersionSpec;
  /** Built from a class (index into `classes`) when set and classes exist. */
  readonly clusterClass?: Ref;
  readonly tier: string;
  readonly extraLabel?: [string, string];
  readonly vpc?: VpcSpec;
  readonly controlPlane: {
    readonly replicas?: number;
    /** Pin the VIP at this offset of the tenant's pool (modulo its size), or literal text. */
    readonly pin?: number | string;
    /** Use this pool instead of the platform's default. */
    readonly pool?: Ref;
  };
  readonly etcd?: { readonly replicas?: number; readonly storageGiB?: number };
  readonly podCidr?: string;
  readonly serviceCidr?: string;
  readonly nodePools: NodePoolSpec[];
  readonly governance?: GovernanceSpec;
}

export interface HostSpec {
  readonly name: string;
  /** BMC address: scheme and the last octet of 192.168.20.x, or literal (maybe bad) text. */
  readonly bmc: { readonly scheme: string; readonly octet: number; readonly system: number } | { readonly literal: string };
  readonly mac?: string;
  readonly role: string;
  readonly cpuCores: number;
  readonly memoryGiB: number;
  readonly gpus: number;
  readonly credentials: 'pool' | 'own-secret' | { readonly inlinePassword: string };
}

export interface HostPoolSpec {
  readonly name: string;
  readonly namespace: string;
  readonly defaultCredentials: 'secret' | 'external' | 'none';
  readonly hosts: HostSpec[];
  /** A Metal3 machine template for a cluster drawing from the pool, optionally from hosts of a role. */
  readonly template?: { readonly cluster: string; readonly role?: string; readonly checksum: string };
}

export interface PeeringSpec {
  /** Tenants (indices into `tenants`); tenants without a VPC make the request a no-op. */
  readonly from: number;
  readonly to: number;
  readonly approved?: { readonly by: string };
  readonly reason: string;
  /** Index of a pinned /30 inside 169.254.64.0/18. */
  readonly linkSlot?: number;
  /** Keep a request whose two ends are the same VPC, or a second request for a pair (bad input). */
  readonly keepDegenerate?: boolean;
}

export interface ChartSpec {
  readonly catalog: number;
  /** Release name suffix, so two profiles can install one chart as distinct releases. */
  readonly suffix?: string;
  readonly version?: string;
  readonly repositoryUrl?: string;
}

export interface AddonSpec {
  readonly name: string;
  readonly mandatory: boolean;
  readonly selector: { readonly kind: 'all' } | { readonly kind: 'tier'; readonly tier: string } | { readonly kind: 'cluster'; readonly tenant: number };
  readonly charts: ChartSpec[];
  /** Manifests shipped as content (a ConfigMap, or a Sveltos Secret). */
  readonly content?: { readonly secret: boolean };
  /** Profiles declared before this one (indices modulo this one's position) it waits for. */
  readonly dependsOn: number[];
  /** A dependency on any profile (index into `addons`, itself included): may close a cycle (bad input). */
  readonly dependsOnAny?: number;
}

export interface HookSpec {
  readonly name: string;
  readonly event: 'created' | 'deleted' | 'unhealthy';
  readonly url: string;
  readonly tokenSecret: boolean;
}

export interface BoundariesSpec {
  readonly allowedMinors?: number[];
  readonly maxReplicasPerPool?: number;
  readonly maxNodesPerCluster?: number;
  readonly maxCpuCoresPerNode?: number;
  readonly maxMemoryGiBPerNode?: number;
  readonly maxGpusPerCluster?: number;
}

/** Policy at synth time: the built-in PlatformPolicyPack, optionally with guardrails, admission policies and suppressions. */
export interface PolicySpec {
  /** Derive TenantGuardrails from the platform (and the boundaries), tightened by these. */
  readonly guardrails?: { readonly minControlPlaneReplicas?: number; readonly maxReplicasPerPool?: number; readonly requireKonnectivity?: boolean };
  /** Also emit the guardrails as ValidatingAdmissionPolicies. */
  readonly admission: boolean;
  readonly capacity?: { readonly cpuOvercommitRatio?: number; readonly vmHostRole?: string };
  readonly excludeRules: string[];
  /** Suppressions on tenants (index into `tenants`), e.g. a rule id the packs do not have. */
  readonly suppressions: Array<{ readonly tenant: number; readonly rule: string; readonly reason: string }>;
}

/** How the program is laid out: construct order decides the order validations run in. */
export interface LayoutSpec {
  /** Create every tenant's unit before anything else (folders first, then network, then clusters). */
  readonly tenantUnitsFirst: boolean;
  /** Put the VIP pools in a unit of their own (created after the tenant units when those come first). */
  readonly poolsInOwnUnit: boolean;
}

/** A whole platform. */
export interface PlatformSpec {
  readonly layout: LayoutSpec;
  readonly under: UnderSpec;
  readonly planes: PlanesSpec;
  readonly vipPools: VipPoolSpec[];
  readonly image: ImageSpec;
  readonly classes: ClassSpec[];
  readonly hostPools: HostPoolSpec[];
  readonly sites: SiteSpec[];
  readonly tenants: TenantSpec[];
  readonly peerings: PeeringSpec[];
  readonly addons: AddonSpec[];
  readonly hooks: HookSpec[];
  readonly boundaries?: BoundariesSpec;
  readonly policy?: PolicySpec;
}

/** A password-shaped value the bad-input arbitraries plant; no output and no message may contain it. */
export const CANARY = 'Canary-Pa55w0rd-7f3a';
