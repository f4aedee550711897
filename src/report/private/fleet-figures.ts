// The fleet report's figures, computed from the construct tree: tenants, capacity of the bare-metal
// pools against what is placed on them, VIP pools, Kubernetes versions and the savings of hosted
// control planes. Internal: FleetReport is the public face.
import { addCount, byText, counts, FOOTPRINT, round2, TenantFacts, tenantFacts, vipKey, walkTree } from './tree-facts';
import type { BareMetalHost } from '../../baremetal/bare-metal-host';
import { HOST_ROLE_LABEL, HostClaims, TENANT_METAL_ROLE } from '../../baremetal/host-claims';
import type { PlatformUnderCluster } from '../../platform/platform-under-cluster';
import { Policy } from '../../policy/policy';
import { KubernetesVersion } from '../../tenancy/kubernetes-version';
import { TenantGovernance } from '../../tenancy/tenant-governance';
import { labelSetKey } from '../../util/label-set';
import type { FleetReportOptions } from '../fleet-report';
import type {
  FleetReportBareMetalPool, FleetReportCapacity, FleetReportData, FleetReportGpuCapacity, FleetReportHost, FleetReportHostGroup,
  FleetReportKubernetesVersions,
  FleetReportMetalPool, FleetReportPolicy, FleetReportSavings, FleetReportSettings, FleetReportVersionCount, FleetReportVipPool,
} from '../fleet-report-data';

export const SCHEMA = 'cdk8s-kmetal/fleet-report';
export const SCHEMA_VERSION = 1;
const DEFAULT_CONTROL_PLANE_HOST_LABELS = { 'kmetal.io/role': 'control-plane' };
const VM_MEMORY_OVERHEAD_GIB = TenantGovernance.VM_MEMORY_OVERHEAD_MIB / 1024;

/** What is placed on a set of hosts. */
interface Demand {
  cpu: number;
  memoryGiB: number;
  /** By device resource name. */
  gpus: Map<string, number>;
}

/** Supply of a set of hosts. */
interface Supply {
  hosts: number;
  cores: number;
  memoryGiB: number;
  /** By host GPU model. */
  gpus: Map<string, number>;
}

function labelsMatch(labels: { [k: string]: string }, wanted: { [k: string]: string }): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

function supplyOf(hosts: BareMetalHost[]): Supply {
  const s: Supply = { hosts: hosts.length, cores: 0, memoryGiB: 0, gpus: new Map() };
  for (const h of hosts) {
    s.cores += h.capacity.cpuCores;
    s.memoryGiB += h.capacity.memoryGiB;
    for (const g of h.capacity.gpus ?? []) addCount(s.gpus, g.model, g.count ?? 1);
  }
  return s;
}

function percent(used: number, capacity: number): number {
  if (capacity <= 0) return used > 0 ? 100 : 0;
  return Math.round((used / capacity) * 1000) / 10;
}

/**
 * Capacity of `supply` against `demand` × `share` (the part of the fleet's demand placed on these
 * hosts). GPUs: demand by device, mapped to host models by `modelOf`; per model, the share is the
 * hosts' part of that model (`gpuShare`).
 */
function capacityOf(supply: Supply, demand: Demand, share: { cpu: number; memory: number; gpu: (model: string) => number },
  ratios: { cpu: number; memory: number; reservedCores: number; reservedMemoryGiB: number }, modelOf: (device: string) => string | undefined,
  hostsPerModel: Map<string, number>): FleetReportCapacity {
  const reservedCores = Math.min(supply.cores, supply.hosts * ratios.reservedCores);
  const reservedMemory = Math.min(supply.memoryGiB, supply.hosts * ratios.reservedMemoryGiB);
  const cpuCapacity = (supply.cores - reservedCores) * ratios.cpu;
  const memoryCapacity = (supply.memoryGiB - reservedMemory) * ratios.memory;
  const cpuAllocated = demand.cpu * share.cpu;
  const memoryAllocated = demand.memoryGiB * share.memory;
  const byModel = new Map<string, { devices: Set<string>; n: number }>();
  for (const [device, n] of demand.gpus) {
    const model = modelOf(device) ?? device;
    const entry = byModel.get(model) ?? { devices: new Set<string>(), n: 0 };
    entry.devices.add(device);
    entry.n += n;
    byModel.set(model, entry);
  }
  const models = new Set<string>([...supply.gpus.keys(), ...byModel.keys()]);
  const gpus: FleetReportGpuCapacity[] = [...models].sort(byText).map((model) => {
    const capacity = supply.gpus.get(model) ?? 0;
    const entry = byModel.get(model);
    // Demand for a model no host of the fleet has lands nowhere: the fleet-wide figure shows it.
    const allocated = entry ? entry.n * (hostsPerModel.has(model) ? share.gpu(model) : share.cpu) : 0;
    const devices = [...(entry?.devices ?? [])].sort(byText);
    return { model, devices, capacity, allocated: round2(allocated), headroom: round2(capacity - allocated) };
  }).filter((g) => g.capacity > 0 || g.allocated > 0);
  return {
    hostCount: supply.hosts,
    physicalCpuCores: supply.cores,
    physicalMemoryGiB: round2(supply.memoryGiB),
    reservedCpuCores: round2(reservedCores),
    reservedMemoryGiB: round2(reservedMemory),
    cpuOvercommitRatio: ratios.cpu,
    memoryOvercommitRatio: ratios.memory,
    cpuCapacity: round2(cpuCapacity),
    memoryCapacityGiB: round2(memoryCapacity),
    cpuAllocated: round2(cpuAllocated),
    memoryAllocatedGiB: round2(memoryAllocated),
    cpuHeadroom: round2(cpuCapacity - cpuAllocated),
    memoryHeadroomGiB: round2(memoryCapacity - memoryAllocated),
    cpuUsedPercent: percent(cpuAllocated, cpuCapacity),
    memoryUsedPercent: percent(memoryAllocated, memoryCapacity),
    gpus,
  };
}

function positive(field: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`FleetReport: ${field} ${JSON.stringify(v)} is not a usable number (give a ${allowZero ? 'non-negative' : 'positive'} number)`);
  }
  return v;
}

function versionOrder(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function groupVersions(tenants: Array<{ name: string; key: string }>): FleetReportVersionCount[] {
  const by = new Map<string, string[]>();
  for (const t of tenants) by.set(t.key, [...(by.get(t.key) ?? []), t.name]);
  return [...by.keys()].sort(versionOrder).map((version) => {
    const names = by.get(version)!.sort(byText);
    return { version, tenantCount: names.length, tenants: names };
  });
}

function policySection(platform: PlatformUnderCluster): FleetReportPolicy {
  const last = Policy.of(platform.node.root).lastReport;
  if (!last) return { ran: false, errors: 0, warnings: 0, findings: [] };
  return {
    ran: true,
    errors: last.errors.length,
    warnings: last.warnings.length,
    findings: last.findings.map((f) => ({ ruleId: f.ruleId, severity: String(f.severity), constructPath: f.constructPath, message: f.message })),
  };
}

/** Computes the whole report. Call when the app is complete (at or after synth). */
export function computeReport(platform: PlatformUnderCluster, options: FleetReportOptions): FleetReportData {
  const capacity = options.capacity ?? {};
  const ratios = {
    cpu: positive('capacity.cpuOvercommitRatio', capacity.cpuOvercommitRatio, 4, false),
    memory: positive('capacity.memoryOvercommitRatio', capacity.memoryOvercommitRatio, 1, false),
    reservedCores: positive('capacity.reservedCpuCoresPerHost', capacity.reservedCpuCoresPerHost, 2, true),
    reservedMemoryGiB: positive('capacity.reservedMemoryGiBPerHost', capacity.reservedMemoryGiBPerHost, 8, true),
  };
  const perTenant = positive('dedicatedControlPlaneMachinesPerTenant', options.dedicatedControlPlaneMachinesPerTenant, 3, true);
  if (options.dedicatedControlPlaneMachine) {
    positive('dedicatedControlPlaneMachine.cpuCores', options.dedicatedControlPlaneMachine.cpuCores, 0, false);
    positive('dedicatedControlPlaneMachine.memoryGiB', options.dedicatedControlPlaneMachine.memoryGiB, 0, false);
  }
  const cpLabels = options.controlPlaneHostLabels ?? DEFAULT_CONTROL_PLANE_HOST_LABELS;
  const vmLabels = capacity.vmHostLabels;

  const facts = walkTree(platform.node.root);
  // Tenants registered with the platform first, then any other TenantCluster of the app.
  const clusters = [...new Set([...platform.tenants, ...facts.clusters])];
  const vipPoolOf = new Map<string, string>();
  const vipPools: FleetReportVipPool[] = [];
  for (const p of [...facts.vipPools].sort((a, b) => byText(a.poolName, b.poolName))) {
    let allocations;
    try {
      allocations = p.allocations;
    } catch {
      allocations = undefined; // exhausted or conflicting: the pool's own validation says why
    }
    for (const a of allocations ?? []) vipPoolOf.set(vipKey(a.tenantName, a.address), p.poolName);
    const used = allocations ? allocations.length : p.tenantCount;
    vipPools.push({
      name: p.poolName,
      addresses: [...p.addresses],
      capacity: p.capacity,
      used,
      free: p.capacity - used,
      usedPercent: percent(used, p.capacity),
      allocations: (allocations ?? []).map((a) => ({ ...a })),
    });
  }
  const tenants: TenantFacts[] = clusters.map((c) => tenantFacts(c, facts, vipPoolOf, options.dedicatedControlPlaneMachine))
    .sort((a, b) => byText(a.row.name, b.row.name) || byText(a.row.constructPath, b.row.constructPath));
  const local = tenants.filter((t) => !t.cluster.site);

  // Demand on the under cluster's hosts: worker VMs (guest memory + virt-launcher overhead, as the
  // capacity policy counts it) and the hosted control planes with their etcds.
  const vmDemand: Demand = { cpu: 0, memoryGiB: 0, gpus: new Map() };
  const cpDemand: Demand = { cpu: 0, memoryGiB: 0, gpus: new Map() };
  for (const t of local) {
    for (const p of t.row.nodePools) {
      vmDemand.cpu += p.cpuCores;
      vmDemand.memoryGiB += p.vms * (p.memoryGiBPerVm + VM_MEMORY_OVERHEAD_GIB);
    }
    for (const [d, n] of t.gpus) addCount(vmDemand.gpus, d, n);
    cpDemand.cpu += t.row.controlPlane.footprintCpuCores + t.row.dataStore.footprintCpuCores;
    cpDemand.memoryGiB += t.row.controlPlane.footprintMemoryGiB + t.row.dataStore.footprintMemoryGiB;
  }

  const pools = [...facts.bareMetalPools].sort((a, b) => byText(a.poolName, b.poolName) || byText(a.namespace, b.namespace));
  // Servers held for tenant bare-metal pools run neither VMs nor control planes (HostClaims is the
  // model the pools' synth check and the capacity policy read too).
  const claims = HostClaims.of(platform);
  const assignedTo = new Map<BareMetalHost, string>();
  for (const a of claims.allocations) for (const h of a.assignedHosts) assignedTo.set(h, `${a.claim.cluster} ${a.claim.poolName}`);
  const tenantServers = new Set<BareMetalHost>(claims.claimedHosts);
  const role = (h: BareMetalHost) => {
    if (tenantServers.has(h) || h.labels[HOST_ROLE_LABEL] === TENANT_METAL_ROLE) return { cp: false, vm: false };
    const cp = labelsMatch(h.labels, cpLabels);
    return { cp, vm: vmLabels ? labelsMatch(h.labels, vmLabels) : !cp };
  };
  const tenantMetalPools: FleetReportMetalPool[] = claims.allocations.map((a) => ({
    cluster: a.claim.cluster,
    pool: a.claim.poolName,
    bareMetalPool: `${a.claim.bareMetalPool.namespace}/${a.claim.bareMetalPool.poolName}`,
    hostsWanted: a.claim.hostsWanted,
    hostsMatching: a.matchingHosts.length,
    hosts: a.assignedHosts.map((h) => h.hostName),
    shortfall: Math.max(0, a.shortfall),
    cpuCores: a.capacity.cpuCores,
    memoryGiB: a.capacity.memoryGiB,
    gpus: a.capacity.gpus.map((g) => ({ name: g.model, count: g.count ?? 1 })),
  }));
  const allHosts = pools.flatMap((p) => p.hosts);
  const vmSupply = supplyOf(allHosts.filter((h) => role(h).vm));
  const cpSupply = supplyOf(allHosts.filter((h) => role(h).cp));

  const explicitModels = capacity.gpuModels ?? {};
  const models = [...vmSupply.gpus.keys()];
  const modelOf = (device: string): string | undefined => {
    if (explicitModels[device] !== undefined) return explicitModels[device];
    const short = device.includes('/') ? device.slice(device.indexOf('/') + 1) : device;
    return models.find((m) => m.toLowerCase() === device.toLowerCase() || m.toLowerCase() === short.toLowerCase());
  };
  const vmRatios = ratios;
  const cpRatios = { ...ratios, cpu: 1, memory: 1 };
  const whole = { cpu: 1, memory: 1, gpu: () => 1 };
  const vmCapacity = capacityOf(vmSupply, vmDemand, whole, vmRatios, modelOf, vmSupply.gpus);
  const controlPlaneCapacity = capacityOf(cpSupply, cpDemand, whole, cpRatios, modelOf, cpSupply.gpus);

  // Pinned pools, grouped by their labels, against the hosts carrying them (as KM-CAP-001/006 count
  // them: whatever vmHostLabels says, the scheduler follows the nodeSelector).
  const groups = new Map<string, { hostLabels: { [key: string]: string }; pools: string[]; demand: Demand }>();
  for (const t of local) {
    for (const p of t.row.nodePools) {
      if (!p.hostLabels) continue;
      const key = labelSetKey(p.hostLabels);
      const g = groups.get(key) ?? { hostLabels: p.hostLabels, pools: [] as string[], demand: { cpu: 0, memoryGiB: 0, gpus: new Map() } };
      g.pools.push(`${t.row.namespace}/${t.row.name}/${p.name}`);
      g.demand.cpu += p.cpuCores;
      g.demand.memoryGiB += p.vms * (p.memoryGiBPerVm + VM_MEMORY_OVERHEAD_GIB);
      for (const d of p.gpus) addCount(g.demand.gpus, d.name, d.count);
      groups.set(key, g);
    }
  }
  const untaken = allHosts.filter((h) => !tenantServers.has(h) && h.labels[HOST_ROLE_LABEL] !== TENANT_METAL_ROLE);
  const vmHostGroups: FleetReportHostGroup[] = [...groups].sort(([a], [b]) => byText(a, b)).map(([, g]) => {
    const supply = supplyOf(untaken.filter((h) => labelsMatch(h.labels, g.hostLabels)));
    return { hostLabels: g.hostLabels, pools: g.pools.sort(byText), capacity: capacityOf(supply, g.demand, whole, vmRatios, modelOf, supply.gpus) };
  });

  const schedulable = (s: Supply, r: typeof ratios) => ({
    cpu: Math.max(0, s.cores - s.hosts * r.reservedCores) * r.cpu,
    memory: Math.max(0, s.memoryGiB - s.hosts * r.reservedMemoryGiB) * r.memory,
  });
  const vmTotal = schedulable(vmSupply, vmRatios);
  const cpTotal = schedulable(cpSupply, cpRatios);
  const shareOf = (part: number, total: number) => (total > 0 ? part / total : 0);

  const bareMetalPools: FleetReportBareMetalPool[] = pools.map((pool) => {
    const hosts = pool.hosts;
    const vmHosts = supplyOf(hosts.filter((h) => role(h).vm));
    const cpHosts = supplyOf(hosts.filter((h) => role(h).cp));
    const vmMine = schedulable(vmHosts, vmRatios);
    const cpMine = schedulable(cpHosts, cpRatios);
    const all = supplyOf(hosts);
    const hostRows: FleetReportHost[] = hosts.map((h) => {
      const r = role(h);
      const labels: { [k: string]: string } = {};
      for (const k of Object.keys(h.labels).sort(byText)) labels[k] = h.labels[k];
      return {
        name: h.hostName,
        cpuCores: h.capacity.cpuCores,
        memoryGiB: h.capacity.memoryGiB,
        gpus: (h.capacity.gpus ?? []).map((g) => ({ name: g.model, count: g.count ?? 1 })),
        runsVms: r.vm,
        runsControlPlanes: r.cp,
        ...(assignedTo.has(h) ? { tenantPool: assignedTo.get(h) } : {}),
        labels,
      };
    });
    return {
      name: pool.poolName,
      namespace: pool.namespace,
      constructPath: pool.node.path,
      hostCount: all.hosts,
      cpuCores: all.cores,
      memoryGiB: round2(all.memoryGiB),
      gpus: counts(all.gpus),
      vms: capacityOf(vmHosts, vmDemand, {
        cpu: shareOf(vmMine.cpu, vmTotal.cpu),
        memory: shareOf(vmMine.memory, vmTotal.memory),
        gpu: (model) => shareOf(vmHosts.gpus.get(model) ?? 0, vmSupply.gpus.get(model) ?? 0),
      }, vmRatios, modelOf, vmSupply.gpus),
      controlPlanes: capacityOf(cpHosts, cpDemand, {
        cpu: shareOf(cpMine.cpu, cpTotal.cpu),
        memory: shareOf(cpMine.memory, cpTotal.memory),
        gpu: () => 0,
      }, cpRatios, modelOf, cpSupply.gpus),
      hosts: hostRows,
    };
  });

  const allowedMinors = [...platform.allowedKubernetesMinors];
  const versionRows = tenants.map((t) => ({ name: t.row.name, key: t.row.kubernetesVersion }));
  const minorRows = tenants.map((t) => ({ name: t.row.name, key: t.row.kubernetesMinor }));
  const minors = groupVersions(minorRows);
  const oldest = minors[0]?.version;
  const newest = minors[minors.length - 1]?.version;
  const kubernetesVersions: FleetReportKubernetesVersions = {
    versions: groupVersions(versionRows),
    minors,
    ...(oldest ? { oldestMinor: oldest, newestMinor: newest } : {}),
    minorSkew: oldest && newest ? KubernetesVersion.of(`${newest}.0`).minor - KubernetesVersion.of(`${oldest}.0`).minor : 0,
    allowedMinors,
    outsideAllowed: tenants.filter((t) => !allowedMinors.includes(t.row.kubernetesMinor)).map((t) => t.row.name).sort(byText),
  };

  let dedicatedCpu = 0;
  let dedicatedMemory = 0;
  for (const t of local) {
    dedicatedCpu += perTenant * t.row.dedicatedControlPlaneMachine.cpuCores;
    dedicatedMemory += perTenant * t.row.dedicatedControlPlaneMachine.memoryGiB;
  }
  const dedicatedMachines = perTenant * local.length;
  const savings: FleetReportSavings = {
    tenantCount: local.length,
    dedicatedMachinesPerTenant: perTenant,
    dedicatedMachines,
    dedicatedCpuCores: round2(dedicatedCpu),
    dedicatedMemoryGiB: round2(dedicatedMemory),
    hostedNodes: cpSupply.hosts,
    hostedCpuCores: round2(cpDemand.cpu),
    hostedMemoryGiB: round2(cpDemand.memoryGiB),
    savedMachines: dedicatedMachines - cpSupply.hosts,
    savedCpuCores: round2(dedicatedCpu - cpDemand.cpu),
    savedMemoryGiB: round2(dedicatedMemory - cpDemand.memoryGiB),
    savedMachinesPercent: percent(dedicatedMachines - cpSupply.hosts, dedicatedMachines),
    savedCpuPercent: percent(dedicatedCpu - cpDemand.cpu, dedicatedCpu),
    savedMemoryPercent: percent(dedicatedMemory - cpDemand.memoryGiB, dedicatedMemory),
  };

  const settings: FleetReportSettings = {
    cpuOvercommitRatio: ratios.cpu,
    memoryOvercommitRatio: ratios.memory,
    reservedCpuCoresPerHost: ratios.reservedCores,
    reservedMemoryGiBPerHost: ratios.reservedMemoryGiB,
    vmMemoryOverheadGiB: VM_MEMORY_OVERHEAD_GIB,
    ...(vmLabels ? { vmHostLabels: { ...vmLabels } } : {}),
    controlPlaneHostLabels: { ...cpLabels },
    dedicatedMachinesPerTenant: perTenant,
    controlPlaneCpuCoresPerReplica: FOOTPRINT.controlPlaneCpuCores,
    controlPlaneMemoryGiBPerReplica: FOOTPRINT.controlPlaneMemoryGiB,
    etcdCpuCoresPerMember: FOOTPRINT.etcdCpuCores,
    etcdMemoryGiBPerMember: FOOTPRINT.etcdMemoryGiB,
  };

  const sizing = options.dedicatedControlPlaneMachine
    ? `${options.dedicatedControlPlaneMachine.cpuCores} vCPU and ${options.dedicatedControlPlaneMachine.memoryGiB} GiB each (as set)`
    : 'each sized like the tenant\'s workers: its class\'s default worker size, or its first pool\'s VM size for clusters without a class';
  const showLabels = (l: { [k: string]: string }) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(', ') || '(any)';
  const atSites = tenants.length - local.length;
  const assumptions = [
    `VM hosts: ${vmLabels ? `hosts labelled ${showLabels(vmLabels)}` : `every host not labelled ${showLabels(cpLabels)}`}; control-plane hosts: hosts labelled ${showLabels(cpLabels)}. A host matching both is counted in both.`,
    `Schedulable VM capacity per host: (cores − ${ratios.reservedCores} reserved) × ${ratios.cpu} vCPU per core, (memory − ${ratios.reservedMemoryGiB} GiB reserved) × ${ratios.memory}; GPUs are passed through whole (no overcommit). Same formula as policy rule KM-CAP-001.`,
    `Worker demand: every pool at its largest (replicas, or the autoscaler's maximum); memory is guest memory + ${VM_MEMORY_OVERHEAD_GIB} GiB virt-launcher overhead per VM.`,
    `Hosted control-plane footprint: ${FOOTPRINT.controlPlaneCpuCores} CPU and ${FOOTPRINT.controlPlaneMemoryGiB} GiB per API server replica, ${FOOTPRINT.etcdCpuCores} CPU and ${FOOTPRINT.etcdMemoryGiB} GiB per dedicated etcd member (TenantGovernance's quota model); control-plane hosts keep the same per-host reserve and are not overcommitted (these are requests).`,
    'VMs are scheduled by KubeVirt across every VM host of the under cluster: a pool\'s "allocated" is the fleet\'s demand split in proportion to the pool\'s schedulable capacity (GPUs per model); the fleet-wide figures are exact.',
    `Savings: ${perTenant} dedicated control-plane machines per tenant, ${sizing}, against the shared control-plane hosts and the footprint above.`,
    ...(atSites ? [`${atSites} tenant(s) at edge sites run their control planes and workers at the site: listed, but not counted against the pools, the control-plane hosts or the savings.`] : []),
  ];

  const fits = vmCapacity.cpuHeadroom >= 0 && vmCapacity.memoryHeadroomGiB >= 0 && vmCapacity.gpus.every((g) => g.headroom >= 0)
    && (cpSupply.hosts === 0 || (controlPlaneCapacity.cpuHeadroom >= 0 && controlPlaneCapacity.memoryHeadroomGiB >= 0));
  return {
    schema: SCHEMA,
    schemaVersion: SCHEMA_VERSION,
    title: options.title ?? `Fleet report: ${platform.clusterName}`,
    platformPath: platform.node.path,
    clusterName: platform.clusterName,
    settings,
    assumptions,
    summary: {
      tenants: tenants.length,
      tenantsAtSites: atSites,
      workerVms: local.reduce((n, t) => n + t.row.workerVms, 0),
      workerCpuCores: local.reduce((n, t) => n + t.row.workerCpuCores, 0),
      workerMemoryGiB: round2(local.reduce((n, t) => n + t.row.workerMemoryGiB, 0)),
      workerGpus: local.reduce((n, t) => n + t.row.workerGpus.reduce((m, g) => m + g.count, 0), 0),
      hosts: allHosts.length,
      fits,
    },
    tenants: tenants.map((t) => t.row),
    bareMetalPools,
    tenantMetalPools,
    vmCapacity,
    vmHostGroups,
    controlPlaneCapacity,
    vipPools,
    kubernetesVersions,
    savings,
    policy: policySection(platform),
  };
}
