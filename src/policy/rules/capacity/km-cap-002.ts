import { CapacityPolicyOptions } from './capacity-options';
import { fleetCapacity, topConsumers } from './fleet-capacity';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-CAP-002: the GPUs all tenants' worker VMs request, per model, exist on the VM hosts (GPUs
 * are passed through whole: no overcommit). A device resource name is matched to a host GPU
 * model through `gpuModels`, or by name. Not checked when the app declares no VM hosts.
 */
export class GpuCapacityRule extends PolicyRule {
  private readonly options: CapacityPolicyOptions;

  constructor(options: CapacityPolicyOptions = {}) {
    super({
      id: 'KM-CAP-002',
      severity: PolicySeverity.ERROR,
      description: 'All tenants\' GPUs fit the VM hosts\' GPUs, per model',
      remediation: 'add hosts with that GPU model, or request fewer GPUs',
    });
    this.options = { ...options };
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const f = fleetCapacity(context, this.options);
    if (f.hostCount === 0) return [];
    const out: PolicyViolation[] = [];
    const byModel = new Map<string, { n: number; devices: string[] }>();
    for (const [device, n] of [...f.demandGpus.entries()].sort()) {
      const model = f.modelOf(device);
      if (model === undefined) {
        out.push({
          message: `worker VMs request ${n} × ${device}, but no VM host has a GPU model matching it (host models: ${[...f.supplyGpus.keys()].sort().join(', ') || 'none'}); largest: ${topConsumers(f.pools, (p) => p.vms * (p.gpus.get(device) ?? 0), 'GPUs')}`,
          fix: 'add hosts with that GPU, or map the device to a host model with gpuModels',
        });
        continue;
      }
      const entry = byModel.get(model) ?? { n: 0, devices: [] };
      entry.n += n;
      entry.devices.push(device);
      byModel.set(model, entry);
    }
    for (const [model, { n, devices }] of byModel) {
      const have = f.supplyGpus.get(model) ?? 0;
      if (n > have) {
        out.push({
          message: `worker VMs request ${n} GPU(s) of model ${model} (${devices.join(', ')}), but the VM hosts have ${have}; largest: ${topConsumers(f.pools, (p) => p.vms * devices.reduce((s, d) => s + (p.gpus.get(d) ?? 0), 0), 'GPUs')}`,
        });
      }
    }
    return out;
  }
}
