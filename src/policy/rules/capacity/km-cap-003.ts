import { parseQuantity } from '../../../tenancy/governance/quantities';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';
import { CapacityPolicyOptions } from './capacity-options';
import { fleetCapacity } from './fleet-capacity';

/**
 * KM-CAP-003: Capsule GPU quotas (`requests.<device>` in a Tenant's `resourceQuotas`) do not
 * promise more GPUs than the VM hosts have: neither one tenant's quota, nor the sum of all
 * tenants' quotas of a model (GPUs cannot be overcommitted). Not checked when the app declares no
 * VM hosts.
 */
export class GpuQuotaRule extends PolicyRule {
  private readonly options: CapacityPolicyOptions;

  constructor(options: CapacityPolicyOptions = {}) {
    super({
      id: 'KM-CAP-003',
      severity: PolicySeverity.ERROR,
      description: 'GPU quotas do not exceed the GPUs of the VM hosts',
      remediation: 'lower the tenants\' GPU quotas, or add GPUs',
    });
    this.options = { ...options };
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const f = fleetCapacity(context, this.options);
    if (f.hostCount === 0) return [];
    const out: PolicyViolation[] = [];
    const totals = new Map<string, { n: number; tenants: string[] }>();
    for (const tenant of context.objectsOfKind('Tenant', 'capsule.clastix.io')) {
      for (const item of get(tenant.json, 'spec.resourceQuotas.items') ?? []) {
        for (const [key, value] of Object.entries<any>(item?.hard ?? {})) {
          if (!key.startsWith('requests.') || !key.slice('requests.'.length).includes('/')) continue;
          const device = key.slice('requests.'.length);
          const n = parseQuantity(value) ?? 0;
          const model = f.modelOf(device);
          const have = model === undefined ? 0 : f.supplyGpus.get(model) ?? 0;
          if (n > have) {
            out.push(this.violationOf(tenant, `Capsule tenant "${tenant.name}" may use ${n} × ${device}, but the VM hosts have ${have}${model ? ` of model ${model}` : ' matching GPUs'}`));
          }
          const key2 = model ?? device;
          const t = totals.get(key2) ?? { n: 0, tenants: [] };
          t.n += n;
          t.tenants.push(tenant.name);
          totals.set(key2, t);
        }
      }
    }
    for (const [model, t] of totals) {
      const have = f.supplyGpus.get(model) ?? 0;
      if (!this.options.allowGpuQuotaOverbooking && t.tenants.length > 1 && t.n > have) {
        out.push({
          message: `the GPU quotas of ${t.tenants.length} tenants add up to ${t.n} GPU(s) of ${model}, but the VM hosts have ${have} (derived quotas include a rolling-update surge VM per pool)`,
          fix: 'lower the quotas, add GPUs, or accept overbooking with allowGpuQuotaOverbooking: true',
        });
      }
    }
    return out;
  }
}
