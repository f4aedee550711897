import { AddressRange, findOverlaps, parseIp } from '../../../util/cidr';
import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';
import { poolRange } from './cidr-helpers';

/**
 * KM-NET-004: every control-plane VIP has one holder: MetalLB `IPAddressPool`s do not overlap
 * (MetalLB would hand one address to two Services), and no two `KamajiControlPlane`s ask for the
 * same `spec.network.serviceAddress`. One sweep over all pools, one map over all control planes.
 */
export class VipDuplicateRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-NET-004',
      severity: PolicySeverity.ERROR,
      description: 'Control-plane VIPs and VIP pools are not duplicated',
      remediation: 'give each tenant control plane its own VIP and each MetalLB pool its own addresses',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    const ranges: Array<{ range: AddressRange; object: SynthesizedObject }> = [];
    for (const pool of context.objectsOfKind('IPAddressPool', 'metallb.io')) {
      for (const a of get(pool.json, 'spec.addresses') ?? []) {
        const r = poolRange(String(a));
        if (r) ranges.push({ range: r, object: pool });
      }
    }
    for (const [a, b] of findOverlaps(ranges, (x) => x.range)) {
      const where = a.object === b.object ? 'another range of the same pool' : `pool ${a.object.name} (${a.range.text})`;
      out.push(this.violationOf(b.object, `VIP pool ${b.object.name}: ${b.range.text} overlaps ${where}`));
    }
    const holders = new Map<string, SynthesizedObject>();
    for (const cp of context.objectsOfKind('KamajiControlPlane', 'controlplane.cluster.x-k8s.io')) {
      const address = get(cp.json, 'spec.network.serviceAddress');
      const ip = typeof address === 'string' ? parseIp(address) : undefined;
      if (!ip) continue;
      const key = `${ip.family}/${ip.value}`;
      const first = holders.get(key);
      if (first) out.push(this.violationOf(cp, `control plane ${cp.displayName} uses VIP ${address}, which ${first.displayName} uses too`));
      else holders.set(key, cp);
    }
    return out;
  }
}
