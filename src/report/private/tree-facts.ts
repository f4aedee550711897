// The constructs the fleet report reads, found by one walk of the app's construct tree, and the
// per-tenant figures derived from each TenantCluster (never from the written YAML).
import { IConstruct } from 'constructs';
import { BareMetalPool } from '../../baremetal/bare-metal-pool';
import { ControlPlaneVipPool } from '../../network/control-plane-vip-pool';
import { TenantVpc } from '../../network/tenant-vpc';
import { DedicatedEtcdDataStore } from '../../tenancy/datastore';
import { clusterShape, CONTROL_PLANE_CPU_MILLI, CONTROL_PLANE_MEMORY_MIB, ETCD_CPU_MILLI, ETCD_MEMORY_MIB } from '../../tenancy/governance/cluster-shape';
import { parseQuantity } from '../../tenancy/governance/quantities';
import { SpreadMode } from '../../tenancy/placement';
import { TenantCluster } from '../../tenancy/tenant-cluster';
import { TenantGovernance } from '../../tenancy/tenant-governance';
import type {
  FleetReportControlPlane, FleetReportDataStore, FleetReportDeviceCount, FleetReportMachineSize, FleetReportNodePool,
  FleetReportQuota, FleetReportTenant, FleetReportVpc,
} from '../fleet-report-data';

/** Everything of interest in the app, in tree order. */
export interface TreeFacts {
  readonly clusters: TenantCluster[];
  readonly governances: TenantGovernance[];
  readonly vpcs: TenantVpc[];
  readonly bareMetalPools: BareMetalPool[];
  readonly vipPools: ControlPlaneVipPool[];
}

/** One iterative pre-order walk of the app (deep trees cannot overflow the stack). */
export function walkTree(root: IConstruct): TreeFacts {
  const facts: TreeFacts = { clusters: [], governances: [], vpcs: [], bareMetalPools: [], vipPools: [] };
  const stack: IConstruct[] = [root];
  while (stack.length) {
    const c = stack.pop()!;
    if (c instanceof TenantCluster) facts.clusters.push(c);
    else if (c instanceof TenantGovernance) facts.governances.push(c);
    else if (c instanceof TenantVpc) facts.vpcs.push(c);
    else if (c instanceof BareMetalPool) facts.bareMetalPools.push(c);
    else if (c instanceof ControlPlaneVipPool) facts.vipPools.push(c);
    const children = c.node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return facts;
}

export function round2(n: number): number {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? 0 : r;
}

export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function addCount(map: Map<string, number>, name: string, n: number): void {
  if (n === 0) return;
  map.set(name, (map.get(name) ?? 0) + n);
}

export function counts(map: Map<string, number>): FleetReportDeviceCount[] {
  return [...map.keys()].sort(byText).map((name) => ({ name, count: round2(map.get(name)!) }));
}

/** The hosted footprint model (the same sizes TenantGovernance derives quotas from). */
export const FOOTPRINT = {
  controlPlaneCpuCores: CONTROL_PLANE_CPU_MILLI / 1000,
  controlPlaneMemoryGiB: CONTROL_PLANE_MEMORY_MIB / 1024,
  etcdCpuCores: ETCD_CPU_MILLI / 1000,
  etcdMemoryGiB: ETCD_MEMORY_MIB / 1024,
};

/** Key of a VIP allocation (tenant name and address). */
export function vipKey(tenantName: string, address: string): string {
  return `${tenantName}\u0000${address}`;
}

/** A tenant with the facts the fleet figures need besides the report row. */
export interface TenantFacts {
  readonly cluster: TenantCluster;
  readonly row: FleetReportTenant;
  /** Worker devices by resource name. */
  readonly gpus: Map<string, number>;
}

function apiServerResources(cluster: TenantCluster): any {
  const spec = cluster.controlPlane
    ? cluster.controlPlane.toJson()?.spec
    : cluster.clusterClass?.controlPlaneTemplate.toJson()?.spec?.template?.spec;
  return spec?.apiServer?.resources ?? {};
}

function classWorkerSize(cluster: TenantCluster): FleetReportMachineSize | undefined {
  const cc = cluster.clusterClass;
  return cc ? { ...cc.workerClassSize(cc.workerClassNames[0]) } : undefined;
}

function quotaOf(g: TenantGovernance, cluster: TenantCluster): FleetReportQuota {
  const spec = g.tenant.toJson()?.spec ?? {};
  const hard: { [k: string]: string } = {};
  for (const item of spec.resourceQuotas?.items ?? []) Object.assign(hard, item?.hard ?? {});
  const num = (key: string, unit = 1): number | undefined => {
    const v = hard[key];
    const q = v === undefined ? undefined : parseQuantity(v);
    return q === undefined ? undefined : round2(q / unit);
  };
  const gpus = new Map<string, number>();
  for (const [k, v] of Object.entries(hard)) {
    if (!k.startsWith('requests.') || !k.slice('requests.'.length).includes('/')) continue;
    addCount(gpus, k.slice('requests.'.length), parseQuantity(v) ?? 0);
  }
  const sorted: { [k: string]: string } = {};
  for (const k of Object.keys(hard).sort(byText)) sorted[k] = String(hard[k]);
  return {
    tenantName: g.tenantName,
    hard: sorted,
    cpuCores: num('requests.cpu'),
    memoryGiB: num('requests.memory', 2 ** 30),
    storageGiB: num('requests.storage', 2 ** 30),
    virtualMachines: num('count/virtualmachines.kubevirt.io'),
    gpus: counts(gpus),
    namespaceQuota: typeof spec.namespaceOptions?.quota === 'number' ? spec.namespaceOptions.quota : undefined,
    sharedWith: g.clusters.filter((c) => c !== cluster).map((c) => c.clusterName).sort(byText),
  };
}

/** The report row of one tenant cluster (call at synth time: it reads lazily produced objects). */
export function tenantFacts(cluster: TenantCluster, facts: TreeFacts, vipPoolOf: Map<string, string>,
  dedicatedMachine: FleetReportMachineSize | undefined): TenantFacts {
  const shape = clusterShape(cluster);
  const options = new Map(cluster.nodePoolOptions.map((p) => [p.name, p]));
  const placements = new Map(cluster.pools.map((p) => [p.poolName, p.placement]));
  const gpus = new Map<string, number>();
  const pools: FleetReportNodePool[] = shape.pools.map((p) => {
    const o = options.get(p.name);
    const autoscaled = o?.minReplicas !== undefined || o?.maxReplicas !== undefined;
    const perVm = new Map<string, number>();
    for (const g of p.gpus) addCount(perVm, g.deviceName, g.count);
    const total = new Map<string, number>();
    for (const [d, n] of perVm) {
      addCount(total, d, n * p.vms);
      addCount(gpus, d, n * p.vms);
    }
    return {
      name: p.name,
      vms: p.vms,
      autoscaled,
      ...(autoscaled ? { minReplicas: o?.minReplicas ?? 1, maxReplicas: p.vms } : {}),
      cpuCoresPerVm: p.cpuCores,
      memoryGiBPerVm: p.memoryGiB,
      gpusPerVm: counts(perVm),
      cpuCores: p.vms * p.cpuCores,
      memoryGiB: round2(p.vms * p.memoryGiB),
      gpus: counts(total),
      spread: placements.get(p.name)?.spread ?? SpreadMode.PREFERRED,
      liveMigration: placements.get(p.name)?.liveMigration ?? false,
      maxSurge: p.surgeVms,
      ...(p.hostSelector ? { hostLabels: p.hostSelector } : {}),
    };
  });

  const res = apiServerResources(cluster);
  const controlPlane: FleetReportControlPlane = {
    spread: cluster.controlPlaneSpread,
    replicas: shape.controlPlaneReplicas,
    konnectivity: cluster.konnectivity,
    ...(res.requests?.cpu !== undefined ? { apiServerCpuRequest: String(res.requests.cpu) } : {}),
    ...(res.requests?.memory !== undefined ? { apiServerMemoryRequest: String(res.requests.memory) } : {}),
    ...(res.limits?.cpu !== undefined ? { apiServerCpuLimit: String(res.limits.cpu) } : {}),
    ...(res.limits?.memory !== undefined ? { apiServerMemoryLimit: String(res.limits.memory) } : {}),
    footprintCpuCores: round2(shape.controlPlaneReplicas * FOOTPRINT.controlPlaneCpuCores),
    footprintMemoryGiB: round2(shape.controlPlaneReplicas * FOOTPRINT.controlPlaneMemoryGiB),
  };
  const ds = cluster.dataStore;
  const etcd = ds instanceof DedicatedEtcdDataStore ? shape.etcd : undefined;
  const dataStore: FleetReportDataStore = {
    name: ds.dataStoreName,
    driver: String(ds.driver),
    dedicated: ds.dedicated,
    ...(etcd ? { etcdMembers: etcd.replicas, etcdStorageGiB: round2(etcd.storageGiB) } : {}),
    footprintCpuCores: round2((etcd?.replicas ?? 0) * FOOTPRINT.etcdCpuCores),
    footprintMemoryGiB: round2((etcd?.replicas ?? 0) * FOOTPRINT.etcdMemoryGiB),
  };

  const vpcs: FleetReportVpc[] = facts.vpcs
    .filter((v) => v.clusters.includes(cluster))
    .map((v) => ({ name: v.vpcName, subnets: v.subnets.map((s) => ({ name: s.localName, cidr: s.cidr })) }))
    .sort((a, b) => byText(a.name, b.name));
  const governance = facts.governances.find((g) => g.clusters.includes(cluster));
  const labels = cluster.cluster.toJson()?.metadata?.labels ?? {};
  const sortedLabels: { [k: string]: string } = {};
  for (const k of Object.keys(labels).sort(byText)) sortedLabels[k] = String(labels[k]);

  const first = pools[0];
  const machine = dedicatedMachine ?? classWorkerSize(cluster)
    ?? (first ? { cpuCores: first.cpuCoresPerVm, memoryGiB: first.memoryGiBPerVm } : { cpuCores: 2, memoryGiB: 4 });
  let endpointAddress: string | undefined;
  try {
    endpointAddress = cluster.endpointAddress;
  } catch {
    // An exhausted or conflicting VIP pool reports itself (its own validation); the row shows no VIP.
    endpointAddress = undefined;
  }
  const vipPool = endpointAddress ? vipPoolOf.get(vipKey(cluster.clusterName, endpointAddress)) : undefined;

  const row: FleetReportTenant = {
    name: cluster.clusterName,
    namespace: cluster.namespace,
    constructPath: cluster.node.path,
    ...(cluster.clusterClass ? { clusterClass: cluster.clusterClass.className } : {}),
    kubernetesVersion: cluster.version.text,
    kubernetesMinor: cluster.version.minorText,
    ...(cluster.site ? { site: cluster.site.siteName } : {}),
    labels: sortedLabels,
    controlPlane,
    dataStore,
    nodePools: pools,
    workerVms: pools.reduce((n, p) => n + p.vms, 0),
    workerCpuCores: pools.reduce((n, p) => n + p.cpuCores, 0),
    workerMemoryGiB: round2(pools.reduce((n, p) => n + p.memoryGiB, 0)),
    workerGpus: counts(gpus),
    ...(endpointAddress ? { endpointAddress } : {}),
    ...(vipPool ? { vipPool } : {}),
    podCidr: cluster.podCidr,
    serviceCidr: cluster.serviceCidr,
    vpcs,
    ...(governance ? { governance: quotaOf(governance, cluster) } : {}),
    dedicatedControlPlaneMachine: { cpuCores: machine.cpuCores, memoryGiB: machine.memoryGiB },
  };
  return { cluster, row, gpus };
}
