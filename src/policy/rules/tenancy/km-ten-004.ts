import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get, listSome } from '../helpers';

/**
 * KM-TEN-004: every tenant control plane keeps its state in a datastore of its own, unless sharing
 * is chosen explicitly: a shared datastore couples the tenants' availability, performance and
 * blast radius. Flags
 * - each TenantCluster whose `dataStore` is not dedicated (suppress the finding on the cluster,
 *   with the reason, to share it on purpose);
 * - control planes without `dataStoreName` (they land on Kamaji's default datastore, shared by
 *   all such tenants);
 * - a dedicated datastore that several control planes use.
 */
export class DedicatedDataStoreRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-TEN-004',
      severity: PolicySeverity.ERROR,
      description: 'Tenant control planes use a dedicated datastore unless sharing is explicit',
      remediation: 'drop the dataStore prop (each cluster then gets its own etcd), or suppress KM-TEN-004 on the cluster with the reason for sharing',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    const dedicated = new Set<string>();
    for (const c of context.tenantClusters) {
      if (c.dataStore.dedicated) {
        dedicated.add(c.dataStore.dataStoreName);
      } else {
        out.push(this.violationAt(c, `cluster "${c.clusterName}" keeps its control-plane state in the shared DataStore "${c.dataStore.dataStoreName}" (${c.dataStore.driver})`,
          'give the cluster its own datastore, or share it knowingly: Policy.suppress(cluster, "KM-TEN-004", "<why sharing is fine>")'));
      }
    }
    const users = new Map<string, SynthesizedObject[]>();
    const use = (name: unknown, o: SynthesizedObject) => {
      if (typeof name !== 'string' || name === '') return;
      const list = users.get(name) ?? [];
      list.push(o);
      users.set(name, list);
    };
    for (const cp of context.objectsOfKind('KamajiControlPlane', 'controlplane.cluster.x-k8s.io')) {
      const name = get(cp.json, 'spec.dataStoreName');
      if (name === undefined || name === '') {
        out.push(this.violationOf(cp, `${cp.displayName} names no dataStoreName, so it uses Kamaji's default DataStore, shared by every control plane without one`,
          'set spec.dataStoreName to the tenant\'s own DataStore'));
      }
      use(name, cp);
    }
    for (const cl of context.objectsOfKind('Cluster', 'cluster.x-k8s.io')) {
      const variable = (get(cl.json, 'spec.topology.variables') ?? []).find((v: any) => v?.name === 'dataStoreName');
      if (variable) use(variable.value, cl);
    }
    for (const name of dedicated) {
      const list = users.get(name) ?? [];
      if (list.length > 1) {
        for (const o of list.slice(1)) {
          out.push(this.violationOf(o, `the dedicated DataStore "${name}" is used by ${list.length} control planes (${listSome(list.map((x) => x.displayName))})`,
            'give each control plane its own DataStore'));
        }
      }
    }
    return out;
  }
}
