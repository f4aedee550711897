import { Block, subnetRanges, vpcOf } from './cidr-helpers';
import { findOverlaps } from '../../../util/cidr';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

/**
 * KM-NET-001: the subnets of one VPC must not overlap (Kube-OVN would route one of them into the
 * void). Checked on the synthesized `Subnet` objects, so subnets added through escape hatches
 * count; one sort-and-sweep per VPC.
 */
export class SubnetOverlapInVpcRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-NET-001',
      severity: PolicySeverity.ERROR,
      description: 'Subnets of one VPC do not overlap',
      remediation: 'give every subnet of a VPC its own range (ranges may repeat in other, unpeered VPCs)',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const byVpc = new Map<string, Block[]>();
    for (const o of context.objectsOfKind('Subnet', 'kubeovn.io')) {
      const vpc = vpcOf(o);
      const list = byVpc.get(vpc) ?? [];
      for (const range of subnetRanges(o)) list.push({ range, object: o, label: `${o.name} (${range.text})` });
      byVpc.set(vpc, list);
    }
    const out: PolicyViolation[] = [];
    for (const [vpc, blocks] of byVpc) {
      for (const [a, b] of findOverlaps(blocks, (x) => x.range)) {
        out.push(this.violationOf(b.object, `subnet ${b.label} overlaps subnet ${a.label} of the same VPC "${vpc}"`));
      }
    }
    return out;
  }
}
