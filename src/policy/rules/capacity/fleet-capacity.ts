// Demand (every tenant's worker VMs, from the synthesized objects) and supply (the VM hosts),
// computed once per policy run and shared by the capacity rules. Internal.
import type { BareMetalHost } from '../../../baremetal/bare-metal-host';
import { HOST_ROLE_LABEL, HostClaims, TENANT_METAL_ROLE } from '../../../baremetal/host-claims';
import { AUTOSCALER_MAX_SIZE_ANNOTATION } from '../../../tenancy/cluster-api-annotations';
import { parseQuantity } from '../../../tenancy/governance/quantities';
import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { surgeMachines, topologyStrategy } from '../../private/rollout-surge';
import { asCount, get } from '../helpers';
import { CapacityPolicyOptions } from './capacity-options';
import { KmetalValidationError } from '../../../util/errors';
import { labelSetKey } from '../../../util/label-set';

/** virt-launcher's memory on top of each guest (as TenantGovernance counts it). */
export const VM_OVERHEAD_GIB = 0.25;
const AUTOSCALER_MAX = AUTOSCALER_MAX_SIZE_ANNOTATION;
/** Hosts labelled so run the hosted control planes, not VMs (unless `vmHostLabels` says otherwise). */
const CONTROL_PLANE_ROLE = ['kmetal.io/role', 'control-plane'];

export interface PoolDemand {
  readonly owner: SynthesizedObject;
  readonly cluster: string;
  readonly vms: number;
  readonly cpuCores: number;
  readonly memoryGiB: number;
  readonly gpus: Map<string, number>;
  /** Node labels the VMs are pinned to (`nodeSelector`), when they are. */
  readonly hostSelector?: { [key: string]: string };
  /** VMs created above `vms` while the pool rolls (its rollout strategy's `maxSurge`). */
  readonly surgeVms: number;
}

/** What one host offers a single VM: vCPUs and memory after the reserve (with the overcommit), its GPUs by model. */
export interface HostOffer {
  readonly host: string;
  /** vCPUs. */
  readonly cpuCores: number;
  readonly memoryGiB: number;
  readonly gpus: Map<string, number>;
}

/** Pools pinned to the same node labels, and the hosts that carry them. */
export interface PinnedGroup {
  readonly hostSelector: { [key: string]: string };
  readonly pools: PoolDemand[];
  readonly demandCpu: number;
  readonly demandMemoryGiB: number;
  readonly hostCount: number;
  readonly supplyCpu: number;
  readonly supplyMemoryGiB: number;
  /** The hosts carrying the labels. */
  readonly hosts: HostOffer[];
}

export interface FleetCapacity {
  readonly pools: PoolDemand[];
  /** The hosts that run VMs, as one VM sees each. */
  readonly vmHosts: HostOffer[];
  readonly demandCpu: number;
  readonly demandMemoryGiB: number;
  readonly demandGpus: Map<string, number>;
  readonly hostCount: number;
  readonly supplyCpu: number;
  readonly supplyMemoryGiB: number;
  readonly physicalCores: number;
  readonly physicalMemoryGiB: number;
  readonly supplyGpus: Map<string, number>;
  /** Pools with a `nodeSelector`, grouped by it, each with the hosts (of all hosts) carrying its labels. */
  readonly pinned: PinnedGroup[];
  readonly options: Required<Omit<CapacityPolicyOptions, 'vmHostLabels' | 'controlPlaneHostLabels' | 'gpuModels' | 'allowGpuQuotaOverbooking'>>;
  /** Host GPU model a device means (undefined: none). */
  modelOf(deviceName: string): string | undefined;
}

const CACHE = new WeakMap<PolicyContext, Map<string, FleetCapacity>>();

export function fleetCapacity(context: PolicyContext, options: CapacityPolicyOptions): FleetCapacity {
  const key = JSON.stringify({ ...options, allowGpuQuotaOverbooking: undefined });
  let perContext = CACHE.get(context);
  if (!perContext) {
    perContext = new Map();
    CACHE.set(context, perContext);
  }
  const hit = perContext.get(key);
  if (hit) return hit;
  const result = compute(context, options);
  perContext.set(key, result);
  return result;
}

function addGpu(map: Map<string, number>, device: unknown, n: number): void {
  if (typeof device !== 'string' || n <= 0) return;
  map.set(device, (map.get(device) ?? 0) + n);
}

function vmShape(vm: any): { cpuCores: number; memoryGiB: number; gpus: Map<string, number> } {
  const domain = vm?.template?.spec?.domain ?? {};
  const cpu = domain.cpu ?? {};
  const cpuCores = (asCount(cpu.cores) ?? 1) * (asCount(cpu.sockets) ?? 1) * (asCount(cpu.threads) ?? 1);
  const memText = domain.memory?.guest ?? domain.resources?.requests?.memory ?? '0';
  const memoryGiB = (parseQuantity(memText) ?? 0) / 2 ** 30;
  const gpus = new Map<string, number>();
  for (const d of [...(domain.devices?.gpus ?? []), ...(domain.devices?.hostDevices ?? [])]) addGpu(gpus, d?.deviceName, 1);
  return { cpuCores, memoryGiB, gpus };
}

/**
 * The capacity options with their defaults, checked (called by the pack's constructor, so that a
 * bad option is refused where it is written, not when a rule runs).
 */
export function resolveCapacityOptions(options: CapacityPolicyOptions = {}) {
  const o = {
    cpuOvercommitRatio: options.cpuOvercommitRatio ?? 4,
    memoryOvercommitRatio: options.memoryOvercommitRatio ?? 1,
    reservedCpuCoresPerHost: options.reservedCpuCoresPerHost ?? 2,
    reservedMemoryGiBPerHost: options.reservedMemoryGiBPerHost ?? 8,
  };
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k.endsWith('Ratio') && v === 0)) {
      throw new KmetalValidationError('PlatformPolicyPack', `capacity.${k}`, `${JSON.stringify(v)} is not a usable number`, k.endsWith('Ratio') ? 'give a positive ratio, e.g. 4' : 'give a non-negative number');
    }
  }
  return o;
}

function compute(context: PolicyContext, options: CapacityPolicyOptions): FleetCapacity {
  const o = resolveCapacityOptions(options);
  const pools: PoolDemand[] = [];

  // Pools emitted as objects: MachineDeployment → its KubevirtMachineTemplate.
  for (const md of context.objectsOfKind('MachineDeployment', 'cluster.x-k8s.io')) {
    const ref = get(md.json, 'spec.template.spec.infrastructureRef');
    if (ref?.kind !== 'KubevirtMachineTemplate') continue;
    const tmpl = context.findObject('infrastructure.cluster.x-k8s.io', 'KubevirtMachineTemplate', String(ref.name), md.namespace);
    if (!tmpl) continue;
    // The VMs of a cluster whose KubevirtCluster names another infra cluster (a tenant at an edge
    // site) run there: the site checks its island's capacity.
    if (runsElsewhere(context, md.namespace, get(md.json, 'spec.clusterName'))) continue;
    const vms = asCount(md.annotations[AUTOSCALER_MAX]) ?? asCount(get(md.json, 'spec.replicas')) ?? 1;
    const vmSpec = get(tmpl.json, 'spec.template.spec.virtualMachineTemplate.spec');
    const shape = vmShape(vmSpec);
    const nodeSelector = vmSpec?.template?.spec?.nodeSelector;
    const hostSelector = nodeSelector && typeof nodeSelector === 'object' && Object.keys(nodeSelector).length ? nodeSelector : undefined;
    const surgeVms = surgeMachines(get(md.json, 'spec.rollout.strategy'), asCount(get(md.json, 'spec.replicas')) ?? vms);
    pools.push({ owner: md, cluster: `${md.namespace}/${get(md.json, 'spec.clusterName') ?? md.name}`, vms, ...shape, ...(hostSelector ? { hostSelector } : {}), surgeVms });
  }

  // Pools of class-based clusters: sizes are class variables (pool override, cluster value, class default).
  for (const cl of context.objectsOfKind('Cluster', 'cluster.x-k8s.io')) {
    const topology = get(cl.json, 'spec.topology');
    if (!topology?.workers?.machineDeployments) continue;
    const classRef = topology.classRef ?? {};
    const cc = context.findObject('cluster.x-k8s.io', 'ClusterClass', String(classRef.name ?? topology.class ?? ''), classRef.namespace ?? cl.namespace);
    const classDefaults = new Map<string, any>();
    for (const v of get(cc?.json, 'spec.variables') ?? []) {
      const schema = v?.schema?.openAPIV3Schema ?? v?.schema?.openApiv3Schema;
      if (schema?.default !== undefined) classDefaults.set(v.name, schema.default);
    }
    // Without a variable, a worker VM is what its worker class's machine template says (Cluster API
    // copies the template; the class's patches change it only where a variable is set).
    // Read once per worker class of the class, not per size field and MachineDeployment.
    const shapes = new Map<unknown, ReturnType<typeof vmShape> | undefined>();
    const templateShape = (workerClass: unknown) => {
      if (shapes.has(workerClass)) return shapes.get(workerClass);
      const entry = (get(cc?.json, 'spec.workers.machineDeployments') ?? []).find((w: any) => w?.class === workerClass);
      const ref = entry?.infrastructure?.templateRef;
      const tmpl = ref?.kind === 'KubevirtMachineTemplate' ? context.findObject('infrastructure.cluster.x-k8s.io', 'KubevirtMachineTemplate', String(ref.name), cc?.namespace) : undefined;
      const shape = tmpl ? vmShape(get(tmpl.json, 'spec.template.spec.virtualMachineTemplate.spec')) : undefined;
      shapes.set(workerClass, shape);
      return shape;
    };
    // A class of whole servers (Metal3 templates) runs no VMs: its servers are HostClaims'.
    if (get(cc?.json, 'spec.infrastructure.templateRef.kind') === 'Metal3ClusterTemplate') continue;
    const clusterVars = new Map<string, any>((topology.variables ?? []).map((v: any) => [v?.name, v?.value]));
    // Placed at an edge site (the class patches the island in as infra cluster): the site checks it.
    if (clusterVars.get('siteInfraClusterSecret') !== undefined) continue;
    for (const md of topology.workers.machineDeployments) {
      const overrides = new Map<string, any>((md?.variables?.overrides ?? []).map((v: any) => [v?.name, v?.value]));
      const variable = (name: string) => overrides.get(name) ?? clusterVars.get(name) ?? classDefaults.get(name);
      const autoscaled = asCount(md?.metadata?.annotations?.[AUTOSCALER_MAX]);
      const gpus = new Map<string, number>();
      addGpu(gpus, variable('workerGpuDeviceName'), asCount(variable('workerGpuCount')) ?? 0);
      const vms = autoscaled ?? asCount(md?.replicas) ?? 1;
      pools.push({
        owner: cl,
        cluster: `${cl.namespace}/${cl.name}`,
        vms,
        surgeVms: surgeMachines(topologyStrategy(md, cc?.json), asCount(md?.replicas) ?? vms),
        cpuCores: asCount(variable('workerCpuCores')) ?? templateShape(md?.class)?.cpuCores ?? 2,
        memoryGiB: asCount(variable('workerMemoryGiB')) ?? templateShape(md?.class)?.memoryGiB ?? 4,
        gpus,
      });
    }
  }

  let demandCpu = 0;
  let demandMemoryGiB = 0;
  const demandGpus = new Map<string, number>();
  for (const p of pools) {
    demandCpu += p.vms * p.cpuCores;
    demandMemoryGiB += p.vms * (p.memoryGiB + VM_OVERHEAD_GIB);
    for (const [d, n] of p.gpus) addGpu(demandGpus, d, n * p.vms);
  }

  const hosts = vmHostsOf(context, options);
  let physicalCores = 0;
  let physicalMemoryGiB = 0;
  let supplyCpu = 0;
  let supplyMemoryGiB = 0;
  const supplyGpus = new Map<string, number>();
  for (const h of hosts) {
    physicalCores += h.capacity.cpuCores;
    physicalMemoryGiB += h.capacity.memoryGiB;
    supplyCpu += vmCpuOf(h, o);
    supplyMemoryGiB += vmMemoryGiBOf(h, o);
    for (const g of h.capacity.gpus ?? []) addGpu(supplyGpus, g.model, g.count ?? 1);
  }

  // Pinned pools must also fit the hosts their labels select (whatever vmHostLabels says: the
  // scheduler follows the nodeSelector). One pass over the hosts per distinct selector.
  const groups = new Map<string, PoolDemand[]>();
  for (const p of pools) {
    if (!p.hostSelector) continue;
    const key = labelSetKey(p.hostSelector);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const pinned: PinnedGroup[] = [...groups.values()].map((members) => {
    const selector = members[0].hostSelector!;
    const matching = context.bareMetalHosts.filter((h) => Object.entries(selector).every(([k, v]) => h.labels[k] === v));
    return {
      hostSelector: selector,
      pools: members,
      demandCpu: members.reduce((n, p) => n + p.vms * p.cpuCores, 0),
      demandMemoryGiB: members.reduce((n, p) => n + p.vms * (p.memoryGiB + VM_OVERHEAD_GIB), 0),
      hostCount: matching.length,
      supplyCpu: matching.reduce((n, h) => n + vmCpuOf(h, o), 0),
      supplyMemoryGiB: matching.reduce((n, h) => n + vmMemoryGiBOf(h, o), 0),
      hosts: matching.map((h) => offerOf(h, o)),
    };
  });

  const explicit = options.gpuModels ?? {};
  const models = [...supplyGpus.keys()];
  const modelOf = (device: string): string | undefined => {
    if (explicit[device] !== undefined) return explicit[device];
    const short = device.includes('/') ? device.slice(device.indexOf('/') + 1) : device;
    return models.find((m) => m.toLowerCase() === device.toLowerCase() || m.toLowerCase() === short.toLowerCase());
  };
  return {
    pools,
    vmHosts: hosts.map((h) => offerOf(h, o)),
    demandCpu,
    demandMemoryGiB,
    demandGpus,
    hostCount: hosts.length,
    supplyCpu,
    supplyMemoryGiB,
    physicalCores,
    physicalMemoryGiB,
    supplyGpus,
    pinned,
    modelOf,
    options: o,
  };
}

/**
 * The hosts that run worker VMs (`vmHostLabels`, by default every host but the control-plane
 * hosts); with `hostSelector`, the hosts carrying those labels instead (the scheduler follows a
 * pool's nodeSelector whatever `vmHostLabels` says).
 */
export function vmHostsOf(context: PolicyContext, options: CapacityPolicyOptions, hostSelector?: { [key: string]: string }): BareMetalHost[] {
  if (hostSelector && Object.keys(hostSelector).length) {
    return context.bareMetalHosts.filter((h) => Object.entries(hostSelector).every(([k, v]) => h.labels[k] === v));
  }
  const wanted = Object.entries(options.vmHostLabels ?? {});
  // Servers labelled for tenant bare-metal use, and any a tenant pool's selector matches
  // (HostClaims, the model the pools' own check reads), run no VMs.
  const claimed = new Set<BareMetalHost>(context.bareMetalHosts.length ? HostClaims.of(context.bareMetalHosts[0]).claimedHosts : []);
  return context.bareMetalHosts.filter((h) => !claimed.has(h) && h.labels[HOST_ROLE_LABEL] !== TENANT_METAL_ROLE && (options.vmHostLabels
    ? wanted.every(([k, v]) => h.labels[k] === v)
    : h.labels[CONTROL_PLANE_ROLE[0]] !== CONTROL_PLANE_ROLE[1]));
}

/** The shared control-plane hosts (`controlPlaneHostLabels`, by default `kmetal.io/role=control-plane`). */
export function controlPlaneHostsOf(context: PolicyContext, options: CapacityPolicyOptions): BareMetalHost[] {
  const wanted = Object.entries(options.controlPlaneHostLabels ?? { [CONTROL_PLANE_ROLE[0]]: CONTROL_PLANE_ROLE[1] });
  return context.bareMetalHosts.filter((h) => wanted.every(([k, v]) => h.labels[k] === v));
}

type HostCapacity = { readonly capacity: { readonly cpuCores: number; readonly memoryGiB: number } };
type ResolvedCapacity = ReturnType<typeof resolveCapacityOptions>;

/**
 * What a host offers one VM, in the capacity model's terms: vCPUs (cores less the reserve, times the
 * overcommit), memory (less the reserve), and its GPUs, which pass through to one VM each.
 */
function offerOf(h: BareMetalHost, o: ResolvedCapacity): HostOffer {
  const gpus = new Map<string, number>();
  for (const g of h.capacity.gpus ?? []) addGpu(gpus, g.model, g.count ?? 1);
  return { host: h.hostName, cpuCores: vmCpuOf(h, o), memoryGiB: vmMemoryGiBOf(h, o), gpus };
}

/** vCPUs a host offers to VMs: its cores less the reserve, times the CPU overcommit. */
function vmCpuOf(h: HostCapacity, o: ResolvedCapacity): number {
  return Math.max(0, h.capacity.cpuCores - o.reservedCpuCoresPerHost) * o.cpuOvercommitRatio;
}

/** Memory a host offers to VMs: its memory less the reserve, times the memory overcommit. */
function vmMemoryGiBOf(h: HostCapacity, o: ResolvedCapacity): number {
  return Math.max(0, h.capacity.memoryGiB - o.reservedMemoryGiBPerHost) * o.memoryOvercommitRatio;
}

/** Whether the cluster's KubevirtCluster runs its VMs on another cluster (`infraClusterSecretRef`). */
function runsElsewhere(context: PolicyContext, namespace: string | undefined, clusterName: unknown): boolean {
  if (typeof clusterName !== 'string') return false;
  const cluster = context.findObject('cluster.x-k8s.io', 'Cluster', clusterName, namespace);
  const infra = get(cluster?.json, 'spec.infrastructureRef');
  if (infra?.kind !== 'KubevirtCluster') return false;
  const kubevirtCluster = context.findObject('infrastructure.cluster.x-k8s.io', 'KubevirtCluster', String(infra.name), namespace);
  return get(kubevirtCluster?.json, 'spec.infraClusterSecretRef') !== undefined;
}

/** The biggest consumers of a resource, for messages. */
export function topConsumers(pools: PoolDemand[], amount: (p: PoolDemand) => number, unit: string, max = 3): string {
  const byCluster = new Map<string, number>();
  for (const p of pools) byCluster.set(p.cluster, (byCluster.get(p.cluster) ?? 0) + amount(p));
  const top = [...byCluster.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max);
  return top.map(([c, n]) => `${c} ${round(n)} ${unit}`).join(', ');
}

export function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
