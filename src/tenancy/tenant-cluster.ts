import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BareMetalNodePool } from './bare-metal-node-pool';
import { ClassNodePool } from './class-node-pool';
import { UPGRADE_CONCURRENCY_ANNOTATION } from './cluster-api-annotations';
import { CLUSTER_AUTOSCALER_OPTIONS_KEYS, ClusterAutoscaler, ClusterAutoscalerOptions, isBoundedPool } from './cluster-autoscaler';
import { ClusterInfrastructure, TENANT_API_SERVER_PORT } from './cluster-infrastructure';
import { ControlPlaneOptions, ControlPlaneServiceType, kamajiControlPlaneSpec, resolveControlPlane, ResolvedControlPlane } from './control-plane';
import { DedicatedEtcdDataStore, IHelmRepository, IDataStore } from './datastore';
import { DATASTORE_BACKUP_OPTIONS_KEYS, DatastoreBackup, DatastoreBackupOptions } from './datastore-backup';
import { KubernetesVersion } from './kubernetes-version';
import type { KubevirtCsiController } from './kubevirt-csi-controller';
import { MachineDrainRule, MachineDrainRuleOptions } from './machine-drain-rule';
import { INodePool, NodePool, NodePoolOptions } from './node-pool';
import { SpreadMode } from './placement';
import { MAINTENANCE_WINDOW_ANNOTATION, ROLLOUT_WAVE_LABEL, type RolloutWave } from './rollout-plan';
import { TENANT_CLOUD_PROVIDER_OPTIONS_KEYS, TenantCloudProvider, TenantCloudProviderOptions } from './tenant-cloud-provider';
import type { TenantClusterClass } from './tenant-cluster-class';
import { TenantGovernance, TenantGovernanceOptions } from './tenant-governance';
import { TENANT_CLUSTER_STORAGE_OPTIONS_KEYS, TENANT_STORAGE_LABEL, TenantClusterStorageOptions } from './tenant-storage';
import type { ITenantSite, TenantSitePlacement } from '../edge/tenant-site';
import { Cluster } from '../imports/cluster.x-k8s.io';
import { KamajiControlPlane } from '../imports/controlplane.cluster.x-k8s.io';
import { KubevirtCluster, Metal3Cluster } from '../imports/infrastructure.cluster.x-k8s.io';
import type { IControlPlaneVipPool } from '../network/control-plane-vip';
import { INodeNetwork } from '../network/node-network';
import { IMachineImage } from '../os/machine-image';
import { platformNamespaceOwner } from '../platform/platform-namespaces';
import type { PlatformUnderCluster } from '../platform/platform-under-cluster';
import { cidrsOverlap, parseCidr, ParsedCidr } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { refuseLibraryLabels } from '../util/library-labels';
import { isDnsLabel, isLabel, validateDnsLabel } from '../util/names';
import { checkEnum, checkKnownProps, checkPropTypes } from '../util/props';
import { FleetRegistry } from './governance/fleet-registry';
import { boundaryViolations } from './governance/platform-boundaries';

/** Settings of the dedicated etcd a tenant cluster gets by default. */
export interface DedicatedEtcdOptions {
  /** etcd members. @default 3 */
  readonly replicas?: number;
  /** Volume per member in GiB. @default 8 */
  readonly storageGiB?: number;
  /** Storage class. @default - the under cluster's default */
  readonly storageClassName?: string;
  /** HelmRepository serving the kamaji-etcd chart. @default { name: 'clastix', namespace: 'flux-system' } */
  readonly chartRepository?: IHelmRepository;
  /** How the members spread across hosts. @default SpreadMode.REQUIRED (no two members on one host) */
  readonly spread?: SpreadMode;
}

/** Props of `TenantCluster`. */
export interface TenantClusterProps {
  /**
   * Cluster name: a DNS label of at most 30 characters (names of the control plane, datastore and
   * machines are derived from it and must stay within 63).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Kubernetes release, e.g. `v1.33.2`, within the versions the pinned Kamaji supports.
   * @default - the class's `defaultVersion` when `clusterClass` is set (required otherwise)
   */
  readonly version?: string;
  /** Labels on the Cluster object; add-on profiles select clusters by them. @default - none */
  readonly labels?: { [key: string]: string };
  /** Namespace on the under cluster holding all of this tenant's objects. @default `tenant-<name>` */
  readonly namespace?: string;
  /**
   * Emit the Namespace object (turn off when something else creates it; with governance, that
   * creator must label it `capsule.clastix.io/tenant=<tenant>`). @default true
   */
  readonly createNamespace?: boolean;
  /** The hosted control plane. @default - 2 replicas, LoadBalancer, konnectivity, CoreDNS and kube-proxy on */
  readonly controlPlane?: ControlPlaneOptions;
  /**
   * Where the control plane keeps its state. A shared DataStore must be chosen explicitly.
   * @default - a dedicated etcd for this tenant (`DedicatedEtcdDataStore`)
   */
  readonly dataStore?: IDataStore;
  /** Settings of the default dedicated etcd (ignored with `dataStore`). @default - 3 members, 8 GiB each */
  readonly etcd?: DedicatedEtcdOptions;
  /** Pod network of the tenant cluster. @default '10.244.0.0/16' */
  readonly podCidr?: string;
  /** Service network of the tenant cluster. @default '10.96.0.0/12' */
  readonly serviceCidr?: string;
  /** Worker pools (more with `addNodePool()`). @default - none */
  readonly nodePools?: NodePoolOptions[];
  /** Image for pools that do not name one. @default - the class's image, else each pool must set one */
  readonly defaultImage?: IMachineImage;
  /** Network for pools that do not name one. @default - the pod network of the under cluster */
  readonly network?: INodeNetwork;
  /**
   * Build the cluster from a golden template: the output is one `Cluster` with `topology`, and the
   * class's templates do the rest.
   * @default - the cluster's objects are emitted one by one
   */
  readonly clusterClass?: TenantClusterClass;
  /** Values for variables the class declares. @default - the class defaults */
  readonly variables?: { [name: string]: any };
  /**
   * Capsule governance of the cluster's namespace (a `TenantGovernance` named after the cluster).
   * @default - a Tenant owning the namespace, with quotas derived from the pools and no owners
   */
  readonly governance?: TenantGovernanceOptions;
  /**
   * Create the cluster's own `TenantGovernance`. Turn off to put the cluster under a tenant shared
   * with other clusters (`TenantGovernance.addCluster()`), or to leave it ungoverned.
   * @default true
   */
  readonly createGovernance?: boolean;
  /**
   * Run the cluster at an edge site (an `IslandSite`): its Kamaji control plane on the site's
   * island cluster (Kamaji's external cluster placement), its dedicated etcd there too, its VIP
   * from the site's pool and its worker VMs on the island's KubeVirt. The Cluster API objects stay
   * where the cluster is declared. Usually set through `IslandSite.addTenantCluster()`.
   * @default - control plane and workers on the under cluster
   */
  readonly site?: ITenantSite;
  /**
   * The platform the cluster belongs to, for a cluster declared outside
   * `PlatformUnderCluster.addTenantCluster()` (e.g. in your own chart): the cluster takes the
   * platform's defaults exactly as `addTenantCluster()` gives them (node image, control-plane VIP
   * pool, the etcd chart's source), is registered for the platform's checks and reports, and the
   * Flux unit it is written to waits for the platform's `clusterTemplates` layer (the Cluster API
   * providers and their CRDs).
   * @default - no platform: the cluster uses only its own props
   */
  readonly platform?: PlatformUnderCluster;
  /**
   * The cluster autoscaler, run (`ClusterAutoscaler`) as soon as a pool sets
   * `minReplicas`/`maxReplicas`.
   * @default - enabled, with the version matrix's autoscaler for the cluster's minor
   */
  readonly autoscaler?: ClusterAutoscalerOptions;
  /**
   * Scheduled snapshots of the cluster's dedicated etcd (`DatastoreBackup`); overrides what the
   * platform sets with `addDatastoreBackups()`, `enabled: false` opts the cluster out.
   * @default - the platform's datastore backups, if it declares any; none otherwise
   */
  readonly etcdBackup?: DatastoreBackupOptions;
  /**
   * The cluster's cloud provider, the KubeVirt cloud-controller-manager (`TenantCloudProvider`)
   * beside its control plane; `enabled: false` turns it off.
   * @default - enabled, node controllers only (see `TenantCloudProviderOptions.loadBalancer`)
   */
  readonly cloudProvider?: TenantCloudProviderOptions;
  /**
   * Whether the cluster gets the platform's tenant storage (`PlatformUnderCluster.addTenantStorage()`):
   * the KubeVirt CSI controller beside its control plane and the node plugin and StorageClasses in it.
   * @default - the platform's tenant storage, if it declares one
   */
  readonly storage?: TenantClusterStorageOptions;
  /**
   * What the workers are: KubeVirt VMs, or whole servers through Metal3 (then every pool sets
   * `bareMetal`, and the control plane needs a fixed address: `controlPlane.endpointAddress` or a
   * VIP pool, which the `Metal3Cluster` states). One cluster cannot mix both (see
   * `ClusterInfrastructure`).
   * @default - the class's infrastructure with `clusterClass`, else ClusterInfrastructure.KUBEVIRT
   */
  readonly infrastructure?: ClusterInfrastructure;
}

/** Every property of `TenantClusterProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const TENANT_CLUSTER_PROPS_KEYS: readonly string[] = [
  'name', 'version', 'labels', 'namespace', 'createNamespace', 'controlPlane', 'dataStore', 'etcd', 'podCidr', 'serviceCidr',
  'nodePools', 'defaultImage', 'network', 'clusterClass', 'variables', 'governance', 'createGovernance', 'site', 'platform',
  'autoscaler', 'etcdBackup', 'cloudProvider', 'storage', 'infrastructure',
];
/** Every property of `DedicatedEtcdOptions`. */
export const DEDICATED_ETCD_OPTIONS_KEYS: readonly string[] = ['replicas', 'storageGiB', 'storageClassName', 'chartRepository', 'spread'];

/** Labels the library sets on a tenant's Cluster object (add-on profiles, reports and policies select by them). */
const LIBRARY_CLUSTER_LABELS = ['kmetal.io/tenant-cluster', 'kmetal.io/kubernetes-minor', 'kmetal.io/cluster-class', ROLLOUT_WAVE_LABEL, TENANT_STORAGE_LABEL];

/**
 * kube-apiserver keeps a bitmap of the service range in etcd and refuses a range of more than 2^20
 * addresses: "specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must
 * be >= 12" (kubernetes/kubernetes cmd/kube-apiserver/app/options/validation.go, validateMaxCIDRRange
 * with maxCIDRBits = 20). IPv6 ranges are left alone: since the MultiCIDRServiceAllocator (GA in
 * v1.33) their limit depends on the release.
 */
const MAX_SERVICE_CIDR_BITS_V4 = 20;

const CLUSTER_NAME_MAX = 30;

/**
 * A tenant Kubernetes cluster, declared once: its control plane runs as pods on the under cluster
 * (Kamaji, through Cluster API's Kamaji control-plane provider) with a dedicated etcd, and its
 * workers are KubeVirt VMs (Cluster API provider KubeVirt).
 *
 * Emits, in the tenant's namespace: a CAPI `Cluster`, `KamajiControlPlane`, `KubevirtCluster`, per
 * pool a `MachineDeployment` with its templates and `MachineHealthCheck`, the `Namespace`, and the
 * datastore (a Flux HelmRelease of etcd and a Kamaji `DataStore`). With `clusterClass`, only the
 * `Cluster` (with `topology`), the namespace and the datastore.
 */
export class TenantCluster extends Construct {
  /** Cluster name. */
  public readonly clusterName: string;
  /** Namespace on the under cluster. */
  public readonly namespace: string;

  /** Labels on the Cluster object. */
  public readonly labels: { [key: string]: string };
  /** The datastore the control plane uses. */
  public readonly dataStore: IDataStore;
  /** The control-plane settings with defaults applied. */
  public readonly controlPlaneReplicas: number;
  /** How the API server pods spread across hosts (the class's, for a class-based cluster). */
  public readonly controlPlaneSpread: SpreadMode;
  /** Whether konnectivity is deployed. */
  public readonly konnectivity: boolean;

  /** Pod CIDR. */
  public readonly podCidr: string;
  /** Service CIDR. */
  public readonly serviceCidr: string;
  /** The class the cluster is built from, if any. */
  public readonly clusterClass?: TenantClusterClass;
  /** What the workers are: KubeVirt VMs or whole servers (Metal3). */
  public readonly infrastructure: ClusterInfrastructure;
  /**
   * Name of the Secret (in `namespace`) holding the tenant's admin kubeconfig, written by Cluster
   * API once the control plane is up (key `value`).
   */
  public readonly kubeconfigSecretName: string;
  /** The CAPI Cluster (escape hatch). */
  public readonly cluster: ApiObject;
  /** The KamajiControlPlane, when not built from a class (escape hatch). */
  public readonly controlPlane?: ApiObject;
  /** The KubevirtCluster or Metal3Cluster, when not built from a class (escape hatch). */
  public readonly infrastructureCluster?: ApiObject;
  /** The Namespace, unless `createNamespace` is false (escape hatch). */
  public readonly namespaceObject?: kplus.Namespace;
  /** The cluster's own Capsule governance, unless `createGovernance` is false. */
  public readonly governance?: TenantGovernance;
  /** The edge site the cluster runs at, if any. */
  public readonly site?: ITenantSite;
  /** Where the site placed the control plane, datastore and workers, when `site` is set. */
  public readonly sitePlacement?: TenantSitePlacement;

  private readonly objectPools: NodePool[] = [];
  private readonly metalPools: BareMetalNodePool[] = [];
  private readonly classPools: ClassNodePool[] = [];
  private readonly allPools: INodePool[] = [];
  private readonly podRange: ParsedCidr;
  private readonly serviceRange: ParsedCidr;
  private readonly autoscalerOptions: ClusterAutoscalerOptions;
  private clusterAutoscaler?: ClusterAutoscaler;
  /** The cluster's cloud-controller-manager, unless `cloudProvider.enabled` is false. */
  public readonly cloudProvider?: TenantCloudProvider;
  /** The cluster's own `storage` switch. @internal */
  public readonly _storageOptions?: TenantClusterStorageOptions;
  /** The cluster's own `etcdBackup` settings. @internal */
  public readonly _etcdBackupOptions?: DatastoreBackupOptions;
  private readonly pinnedVersion?: string;
  private readonly poolOptions: NodePoolOptions[] = [];
  private readonly resolvedControlPlane: ResolvedControlPlane;
  /** The cluster's own default image (`defaultImage`), when it pins one. */
  private readonly pinnedImage?: IMachineImage;
  /** Network for pools that do not name one. */
  public readonly defaultNetwork?: INodeNetwork;
  private readonly variables: { [name: string]: any };

  /**
   * Image for pools that do not name one: the cluster's `defaultImage`, else its class's current
   * default image (read when asked, so that editing the class's image moves clusters that do not
   * pin their own).
   */
  public get defaultImage(): IMachineImage | undefined {
    return this.pinnedImage ?? this.rolloutWave?.image ?? this.clusterClass?.defaultImage;
  }

  /** The platform whose defaults the cluster took (`platform`), if any. */
  public readonly platform?: PlatformUnderCluster;

  constructor(scope: Construct, id: string, props: TenantClusterProps = {}) {
    super(scope, id);
    checkKnownProps(this, '', props, TENANT_CLUSTER_PROPS_KEYS, 'TenantClusterProps');
    checkKnownProps(this, 'etcd', props.etcd, DEDICATED_ETCD_OPTIONS_KEYS, 'DedicatedEtcdOptions');
    checkKnownProps(this, 'autoscaler', props.autoscaler, CLUSTER_AUTOSCALER_OPTIONS_KEYS, 'ClusterAutoscalerOptions');
    checkKnownProps(this, 'etcdBackup', props.etcdBackup, DATASTORE_BACKUP_OPTIONS_KEYS, 'DatastoreBackupOptions');
    checkKnownProps(this, 'cloudProvider', props.cloudProvider, TENANT_CLOUD_PROVIDER_OPTIONS_KEYS, 'TenantCloudProviderOptions');
    checkKnownProps(this, 'storage', props.storage, TENANT_CLUSTER_STORAGE_OPTIONS_KEYS, 'TenantClusterStorageOptions');
    // The options' own types, here where they are all known (some apply only later, or not at all:
    // an autoscaler without autoscaled pools), so a wrong one is never silently ignored.
    for (const [field, type] of [['etcd', 'DedicatedEtcdOptions'], ['autoscaler', 'ClusterAutoscalerOptions'], ['etcdBackup', 'DatastoreBackupOptions'],
      ['cloudProvider', 'TenantCloudProviderOptions'], ['storage', 'TenantClusterStorageOptions']] as const) {
      checkPropTypes(this, field, props[field], type);
    }
    this._storageOptions = props.storage;
    if (props.nodePools !== undefined && !Array.isArray(props.nodePools)) {
      throw new KmetalValidationError(this, 'nodePools', `${showValue(props.nodePools)} is not a list of pools`, 'give a list of NodePoolOptions, e.g. [{ name: "general", replicas: 3 }]');
    }
    // The platform's defaults are resolved by the platform (one place, shared with addTenantCluster()).
    this.platform = props.platform;
    if (props.platform) props = props.platform._withTenantDefaults(props);
    this.clusterName = validateDnsLabel(this, 'name', props.name ?? id, CLUSTER_NAME_MAX);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? `tenant-${this.clusterName}`);
    this.clusterClass = props.clusterClass;
    const classInfrastructure = props.clusterClass?.infrastructure;
    this.infrastructure = checkEnum(this, 'infrastructure', props.infrastructure ?? classInfrastructure ?? ClusterInfrastructure.KUBEVIRT, ClusterInfrastructure, 'ClusterInfrastructure');
    if (classInfrastructure !== undefined && this.infrastructure !== classInfrastructure) {
      throw new KmetalValidationError(this, 'infrastructure', `${this.infrastructure} contradicts class "${props.clusterClass!.className}", whose infrastructure template is ${classInfrastructure}`, 'drop infrastructure (the class decides), or use a class built for that infrastructure');
    }
    const versionText = props.version ?? props.clusterClass?.defaultVersion;
    if (versionText === undefined) {
      throw new KmetalValidationError(this, 'version', 'no Kubernetes version given', 'set version, e.g. "v1.33.2", or build the cluster from a clusterClass with a defaultVersion');
    }
    KubernetesVersion._validate(this, 'version', versionText);
    this.pinnedVersion = props.version;
    this.labels = { ...(props.labels ?? {}) };
    for (const [k, v] of Object.entries(this.labels)) {
      if (!isLabel(k, v)) {
        throw new KmetalValidationError(this, `labels.${k}`, `${showValue(k)}=${showValue(v)} is not a valid Kubernetes label`, 'use keys like "kmetal.io/tier" and values of at most 63 alphanumerics, "-", "_" or "."');
      }
    }
    refuseLibraryLabels(this, 'labels', this.labels, LIBRARY_CLUSTER_LABELS, 'add-on profiles, reports and policies select the cluster by it');
    if (props.site) {
      this.site = props.site;
      this.sitePlacement = props.site.placeTenantCluster(this, props);
    }
    // After the site's placement, whose check names the island's own namespaces more precisely.
    const owner = platformNamespaceOwner(this.namespace);
    if (owner) {
      throw new KmetalValidationError(this, 'namespace', `${showValue(this.namespace)} is the namespace of ${owner}; the tenant's objects, its Capsule governance and pruning would mix with the platform's`, `give the tenant a namespace of its own, e.g. "tenant-${this.clusterName}" (the default)`);
    }
    // At a site, the VIP comes from the site's pool (the site checked that no other pool was asked for).
    const own = this.sitePlacement ? { ...props.controlPlane, vipPool: this.sitePlacement.vipPool } : props.controlPlane;
    // A class-based cluster runs the class's control-plane template: its settings are the class's.
    const controlPlane = props.clusterClass ? props.clusterClass._controlPlaneFor(this, own) : own;
    this.resolvedControlPlane = resolveControlPlane(this, controlPlane);
    this.controlPlaneReplicas = this.resolvedControlPlane.replicas;
    this.controlPlaneSpread = this.resolvedControlPlane.spread;
    this.konnectivity = this.resolvedControlPlane.konnectivity;
    this.resolvedControlPlane.vipPool?.registerTenant(this, this.clusterName, this.resolvedControlPlane.endpointAddress);
    if (this.infrastructure === ClusterInfrastructure.METAL3) this.checkMetal3ControlPlane(props);
    const pod = this.parseNetwork('podCidr', props.podCidr ?? '10.244.0.0/16');
    const svc = this.parseNetwork('serviceCidr', props.serviceCidr ?? '10.96.0.0/12');
    if (cidrsOverlap(pod, svc)) {
      throw new KmetalValidationError(this, 'serviceCidr', `${svc.text} overlaps podCidr ${pod.text}`, 'give the tenant cluster separate pod and service ranges, e.g. 10.244.0.0/16 and 10.96.0.0/12');
    }
    if (svc.family === 4 && 32 - svc.prefix > MAX_SERVICE_CIDR_BITS_V4) {
      throw new KmetalValidationError(this, 'serviceCidr', `${svc.text} holds more than 2^${MAX_SERVICE_CIDR_BITS_V4} addresses, which kube-apiserver refuses (the mask must be /${32 - MAX_SERVICE_CIDR_BITS_V4} or longer)`, `use a /${32 - MAX_SERVICE_CIDR_BITS_V4} or smaller range, e.g. "10.96.0.0/12" (the default)`);
    }
    this.podCidr = pod.text;
    this.serviceCidr = svc.text;
    this.podRange = pod;
    this.serviceRange = svc;
    this.pinnedImage = props.defaultImage; // an image: checked with the other props (checkKnownProps)
    this.defaultNetwork = props.network;
    this.variables = { ...(props.variables ?? {}) };
    this.kubeconfigSecretName = `${this.clusterName}-kubeconfig`;

    if (props.createNamespace ?? true) {
      this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
        metadata: { name: this.namespace, labels: { 'kmetal.io/tenant-cluster': this.clusterName } },
      });
    }

    this.dataStore = props.dataStore ?? this.sitePlacement?.dataStore ?? new DedicatedEtcdDataStore(this, 'Etcd', {
      name: this.clusterName,
      namespace: this.namespace,
      ...props.etcd,
    });

    if (props.clusterClass) {
      props.clusterClass._checkVariables(this, this.variables);
      if (props.network) this.bindClassNetwork(props.network);
      this.cluster = new Cluster(this, 'Cluster', {
        metadata: {
          name: this.clusterName,
          namespace: this.namespace,
          labels: this.clusterLabels(),
          // For reviewers: `kmetal plan` shows the wave's window beside its changes.
          // Lazy per value (the L1 converter walks the map itself); no window, no annotation.
          annotations: {
            [MAINTENANCE_WINDOW_ANNOTATION]: Lazy.any({ produce: () => this.rolloutWave?.maintenanceWindow }) as any,
            [UPGRADE_CONCURRENCY_ANNOTATION]: Lazy.any({
              produce: () => (this.rolloutWave?.upgradeConcurrency === undefined ? undefined : String(this.rolloutWave.upgradeConcurrency)),
            }) as any,
          },
        },
        // Produced at synth so that pools added later with addNodePool() are in the topology.
        spec: Lazy.any({ produce: () => this.clusterSpec() }),
      });
    } else {
      this.infrastructureCluster = this.infrastructure === ClusterInfrastructure.METAL3 ? this.metal3Cluster() : new KubevirtCluster(this, 'InfrastructureCluster', {
        metadata: {
          name: this.clusterName,
          namespace: this.namespace,
          // Kamaji owns the control-plane endpoint: CAPK must not create its own load balancer.
          annotations: { 'cluster.x-k8s.io/managed-by': 'kamaji' },
        },
        // At a site, CAPK creates the worker VMs on the site's cluster, through this kubeconfig.
        spec: this.sitePlacement ? {
          infraClusterSecretRef: { apiVersion: 'v1', kind: 'Secret', name: this.sitePlacement.infraClusterSecretName, namespace: this.sitePlacement.infraClusterSecretNamespace },
        } : {},
      });
      this.controlPlane = new ApiObject(this, 'ControlPlane', {
        ...KamajiControlPlane.GVK,
        metadata: { name: this.clusterName, namespace: this.namespace },
        // Lazy: a VIP drawn from a pool is known only once every tenant has registered.
        spec: Lazy.any({
          produce: () => ((spec) => ({
            ...spec,
            replicas: this.resolvedControlPlane.replicas,
            version: this.version.text,
            ...(this.sitePlacement
              ? { deployment: { ...spec.deployment, externalClusterReference: externalClusterReference(this.sitePlacement) } }
              : {}),
          }))(kamajiControlPlaneSpec(this.controlPlaneWithAddress(), this.dataStore.dataStoreName)),
        }),
      });
      this.cluster = new Cluster(this, 'Cluster', {
        metadata: { name: this.clusterName, namespace: this.namespace, labels: this.clusterLabels() },
        spec: {
          clusterNetwork: this.clusterNetwork(),
          controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KamajiControlPlane', name: this.clusterName },
          infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: this.infrastructure === ClusterInfrastructure.METAL3 ? 'Metal3Cluster' : 'KubevirtCluster', name: this.clusterName },
        },
      });
    }

    this.autoscalerOptions = props.autoscaler ?? {};
    this._etcdBackupOptions = props.etcdBackup;
    for (const pool of props.nodePools ?? []) this.addNodePool(pool);

    // Fleet-wide checks find the cluster through the registry; PlatformBoundaries are looked up at
    // synth, so they may be declared before or after the cluster.
    FleetRegistry.of(this).registerCluster(this);
    this.node.addValidation({ validate: () => boundaryViolations(this) });
    // At synth (the plan may come later, and waves are chosen by labels): a cluster of a later wave
    // waits for the previous wave's gate.
    this.node.addValidation({ validate: () => this.clusterClass?._rolloutPlan?._attachToGate(this) ?? [] });
    // At synth: pools (and their networks) may be added after the constructor.
    this.node.addValidation({ validate: () => this.networkProblems() });
    if (props.createGovernance ?? true) {
      this.governance = new TenantGovernance(this, 'Governance', { ...props.governance, clusters: [this] });
    } else if (props.governance) {
      throw new KmetalValidationError(this, 'governance', 'governance options were given with createGovernance: false', 'drop one of them (a shared TenantGovernance takes its options itself)');
    }
    this.platform?.registerTenantCluster(this);
    DatastoreBackup._applyTo(this, this.platform?.datastoreBackups);
    // The CCM and the CSI controller find the tenant's VMs in its namespace on the under cluster; a
    // cluster at a site has them on the site's cluster, where they would find none (and the CCM would
    // delete every Node whose VM it cannot find), and a Metal3 cluster has no VMs at all.
    if (!this._workersAreUnderClusterVms && (props.cloudProvider?.enabled === true || props.storage?.enabled === true)) {
      const field = props.cloudProvider?.enabled === true ? 'cloudProvider.enabled' : 'storage.enabled';
      const why = this.sitePlacement
        ? 'the cluster\'s worker VMs run at its site, not on the under cluster where the controller would look for them'
        : 'the cluster\'s workers are whole servers (Metal3), not KubeVirt VMs: the KubeVirt controller would find no VM';
      throw new KmetalValidationError(this, field, why, `drop ${field}`);
    }
    if (props.cloudProvider?.enabled !== false && this._workersAreUnderClusterVms) {
      this.cloudProvider = new TenantCloudProvider(this, 'CloudProvider', { ...props.cloudProvider, cluster: this });
    }
  }

  /**
   * Whether the workers are KubeVirt VMs in the cluster's namespace on the under cluster (not at
   * an edge site, not whole servers): what the KubeVirt CCM and CSI controller need. @internal
   */
  public get _workersAreUnderClusterVms(): boolean {
    return !this.sitePlacement && this.infrastructure === ClusterInfrastructure.KUBEVIRT;
  }

  /** The cluster's KubeVirt CSI controller, when it has the platform's tenant storage. */
  public get csiController(): KubevirtCsiController | undefined {
    return this.node.tryFindChild('CsiController') as KubevirtCsiController | undefined;
  }

  /** The cluster's autoscaler, once a pool sets bounds (and it is not disabled). */
  public get autoscaler(): ClusterAutoscaler | undefined {
    return this.clusterAutoscaler;
  }

  /** The VIP pool the control plane's address comes from, if any (the site's, at a site). */
  public get controlPlaneVipPool(): IControlPlaneVipPool | undefined {
    return this.resolvedControlPlane.vipPool;
  }

  /**
   * Whether the control plane's address is chosen by the cluster itself: a VIP pool, a fixed
   * `endpointAddress` or a named MetalLB `addressPool`, or a Service that is not a LoadBalancer.
   * @internal
   */
  public get _choosesOwnAddress(): boolean {
    const cp = this.resolvedControlPlane;
    if (cp.serviceType !== ControlPlaneServiceType.LOAD_BALANCER) return true;
    return cp.vipPool !== undefined || cp.endpointAddress !== undefined || cp.addressPool !== undefined;
  }

  /**
   * Adds a Cluster API `MachineDrainRule` for this cluster's machines: how Cluster API drains the
   * selected Pods of a Node before it deletes the Machine (drain in order, skip, or wait for them to
   * complete). It is written in the cluster's namespace, where Cluster API applies it (a rule applies
   * only to Machines of its own namespace: the CRD at v1.14.0), beside the Cluster in its unit, and
   * unless `machines` says otherwise it selects this cluster only (its `kmetal.io/tenant-cluster` label).
   */
  public addDrainRule(options: MachineDrainRuleOptions): MachineDrainRule {
    const id = `DrainRule-${String(options?.name ?? '')}`;
    return new MachineDrainRule(this, id, {
      ...options,
      namespace: this.namespace,
      machines: options?.machines ?? [{ clusterLabels: { 'kmetal.io/tenant-cluster': this.clusterName } }],
    });
  }

  /**
   * Adds a pool of worker VMs: a `NodePool` (its own MachineDeployment and templates), or for a
   * cluster built from a class a `ClassNodePool` (an entry of the cluster's topology). Both are
   * checked the same way; cast to `NodePool` for the escape hatches of a cluster without a class.
   */
  public addNodePool(options: NodePoolOptions): INodePool {
    const name = options?.name;
    if (this.poolOptions.some((p) => p.name === name)) {
      throw new KmetalValidationError(this, `nodePools[${this.poolOptions.length}].name`, `a pool named ${showValue(name)} already exists in this cluster`, 'give every pool of a cluster its own name');
    }
    if (typeof name !== 'string' || !isDnsLabel(name)) {
      // Validate before the name becomes a construct id, so the error names the cluster, not a broken child.
      validateDnsLabel(this, `nodePools[${this.poolOptions.length}].name`, name, 32);
    }
    this.checkPoolInfrastructure(options);
    if (isBoundedPool(options)) this.ensureAutoscaler();
    if (options.bareMetal !== undefined && !this.clusterClass) {
      const metalPool = new BareMetalNodePool(this, `Pool-${name}`, { ...options, cluster: this });
      this.metalPools.push(metalPool);
      this.allPools.push(metalPool);
      this.poolOptions.push(options);
      return metalPool;
    }
    if (this.clusterClass) {
      const classPool = new ClassNodePool(this, `Pool-${name}`, { ...options, cluster: this });
      this.classPools.push(classPool);
      this.allPools.push(classPool);
      this.poolOptions.push(options);
      return classPool;
    }
    const pool = new NodePool(this, `Pool-${name}`, { ...options, cluster: this });
    this.objectPools.push(pool);
    this.allPools.push(pool);
    this.poolOptions.push(options);
    return pool;
  }

  /** Whether the cluster runs its class's `defaultVersion` (it pins none of its own). @internal */
  public get _followsClassVersion(): boolean {
    return this.pinnedVersion === undefined && this.clusterClass !== undefined && this.rolloutWave?.version === undefined;
  }

  /**
   * The wave of its class's `RolloutPlan` the cluster rolls with, if any (read at synth: the plan
   * may be declared after the cluster).
   */
  public get rolloutWave(): RolloutWave | undefined {
    const plan = this.clusterClass?._rolloutPlan;
    return plan?.waveOf(this);
  }

  /**
   * Kubernetes release (`v1.33.2`): the one given, else the class's current `defaultVersion`
   * (so editing the class rolls clusters that do not pin a version).
   */
  public get version(): KubernetesVersion {
    return KubernetesVersion.of(this.pinnedVersion ?? this.rolloutWave?.version ?? this.clusterClass!.defaultVersion);
  }

  /**
   * The control-plane VIP: the fixed `endpointAddress`, or the address allocated from `vipPool`
   * (resolved when read, i.e. at synth time), or undefined when MetalLB picks it.
   */
  public get endpointAddress(): string | undefined {
    const cp = this.resolvedControlPlane;
    return cp.vipPool ? cp.vipPool.addressOf(this) : cp.endpointAddress;
  }

  /** The pools of whole servers emitted as objects (empty when the cluster is built from a class). */
  public get bareMetalNodePools(): BareMetalNodePool[] {
    return [...this.metalPools];
  }

  /** The VM node pools emitted as objects (empty when the cluster is built from a class). */
  public get nodePools(): NodePool[] {
    return [...this.objectPools];
  }

  /**
   * Every pool, resolved and checked, in the order added: `NodePool`s, or for a cluster built from
   * a class `ClassNodePool`s. Readers of pool sizes (capacity, governance, reports) use these rather
   * than re-deriving defaults from `nodePoolOptions`.
   */
  public get pools(): INodePool[] {
    return [...this.allPools];
  }

  /** The pools as declared (also for class-based clusters, for reports and capacity checks). */
  public get nodePoolOptions(): NodePoolOptions[] {
    return [...this.poolOptions];
  }

  /**
   * Where the cluster puts workers on a network other than the under cluster's pod network, as the
   * field that does it: `network`, a pool's `network`, or (class-based) the class's `workerSubnet`
   * variable set directly; `undefined` when every worker is on the pod network. The one reading of
   * that question (the cloud provider's load-balancer check asks it). @internal
   */
  public _ownWorkerNetworkField(): string | undefined {
    if (this.defaultNetwork !== undefined) return 'network';
    const pool = this.poolOptions.findIndex((o) => o.network !== undefined);
    if (pool >= 0) return `nodePools[${pool}].network`;
    // The class's worker-subnet patch is enabled by `{{ if .workerSubnet }}`: any non-empty string.
    const subnet = this.variables.workerSubnet;
    return this.clusterClass !== undefined && typeof subnet === 'string' && subnet !== '' ? 'variables.workerSubnet' : undefined;
  }

  /** A pool's machines must be of the cluster's infrastructure kind (see ClusterInfrastructure). */
  private checkPoolInfrastructure(options: NodePoolOptions): void {
    const field = `nodePools[${this.poolOptions.length}]`;
    const metal = options.bareMetal !== undefined;
    if (metal && this.infrastructure !== ClusterInfrastructure.METAL3) {
      throw new KmetalValidationError(this, `${field}.bareMetal`, `pool ${showValue(options.name)} runs on whole servers, but the cluster's workers are KubeVirt VMs: a Cluster API cluster has one infrastructure cluster, and CAPM3's machine controller looks for a Metal3Cluster under it (CAPK's for a KubevirtCluster), so the machines would never be provisioned`,
        'declare the metal pool in a cluster of its own with infrastructure: ClusterInfrastructure.METAL3 (and controlPlane.endpointAddress or a VIP pool), or drop bareMetal to run the pool as VMs');
    }
    if (!metal && this.infrastructure === ClusterInfrastructure.METAL3) {
      throw new KmetalValidationError(this, `${field}.bareMetal`, `pool ${showValue(options.name)} has no bareMetal servers, but the cluster's infrastructure is Metal3: its machines are whole servers, and CAPK's VM machines would find no KubevirtCluster`,
        'set bareMetal: { pool } on the pool, or put VM pools in a cluster with infrastructure: ClusterInfrastructure.KUBEVIRT');
    }
  }

  /**
   * A Metal3 cluster states its control-plane endpoint up front: the Kamaji provider checks
   * `Metal3Cluster.spec.controlPlaneEndpoint` against the control plane's address and never patches
   * it (cluster-api-control-plane-provider-kamaji v0.20.0 controllers/kamajicontrolplane_controller_cluster_patch.go,
   * `case "Metal3Cluster": checkGenericCluster`; docs/providers-metal3.md), so the address must be
   * known at synth. Edge sites run KubeVirt workers on their island.
   */
  private checkMetal3ControlPlane(props: TenantClusterProps): void {
    if (props.site) {
      throw new KmetalValidationError(this, 'infrastructure', 'a cluster at an edge site runs its workers on the island\'s KubeVirt, not on Metal3 servers', 'drop infrastructure (or site)');
    }
    const cp = this.resolvedControlPlane;
    if (!cp.vipPool && !cp.endpointAddress) {
      throw new KmetalValidationError(this, 'controlPlane.endpointAddress', 'a Metal3 cluster needs its control-plane address at synth: the Kamaji provider checks Metal3Cluster.spec.controlPlaneEndpoint against it instead of filling it in, and an address MetalLB picks later is unknown here',
        'set controlPlane.endpointAddress, or controlPlane.vipPool (a platform with controlPlaneVipPool gives one to addTenantCluster())');
    }
  }

  /** The Metal3Cluster of a cluster of whole servers (no class). */
  private metal3Cluster(): ApiObject {
    return new ApiObject(this, 'InfrastructureCluster', {
      ...Metal3Cluster.GVK,
      metadata: { name: this.clusterName, namespace: this.namespace },
      // Lazy: a VIP drawn from a pool is known only once every tenant has registered.
      spec: Lazy.any({
        produce: () => ({
          controlPlaneEndpoint: { host: this.endpointAddress, port: TENANT_API_SERVER_PORT },
          // No cloud provider runs in the tenant: CAPM3 sets the nodes' providerID itself, matching
          // them by host name (CAPM3 v1.13.2 controllers/metal3machine_controller.go,
          // SetNodeProviderIDByHostname; the data template names hosts after their machines).
          cloudProviderEnabled: false,
        }),
      }),
    });
  }

  /** The cluster network; Metal3 clusters state the API server port their Metal3Cluster states. */
  private clusterNetwork(): any {
    return {
      ...(this.infrastructure === ClusterInfrastructure.METAL3 ? { apiServerPort: TENANT_API_SERVER_PORT } : {}),
      pods: { cidrBlocks: [this.podCidr] },
      services: { cidrBlocks: [this.serviceCidr] },
    };
  }

  /** Bounds without an autoscaler would be annotations nothing reads. */
  private ensureAutoscaler(): void {
    if (this.clusterAutoscaler || this.autoscalerOptions.enabled === false) return;
    this.clusterAutoscaler = new ClusterAutoscaler(this, 'Autoscaler', { ...this.autoscalerOptions, cluster: this });
  }

  private clusterLabels(): { [key: string]: string } {
    return {
      ...this.labels,
      'kmetal.io/tenant-cluster': this.clusterName,
      // Takes the cluster out of the platform's tenant-storage add-on.
      ...(this._storageOptions?.enabled === false || !this._workersAreUnderClusterVms ? { [TENANT_STORAGE_LABEL]: 'disabled' } : {}),
      // Lazy: a class-based cluster follows the class's default version until synth.
      'kmetal.io/kubernetes-minor': Lazy.any({ produce: () => this.version.minorText }) as any,
      ...(this.clusterClass ? {
        'kmetal.io/cluster-class': this.clusterClass.className,
        // Lazy: the plan may come after the cluster; no wave, no label.
        [ROLLOUT_WAVE_LABEL]: Lazy.any({ produce: () => this.rolloutWave?.name }) as any,
      } : {}),
    };
  }

  private clusterSpec(): any {
    return {
      clusterNetwork: this.clusterNetwork(),
      topology: this.clusterClass!._topologyFor(this, {
        version: this.version.text,
        controlPlane: this.controlPlaneWithAddress(),
        dataStoreName: this.dataStore.dataStoreName,
        image: this.pinnedImage ?? this.rolloutWave?.image,
        variables: this.variables,
        site: this.sitePlacement,
        pools: this.classPools,
        holdWorkerUpgrades: this.rolloutWave?.holdWorkerUpgrades,
      }),
    };
  }

  /**
   * A class-based cluster's workers land on a network through the class's `workerSubnet`
   * variable; binding also lets the network know the cluster (e.g. a VPC opens the path to its VIP).
   */
  private bindClassNetwork(network: INodeNetwork): void {
    const binding = network.bindNodePool(this);
    const logicalSwitch = binding.podAnnotations?.['ovn.kubernetes.io/logical_switch'];
    if (binding.multusNetworkName || !logicalSwitch) {
      throw new KmetalValidationError(this, 'network', `${binding.description} cannot be expressed by the class (it patches only the Kube-OVN subnet of the workers)`, 'use a TenantVpc subnet or NodeNetwork.kubeOvnSubnet(), or build this cluster without a class');
    }
    if (this.variables.workerSubnet !== undefined && this.variables.workerSubnet !== logicalSwitch) {
      throw new KmetalValidationError(this, 'variables.workerSubnet', `${showValue(this.variables.workerSubnet)} contradicts network (${logicalSwitch})`, 'set only network; the variable follows it');
    }
    this.variables.workerSubnet = logicalSwitch;
  }

  private controlPlaneWithAddress(): ResolvedControlPlane {
    return { ...this.resolvedControlPlane, endpointAddress: this.endpointAddress };
  }

  /**
   * Networks the tenant's pod or service range must not cover: the subnets its workers are on (a
   * node's address inside the pod range is routed into the overlay), its control-plane VIP pool
   * (pods could not reach their API server) and the management plane of the platform.
   */
  private networkProblems(): string[] {
    const out: string[] = [];
    const blocked: Array<{ range: { family: number; first: bigint; last: bigint }; what: string }> = [];
    const networks = [this.defaultNetwork, ...this.poolOptions.map((p) => p.network)];
    let planes: { _managementHostBlocks(): Array<{ range: { family: number; first: bigint; last: bigint }; what: string }> } | undefined;
    for (const network of networks) {
      const subnet = network as any;
      if (subnet?._range?.first === undefined) continue;
      blocked.push({ range: subnet._range, what: `the workers' subnet ${subnet.node?.path ?? ''} (${subnet._range.text})` });
      planes ??= subnet.vpc?.planes;
    }
    const pool = this.resolvedControlPlane.vipPool as any;
    for (const r of pool?._ranges ?? []) blocked.push({ range: r, what: `the control-plane VIP pool "${pool.poolName}" (${r.text})` });
    planes ??= pool?.planes;
    if (this._ownWorkerNetworkField() === 'variables.workerSubnet') {
      // The class's workerSubnet variable names the Kube-OVN Subnet (logical switch) directly: when
      // this app declares it on the platform's planes, its range is the workers' subnet too.
      const subnet = (planes as any)?._registry?.subnetOwner(this.variables.workerSubnet);
      if (subnet?._range?.first !== undefined) {
        blocked.push({ range: subnet._range, what: `the workers' subnet ${subnet.node.path} (${subnet._range.text}, named by variables.workerSubnet)` });
      }
    }
    const management = (planes?._managementHostBlocks() ?? []).map((b) => ({ range: b.range, what: `the management plane (${b.what})` }));
    // The pods' range must miss all of them; the services' range the addresses the nodes themselves
    // use (their subnet, the API server VIP), which kube-proxy would otherwise capture.
    for (const [field, range, avoid] of [['podCidr', this.podRange, [...blocked, ...management]], ['serviceCidr', this.serviceRange, blocked]] as const) {
      const hit = avoid.find((b) => b.range.family === range.family && b.range.first <= range.last && range.first <= b.range.last);
      if (hit) {
        out.push(`${field}: ${range.text} overlaps ${hit.what}, so the tenant's ${field === 'podCidr' ? 'pods' : 'services'} would shadow those addresses. Fix: give the tenant cluster a ${field === 'podCidr' ? 'pod' : 'service'} range outside every network its nodes and control plane use, e.g. ${field === 'podCidr' ? '"10.244.0.0/16"' : '"10.96.0.0/12"'}`);
      }
    }
    return out;
  }

  private parseNetwork(field: string, text: string): ParsedCidr {
    const parsed = parseCidr(text);
    if (!parsed) {
      throw new KmetalValidationError(this, field, `${showValue(text)} is not a network in CIDR notation (or has host bits set)`, 'write the network address and prefix, e.g. "10.244.0.0/16"');
    }
    return parsed;
  }
}

/** Kamaji's external cluster placement: the TenantControlPlane is created on the site's cluster. */
function externalClusterReference(p: TenantSitePlacement): any {
  return {
    deploymentNamespace: p.controlPlaneNamespace,
    kubeconfigSecretName: p.controlPlaneKubeconfig.name,
    kubeconfigSecretKey: p.controlPlaneKubeconfig.key,
    kubeconfigSecretNamespace: p.controlPlaneKubeconfig.namespace,
  };
}
