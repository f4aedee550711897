// Capacity during a change: the VMs the rolling pools create beyond their size (their rollout
// strategy's maxSurge, as the after tree writes it) against the VM hosts' free capacity.
//
// Sizes and free capacity come from the after tree's fleet report (`report/report.json`,
// FleetReport.writeAtSynth), not from BareMetalHost objects: Metal3's BareMetalHost has no field for
// a host's cores or memory (the library keeps `HostCapacity` at synth and writes none of it on the
// object), and deriving the VM sizes of class-based pools from the tree would mean re-rendering the
// ClusterClass's variables and patches. The report holds both as the capacity model computed them
// (per pool `cpuCoresPerVm`/`memoryGiBPerVm`, fleet-wide `vmCapacity` headroom after every pool at
// its largest), so plan reads one JSON file, whatever the fleet's size.
import type { RollingPool } from './classify-change';
import type { PlanCapacity, PlanHostGroupCapacity } from './plan-document';
import type { TreeSource } from './tree-source';
import { labelSetKey } from '../../util/label-set';

const REPORT = 'report/report.json';
const SCHEMA = 'cdk8s-kmetal/fleet-report';

/** A rolling pool with where it is. */
export interface LocatedPool extends RollingPool {
  readonly namespace?: string;
  /** The tree file the change is in (to find the report of its app when the tree holds several). */
  readonly file: string;
}

interface Report {
  readonly folder: string;
  readonly json: any;
  /** Pools by `<namespace>/<cluster>/<pool>` and by `<cluster>/<pool>`. */
  readonly pools: Map<string, any>;
}

function reportsIn(tree: TreeSource): Report[] {
  const rels = [...tree.files().keys()].filter((r) => r === REPORT || r.endsWith(`/${REPORT}`));
  const out: Report[] = [];
  for (const [rel, text] of tree.read(rels)) {
    try {
      const json = JSON.parse(text);
      if (json?.schema !== SCHEMA) continue;
      const pools = new Map<string, any>();
      for (const t of json.tenants ?? []) {
        for (const p of t?.nodePools ?? []) {
          pools.set(`${t.namespace}/${t.name}/${p?.name}`, p);
          pools.set(`${t.name}/${p?.name}`, p);
        }
      }
      out.push({ folder: rel.slice(0, rel.length - REPORT.length), json, pools });
    } catch {
      // A report that does not parse proves nothing: capacity stays unchecked.
    }
  }
  return out.sort((a, b) => b.folder.length - a.folder.length);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * The capacity section of the plan, when machines roll. Undefined when nothing rolls.
 */
export function surgeCapacity(tree: TreeSource, rolling: LocatedPool[]): PlanCapacity | undefined {
  if (rolling.length === 0) return undefined;
  const surging = rolling.filter((p) => p.surgeVms > 0);
  const surgeVms = surging.reduce((n, p) => n + p.surgeVms, 0);
  const machines = rolling.reduce((n, p) => n + p.machines, 0);
  const reports = reportsIn(tree);
  const base = { machines, surgeVms, pools: rolling.length, surgingPools: surging.length };
  if (reports.length === 0) {
    return {
      ...base,
      ...(surgeVms > 0 ? { problems: [`${surgeVms} surge VM(s) not checked against the VM hosts: the after tree has no fleet report (write one with FleetReport.writeAtSynth(platform, '<tree>/report'))`] } : {}),
    };
  }
  let cpu = 0;
  let memoryGiB = 0;
  const gpus = new Map<string, number>();
  const unknown: string[] = [];
  const report = (file: string) => reports.find((r) => file.startsWith(r.folder)) ?? reports[0];
  // Pinned pools surge on the hosts their labels select (the report's vmHostGroups), the others on
  // every VM host: the split of policy rule KM-CAP-006.
  const groups = new Map<any, { hostLabels: { [key: string]: string }; cpu: number; memoryGiB: number; vms: number; free: any }>();
  for (const p of surging) {
    const found = report(p.file);
    const r = found.json;
    const pool = found.pools.get(p.namespace !== undefined ? `${p.namespace}/${p.cluster}/${p.pool}` : `${p.cluster}/${p.pool}`);
    if (!pool) {
      unknown.push(`${p.namespace ? `${p.namespace}/` : ''}${p.cluster} pool ${p.pool}`);
      continue;
    }
    const overhead = Number(r.settings?.vmMemoryOverheadGiB ?? 0);
    const poolCpu = p.surgeVms * Number(pool.cpuCoresPerVm ?? 0);
    const poolMemory = p.surgeVms * (Number(pool.memoryGiBPerVm ?? 0) + overhead);
    const group = pool.hostLabels ? (r.vmHostGroups ?? []).find((g: any) => labelSetKey(g?.hostLabels) === labelSetKey(pool.hostLabels)) : undefined;
    if (group) {
      const g = groups.get(group) ?? { hostLabels: group.hostLabels, cpu: 0, memoryGiB: 0, vms: 0, free: group.capacity ?? {} };
      g.cpu += poolCpu;
      g.memoryGiB += poolMemory;
      g.vms += p.surgeVms;
      groups.set(group, g);
      continue;
    }
    cpu += poolCpu;
    memoryGiB += poolMemory;
    for (const g of pool.gpusPerVm ?? []) {
      // The report maps a device to the host GPU model that serves it.
      const model = (r.vmCapacity?.gpus ?? []).find((m: any) => (m?.devices ?? []).includes(g.name))?.model ?? g.name;
      gpus.set(model, (gpus.get(model) ?? 0) + p.surgeVms * Number(g.count ?? 0));
    }
  }
  // Free capacity is fleet-wide (one app): with several apps in one tree, the first app's report is used for each.
  const vm = report(rolling[0].file).json.vmCapacity ?? {};
  const freeCpu = Number(vm.cpuHeadroom ?? 0);
  const freeMemory = Number(vm.memoryHeadroomGiB ?? 0);
  const problems: string[] = [];
  if (cpu > freeCpu) problems.push(`${round(cpu)} vCPUs of surge VMs, but the VM hosts have ${round(Math.max(0, freeCpu))} free`);
  if (memoryGiB > freeMemory) problems.push(`${round(memoryGiB)} GiB of surge VMs, but the VM hosts have ${round(Math.max(0, freeMemory))} GiB free`);
  const freeGpus = new Map<string, number>((vm.gpus ?? []).map((g: any) => [String(g.model), Number(g.headroom ?? 0)]));
  for (const [model, n] of [...gpus].sort()) {
    if (n > (freeGpus.get(model) ?? 0)) problems.push(`${n} GPU(s) of ${model} for surge VMs, but ${Math.max(0, freeGpus.get(model) ?? 0)} are free`);
  }
  const hostGroups: PlanHostGroupCapacity[] = [...groups.values()].map((g) => {
    const labels = Object.entries(g.hostLabels).map(([k, v]) => `${k}=${v}`).join(', ');
    const groupCpu = Number(g.free.cpuHeadroom ?? 0);
    const groupMemory = Number(g.free.memoryHeadroomGiB ?? 0);
    const fit = g.cpu <= groupCpu && g.memoryGiB <= groupMemory;
    if (!fit) {
      problems.push(`${g.vms} surge VM(s) of pools pinned to ${labels} need ${round(g.cpu)} vCPUs and ${round(g.memoryGiB)} GiB, but the ${Number(g.free.hostCount ?? 0)} host(s) labelled so have ${round(Math.max(0, groupCpu))} vCPUs and ${round(Math.max(0, groupMemory))} GiB free`);
    }
    return {
      hostLabels: g.hostLabels,
      surgeVms: g.vms,
      surgeCpuCores: round(g.cpu),
      surgeMemoryGiB: round(g.memoryGiB),
      freeCpuCores: round(groupCpu),
      freeMemoryGiB: round(groupMemory),
      fits: fit,
    };
  }).sort((a, b) => JSON.stringify(a.hostLabels).localeCompare(JSON.stringify(b.hostLabels)));
  if (unknown.length) problems.push(`the fleet report has no size for ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}: their surge is not checked`);
  const fits = cpu <= freeCpu && memoryGiB <= freeMemory && [...gpus].every(([m, n]) => n <= (freeGpus.get(m) ?? 0))
    && hostGroups.every((g) => g.fits);
  return {
    ...base,
    report: `${report(rolling[0].file).folder}${REPORT}`,
    surgeCpuCores: round(cpu),
    surgeMemoryGiB: round(memoryGiB),
    surgeGpus: [...gpus].sort().map(([model, count]) => ({ model, count })),
    freeCpuCores: round(freeCpu),
    freeMemoryGiB: round(freeMemory),
    freeGpus: [...freeGpus].sort().map(([model, count]) => ({ model, count })),
    ...(hostGroups.length ? { hostGroups } : {}),
    fits,
    ...(problems.length ? { problems } : {}),
  };
}

