import { CapacityPolicyOptions } from './capacity-options';
import { fleetCapacity, HostOffer, round, topConsumers, VM_OVERHEAD_GIB } from './fleet-capacity';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-CAP-001: the worker VMs of all tenants, at their largest (replicas, or the autoscaler's
 * maximum), fit the hosts that run VMs: vCPUs within (cores − reserve) × CPU overcommit, guest
 * memory plus virt-launcher overhead within (memory − reserve) × memory overcommit. Demand is read
 * from the synthesized objects (MachineDeployments and their KubeVirt templates, class-based
 * topologies and their variables), supply from the BareMetalPools' host capacities. Pools pinned
 * to hosts (`NodePoolOptions.hostSelector`, e.g. an edge site's island) must also fit the hosts
 * carrying their labels. Worker VMs of tenants at edge sites run on their island and are left to
 * the site's own check. Each pool's single VM must also fit one eligible host (its vCPUs with the
 * overcommit, its memory and its GPUs per model), reported on the pool's object. Not checked when
 * the app declares no hosts.
 */
export class VmCapacityRule extends PolicyRule {
  private readonly options: CapacityPolicyOptions;

  constructor(options: CapacityPolicyOptions = {}) {
    super({
      id: 'KM-CAP-001',
      severity: PolicySeverity.ERROR,
      description: 'All tenants\' worker VMs fit the VM hosts\' CPU and memory (with the overcommit ratio)',
      remediation: 'add hosts to the VM pools, shrink or remove pools, or raise the overcommit ratio knowingly',
    });
    this.options = { ...options };
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const f = fleetCapacity(context, this.options);
    if (context.bareMetalHosts.length === 0 || f.pools.length === 0) return [];
    const out: PolicyViolation[] = [];
    // One VM must fit one host: the totals can fit while no single host can take the VM.
    for (const p of f.pools) {
      const eligible = p.hostSelector ? f.pinned.find((g) => g.pools.includes(p))?.hosts ?? [] : f.vmHosts;
      if (eligible.length === 0) continue;
      const fits = (h: HostOffer) => p.cpuCores <= h.cpuCores && p.memoryGiB + VM_OVERHEAD_GIB <= h.memoryGiB
        && [...p.gpus].every(([device, n]) => n <= (h.gpus.get(f.modelOf(device) ?? device) ?? 0));
      if (eligible.some(fits)) continue;
      const largest = [...eligible].sort((a, b) => b.cpuCores - a.cpuCores || b.memoryGiB - a.memoryGiB)[0];
      const gpus = [...p.gpus].map(([d, n]) => `${n} × ${d}`).join(', ');
      const offered = [...largest.gpus].map(([m, n]) => `${n} × ${m}`).join(', ');
      out.push(this.violationOf(p.owner,
        `${p.owner.kind} ${p.owner.namespace ?? ''}/${p.owner.name}: one worker VM needs ${p.cpuCores} vCPUs, ${round(p.memoryGiB)} GiB${gpus ? ` and ${gpus}` : ''}, but no eligible host (${eligible.length}) can run it: the largest, ${largest.host}, offers ${round(largest.cpuCores)} vCPUs and ${round(largest.memoryGiB)} GiB after the reserve${offered ? ` and ${offered}` : ''}`,
        'make the pool\'s VMs smaller (more, smaller VMs), or add a larger host to the pool they run on'));
    }
    for (const g of f.pinned) {
      const labels = Object.entries(g.hostSelector).map(([k, v]) => `${k}=${v}`).join(', ');
      const hosts = `the ${g.hostCount} host(s) labelled ${labels}`;
      if (g.demandCpu > g.supplyCpu) {
        out.push({ message: `worker VMs pinned to ${labels} need ${round(g.demandCpu)} vCPUs, but ${hosts} offer ${round(g.supplyCpu)}; largest: ${topConsumers(g.pools, (p) => p.vms * p.cpuCores, 'vCPUs')}` });
      }
      if (g.demandMemoryGiB > g.supplyMemoryGiB) {
        out.push({ message: `worker VMs pinned to ${labels} need ${round(g.demandMemoryGiB)} GiB of memory, but ${hosts} offer ${round(g.supplyMemoryGiB)} GiB; largest: ${topConsumers(g.pools, (p) => p.vms * p.memoryGiB, 'GiB')}` });
      }
    }
    if (f.hostCount === 0) return out;
    const where = `the ${f.hostCount} VM host(s)`;
    if (f.demandCpu > f.supplyCpu) {
      out.push({
        message: `worker VMs need ${round(f.demandCpu)} vCPUs, but ${where} offer ${round(f.supplyCpu)} ((${f.physicalCores} cores − ${f.options.reservedCpuCoresPerHost} reserved per host) × ${f.options.cpuOvercommitRatio} overcommit); largest: ${topConsumers(f.pools, (p) => p.vms * p.cpuCores, 'vCPUs')}`,
      });
    }
    if (f.demandMemoryGiB > f.supplyMemoryGiB) {
      out.push({
        message: `worker VMs need ${round(f.demandMemoryGiB)} GiB of memory (guest + virt-launcher overhead), but ${where} offer ${round(f.supplyMemoryGiB)} GiB ((${round(f.physicalMemoryGiB)} GiB − ${f.options.reservedMemoryGiBPerHost} GiB reserved per host) × ${f.options.memoryOvercommitRatio}); largest: ${topConsumers(f.pools, (p) => p.vms * p.memoryGiB, 'GiB')}`,
      });
    }
    return out;
  }
}
