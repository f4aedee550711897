import { CapacityPolicyOptions } from './capacity-options';
import { vmHostsOf } from './fleet-capacity';
import { SpreadMode } from '../../../tenancy/placement';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-CAP-004: a pool whose VMs must each run on their own host (`placement.spread:
 * SpreadMode.REQUIRED`) has no more VMs (replicas, or the autoscaler's maximum) than eligible
 * hosts: the VM hosts (`vmHostLabels`), or the hosts carrying the pool's `hostSelector`. Extra VMs
 * would stay Pending forever. A pool that spreads across zones (`placement.zoneLabel`) needs the
 * label on its eligible hosts: with a required spread, hosts without it never get a VM; with a
 * preferred one, the rule spreads nothing when no host carries it. Reads each pool's resolved
 * placement (`INodePool.placement`); pools of clusters at edge sites run on their island and are
 * left out. Not checked when the app declares no hosts.
 */
export class PoolSpreadRule extends PolicyRule {
  private readonly options: CapacityPolicyOptions;

  constructor(options: CapacityPolicyOptions = {}) {
    super({
      id: 'KM-CAP-004',
      severity: PolicySeverity.ERROR,
      description: 'Pools with a required spread have no more VMs than eligible hosts, and zone-spread pools have zone-labelled hosts',
      remediation: 'add eligible hosts, lower the pool\'s replicas (or maxReplicas), or use SpreadMode.PREFERRED',
    });
    this.options = { ...options };
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    if (context.bareMetalHosts.length === 0) return [];
    const out: PolicyViolation[] = [];
    for (const cluster of context.tenantClusters) {
      if (cluster.site) continue;
      for (const pool of cluster.pools) {
        const p = pool.placement;
        if (p.spread === SpreadMode.NONE) continue;
        const hostSelector = (pool as { hostSelector?: { [key: string]: string } }).hostSelector;
        const eligible = vmHostsOf(context, this.options, hostSelector);
        const where = hostSelector && Object.keys(hostSelector).length
          ? `hosts labelled ${Object.entries(hostSelector).map(([k, v]) => `${k}=${v}`).join(', ')}`
          : 'VM hosts';
        const what = `pool "${pool.poolName}" of cluster ${cluster.namespace}/${cluster.clusterName}`;
        let hosts = eligible;
        if (p.zoneLabel) {
          const zoned = eligible.filter((h) => h.labels[p.zoneLabel!] !== undefined);
          if (zoned.length === 0) {
            out.push(this.violationAt(pool, `${what} spreads across zones by "${p.zoneLabel}", but none of its ${eligible.length} eligible ${where} carries that label${p.spread === SpreadMode.REQUIRED ? ', so no VM can be scheduled' : ', so the zone spread does nothing'}`,
              `label the hosts with their zone (BareMetalHost labels, e.g. { "${p.zoneLabel}": "zone-a" }), or drop placement.zoneLabel`));
            continue;
          }
          // Required: the DoNotSchedule constraint leaves out nodes without the label.
          if (p.spread === SpreadMode.REQUIRED) hosts = zoned;
        }
        if (p.spread !== SpreadMode.REQUIRED) continue;
        const vms = pool.maxReplicas ?? pool.replicas ?? 1;
        if (vms <= hosts.length) continue;
        const names = hosts.map((h) => h.hostName).sort();
        out.push(this.violationAt(pool,
          `${what} runs ${vms} VM(s) with a required spread (one per host), but only ${hosts.length} eligible ${where}${p.zoneLabel && p.spread === SpreadMode.REQUIRED ? ` with "${p.zoneLabel}"` : ''} exist${names.length ? ` (${names.join(', ')})` : ''}: ${vms - hosts.length} VM(s) would stay Pending`,
          `add ${vms - hosts.length} eligible host(s), lower the pool to ${hosts.length} VM(s), or set placement.spread to SpreadMode.PREFERRED`));
      }
    }
    return out;
  }
}
