import { CapacityPolicyOptions } from './capacity-options';
import { fleetCapacity, PoolDemand, round, topConsumers, VM_OVERHEAD_GIB } from './fleet-capacity';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/** What the surge VMs of some pools take: vCPUs, memory (with virt-launcher overhead), GPUs by device. */
function surgeOf(pools: PoolDemand[]): { cpu: number; memoryGiB: number; gpus: Map<string, number> } {
  const out = { cpu: 0, memoryGiB: 0, gpus: new Map<string, number>() };
  for (const p of pools) {
    out.cpu += p.surgeVms * p.cpuCores;
    out.memoryGiB += p.surgeVms * (p.memoryGiB + VM_OVERHEAD_GIB);
    for (const [d, n] of p.gpus) out.gpus.set(d, (out.gpus.get(d) ?? 0) + n * p.surgeVms);
  }
  return out;
}

/**
 * KM-CAP-006: the VMs pools create beyond their size while they roll (`NodePoolOptions.rollout.maxSurge`,
 * read from the MachineDeployments' and topologies' rollout strategies) fit the VM hosts' free
 * capacity: what KM-CAP-001's supply leaves after every pool at its largest. Counted as if every
 * pool with a surge rolled at once, which is what a class change does to every cluster of the
 * class; pools pinned to hosts count against those hosts. GPUs are counted per model. The
 * library's pools surge 0 by default (one machine down at a time instead), so only pools that ask
 * for a surge are counted; a rollout strategy that leaves `maxSurge` out gets Cluster API's 1. Not
 * checked when the app declares no hosts.
 */
export class SurgeCapacityRule extends PolicyRule {
  private readonly options: CapacityPolicyOptions;

  constructor(options: CapacityPolicyOptions = {}) {
    super({
      id: 'KM-CAP-006',
      severity: PolicySeverity.ERROR,
      description: 'Rolling-update surge VMs fit the VM hosts\' free capacity',
      remediation: 'lower the pools\' rollout.maxSurge (0 replaces one machine at a time without extra VMs), or add VM hosts',
    });
    this.options = { ...options };
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    // Like KM-CAP-001: without declared hosts (a tree checked from its YAML) there is no supply to compare with.
    if (context.bareMetalHosts.length === 0) return [];
    const f = fleetCapacity(context, this.options);
    const surging = f.pools.filter((p) => p.surgeVms > 0);
    if (surging.length === 0) return [];
    const out: PolicyViolation[] = [];
    const freeCpu = f.supplyCpu - f.demandCpu;
    const freeMemory = f.supplyMemoryGiB - f.demandMemoryGiB;
    const where = `the ${f.hostCount} VM host(s)`;
    const unpinned = surging.filter((p) => !p.hostSelector);
    if (f.hostCount > 0 && unpinned.length > 0) {
      const s = surgeOf(unpinned);
      const short: string[] = [];
      if (s.cpu > freeCpu) short.push(`${round(s.cpu)} vCPUs (${round(Math.max(0, freeCpu))} free)`);
      if (s.memoryGiB > freeMemory) short.push(`${round(s.memoryGiB)} GiB of memory (${round(Math.max(0, freeMemory))} GiB free)`);
      for (const [device, n] of [...s.gpus].sort()) {
        const model = f.modelOf(device) ?? device;
        const free = (f.supplyGpus.get(model) ?? 0) - [...f.demandGpus].filter(([d]) => (f.modelOf(d) ?? d) === model).reduce((m, [, k]) => m + k, 0);
        if (n > free) short.push(`${n} GPU(s) of ${model} (${Math.max(0, free)} free)`);
      }
      if (short.length) {
        const vms = unpinned.reduce((n, p) => n + p.surgeVms, 0);
        out.push({
          message: `while they roll, ${unpinned.length} pool(s) with a surge create ${vms} VM(s) beyond their size, needing ${short.join(', ')} on ${where} beyond every pool at its largest; largest surges: ${topConsumers(unpinned, (p) => p.surgeVms, 'VMs')}`,
        });
      }
    }
    for (const g of f.pinned) {
      const pools = g.pools.filter((p) => p.surgeVms > 0);
      // Labels no host carries: KM-CAP-001 reports that nothing can run there at all.
      if (pools.length === 0 || g.hostCount === 0) continue;
      const s = surgeOf(pools);
      const labels = Object.entries(g.hostSelector).map(([k, v]) => `${k}=${v}`).join(', ');
      const cpu = g.supplyCpu - g.demandCpu;
      const memory = g.supplyMemoryGiB - g.demandMemoryGiB;
      if (s.cpu > cpu || s.memoryGiB > memory) {
        out.push({
          message: `while they roll, pools pinned to ${labels} create ${pools.reduce((n, p) => n + p.surgeVms, 0)} VM(s) beyond their size, needing ${round(s.cpu)} vCPUs and ${round(s.memoryGiB)} GiB, but the ${g.hostCount} host(s) labelled so have ${round(Math.max(0, cpu))} vCPUs and ${round(Math.max(0, memory))} GiB free; largest surges: ${topConsumers(pools, (p) => p.surgeVms, 'VMs')}`,
        });
      }
    }
    return out;
  }
}
