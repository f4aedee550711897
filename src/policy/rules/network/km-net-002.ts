import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';
import { Block, interfaceNetwork, subnetRanges, vpcOf } from './cidr-helpers';

interface Side extends Block {
  readonly side: 0 | 1;
  readonly isLink?: boolean;
}

/**
 * KM-NET-002: VPCs peered with each other (Kube-OVN `vpcPeerings`) must not overlap, neither with
 * their subnets nor with the /30 link between their routers: routes to the other side would
 * shadow local subnets. For every peering, the subnets of both VPCs and the link are swept once
 * (cost: the sizes of the two VPCs, never all pairs of VPCs).
 */
export class PeeredVpcOverlapRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-NET-002',
      severity: PolicySeverity.ERROR,
      description: 'Peered VPCs and their peering link do not overlap',
      remediation: 'renumber one side of the peering, or withdraw the peering request',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const subnets = new Map<string, Block[]>();
    for (const o of context.objectsOfKind('Subnet', 'kubeovn.io')) {
      const list = subnets.get(vpcOf(o)) ?? [];
      for (const range of subnetRanges(o)) list.push({ range, object: o, label: `subnet ${o.name} (${range.text})` });
      subnets.set(vpcOf(o), list);
    }
    const vpcs = new Map<string, SynthesizedObject>();
    for (const v of context.objectsOfKind('Vpc', 'kubeovn.io')) vpcs.set(v.name, v);

    const out: PolicyViolation[] = [];
    const seen = new Set<string>();
    for (const vpc of vpcs.values()) {
      for (const peering of get(vpc.json, 'spec.vpcPeerings') ?? []) {
        const remote = String(peering?.remoteVpc ?? '');
        const key = [vpc.name, remote].sort().join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        const other = vpcs.get(remote);
        const blocks: Side[] = [
          ...(subnets.get(vpc.name) ?? []).map((b) => ({ ...b, label: `${b.label} of VPC "${vpc.name}"`, side: 0 as const })),
          ...(subnets.get(remote) ?? []).map((b) => ({ ...b, label: `${b.label} of VPC "${remote}"`, side: 1 as const })),
        ];
        const link = interfaceNetwork(peering?.localConnectIP);
        if (link) blocks.push({ range: link, object: vpc, label: `the peering link ${link.text} between "${vpc.name}" and "${remote}"`, side: 1, isLink: true });
        const remoteLink = other ? (get(other.json, 'spec.vpcPeerings') ?? []).find((p: any) => p?.remoteVpc === vpc.name) : undefined;
        const rlink = remoteLink ? interfaceNetwork(remoteLink.localConnectIP) : undefined;
        if (rlink) blocks.push({ range: rlink, object: other!, label: `the peering link ${rlink.text} between "${vpc.name}" and "${remote}"`, side: 0, isLink: true });
        for (const [a, b] of crossOverlaps(blocks)) {
          out.push(this.violationOf(b.object, `${b.label} overlaps ${a.label}, and the two VPCs are peered`));
        }
      }
    }
    return out;
  }
}

/** Overlaps between blocks of different sides: one sweep keeping the furthest reach per side. */
function crossOverlaps(blocks: Side[]): Array<[Side, Side]> {
  const out: Array<[Side, Side]> = [];
  for (const family of [4, 6]) {
    const sorted = blocks.filter((b) => b.range.family === family)
      .sort((x, y) => (x.range.first < y.range.first ? -1 : x.range.first > y.range.first ? 1 : 0));
    const reach: [Side | undefined, Side | undefined] = [undefined, undefined];
    for (const b of sorted) {
      const other = reach[b.side === 0 ? 1 : 0];
      // Both ends of the link name the same /30: only links against subnets count.
      if (other && b.range.first <= other.range.last && !(other.isLink && b.isLink)) out.push([other, b]);
      const mine = reach[b.side];
      if (!mine || b.range.last > mine.range.last) reach[b.side] = b;
    }
  }
  return out;
}
