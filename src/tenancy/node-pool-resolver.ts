// The one place where a node pool's options are checked and defaulted, for pools emitted as objects
// (`NodePool`) and pools of class-based clusters (`ClassNodePool`) alike: the same options get the
// same verdict, with the same field, on both paths (test/tenancy/node-pool-resolver.test.ts proves
// it on random options). What only one path can express (a class has no variable for a root disk)
// is checked by that path afterwards.
import { IConstruct } from 'constructs';
import { BareMetalNodePoolOptions, DeviceAttachment, GpuRequest, NodePoolHealthCheck, NodePoolOptions, NodePoolRollout, NodeTaint, TaintEffect } from './node-pool';
import { ResolvedPoolPlacement, resolvePoolPlacement, SpreadMode } from './placement';
import { HOST_ROLE_LABEL, TENANT_METAL_ROLE } from '../baremetal/host-claims';
import { KmetalValidationError, showValue } from '../util/errors';
import { kubeletRefusesLabel } from '../util/kubelet-labels';
import { refuseLibraryLabels } from '../util/library-labels';
import { isLabel, isLabelKey, isLabelValue, validateDnsLabel } from '../util/names';
import { checkEnum, checkKnownProps } from '../util/props';

/** Every property of `NodePoolOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const NODE_POOL_OPTIONS_KEYS: readonly string[] = [
  'name', 'replicas', 'minReplicas', 'maxReplicas', 'cpuCores', 'memoryGiB', 'gpus', 'rootDiskGiB', 'storageClassName',
  'image', 'nodeLabels', 'taints', 'network', 'healthCheck', 'workerClass', 'hostSelector', 'placement', 'rollout', 'bareMetal',
];
/** Every property of `NodePoolRollout`. */
export const NODE_POOL_ROLLOUT_KEYS: readonly string[] = ['maxSurge', 'maxUnavailable', 'nodeDrainTimeoutMinutes', 'deferUpgrade'];
/** Every property of `BareMetalNodePoolOptions`. */
export const BARE_METAL_NODE_POOL_OPTIONS_KEYS: readonly string[] = ['pool', 'hostLabels', 'image'];
/** VM sizing and placement options, which a pool of whole servers has no use for. */
const VM_ONLY_OPTIONS = ['cpuCores', 'memoryGiB', 'gpus', 'rootDiskGiB', 'storageClassName', 'network', 'hostSelector', 'placement'] as const;
/** Every property of `GpuRequest`. */
export const GPU_REQUEST_KEYS: readonly string[] = ['deviceName', 'count', 'attachment'];
/** Every property of `NodeTaint`. */
export const NODE_TAINT_KEYS: readonly string[] = ['key', 'value', 'effect'];
/** Every property of `NodePoolHealthCheck`. */
export const NODE_POOL_HEALTH_CHECK_KEYS: readonly string[] = ['enabled', 'nodeStartupTimeoutMinutes', 'unhealthyTimeoutMinutes', 'maxUnhealthy'];

// Pool names may be long when the cluster name is short: the combined check below is what binds.
const POOL_NAME_MAX = 32;
// Machines are named `<deployment>-<5>-<5>` and become VM and host names (DNS labels, 63 chars);
// Cluster API names a class-based pool's MachineDeployment `<cluster>-<pool>-<5>` the same way.
const DEPLOYMENT_NAME_MAX = 51;

/** Health checking of a pool with defaults applied. @internal */
export interface ResolvedHealthCheck {
  readonly nodeStartupTimeoutMinutes: number;
  readonly unhealthyTimeoutMinutes: number;
  /** A count (`2`) or a percentage (`40%`) of at most 100%. */
  readonly maxUnhealthy: string;
}

/** How a pool rolls, with defaults applied: what the emitted objects, KM-CAP-006 and the report read. @internal */
export interface ResolvedRollout {
  /** Machines created above the pool's size while it rolls. */
  readonly maxSurge: number;
  /** Machines that may be unavailable while it rolls. */
  readonly maxUnavailable: number;
  /** Drain timeout, when one is set. */
  readonly nodeDrainTimeoutSeconds?: number;
  /** Whether the topology controller holds the pool on its release when the cluster's version changes (class pools only). */
  readonly deferUpgrade: boolean;
}

/** A pool's options, checked, with the defaults that do not depend on the path applied. @internal */
export interface ResolvedNodePoolOptions {
  readonly name: string;
  /** `<cluster>-<pool>`, the MachineDeployment's name (a prefix of it for class-based pools). */
  readonly deploymentName: string;
  /** Whether the autoscaler owns the count (`minReplicas`/`maxReplicas` given). */
  readonly autoscaled: boolean;
  /** Workers, when not autoscaled (default 2). */
  readonly replicas?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  /** As given: the default depends on the path (2 for plain pools, the worker class's for class pools). */
  readonly cpuCores?: number;
  /** As given (see `cpuCores`). */
  readonly memoryGiB?: number;
  readonly rootDiskGiB?: number;
  /** With `count` and `attachment` defaulted. */
  readonly gpus: GpuRequest[];
  readonly nodeLabels: { [key: string]: string };
  readonly hostSelector: { [key: string]: string };
  readonly taints: NodeTaint[];
  /** Undefined when health checking is disabled. */
  readonly healthCheck?: ResolvedHealthCheck;
  /** Where the VMs run (spread, zones, live migration). */
  readonly placement: ResolvedPoolPlacement;
  /** How the pool's machines are replaced. */
  readonly rollout: ResolvedRollout;
  /** Set when the pool runs on whole servers. */
  readonly bareMetal?: ResolvedBareMetal;
}

/** A bare-metal pool's servers, checked. @internal */
export interface ResolvedBareMetal {
  readonly pool: BareMetalNodePoolOptions['pool'];
  /** The labels a server must carry besides the pool's: the user's, plus the tenant-metal role. */
  readonly hostLabels: { [key: string]: string };
  readonly image?: BareMetalNodePoolOptions['image'];
}

/** Labels the library sets on every node of a pool (pools select and report by them). */
const LIBRARY_NODE_LABELS = ['kmetal.io/node-pool', 'kmetal.io/worker-class'];

function wholeNumber(scope: IConstruct, field: string, value: unknown, min: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not a whole number of at least ${min}`, fix);
  }
  return value;
}

function labelMap(scope: IConstruct, field: string, labels: unknown, fix: string): { [key: string]: string } {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new KmetalValidationError(scope, field, `${showValue(labels)} is not a map of labels`, 'give an object of label keys to values, e.g. { "example.com/role": "gpu" }');
  }
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabel(k, v)) {
      throw new KmetalValidationError(scope, `${field}.${k}`, `${showValue(k)}=${showValue(v)} is not a valid Kubernetes label`, fix);
    }
  }
  return { ...(labels as { [key: string]: string }) };
}

function resolveHealthCheck(scope: IConstruct, hc: NodePoolHealthCheck | undefined): ResolvedHealthCheck | undefined {
  checkKnownProps(scope, 'healthCheck', hc, NODE_POOL_HEALTH_CHECK_KEYS, 'NodePoolHealthCheck');
  const options = hc ?? {};
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
    throw new KmetalValidationError(scope, 'healthCheck.enabled', `${showValue(options.enabled)} is not true or false`, 'give a boolean');
  }
  if (options.enabled === false) return undefined;
  const startup = wholeNumber(scope, 'healthCheck.nodeStartupTimeoutMinutes', options.nodeStartupTimeoutMinutes ?? 20, 1, 'give at least 1 minute (VMs need several to boot and join)');
  const unhealthy = wholeNumber(scope, 'healthCheck.unhealthyTimeoutMinutes', options.unhealthyTimeoutMinutes ?? 5, 1, 'give at least 1 minute');
  const maxUnhealthy = options.maxUnhealthy ?? '40%';
  const m = typeof maxUnhealthy === 'string' ? /^(\d+)(%?)$/.exec(maxUnhealthy) : null;
  if (!m) {
    throw new KmetalValidationError(scope, 'healthCheck.maxUnhealthy', `${showValue(maxUnhealthy)} is neither a count nor a percentage`, 'write e.g. "40%" or "2"');
  }
  // Cluster API compares the share of unhealthy machines with it: above 100% remediation could
  // never stop, which is the storm protection the setting exists for.
  if (m[2] && Number(m[1]) > 100) {
    throw new KmetalValidationError(scope, 'healthCheck.maxUnhealthy', `${showValue(maxUnhealthy)} is more than the whole pool, so remediation would never pause in a failure storm`, 'give a percentage of at most 100%, e.g. "40%", or a count of machines');
  }
  return { nodeStartupTimeoutMinutes: startup, unhealthyTimeoutMinutes: unhealthy, maxUnhealthy };
}

function resolveRollout(scope: IConstruct, rollout: NodePoolRollout | undefined): ResolvedRollout {
  checkKnownProps(scope, 'rollout', rollout, NODE_POOL_ROLLOUT_KEYS, 'NodePoolRollout');
  const r = rollout ?? {};
  const maxSurge = wholeNumber(scope, 'rollout.maxSurge', r.maxSurge ?? 0, 0, 'give a whole number of machines (0: no VM beyond the pool\'s size)');
  const maxUnavailable = wholeNumber(scope, 'rollout.maxUnavailable', r.maxUnavailable ?? 1, 0, 'give a whole number of machines');
  // Cluster API's MachineDeployment webhook refuses both at 0 ("maxUnavailable and maxSurge cannot
  // both be 0": core/webhooks/admission/machinedeployment.go, validateRolloutStrategy, cluster-api v1.14.0).
  if (maxSurge === 0 && maxUnavailable === 0) {
    throw new KmetalValidationError(scope, 'rollout.maxUnavailable', 'maxSurge and maxUnavailable are both 0, so no machine could ever be replaced (Cluster API refuses it)', 'allow one machine down (maxUnavailable: 1, the default), or a surge the VM hosts have room for (maxSurge: 1)');
  }
  const drain = r.nodeDrainTimeoutMinutes === undefined ? undefined
    : wholeNumber(scope, 'rollout.nodeDrainTimeoutMinutes', r.nodeDrainTimeoutMinutes, 1, 'give at least 1 minute, or leave it out to wait until the node is drained');
  if (r.deferUpgrade !== undefined && typeof r.deferUpgrade !== 'boolean') {
    throw new KmetalValidationError(scope, 'rollout.deferUpgrade', `${showValue(r.deferUpgrade)} is not true or false`, 'give a boolean');
  }
  return { maxSurge, maxUnavailable, ...(drain !== undefined ? { nodeDrainTimeoutSeconds: drain * 60 } : {}), deferUpgrade: r.deferUpgrade ?? false };
}

/**
 * Checks a pool's options and applies the defaults shared by every kind of pool. Errors name
 * `scope` (the pool's construct) and the option as written (`replicas`, `gpus[0].count`).
 *
 * @param clusterName the cluster's name, which machine names are derived from with the pool's
 * @internal
 */
export function resolveNodePoolOptions(scope: IConstruct, clusterName: string, options: NodePoolOptions): ResolvedNodePoolOptions {
  checkKnownProps(scope, '', options, [...NODE_POOL_OPTIONS_KEYS, 'cluster'], 'NodePoolOptions');
  const name = validateDnsLabel(scope, 'name', options.name, POOL_NAME_MAX);
  const deploymentName = `${clusterName}-${name}`;
  if (deploymentName.length > DEPLOYMENT_NAME_MAX) {
    throw new KmetalValidationError(scope, 'name', `"${deploymentName}" (cluster name + pool name) is ${deploymentName.length} characters; machine and VM names derived from it must stay within 63`, `shorten the pool or cluster name so together they fit ${DEPLOYMENT_NAME_MAX - 1} characters`);
  }

  const autoscaled = options.minReplicas !== undefined || options.maxReplicas !== undefined;
  let replicas: number | undefined;
  let minReplicas: number | undefined;
  let maxReplicas: number | undefined;
  if (autoscaled) {
    // A pool cannot scale from zero: the Cluster API autoscaler needs capacity annotations for that,
    // which the library does not write.
    minReplicas = wholeNumber(scope, 'minReplicas', options.minReplicas ?? 1, 1, 'give minReplicas of at least 1');
    maxReplicas = wholeNumber(scope, 'maxReplicas', options.maxReplicas ?? minReplicas, 1, 'give maxReplicas of at least 1');
    if (maxReplicas < minReplicas) {
      throw new KmetalValidationError(scope, 'maxReplicas', `${maxReplicas} is below minReplicas ${minReplicas}`, 'make maxReplicas at least minReplicas');
    }
    if (options.replicas !== undefined) {
      throw new KmetalValidationError(scope, 'replicas', 'replicas is set together with minReplicas/maxReplicas, but the autoscaler owns the count', 'drop replicas, or drop the autoscaler bounds');
    }
  } else {
    replicas = wholeNumber(scope, 'replicas', options.replicas ?? 2, 1, 'a pool needs at least 1 replica; remove the pool to have none');
  }
  if (options.cpuCores !== undefined) wholeNumber(scope, 'cpuCores', options.cpuCores, 1, 'give at least 1 vCPU core per VM');
  const memoryGiB: unknown = options.memoryGiB;
  if (memoryGiB !== undefined && (typeof memoryGiB !== 'number' || !Number.isFinite(memoryGiB) || memoryGiB < 1)) {
    throw new KmetalValidationError(scope, 'memoryGiB', typeof memoryGiB === 'number'
      ? `${showValue(memoryGiB)} GiB cannot run a Kubernetes node`
      : `${showValue(memoryGiB)} is not a number of GiB`, 'give a number of GiB of at least 1 (4 is the default), e.g. memoryGiB: 8');
  }
  if (options.rootDiskGiB !== undefined && (typeof options.rootDiskGiB !== 'number' || !Number.isInteger(options.rootDiskGiB) || options.rootDiskGiB < 1)) {
    throw new KmetalValidationError(scope, 'rootDiskGiB', `${showValue(options.rootDiskGiB)} is not a disk size`, 'give a whole number of GiB, e.g. 40');
  }
  if (options.gpus !== undefined && !Array.isArray(options.gpus)) {
    throw new KmetalValidationError(scope, 'gpus', `${showValue(options.gpus)} is not a list of GPU requests`, 'give a list, e.g. [{ deviceName: "nvidia.com/GA102GL_A10" }]');
  }
  const gpus = (options.gpus ?? []).map((g, i) => {
    checkKnownProps(scope, `gpus[${i}]`, g, GPU_REQUEST_KEYS, 'GpuRequest');
    if (!g || typeof g.deviceName !== 'string' || !g.deviceName.includes('/')) {
      throw new KmetalValidationError(scope, `gpus[${i}].deviceName`, `${showValue(g?.deviceName)} is not a KubeVirt device resource name`, 'name the device as KubeVirt permittedHostDevices exposes it, e.g. "nvidia.com/GA102GL_A10"');
    }
    const count = wholeNumber(scope, `gpus[${i}].count`, g.count ?? 1, 1, 'request at least 1 device');
    const attachment = checkEnum(scope, `gpus[${i}].attachment`, g.attachment ?? DeviceAttachment.GPU, DeviceAttachment, 'DeviceAttachment');
    return { deviceName: g.deviceName, count, attachment };
  });

  const nodeLabels = labelMap(scope, 'nodeLabels', options.nodeLabels, 'use a key like "example.com/role" and a value of at most 63 alphanumerics, "-", "_" or "."');
  refuseLibraryLabels(scope, 'nodeLabels', nodeLabels, LIBRARY_NODE_LABELS, 'the pool\'s nodes carry it already');
  for (const key of Object.keys(nodeLabels)) {
    if (kubeletRefusesLabel(key)) {
      throw new KmetalValidationError(scope, `nodeLabels.${key}`, `kubelet refuses to set ${showValue(key)} on its own node (labels in the kubernetes.io and k8s.io namespaces are restricted), so the VMs would never join`,
        'use your own prefix (e.g. "example.com/role"), a node.kubernetes.io/ or kubelet.kubernetes.io/ key, or set restricted labels such as node-role.kubernetes.io/* from a controller after the node joins');
    }
  }
  const hostSelector = labelMap(scope, 'hostSelector', options.hostSelector, 'use the labels of the under cluster\'s nodes, e.g. { "kmetal.io/site": "factory-a" }');

  if (options.taints !== undefined && !Array.isArray(options.taints)) {
    throw new KmetalValidationError(scope, 'taints', `${showValue(options.taints)} is not a list of taints`, 'give a list, e.g. [{ key: "gpu", effect: TaintEffect.NO_SCHEDULE }]');
  }
  const taints = (options.taints ?? []).map((t, i) => {
    checkKnownProps(scope, `taints[${i}]`, t, NODE_TAINT_KEYS, 'NodeTaint');
    if (!t || !isLabelKey(t.key) || (t.value !== undefined && !isLabelValue(t.value))) {
      throw new KmetalValidationError(scope, `taints[${i}]`, `${showValue(t)} is not a valid taint`, 'give a label-style key, an optional label-style value and an effect');
    }
    checkEnum(scope, `taints[${i}].effect`, t.effect, TaintEffect, 'taint effect');
    return t;
  });

  const bareMetal = resolveBareMetal(scope, options);
  // A pool of whole servers has one machine per server by construction: no VM placement applies.
  const placement: ResolvedPoolPlacement = bareMetal
    ? { spread: SpreadMode.NONE, liveMigration: false }
    : resolvePoolPlacement(scope, options.placement, gpus.length > 0);
  const rollout = resolveRollout(scope, options.rollout);
  // One VM per host: when every eligible host already runs one, a surge VM can never be scheduled,
  // and the rollout would stall with the old machine still running.
  if (placement.spread === SpreadMode.REQUIRED && rollout.maxSurge > 0) {
    throw new KmetalValidationError(scope, 'rollout.maxSurge', `${rollout.maxSurge} surge VM(s) with placement.spread REQUIRED (one VM per host): a surge VM finds no free host once every host runs one, and the rollout stalls`, 'leave maxSurge at 0 (machines are replaced one at a time, maxUnavailable), or use SpreadMode.PREFERRED');
  }

  return {
    bareMetal,
    name,
    deploymentName,
    autoscaled,
    replicas,
    minReplicas,
    maxReplicas,
    cpuCores: options.cpuCores,
    memoryGiB: options.memoryGiB,
    rootDiskGiB: options.rootDiskGiB,
    gpus,
    nodeLabels,
    hostSelector,
    taints,
    healthCheck: resolveHealthCheck(scope, options.healthCheck),
    placement,
    rollout,
  };
}

function resolveBareMetal(scope: IConstruct, options: NodePoolOptions): ResolvedBareMetal | undefined {
  const bm = options.bareMetal;
  if (bm === undefined) return undefined;
  checkKnownProps(scope, 'bareMetal', bm, BARE_METAL_NODE_POOL_OPTIONS_KEYS, 'BareMetalNodePoolOptions');
  const pool: any = bm?.pool;
  if (!pool || typeof pool.machineTemplate !== 'function' || typeof pool.namespace !== 'string') {
    throw new KmetalValidationError(scope, 'bareMetal.pool', `${showValue(pool)} is not a BareMetalPool`, 'give the BareMetalPool holding the servers, e.g. bareMetal: { pool: gpuServers }');
  }
  const vmOnly = VM_ONLY_OPTIONS.filter((k) => options[k] !== undefined);
  if (vmOnly.length) {
    throw new KmetalValidationError(scope, vmOnly[0], `a bare-metal pool takes whole servers, so ${vmOnly.join(', ')} (VM sizing and placement) cannot apply`, 'drop the setting, and choose servers with bareMetal.hostLabels (e.g. { "kmetal.io/gpu": "a100" })');
  }
  const hostLabels = labelMap(scope, 'bareMetal.hostLabels', bm.hostLabels, 'use the labels of the servers in the pool, e.g. { "kmetal.io/gpu": "a100" }');
  if (hostLabels['kmetal.io/pool'] !== undefined) {
    throw new KmetalValidationError(scope, 'bareMetal.hostLabels.kmetal.io/pool', 'the pool label is set from bareMetal.pool', 'drop it');
  }
  const role = hostLabels[HOST_ROLE_LABEL];
  if (role !== undefined && role !== TENANT_METAL_ROLE) {
    throw new KmetalValidationError(scope, `bareMetal.hostLabels.${HOST_ROLE_LABEL}`, `${showValue(role)}: tenant pools take only servers labelled ${HOST_ROLE_LABEL}=${TENANT_METAL_ROLE} (the under cluster's own control-plane and VM hosts are never handed to a tenant)`, `label the servers for tenant use with ${HOST_ROLE_LABEL}: "${TENANT_METAL_ROLE}", and drop ${HOST_ROLE_LABEL} from hostLabels`);
  }
  return { pool, hostLabels: { ...hostLabels, [HOST_ROLE_LABEL]: TENANT_METAL_ROLE }, image: bm.image };
}
