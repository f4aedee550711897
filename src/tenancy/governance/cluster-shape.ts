// What a tenant cluster occupies on the under cluster, read from the cluster as declared (pools,
// control plane, datastore), for quotas and boundaries. Internal.
import type { ClassNodePool } from '../class-node-pool';
import { ClusterInfrastructure } from '../cluster-infrastructure';
import { DedicatedEtcdDataStore } from '../datastore';
import type { TenantCluster } from '../tenant-cluster';
import { parseQuantity } from './quantities';
import { renderOnce } from '../../util/render-session';

/** The size of the things a tenant's namespace holds besides worker VMs, per replica. */
export const CONTROL_PLANE_CPU_MILLI = 1000;
export const CONTROL_PLANE_MEMORY_MIB = 2048;
export const ETCD_CPU_MILLI = 500;
export const ETCD_MEMORY_MIB = 1024;
/** virt-launcher's own memory on top of the guest's (KubeVirt computes it per VM; this bounds it for common sizes). */
export const VM_MEMORY_OVERHEAD_MIB = 256;

/** One worker pool as it lands on the under cluster. */
export interface PoolShape {
  readonly name: string;
  /** Most VMs the pool runs: `replicas`, or `maxReplicas` when the autoscaler owns the count. */
  readonly vms: number;
  readonly cpuCores: number;
  readonly memoryGiB: number;
  /** Devices per VM, by resource name. */
  readonly gpus: Array<{ deviceName: string; count: number }>;
  /** Persistent root disk per VM in GiB (0 for an ephemeral containerDisk). */
  readonly diskGiB: number;
  readonly storageClassName?: string;
  readonly imageRef?: string;
  /** VMs the pool creates beyond `vms` while it rolls (its resolved `rollout.maxSurge`). */
  readonly surgeVms: number;
  /** Host labels the VMs are pinned to (`NodePoolOptions.hostSelector`), when they are. */
  readonly hostSelector?: { [key: string]: string };
}

/** A tenant cluster as it lands on the under cluster. */
export interface ClusterShape {
  readonly cluster: TenantCluster;
  readonly pools: PoolShape[];
  readonly controlPlaneReplicas: number;
  /** The dedicated etcd, when the cluster has one. */
  readonly etcd?: { readonly replicas: number; readonly storageGiB: number; readonly storageClassName?: string };
}

/** What a set of clusters needs from the under cluster. */
export interface ResourceDemand {
  cpuMilli: number;
  memoryMiB: number;
  storageGiB: number;
  virtualMachines: number;
  gpus: Map<string, number>;
}

/** Reads the shape of a cluster (call at synth time: it reads objects that are produced lazily). */
export function clusterShape(cluster: TenantCluster): ClusterShape {
  return {
    cluster,
    // Pools of whole servers run no VMs on the under cluster: they take no VM quota or VM capacity
    // (their servers are counted by HostClaims).
    pools: cluster.infrastructure === ClusterInfrastructure.METAL3 ? [] : cluster.clusterClass ? classPools(cluster) : objectPools(cluster),
    controlPlaneReplicas: cluster.controlPlaneReplicas,
    etcd: etcdShape(cluster),
  };
}

/**
 * The quota formula. For every cluster:
 * - per pool, with n = most VMs (+ the pool's surge, at least 1, when `surge`: a pool with
 *   `rollout.maxSurge` s creates s machines before it deletes old ones; with the default 0 the new
 *   VM's pod may still start while the old one's drains, so one VM stays allowed): n × vCPUs, n × (guest memory + 256 MiB
 *   virt-launcher overhead), n × persistent root disk, n × devices per VM, n VMs;
 * - per API server replica (+1 when `surge`): 1 CPU and 2 GiB (kube-apiserver, controller-manager,
 *   scheduler and konnectivity-server containers of the Kamaji control-plane pod);
 * - per dedicated etcd member: 0.5 CPU, 1 GiB and its volume.
 */
export function demandOf(shapes: ClusterShape[], surge: boolean): ResourceDemand {
  const d: ResourceDemand = { cpuMilli: 0, memoryMiB: 0, storageGiB: 0, virtualMachines: 0, gpus: new Map() };
  const extra = surge ? 1 : 0;
  for (const s of shapes) {
    for (const p of s.pools) {
      const n = p.vms + (surge ? Math.max(1, p.surgeVms) : 0);
      d.cpuMilli += n * p.cpuCores * 1000;
      d.memoryMiB += n * (p.memoryGiB * 1024 + VM_MEMORY_OVERHEAD_MIB);
      d.storageGiB += n * p.diskGiB;
      d.virtualMachines += n;
      for (const g of p.gpus) d.gpus.set(g.deviceName, (d.gpus.get(g.deviceName) ?? 0) + n * g.count);
    }
    const cp = s.controlPlaneReplicas + extra;
    d.cpuMilli += cp * CONTROL_PLANE_CPU_MILLI;
    d.memoryMiB += cp * CONTROL_PLANE_MEMORY_MIB;
    if (s.etcd) {
      d.cpuMilli += s.etcd.replicas * ETCD_CPU_MILLI;
      d.memoryMiB += s.etcd.replicas * ETCD_MEMORY_MIB;
      d.storageGiB += s.etcd.replicas * s.etcd.storageGiB;
    }
  }
  return d;
}

function objectPools(cluster: TenantCluster): PoolShape[] {
  return cluster.nodePools.map((pool) => {
    // The machine template holds the final VM spec, including a DataVolume size the image may
    // have defaulted; reading it keeps the quota in step with what KubeVirt is asked for.
    const vm = renderOnce(pool.machineTemplate)?.spec?.template?.spec?.virtualMachineTemplate?.spec ?? {};
    let diskGiB = 0;
    let storageClassName: string | undefined;
    for (const dv of vm.dataVolumeTemplates ?? []) {
      const bytes = parseQuantity(dv?.spec?.storage?.resources?.requests?.storage ?? '0') ?? 0;
      diskGiB += bytes / 2 ** 30;
      storageClassName = dv?.spec?.storage?.storageClassName ?? storageClassName;
    }
    return {
      name: pool.poolName,
      vms: pool.replicas ?? pool.maxReplicas ?? pool.minReplicas ?? 1,
      cpuCores: pool.cpuCores,
      memoryGiB: pool.memoryGiB,
      gpus: pool.gpus.map((g) => ({ deviceName: g.deviceName, count: g.count ?? 1 })),
      diskGiB,
      storageClassName,
      imageRef: pool.image.imageRef,
      surgeVms: Math.min(pool.rollout.maxSurge ?? 0, pool.replicas ?? pool.maxReplicas ?? 1),
      ...(Object.keys(pool.hostSelector).length ? { hostSelector: { ...pool.hostSelector } } : {}),
    };
  });
}

function classPools(cluster: TenantCluster): PoolShape[] {
  // Sizes of class-based pools: a pool's override, else the cluster's variable, else the pool's
  // worker class (its machine template, which the class patches only when a variable is set).
  const topology = renderOnce(cluster.cluster)?.spec?.topology ?? {};
  const clusterVars = new Map<string, any>((topology.variables ?? []).map((v: any) => [v.name, v.value]));
  const deployments = new Map<string, any>((topology.workers?.machineDeployments ?? []).map((md: any) => [md.name, md]));
  return (cluster.pools as ClassNodePool[]).map((pool) => {
    const p = pool._options;
    const md = deployments.get(p.name) ?? {};
    const overrides = new Map<string, any>((md.variables?.overrides ?? []).map((o: any) => [o.name, o.value]));
    const variable = (name: string, fallback: number): number => Number(overrides.get(name) ?? clusterVars.get(name) ?? fallback);
    return {
      name: p.name,
      // The most VMs the pool may run: its count, or the autoscaler's upper bound (the resolver's).
      vms: pool._resolved.maxReplicas ?? pool._resolved.replicas!,
      cpuCores: variable('workerCpuCores', pool.vmCpuCores),
      memoryGiB: variable('workerMemoryGiB', pool.vmMemoryGiB),
      gpus: (p.gpus ?? []).map((g) => ({ deviceName: g.deviceName, count: g.count ?? 1 })),
      diskGiB: 0,
      imageRef: (p.image ?? cluster.defaultImage)?.imageRef,
      // Cluster API creates at most the desired count beyond it (src/policy/private/rollout-surge.ts).
      surgeVms: Math.min(pool._resolved.rollout.maxSurge, pool._resolved.maxReplicas ?? pool._resolved.replicas!),
    };
  });
}

function etcdShape(cluster: TenantCluster): ClusterShape['etcd'] {
  if (!(cluster.dataStore instanceof DedicatedEtcdDataStore)) return undefined;
  // The chart values are the single source of the etcd's size (and reflect escape-hatch patches).
  const values = renderOnce(cluster.dataStore.helmRelease)?.spec?.values ?? {};
  const pvc = values.persistentVolumeClaim ?? {};
  return {
    replicas: Number(values.replicas ?? 3),
    storageGiB: (parseQuantity(pvc.size ?? '8Gi') ?? 8 * 2 ** 30) / 2 ** 30,
    storageClassName: pvc.storageClassName || undefined,
  };
}
