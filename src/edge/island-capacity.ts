import { IConstruct } from 'constructs';
import { clusterShape, VM_MEMORY_OVERHEAD_MIB } from '../tenancy/governance/cluster-shape';
import type { TenantCluster } from '../tenancy/tenant-cluster';
import { KmetalValidationError, showValue } from '../util/errors';

/** An amount of CPU and memory. */
export interface ResourceAmount {
  /** CPU in millicores (1000 = one core). */
  readonly cpuMillicores: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
}

/**
 * The figures of an island's capacity check: what the island's own worker nodes offer and what the
 * tenant clusters placed at the site ask of them.
 */
export interface IslandCapacityOptions {
  /**
   * What one control-plane replica of a tenant takes on the island: the Kamaji pod with
   * kube-apiserver, controller-manager, scheduler and konnectivity-server.
   * @default - 1000 millicores and 2048 MiB (the per-replica figure tenant quotas use)
   */
  readonly controlPlaneReplica?: ResourceAmount;
  /**
   * What one member of a tenant's dedicated etcd takes on the island.
   * @default - 500 millicores and 1024 MiB (the per-member figure tenant quotas use)
   */
  readonly etcdMember?: ResourceAmount;
  /**
   * What every island node keeps for itself: kubelet and system reservations, and the DaemonSets
   * (CNI, kube-proxy, KubeVirt's virt-handler, MetalLB's speaker).
   * @default - 500 millicores and 1024 MiB per node
   */
  readonly nodeReserve?: ResourceAmount;
  /**
   * What the island's platform takes once: Kamaji, cert-manager, MetalLB's controller, KubeVirt's
   * and CDI's control planes, and Flux.
   * @default - 2000 millicores and 4096 MiB
   */
  readonly platformReserve?: ResourceAmount;
  /**
   * Island nodes held back (the largest ones): with one spare node the site keeps running what is
   * placed on it through the loss of a node, and has room for a rolling update's extra machine.
   * @default 1
   */
  readonly spareNodes?: number;
}

/** The outcome of an island's capacity check (see `IslandSite.capacityReport()`). */
export interface IslandCapacityReport {
  /** Worker nodes of the island counted (autoscaled pools at their minimum). */
  readonly nodes: number;
  /** Nodes held back from the capacity. */
  readonly spareNodes: number;
  /** What the island offers: the nodes but the spare ones, less node and platform reserves. */
  readonly available: ResourceAmount;
  /** Control-plane replicas of the placed tenants. */
  readonly controlPlanes: ResourceAmount;
  /** Members of the placed tenants' dedicated etcds. */
  readonly datastores: ResourceAmount;
  /** Worker VMs of the placed tenants (autoscaled pools at their maximum). */
  readonly workers: ResourceAmount;
  /** The sum of control planes, datastores and workers. */
  readonly required: ResourceAmount;
  /** True when `required` fits `available` in both CPU and memory. */
  readonly fits: boolean;
}

/** Capacity figures with defaults applied. @internal */
export interface ResolvedCapacityOptions {
  readonly controlPlaneReplica: ResourceAmount;
  readonly etcdMember: ResourceAmount;
  readonly nodeReserve: ResourceAmount;
  readonly platformReserve: ResourceAmount;
  readonly spareNodes: number;
}

/** Checks the figures and applies the defaults. @internal */
export function resolveCapacityOptions(scope: IConstruct, options: IslandCapacityOptions = {}): ResolvedCapacityOptions {
  const amount = (field: string, given: ResourceAmount | undefined, fallback: ResourceAmount): ResourceAmount => {
    const a = given ?? fallback;
    for (const key of ['cpuMillicores', 'memoryMiB'] as const) {
      if (typeof a?.[key] !== 'number' || !Number.isFinite(a[key]) || a[key] < 0) {
        throw new KmetalValidationError(scope, `capacity.${field}.${key}`, `${showValue(a?.[key])} is not an amount`, 'give a number of at least 0, e.g. { cpuMillicores: 500, memoryMiB: 1024 }');
      }
    }
    return { cpuMillicores: a.cpuMillicores, memoryMiB: a.memoryMiB };
  };
  const spareNodes = options.spareNodes ?? 1;
  if (!Number.isInteger(spareNodes) || spareNodes < 0) {
    throw new KmetalValidationError(scope, 'capacity.spareNodes', `${showValue(spareNodes)} is not a number of nodes`, 'give a whole number of at least 0 (1 tolerates the loss of one island node)');
  }
  return {
    controlPlaneReplica: amount('controlPlaneReplica', options.controlPlaneReplica, { cpuMillicores: 1000, memoryMiB: 2048 }),
    etcdMember: amount('etcdMember', options.etcdMember, { cpuMillicores: 500, memoryMiB: 1024 }),
    nodeReserve: amount('nodeReserve', options.nodeReserve, { cpuMillicores: 500, memoryMiB: 1024 }),
    platformReserve: amount('platformReserve', options.platformReserve, { cpuMillicores: 2000, memoryMiB: 4096 }),
    spareNodes,
  };
}

interface NodeGroup {
  count: number;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
}

/**
 * The capacity formula (call at synth time: pools may be added until then).
 *
 * ```
 * available = Σ over island nodes, without the `spareNodes` largest, of (node − nodeReserve) − platformReserve
 * required  = Σ over placed tenants of
 *               controlPlaneReplicas × controlPlaneReplica
 *             + etcdMembers × etcdMember
 *             + Σ over pools of VMs × (vCPUs × 1000 m, guest memory + 256 MiB virt-launcher overhead)
 * ```
 * A node is one VM of an island pool (`replicas`, or `minReplicas` when autoscaled: what is
 * guaranteed); a tenant pool counts `replicas`, or `maxReplicas` when autoscaled (what it may grow
 * to). Worker VMs count their full vCPUs, as tenant quotas do. @internal
 */
export function islandCapacity(island: TenantCluster, tenants: TenantCluster[], o: ResolvedCapacityOptions): IslandCapacityReport {
  const groups: NodeGroup[] = island.clusterClass
    ? clusterShape(island).pools.map((p) => ({ count: p.vms, cpuMillicores: p.cpuCores * 1000, memoryMiB: p.memoryGiB * 1024 }))
    : island.nodePools.map((p) => ({ count: p.replicas ?? p.minReplicas ?? 1, cpuMillicores: p.cpuCores * 1000, memoryMiB: p.memoryGiB * 1024 }));
  // Hold back the largest nodes: losing one of them is the worst single failure.
  groups.sort((a, b) => b.memoryMiB - a.memoryMiB || b.cpuMillicores - a.cpuMillicores);
  const nodes = groups.reduce((n, g) => n + g.count, 0);
  let spare = Math.min(o.spareNodes, nodes);
  let cpu = -o.platformReserve.cpuMillicores;
  let memory = -o.platformReserve.memoryMiB;
  for (const g of groups) {
    const held = Math.min(spare, g.count);
    spare -= held;
    const counted = g.count - held;
    cpu += counted * Math.max(0, g.cpuMillicores - o.nodeReserve.cpuMillicores);
    memory += counted * Math.max(0, g.memoryMiB - o.nodeReserve.memoryMiB);
  }

  const controlPlanes = { cpuMillicores: 0, memoryMiB: 0 };
  const datastores = { cpuMillicores: 0, memoryMiB: 0 };
  const workers = { cpuMillicores: 0, memoryMiB: 0 };
  for (const tenant of tenants) {
    const shape = clusterShape(tenant);
    controlPlanes.cpuMillicores += shape.controlPlaneReplicas * o.controlPlaneReplica.cpuMillicores;
    controlPlanes.memoryMiB += shape.controlPlaneReplicas * o.controlPlaneReplica.memoryMiB;
    if (shape.etcd) {
      datastores.cpuMillicores += shape.etcd.replicas * o.etcdMember.cpuMillicores;
      datastores.memoryMiB += shape.etcd.replicas * o.etcdMember.memoryMiB;
    }
    for (const p of shape.pools) {
      workers.cpuMillicores += p.vms * p.cpuCores * 1000;
      workers.memoryMiB += p.vms * (p.memoryGiB * 1024 + VM_MEMORY_OVERHEAD_MIB);
    }
  }
  const required = {
    cpuMillicores: controlPlanes.cpuMillicores + datastores.cpuMillicores + workers.cpuMillicores,
    memoryMiB: controlPlanes.memoryMiB + datastores.memoryMiB + workers.memoryMiB,
  };
  const available = { cpuMillicores: Math.max(0, cpu), memoryMiB: Math.max(0, memory) };
  return {
    nodes,
    spareNodes: Math.min(o.spareNodes, nodes),
    available,
    controlPlanes,
    datastores,
    workers,
    required,
    fits: required.cpuMillicores <= available.cpuMillicores && required.memoryMiB <= available.memoryMiB,
  };
}

/** `12.5 cores / 48.0 GiB`. */
function formatAmount(a: ResourceAmount): string {
  return `${(a.cpuMillicores / 1000).toFixed(1)} cores / ${(a.memoryMiB / 1024).toFixed(1)} GiB`;
}

/** The synth-time message of an island that is too small, with the breakdown. @internal */
export function capacityProblem(island: string, site: string, clusters: number, r: IslandCapacityReport): string {
  return `capacity: the island "${island}" of site "${site}" cannot hold what is placed on it: ${clusters} cluster(s) need ${formatAmount(r.required)} `
    + `(control planes ${formatAmount(r.controlPlanes)}, etcd ${formatAmount(r.datastores)}, worker VMs ${formatAmount(r.workers)}), `
    + `the island offers ${formatAmount(r.available)} (${r.nodes} node(s), ${r.spareNodes} kept spare, less node and platform reserves). `
    + 'Fix: add island nodes (or larger ones) to the island\'s pools, move a tenant cluster to another site, or adjust the site\'s capacity figures';
}
