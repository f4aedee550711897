import * as crypto from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AUTOSCALER_MAX_SIZE_ANNOTATION, AUTOSCALER_MIN_SIZE_ANNOTATION } from './cluster-api-annotations';
import { resolveNodePoolOptions, ResolvedHealthCheck, ResolvedNodePoolOptions, ResolvedRollout } from './node-pool-resolver';
import { NodePoolPlacement, POOL_VM_LABEL, ResolvedPoolPlacement, vmSpreadFields } from './placement';
import type { TenantCluster } from './tenant-cluster';
import type { BareMetalPool } from '../baremetal/bare-metal-pool';
import { KubeadmConfigTemplate } from '../imports/bootstrap.cluster.x-k8s.io';
import {
  MachineDeployment, MachineDeploymentSpecRolloutStrategyRollingUpdateMaxSurge as MaxSurge,
  MachineDeploymentSpecRolloutStrategyRollingUpdateMaxUnavailable as MaxUnavailable,
  MachineDeploymentSpecRolloutStrategyType, MachineHealthCheck, MachineHealthCheckSpecRemediationTriggerIfUnhealthyLessThanOrEqualTo,
} from '../imports/cluster.x-k8s.io';
import { KubevirtMachineTemplate } from '../imports/infrastructure.cluster.x-k8s.io';
import { INodeNetwork, NodeNetwork, NodeNetworkBinding } from '../network/node-network';
import { _checkMachineImage, IMachineImage, VirtualMachineDiskBinding } from '../os/machine-image';
import type { IMetalImage } from '../os/metal-image';
import { KmetalValidationError } from '../util/errors';
import { sortedLabels } from '../util/label-set';

/** How a GPU or other PCI device is handed to the VM. */
export enum DeviceAttachment {
  /** KubeVirt `domain.devices.gpus` (GPU passthrough or vGPU). */
  GPU = 'gpu',
  /** KubeVirt `domain.devices.hostDevices` (any other PCI/mediated device). */
  HOST_DEVICE = 'hostDevice',
}

/** A GPU (or other host device) for every VM of a pool. */
export interface GpuRequest {
  /**
   * The resource name KubeVirt's `permittedHostDevices` exposes, e.g. `nvidia.com/GA102GL_A10`.
   * This is what makes the scheduler put the VM on a host with that device.
   */
  readonly deviceName: string;
  /** Devices per VM. @default 1 */
  readonly count?: number;
  /** How the device is attached. @default DeviceAttachment.GPU */
  readonly attachment?: DeviceAttachment;
}

/** Taint effects Kubernetes nodes accept. */
export enum TaintEffect {
  /** Do not schedule new pods that do not tolerate the taint. */
  NO_SCHEDULE = 'NoSchedule',
  /** Prefer not to schedule. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Evict running pods that do not tolerate it. */
  NO_EXECUTE = 'NoExecute',
}

/** A taint put on every node of a pool when it joins. */
export interface NodeTaint {
  /** Taint key. */
  readonly key: string;
  /** Taint value. @default - none */
  readonly value?: string;
  /** Effect. */
  readonly effect: TaintEffect;
}

/** Machine health checking of a pool (Cluster API MachineHealthCheck). */
export interface NodePoolHealthCheck {
  /** Whether unhealthy machines are replaced. @default true */
  readonly enabled?: boolean;
  /** A machine whose node has not joined after this long is replaced. @default 20 */
  readonly nodeStartupTimeoutMinutes?: number;
  /** A node that is NotReady or Unknown this long is replaced. @default 5 */
  readonly unhealthyTimeoutMinutes?: number;
  /**
   * Remediation stops while more than this share of the pool is unhealthy (a storm of failures is
   * more likely a platform problem than bad machines), e.g. `40%` or `2`.
   * @default '40%'
   */
  readonly maxUnhealthy?: string;
}

/**
 * How a pool's machines are replaced when its template or version changes (Cluster API
 * MachineDeployment `spec.rollout` and `spec.template.spec.deletion`, v1beta2; for class-based pools the
 * topology's `workers.machineDeployments[].rollout` and `.deletion`).
 *
 * The defaults fit bare metal: no VM is created beyond the pool's size (`maxSurge` 0) and one machine
 * at a time is taken down first (`maxUnavailable` 1), so a rollout needs no capacity the hosts do not
 * have. Cluster API's own defaults are surge 1 / unavailable 0 (core/webhooks/admission/machinedeployment.go
 * at kubernetes-sigs/cluster-api v1.14.0, 560d4acf). A surge above 0 must fit the VM hosts' free
 * capacity: the platform policy pack (KM-CAP-006) and `kmetal plan` check it.
 */
export interface NodePoolRollout {
  /**
   * Machines created above the pool's size while it rolls (a whole number; Cluster API also takes a
   * percentage, which the library does not, so that capacity can be checked before the rollout).
   * @default 0
   */
  readonly maxSurge?: number;
  /**
   * Machines of the pool that may be unavailable while it rolls. `maxSurge` and `maxUnavailable`
   * cannot both be 0 (Cluster API's webhook refuses it: nothing could be replaced).
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * How long Cluster API drains a node before it deletes the machine anyway (`nodeDrainTimeoutSeconds`).
   * Draining honours PodDisruptionBudgets, so without a timeout a budget that never allows an
   * eviction holds the rollout (with `maxSurge` 0, one machine short) until someone intervenes.
   * @default - no timeout: Cluster API waits until the node is drained
   */
  readonly nodeDrainTimeoutMinutes?: number;
  /**
   * Keeps the pool on its current Kubernetes release when the cluster's version changes: the
   * control plane and the other pools upgrade, this pool's machines stay as they are until the
   * option is removed (Cluster API's `topology.cluster.x-k8s.io/defer-upgrade` on the pool's
   * topology entry). While the pool is behind the cluster's version, Cluster API applies no change
   * to it at all, its image included, so the held machines keep the image their kubelet came with
   * (cluster-api v1.14.0 `core/reconcilers/topology/cluster/reconcile_state.go`, reconcileMachineDeployment
   * returns early for a MachineDeployment pending upgrade). It has no effect while the versions match.
   *
   * Only for pools of clusters built from a `TenantClusterClass` (the topology controller reads it);
   * a pool of a cluster without a class is refused: its MachineDeployment is written with the
   * cluster's version directly, so pin the version of that cluster instead.
   * @default false
   */
  readonly deferUpgrade?: boolean;
}

/** What a node pool looks like; used by `TenantCluster.addNodePool()` and `TenantClusterProps.nodePools`. */
export interface NodePoolOptions {
  /** Pool name, a DNS label of at most 32 characters; with the cluster name it must fit 50 (machine names are derived from both). */
  readonly name: string;
  /**
   * Number of worker VMs. With `minReplicas`/`maxReplicas` it is left to the cluster autoscaler.
   * @default 2
   */
  readonly replicas?: number;
  /** Lower bound for the Cluster API autoscaler. @default - no autoscaling */
  readonly minReplicas?: number;
  /** Upper bound for the Cluster API autoscaler. @default - no autoscaling */
  readonly maxReplicas?: number;
  /** vCPU cores per VM. @default 2 */
  readonly cpuCores?: number;
  /** Guest memory per VM in GiB. @default 4 */
  readonly memoryGiB?: number;
  /** GPUs or host devices per VM. @default - none */
  readonly gpus?: GpuRequest[];
  /** Persistent root disk size in GiB. @default - ephemeral containerDisk when the image allows it */
  readonly rootDiskGiB?: number;
  /** Storage class for persistent root disks. @default - the under cluster's default */
  readonly storageClassName?: string;
  /** The OS image the VMs boot. @default - the cluster's `defaultImage` */
  readonly image?: IMachineImage;
  /** Labels set on the tenant's nodes (kubelet `--node-labels`). @default - none */
  readonly nodeLabels?: { [key: string]: string };
  /** Taints set on the tenant's nodes when they register. @default - none */
  readonly taints?: NodeTaint[];
  /** The tenant network the VMs attach to. @default - the cluster's `network`, else the pod network */
  readonly network?: INodeNetwork;
  /** Machine health checking. @default - enabled, 20 min startup, 5 min unhealthy, 40% max unhealthy */
  readonly healthCheck?: NodePoolHealthCheck;
  /** For clusters built from a class: the class's worker class the pool uses. @default - the class's first worker class */
  readonly workerClass?: string;
  /**
   * Labels of the under cluster's nodes the pool's VMs may run on (KubeVirt `nodeSelector`): pins
   * the VMs to a group of hosts, e.g. the servers of one site (`{ 'kmetal.io/site': 'factory-a' }`).
   * The platform policy pack checks that the hosts carrying these labels hold the pinned pools.
   * Not available to pools of class-based clusters.
   * @default - any node KubeVirt may schedule VMs on
   */
  readonly hostSelector?: { [key: string]: string };
  /**
   * How the VMs spread across the under cluster's hosts (and zones), and whether they live-migrate
   * when a host drains.
   * @default - preferred spread across hosts, no zone spread, no live migration
   */
  readonly placement?: NodePoolPlacement;
  /** How the pool's machines are replaced. @default - maxSurge 0, maxUnavailable 1, no drain timeout */
  readonly rollout?: NodePoolRollout;
  /**
   * Run the pool on whole servers of a `BareMetalPool` instead of VMs (Cluster API provider
   * Metal3): one server per replica, claimed by labels, wiped and returned to the pool when a
   * machine is deleted. Only in a cluster with `infrastructure: ClusterInfrastructure.METAL3`;
   * VM sizing options (`cpuCores`, `memoryGiB`, `gpus`, `rootDiskGiB`, `storageClassName`,
   * `network`, `hostSelector`) do not apply: a server brings what it has.
   * @default - the pool's workers are KubeVirt VMs
   */
  readonly bareMetal?: BareMetalNodePoolOptions;
}

/** Where a bare-metal node pool's servers come from (`NodePoolOptions.bareMetal`). */
export interface BareMetalNodePoolOptions {
  /**
   * The servers: a `BareMetalPool` in the tenant cluster's namespace (Cluster API provider Metal3
   * claims hosts only in its machines' namespace). Only hosts labelled
   * `kmetal.io/role: tenant-metal` are taken.
   */
  readonly pool: BareMetalPool;
  /**
   * Extra labels a server must carry to be taken (a subset of the pool, e.g. the A100 servers).
   * @default - any tenant-metal host of the pool
   */
  readonly hostLabels?: { [key: string]: string };
  /** The image written to the servers' disks. @default - the pool's `image`, else the cluster's `defaultImage` (either must have a bare-metal image) */
  readonly image?: IMetalImage;
}

/** Props of `NodePool`. Usually created through `TenantCluster.addNodePool()`. */
export interface NodePoolProps extends NodePoolOptions {
  /** The cluster the pool belongs to. */
  readonly cluster: TenantCluster;
}

/**
 * A node pool of a tenant cluster, whichever way the cluster is built: a `NodePool` (its own
 * MachineDeployment and templates) for clusters built object by object, a `ClassNodePool` (a
 * `workers.machineDeployments` entry of the cluster's topology) for clusters built from a class.
 * `TenantCluster.addNodePool()` returns one of them.
 */
export interface INodePool extends IConstruct {
  /** Pool name. */
  readonly poolName: string;
  /** Worker VMs (undefined when the autoscaler owns the count). */
  readonly replicas?: number;
  /** Lower bound of the autoscaler, if any. */
  readonly minReplicas?: number;
  /** Upper bound of the autoscaler, if any. */
  readonly maxReplicas?: number;
  /** GPUs per VM, by device name. */
  readonly gpus: GpuRequest[];
  /** Where the VMs run, with defaults applied (read by the VM spec, the policy pack and reports). */
  readonly placement: ResolvedPoolPlacement;
  /** How the pool's machines are replaced, with the defaults applied (every field set but `nodeDrainTimeoutMinutes` when none is). */
  readonly rollout: NodePoolRollout;
}

/** The public view of a resolved rollout. @internal */
export function rolloutView(r: ResolvedRollout): NodePoolRollout {
  const drain = r.nodeDrainTimeoutSeconds;
  return {
    maxSurge: r.maxSurge,
    maxUnavailable: r.maxUnavailable,
    ...(drain !== undefined ? { nodeDrainTimeoutMinutes: drain / 60 } : {}),
    ...(r.deferUpgrade ? { deferUpgrade: true } : {}),
  };
}


/** JSON with sorted keys and without undefined values: the same data always gives the same text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, v[k]]))
    : v));
}

/** A short, stable digest of a template spec: a changed spec gets a new template name, which is how Cluster API rolls machines. */
function specDigest(spec: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
}

/**
 * A pool of identical worker VMs of a tenant cluster: a Cluster API `MachineDeployment` with its
 * KubeVirt machine template, kubeadm bootstrap template and `MachineHealthCheck`.
 *
 * The machine template's name carries a digest of its spec, because Cluster API never re-reads a
 * template in place: a new image or VM size must come as a new template for machines to roll.
 */
export class NodePool extends Construct implements INodePool {
  /** Pool name. */
  public readonly poolName: string;
  /** Name of the MachineDeployment (and of the pool's other objects, but the machine template). */
  public readonly deploymentName: string;
  /** Replicas (undefined when the autoscaler owns the count). */
  public readonly replicas?: number;
  /** vCPU cores per VM. */
  public readonly cpuCores: number;
  /** Memory per VM in GiB. */
  public readonly memoryGiB: number;
  /** GPUs per VM, by device name. */
  public readonly gpus: GpuRequest[];
  /** The image the VMs boot. */
  public readonly image: IMachineImage;
  /** The MachineDeployment (escape hatch). */
  public readonly machineDeployment: ApiObject;
  /** The KubeVirt machine template, a `KubevirtMachineTemplate` (escape hatch). */
  public readonly machineTemplate: ApiObject;
  /** The kubeadm bootstrap template (escape hatch). */
  public readonly bootstrapTemplate: ApiObject;
  /** The MachineHealthCheck, unless disabled (escape hatch). */
  public readonly machineHealthCheck?: ApiObject;
  /** Lower bound of the autoscaler, if any. */
  public readonly minReplicas?: number;
  /** Upper bound of the autoscaler, if any. */
  public readonly maxReplicas?: number;
  /** The network binding chosen for the VMs. */
  public readonly network: NodeNetworkBinding;
  /** Labels of the under-cluster nodes the VMs are pinned to (empty: not pinned). */
  public readonly hostSelector: { [key: string]: string };
  /** Where the VMs run, with defaults applied. */
  public readonly placement: ResolvedPoolPlacement;
  /** Name of the cluster the pool belongs to. */
  private readonly clusterName: string;
  /** How the pool's machines are replaced, with the defaults applied. */
  public readonly rollout: NodePoolRollout;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    const options: NodePoolOptions = props;
    const cluster = {
      clusterName: props.cluster.clusterName,
      namespace: props.cluster.namespace,
      versionText: props.cluster.version.text,
      defaultImage: props.cluster.defaultImage,
      defaultNetwork: props.cluster.defaultNetwork,
    };
    const resolved = resolveNodePoolOptions(this, cluster.clusterName, options);
    this.poolName = resolved.name;
    this.deploymentName = resolved.deploymentName;
    const ns = cluster.namespace;
    this.replicas = resolved.replicas;
    this.minReplicas = resolved.minReplicas;
    this.maxReplicas = resolved.maxReplicas;
    this.cpuCores = resolved.cpuCores ?? 2;
    this.memoryGiB = resolved.memoryGiB ?? 4;
    this.gpus = resolved.gpus;
    if (resolved.rollout.deferUpgrade) {
      // Only the topology controller reads the deferral; this MachineDeployment carries the cluster's version itself.
      throw new KmetalValidationError(this, 'rollout.deferUpgrade', 'true on a pool of a cluster without a class: only Cluster API\'s topology controller defers a pool\'s upgrade, and this pool\'s MachineDeployment is written with the cluster\'s version', 'build the cluster from a TenantClusterClass, or hold the whole cluster by pinning its version (TenantClusterProps.version)');
    }
    this.rollout = rolloutView(resolved.rollout);
    const image = options.image ?? cluster.defaultImage;
    if (!image) {
      throw new KmetalValidationError(this, 'image', 'no image for the pool and no defaultImage on the cluster', 'set image on the pool (e.g. MachineImage.containerDisk("quay.io/capk/ubuntu-2404-container-disk:v1.33.0")) or defaultImage on the cluster');
    }
    this.image = _checkMachineImage(this, options.image !== undefined ? 'image' : 'image (the cluster\'s defaultImage)', image);
    this.hostSelector = resolved.hostSelector;
    this.placement = resolved.placement;
    this.clusterName = cluster.clusterName;
    this.network = (options.network ?? cluster.defaultNetwork ?? NodeNetwork.podNetwork()).bindNodePool(this);

    const disk: VirtualMachineDiskBinding = image.bindToVirtualMachine(this, {
      volumeName: 'rootdisk',
      rootDiskGiB: options.rootDiskGiB,
      storageClassName: options.storageClassName,
      // The image's kubelet must be the cluster's minor; an image templated by {kubernetesVersion} follows it.
      kubernetesVersion: cluster.versionText,
      // KubeVirt migrates a VM only when every PVC it mounts is ReadWriteMany (see placement.ts).
      ...(this.placement.liveMigration ? { sharedAccess: true } : {}),
    });
    const vmSpec = this.virtualMachineSpec(disk);
    const machineTemplateName = `${this.deploymentName}-${specDigest({ vmSpec, ns })}`;
    // The VM spec is plain JSON in upstream field names (it also carries the image binding, which
    // is plain JSON). The generated L1 class would run it through its camelCase converters, which
    // drop int-or-string values given as plain strings (`memory.guest`, storage requests), so the
    // object is a plain ApiObject with the L1 class's GVK; conformance tests check its schema.
    this.machineTemplate = new ApiObject(this, 'MachineTemplate', {
      ...KubevirtMachineTemplate.GVK,
      metadata: { name: machineTemplateName, namespace: ns },
      spec: { template: { spec: { virtualMachineTemplate: { metadata: { namespace: ns }, spec: vmSpec } } } },
    });
    // An escape-hatch patch that edits the VM spec keeps the name, and Cluster API never re-reads a
    // template in place (CAPK refuses the update): the machines would silently not roll. Checked on
    // the rendered template, and only when it has patches (rendering every template twice costs).
    const madeSpec = canonicalJson({ vmSpec, ns });
    this.node.addValidation({
      validate: () => {
        if (((this.machineTemplate as any).patches ?? []).length === 0) return [];
        const rendered = this.machineTemplate.toJson();
        const spec = canonicalJson({ vmSpec: rendered?.spec?.template?.spec?.virtualMachineTemplate?.spec, ns: rendered?.metadata?.namespace });
        if (rendered?.metadata?.name === machineTemplateName && spec === madeSpec) return [];
        return [`[${this.machineTemplate.node.path}] spec: a JSON patch changed the machine template's VM spec (or name) after the pool made it, so its name no longer carries the spec's digest: Cluster API would never roll the pool's machines onto the change (templates are not re-read in place). Fix: set the change through the pool's options (image, cpuCores, memoryGiB, gpus, rootDiskGiB, network), or declare a new pool with it`];
      },
    });

    const objects = _machineDeploymentObjects(this, {
      clusterName: cluster.clusterName,
      namespace: ns,
      version: cluster.versionText,
      deploymentName: this.deploymentName,
      poolName: this.poolName,
      resolved,
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'KubevirtMachineTemplate', name: machineTemplateName },
    });
    this.bootstrapTemplate = objects.bootstrapTemplate;
    this.machineDeployment = objects.machineDeployment;
    this.machineHealthCheck = objects.machineHealthCheck;
  }

  /** GPUs per VM, summed over device kinds. */
  public get gpusPerVm(): number {
    return this.gpus.reduce((n, g) => n + (g.count ?? 1), 0);
  }

  /** The KubeVirt VirtualMachine spec (plain JSON in the upstream field names). */
  private virtualMachineSpec(disk: VirtualMachineDiskBinding): any {
    const gpuDevices = (kind: DeviceAttachment) => this.gpus
      .filter((g) => (g.attachment ?? DeviceAttachment.GPU) === kind)
      .flatMap((g, i) => Array.from({ length: g.count ?? 1 }, (_, j) => ({ name: `${kind === DeviceAttachment.GPU ? 'gpu' : 'dev'}${i}-${j}`, deviceName: g.deviceName })));
    const gpus = gpuDevices(DeviceAttachment.GPU);
    const hostDevices = gpuDevices(DeviceAttachment.HOST_DEVICE);
    const multus = this.network.multusNetworkName;
    const annotations = this.network.podAnnotations ?? {};
    // CAPK adds cluster.x-k8s.io/cluster-name to the VMI template's labels, the pool label comes
    // from here; KubeVirt puts both on the virt-launcher pod the spread rules select (placement.ts).
    const vmLabels = { [POOL_VM_LABEL]: this.poolName };
    const spread = vmSpreadFields(this.placement, { 'cluster.x-k8s.io/cluster-name': this.clusterName, ...vmLabels });
    return {
      runStrategy: 'Always',
      ...(disk.dataVolumeTemplate ? { dataVolumeTemplates: [disk.dataVolumeTemplate] } : {}),
      template: {
        metadata: { labels: vmLabels, ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: {
          domain: {
            cpu: { cores: this.cpuCores },
            memory: { guest: `${this.memoryGiB}Gi` },
            devices: {
              networkInterfaceMultiqueue: true,
              disks: [{ name: disk.volume.name, disk: { bus: 'virtio' } }],
              ...(gpus.length ? { gpus } : {}),
              ...(hostDevices.length ? { hostDevices } : {}),
              ...(multus ? { interfaces: [{ name: 'default', bridge: {} }] } : {}),
            },
          },
          // External: CAPK drains the tenant node before KubeVirt evicts the VM; LiveMigrate moves the
          // running VM to another host instead (placement.liveMigration).
          evictionStrategy: this.placement.liveMigration ? 'LiveMigrate' : 'External',
          ...(Object.keys(this.hostSelector).length ? { nodeSelector: sortedLabels(this.hostSelector) } : {}),
          ...spread,
          ...(multus ? { networks: [{ name: 'default', multus: { networkName: multus, default: true } }] } : {}),
          volumes: [disk.volume],
        },
      },
    };
  }
}

/**
 * The `checks` of a pool's health check, shared by `NodePool`'s MachineHealthCheck and the
 * topology of class-based pools. @internal
 */
export function healthCheckSpec(hc: ResolvedHealthCheck): any {
  return {
    checks: {
      nodeStartupTimeoutSeconds: hc.nodeStartupTimeoutMinutes * 60,
      unhealthyNodeConditions: [
        { type: 'Ready', status: 'Unknown', timeoutSeconds: hc.unhealthyTimeoutMinutes * 60 },
        { type: 'Ready', status: 'False', timeoutSeconds: hc.unhealthyTimeoutMinutes * 60 },
      ],
    },
  };
}

/** What `_machineDeploymentObjects` needs to know of a pool. @internal */
export interface MachineDeploymentRequest {
  readonly clusterName: string;
  readonly namespace: string;
  readonly version: string;
  readonly deploymentName: string;
  readonly poolName: string;
  readonly resolved: ResolvedNodePoolOptions;
  /** The machine template (KubeVirt or Metal3). */
  readonly infrastructureRef: { readonly apiGroup: string; readonly kind: string; readonly name: string };
}

/** The objects every pool emitted as objects has, whatever its machines are. @internal */
export interface MachineDeploymentObjects {
  readonly bootstrapTemplate: ApiObject;
  readonly machineDeployment: ApiObject;
  readonly machineHealthCheck?: ApiObject;
}

/**
 * The kubeadm bootstrap template, MachineDeployment and MachineHealthCheck of a pool, the same for
 * VM and bare-metal pools (`NodePool`, `BareMetalNodePool`). @internal
 */
export function _machineDeploymentObjects(scope: Construct, req: MachineDeploymentRequest): MachineDeploymentObjects {
  const { resolved, namespace: ns } = req;
  // Every node carries its pool's name, so tenants can target pools (Machine labels reach nodes
  // only under node.cluster.x-k8s.io/; kubelet self-labels outside kubernetes.io are allowed).
  const allNodeLabels: { [key: string]: string } = { 'kmetal.io/node-pool': req.poolName, ...resolved.nodeLabels };
  const kubeletExtraArgs = [{ name: 'node-labels', value: Object.keys(allNodeLabels).sort().map((k) => `${k}=${allNodeLabels[k]}`).join(',') }];
  const taints = resolved.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== undefined ? { value: t.value } : {}) }));
  const nodeRegistration = { kubeletExtraArgs, ...(taints.length ? { taints } : {}) };
  const bootstrapTemplate = new KubeadmConfigTemplate(scope, 'BootstrapTemplate', {
    metadata: { name: req.deploymentName, namespace: ns },
    spec: {
      template: {
        spec: { joinConfiguration: { nodeRegistration } },
      },
    },
  });

  const selectorLabels = { 'cluster.x-k8s.io/cluster-name': req.clusterName, 'cluster.x-k8s.io/deployment-name': req.deploymentName };
  const annotations: { [key: string]: string } = {};
  if (resolved.autoscaled) {
    annotations[AUTOSCALER_MIN_SIZE_ANNOTATION] = String(resolved.minReplicas);
    annotations[AUTOSCALER_MAX_SIZE_ANNOTATION] = String(resolved.maxReplicas);
  }
  const machineDeployment = new MachineDeployment(scope, 'MachineDeployment', {
    metadata: {
      name: req.deploymentName,
      namespace: ns,
      labels: { ...selectorLabels, 'kmetal.io/node-pool': req.poolName },
      ...(resolved.autoscaled ? { annotations } : {}),
    },
    spec: {
      clusterName: req.clusterName,
      ...(resolved.replicas !== undefined ? { replicas: resolved.replicas } : {}),
      selector: { matchLabels: selectorLabels },
      // Always set: Cluster API's default surges one machine, which bare metal may have no room for.
      // The L1 converters take int-or-string values only as their wrapper class.
      rollout: {
        strategy: {
          type: MachineDeploymentSpecRolloutStrategyType.ROLLING_UPDATE,
          rollingUpdate: {
            maxSurge: MaxSurge.fromNumber(resolved.rollout.maxSurge),
            maxUnavailable: MaxUnavailable.fromNumber(resolved.rollout.maxUnavailable),
          },
        },
      },
      template: {
        metadata: { labels: { ...selectorLabels, 'kmetal.io/node-pool': req.poolName } },
        spec: {
          clusterName: req.clusterName,
          version: req.version,
          ...(resolved.rollout.nodeDrainTimeoutSeconds !== undefined
            ? { deletion: { nodeDrainTimeoutSeconds: resolved.rollout.nodeDrainTimeoutSeconds } } : {}),
          bootstrap: { configRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: req.deploymentName } },
          infrastructureRef: { ...req.infrastructureRef },
        },
      },
    },
  });

  let machineHealthCheck: ApiObject | undefined;
  if (resolved.healthCheck) {
    machineHealthCheck = new MachineHealthCheck(scope, 'HealthCheck', {
      metadata: { name: req.deploymentName, namespace: ns },
      spec: {
        clusterName: req.clusterName,
        selector: { matchLabels: selectorLabels },
        ...healthCheckSpec(resolved.healthCheck),
        remediation: {
          triggerIf: {
            unhealthyLessThanOrEqualTo: /%$/.test(resolved.healthCheck.maxUnhealthy)
              ? MachineHealthCheckSpecRemediationTriggerIfUnhealthyLessThanOrEqualTo.fromString(resolved.healthCheck.maxUnhealthy)
              : MachineHealthCheckSpecRemediationTriggerIfUnhealthyLessThanOrEqualTo.fromNumber(Number(resolved.healthCheck.maxUnhealthy)),
          },
        },
      },
    });
  }
  return { bootstrapTemplate, machineDeployment, machineHealthCheck };
}
