import { CapacityPolicyOptions } from './capacity-options';
import { controlPlaneHostsOf } from './fleet-capacity';
import { DedicatedEtcdDataStore } from '../../../tenancy/datastore';
import { SpreadMode } from '../../../tenancy/placement';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-CAP-005: no single control-plane host can take a tenant's etcd quorum or all of its API
 * servers. The tenants' hosted control planes run on the under cluster's shared control-plane hosts
 * (`controlPlaneHostLabels`); a dedicated etcd of `n` members needs `n` of them with a required
 * spread (one member per host: fewer hosts put two members on one, and 2 of 3 is the quorum), and
 * two or more API servers need two hosts and a required spread (a preferred or no spread lets the
 * scheduler put them together). Reads each cluster's resolved placement
 * (`TenantCluster.controlPlaneSpread`, `DedicatedEtcdDataStore.spread`). Clusters at edge sites run
 * their control plane on the island and are left out; single-member etcds and single API servers
 * are KM-TEN-007's and KM-TEN-002's. Not checked when the app declares no control-plane hosts.
 */
export class ControlPlaneHostLossRule extends PolicyRule {
  private readonly options: CapacityPolicyOptions;

  constructor(options: CapacityPolicyOptions = {}) {
    super({
      id: 'KM-CAP-005',
      severity: PolicySeverity.ERROR,
      description: 'The loss of one control-plane host takes no tenant\'s etcd quorum nor all its API servers',
      remediation: 'add control-plane hosts, or keep the required spread (SpreadMode.REQUIRED) of API servers and etcd members',
    });
    this.options = { ...options };
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const hosts = controlPlaneHostsOf(context, this.options);
    if (hosts.length === 0) return [];
    const labels = Object.entries(this.options.controlPlaneHostLabels ?? { 'kmetal.io/role': 'control-plane' }).map(([k, v]) => `${k}=${v}`).join(', ');
    const have = `${hosts.length} control-plane host(s) (labelled ${labels}: ${hosts.map((h) => h.hostName).sort().join(', ')})`;
    const out: PolicyViolation[] = [];
    for (const cluster of context.tenantClusters) {
      if (cluster.site) continue;
      const name = `cluster ${cluster.namespace}/${cluster.clusterName}`;
      const etcd = cluster.dataStore;
      if (etcd instanceof DedicatedEtcdDataStore && etcd.replicas >= 3) {
        const members = etcd.replicas;
        const quorum = Math.floor(members / 2) + 1;
        if (hosts.length < members) {
          out.push(this.violationAt(etcd, `the etcd of ${name} has ${members} members but the platform has ${have}: one host holds ${Math.ceil(members / hosts.length)} of them, and its loss leaves fewer than the quorum of ${quorum}${etcd.spread === SpreadMode.REQUIRED ? ' (with the required spread, the members beyond one per host cannot be scheduled on them at all)' : ''}`,
            `add ${members - hosts.length} control-plane host(s)${hosts.length >= 3 ? ', or run 3 members' : ''}`));
        } else if (etcd.spread !== SpreadMode.REQUIRED) {
          out.push(this.violationAt(etcd, `the etcd of ${name} spreads its ${members} members ${etcd.spread === SpreadMode.NONE ? 'not at all' : 'only preferably'}: the scheduler may put ${members - quorum + 1} of them on one host, whose loss takes the quorum of ${quorum}`,
            'leave etcd.spread at SpreadMode.REQUIRED (one member per host)'));
        }
      }
      const replicas = cluster.controlPlaneReplicas;
      if (replicas >= 2) {
        if (hosts.length < 2) {
          out.push(this.violationAt(cluster, `${name} runs ${replicas} API servers, but the platform has ${have}: its loss takes all of them`, 'add a second control-plane host'));
        } else if (cluster.controlPlaneSpread !== SpreadMode.REQUIRED) {
          out.push(this.violationAt(cluster, `${name} spreads its ${replicas} API servers ${cluster.controlPlaneSpread === SpreadMode.NONE ? 'not at all' : 'only preferably'}: the scheduler may put all of them on one host, whose loss takes the tenant's API`,
            `leave controlPlane.spread at SpreadMode.REQUIRED${cluster.clusterClass ? ` (on class "${cluster.clusterClass.className}")` : ''}`));
        }
      }
    }
    return out;
  }
}
