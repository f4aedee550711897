import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ClusterAutoscaler, ClusterAutoscalerOptions, isBoundedPool } from './cluster-autoscaler';
import { ControlPlaneOptions, ControlPlaneServiceType, kamajiControlPlaneSpec, resolveControlPlane, ResolvedControlPlane } from './control-plane';
import { DedicatedEtcdDataStore, IHelmRepository, IDataStore } from './datastore';
import { DatastoreBackup, DatastoreBackupOptions } from './datastore-backup';
import { KubernetesVersion } from './kubernetes-version';
import { NodePool, NodePoolOptions } from './node-pool';
import type { TenantClusterClass } from './tenant-cluster-class';
import { TenantGovernance, TenantGovernanceOptions } from './tenant-governance';
import type { ITenantSite, TenantSitePlacement } from '../edge/tenant-site';
import { Cluster } from '../imports/cluster.x-k8s.io';
import { KamajiControlPlane } from '../imports/controlplane.cluster.x-k8s.io';
import { KubevirtCluster } from '../imports/infrastructure.cluster.x-k8s.io';
import type { IControlPlaneVipPool } from '../network/control-plane-vip';
import { INodeNetwork } from '../network/node-network';
import { IMachineImage } from '../os/machine-image';
import type { PlatformUnderCluster } from '../platform/platform-under-cluster';
import { cidrsOverlap, parseCidr, ParsedCidr } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel, isLabel, validateDnsLabel } from '../util/names';
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
}

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
  /** Whether konnectivity is deployed. */
  public readonly konnectivity: boolean;

  /** Pod CIDR. */
  public readonly podCidr: string;
  /** Service CIDR. */
  public readonly serviceCidr: string;
  /** The class the cluster is built from, if any. */
  public readonly clusterClass?: TenantClusterClass;
  /**
   * Name of the Secret (in `namespace`) holding the tenant's admin kubeconfig, written by Cluster
   * API once the control plane is up (key `value`).
   */
  public readonly kubeconfigSecretName: string;
  /** The CAPI Cluster (escape hatch). */
  public readonly cluster: ApiObject;
  /** The KamajiControlPlane, when not built from a class (escape hatch). */
  public readonly controlPlane?: ApiObject;
  /** The KubevirtCluster, when not built from a class (escape hatch). */
  public readonly infrastructureCluster?: ApiObject;
  /** The Namespace, unless `createNamespace` is false (escape hatch). */
  public readonly namespaceObject?: kplus.Namespace;
  /** The cluster's own Capsule governance, unless `createGovernance` is false. */
  public readonly governance?: TenantGovernance;
  /** The edge site the cluster runs at, if any. */
  public readonly site?: ITenantSite;
  /** Where the site placed the control plane, datastore and workers, when `site` is set. */
  public readonly sitePlacement?: TenantSitePlacement;

  private readonly pools: NodePool[] = [];
  private readonly autoscalerOptions: ClusterAutoscalerOptions;
  private clusterAutoscaler?: ClusterAutoscaler;
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
    return this.pinnedImage ?? this.clusterClass?.defaultImage;
  }

  /** The platform whose defaults the cluster took (`platform`), if any. */
  public readonly platform?: PlatformUnderCluster;

  constructor(scope: Construct, id: string, props: TenantClusterProps = {}) {
    super(scope, id);
    // The platform's defaults are resolved by the platform (one place, shared with addTenantCluster()).
    this.platform = props.platform;
    if (props.platform) props = props.platform._withTenantDefaults(props);
    this.clusterName = validateDnsLabel(this, 'name', props.name ?? id, CLUSTER_NAME_MAX);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? `tenant-${this.clusterName}`);
    this.clusterClass = props.clusterClass;
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
    if (props.site) {
      this.site = props.site;
      this.sitePlacement = props.site.placeTenantCluster(this, props);
    }
    // At a site, the VIP comes from the site's pool (the site checked that no other pool was asked for).
    const controlPlane = this.sitePlacement ? { ...props.controlPlane, vipPool: this.sitePlacement.vipPool } : props.controlPlane;
    this.resolvedControlPlane = resolveControlPlane(this, controlPlane);
    this.controlPlaneReplicas = this.resolvedControlPlane.replicas;
    this.konnectivity = this.resolvedControlPlane.konnectivity;
    this.resolvedControlPlane.vipPool?.registerTenant(this, this.clusterName, this.resolvedControlPlane.endpointAddress);
    const pod = this.parseNetwork('podCidr', props.podCidr ?? '10.244.0.0/16');
    const svc = this.parseNetwork('serviceCidr', props.serviceCidr ?? '10.96.0.0/12');
    if (cidrsOverlap(pod, svc)) {
      throw new KmetalValidationError(this, 'serviceCidr', `${svc.text} overlaps podCidr ${pod.text}`, 'give the tenant cluster separate pod and service ranges, e.g. 10.244.0.0/16 and 10.96.0.0/12');
    }
    this.podCidr = pod.text;
    this.serviceCidr = svc.text;
    this.pinnedImage = props.defaultImage;
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
        metadata: { name: this.clusterName, namespace: this.namespace, labels: this.clusterLabels() },
        // Produced at synth so that pools added later with addNodePool() are in the topology.
        spec: Lazy.any({ produce: () => this.clusterSpec() }),
      });
    } else {
      this.infrastructureCluster = new KubevirtCluster(this, 'InfrastructureCluster', {
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
          produce: () => ({
            ...kamajiControlPlaneSpec(this.controlPlaneWithAddress(), this.dataStore.dataStoreName),
            replicas: this.resolvedControlPlane.replicas,
            version: this.version.text,
            ...(this.sitePlacement ? { deployment: { externalClusterReference: externalClusterReference(this.sitePlacement) } } : {}),
          }),
        }),
      });
      this.cluster = new Cluster(this, 'Cluster', {
        metadata: { name: this.clusterName, namespace: this.namespace, labels: this.clusterLabels() },
        spec: {
          clusterNetwork: { pods: { cidrBlocks: [this.podCidr] }, services: { cidrBlocks: [this.serviceCidr] } },
          controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KamajiControlPlane', name: this.clusterName },
          infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'KubevirtCluster', name: this.clusterName },
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
    if (props.createGovernance ?? true) {
      this.governance = new TenantGovernance(this, 'Governance', { ...props.governance, clusters: [this] });
    } else if (props.governance) {
      throw new KmetalValidationError(this, 'governance', 'governance options were given with createGovernance: false', 'drop one of them (a shared TenantGovernance takes its options itself)');
    }
    this.platform?.registerTenantCluster(this);
    DatastoreBackup._applyTo(this, this.platform?.datastoreBackups);
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
   * Adds a pool of worker VMs.
   */
  public addNodePool(options: NodePoolOptions): NodePool {
    const name = options?.name;
    if (this.poolOptions.some((p) => p.name === name)) {
      throw new KmetalValidationError(this, `nodePools[${this.poolOptions.length}].name`, `a pool named ${showValue(name)} already exists in this cluster`, 'give every pool of a cluster its own name');
    }
    if (typeof name !== 'string' || !isDnsLabel(name)) {
      // Validate before the name becomes a construct id, so the error names the cluster, not a broken child.
      validateDnsLabel(this, `nodePools[${this.poolOptions.length}].name`, name, 32);
    }
    if (isBoundedPool(options)) this.ensureAutoscaler();
    if (this.clusterClass) {
      this.clusterClass._checkPool(this, options);
      this.poolOptions.push(options);
      return undefined as unknown as NodePool;
    }
    const pool = new NodePool(this, `Pool-${name}`, { ...options, cluster: this });
    this.pools.push(pool);
    this.poolOptions.push(options);
    return pool;
  }

  /**
   * Kubernetes release (`v1.33.2`): the one given, else the class's current `defaultVersion`
   * (so editing the class rolls clusters that do not pin a version).
   */
  public get version(): KubernetesVersion {
    return KubernetesVersion.of(this.pinnedVersion ?? this.clusterClass!.defaultVersion);
  }

  /**
   * The control-plane VIP: the fixed `endpointAddress`, or the address allocated from `vipPool`
   * (resolved when read, i.e. at synth time), or undefined when MetalLB picks it.
   */
  public get endpointAddress(): string | undefined {
    const cp = this.resolvedControlPlane;
    return cp.vipPool ? cp.vipPool.addressOf(this) : cp.endpointAddress;
  }

  /** The node pools emitted as objects (empty when the cluster is built from a class). */
  public get nodePools(): NodePool[] {
    return [...this.pools];
  }

  /** The pools as declared (also for class-based clusters, for reports and capacity checks). */
  public get nodePoolOptions(): NodePoolOptions[] {
    return [...this.poolOptions];
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
      // Lazy: a class-based cluster follows the class's default version until synth.
      'kmetal.io/kubernetes-minor': Lazy.any({ produce: () => this.version.minorText }) as any,
      ...(this.clusterClass ? { 'kmetal.io/cluster-class': this.clusterClass.className } : {}),
    };
  }

  private clusterSpec(): any {
    return {
      clusterNetwork: { pods: { cidrBlocks: [this.podCidr] }, services: { cidrBlocks: [this.serviceCidr] } },
      topology: this.clusterClass!._topologyFor(this, {
        version: this.version.text,
        controlPlane: this.controlPlaneWithAddress(),
        dataStoreName: this.dataStore.dataStoreName,
        image: this.pinnedImage,
        variables: this.variables,
        site: this.sitePlacement,
        pools: this.poolOptions,
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
