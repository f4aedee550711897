import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';

const TENANT_LABEL = 'capsule.clastix.io/tenant';

/**
 * KM-TEN-005: every tenant cluster is governed: its namespace on the under cluster belongs to a
 * Capsule `Tenant` (namespace label `capsule.clastix.io/tenant`, or a `TenantGovernance` governing
 * the cluster) that exists in the output and has resource quotas. Without it, nothing bounds what
 * the tenant's namespace may consume.
 */
export class GovernedTenantRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-TEN-005',
      severity: PolicySeverity.ERROR,
      description: 'Every tenant cluster is governed by a Capsule tenant with quotas',
      remediation: 'keep the cluster\'s own TenantGovernance (createGovernance defaults to true), or add the cluster to a shared TenantGovernance',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const tenantOfNamespace = new Map<string, string>();
    for (const g of context.tenantGovernances) for (const c of g.clusters) tenantOfNamespace.set(c.namespace, g.tenantName);
    for (const ns of context.objectsOfKind('Namespace', '')) {
      const t = ns.labels[TENANT_LABEL];
      if (t) tenantOfNamespace.set(ns.name, t);
    }
    const tenants = new Map(context.objectsOfKind('Tenant', 'capsule.clastix.io').map((t) => [t.name, t]));
    const out: PolicyViolation[] = [];
    for (const cl of context.objectsOfKind('Cluster', 'cluster.x-k8s.io')) {
      const ns = cl.namespace ?? 'default';
      const tenantName = tenantOfNamespace.get(ns);
      if (!tenantName) {
        out.push(this.violationOf(cl, `namespace ${ns} of cluster ${cl.name} belongs to no Capsule tenant`));
        continue;
      }
      const tenant = tenants.get(tenantName);
      if (!tenant) {
        out.push(this.violationOf(cl, `namespace ${ns} of cluster ${cl.name} is labelled for Capsule tenant "${tenantName}", which is not in the output`,
          `declare the TenantGovernance "${tenantName}" in this app, or fix the namespace's ${TENANT_LABEL} label`));
        continue;
      }
      const items: any[] = get(tenant.json, 'spec.resourceQuotas.items') ?? [];
      if (!items.some((i) => i?.hard && Object.keys(i.hard).length > 0)) {
        out.push(this.violationOf(cl, `Capsule tenant "${tenantName}" governing cluster ${cl.name} has no resource quotas`,
          'leave TenantGovernance quota fields out to derive them from the clusters, or give them'));
      }
    }
    return out;
  }
}
