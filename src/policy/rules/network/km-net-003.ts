import { AddressRange, OverlapIndex, parseCidr } from '../../../util/cidr';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';
import { poolRange, subnetRanges, vpcOf } from './cidr-helpers';
import { KmetalValidationError } from '../../../util/errors';

/** Options of `TenantSubnetPlaneRule`. */
export interface TenantSubnetPlaneRuleProps {
  /** Management ranges besides those of the app's `NetworkPlanes` (e.g. a BMC network). @default - none */
  readonly additionalManagementCidrs?: string[];
}

interface PlaneBlock {
  readonly range: AddressRange;
  readonly what: string;
}

/**
 * KM-NET-003: no tenant subnet on the management plane (the under cluster's nodes, pod, join and
 * Service networks) or the public plane (its underlay, every control-plane VIP pool). Every
 * Kube-OVN `Subnet` of a tenant VPC in the output is looked up in one index of the planes'
 * ranges, O(log n) each.
 */
export class TenantSubnetPlaneRule extends PolicyRule {
  private readonly extra: string[];

  constructor(props: TenantSubnetPlaneRuleProps = {}) {
    super({
      id: 'KM-NET-003',
      severity: PolicySeverity.ERROR,
      description: 'No tenant subnet lies on the management or the public plane',
      remediation: 'move the subnet into the tenant plane (NetworkPlanes tenantCidrs), away from node, pod, Service, join and public ranges',
    });
    this.extra = [...(props.additionalManagementCidrs ?? [])];
    for (const c of this.extra) {
      if (!parseCidr(c)) throw new KmetalValidationError('TenantSubnetPlaneRule', 'additionalManagementCidrs', `${JSON.stringify(c)} is not a CIDR`, 'write IPv4 ranges such as "192.168.10.0/24"');
    }
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const blocks: PlaneBlock[] = [];
    for (const planes of context.networkPlanes) {
      for (const c of planes.managementCidrs) {
        const r = parseCidr(c);
        if (r) blocks.push({ range: r, what: `the management plane (${c})` });
      }
      const pub = parseCidr(planes.publicCidr);
      if (pub) blocks.push({ range: pub, what: `the public plane (${planes.publicCidr})` });
    }
    for (const c of this.extra) {
      blocks.push({ range: parseCidr(c)!, what: `the management plane (${c})` });
    }
    for (const pool of context.objectsOfKind('IPAddressPool', 'metallb.io')) {
      for (const a of get(pool.json, 'spec.addresses') ?? []) {
        const r = poolRange(String(a));
        if (r) blocks.push({ range: r, what: `the public plane (VIP pool ${pool.name}: ${a})` });
      }
    }
    if (blocks.length === 0) return [];
    const index = new OverlapIndex(blocks, (b) => b.range);
    const out: PolicyViolation[] = [];
    for (const o of context.objectsOfKind('Subnet', 'kubeovn.io')) {
      // Subnets of the default VPC are the platform's own (ovn-default, join, the public underlay).
      if (vpcOf(o) === 'ovn-cluster') continue;
      for (const r of subnetRanges(o)) {
        const hit = index.overlapping(r);
        if (hit) out.push(this.violationOf(o, `tenant subnet ${o.name} (${r.text}) of VPC "${vpcOf(o)}" overlaps ${hit.what}`));
      }
    }
    return out;
  }
}
