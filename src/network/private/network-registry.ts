import type { IConstruct } from 'constructs';
import { AddressRange, findOverlaps, formatIp, parseCidr } from '../../util/cidr';
import { KmetalValidationError } from '../../util/errors';
import type { ControlPlaneVipPool } from '../control-plane-vip-pool';
import type { NetworkPlanes } from '../network-planes';
import type { PeeringRequest } from '../peering-request';
import type { TenantVpc } from '../tenant-vpc';
import { allocateSlots, SlotRequest } from './slot-allocator';

/** An address or range of the public plane someone holds. */
export interface PublicClaim {
  readonly range: AddressRange;
  /** What it is, for messages. */
  readonly what: string;
  /** Who declared it, and in which field (the error goes there). */
  readonly owner: IConstruct;
  readonly field: string;
  /** Keep it out of Kube-OVN's dynamic allocation (`excludeIps` of the public subnet). */
  readonly exclude: boolean;
}

/** The /30 between two peered VPC routers. */
export interface PeeringLink {
  /** The link block, e.g. `169.254.64.0/30`. */
  readonly cidr: string;
  /** `localConnectIP` of the requesting VPC (`169.254.64.1/30`) and its bare address. */
  readonly fromConnectIp: string;
  readonly fromAddress: string;
  /** Same for the other VPC. */
  readonly toConnectIp: string;
  readonly toAddress: string;
}

interface SubnetItem {
  readonly range: AddressRange;
  readonly label: string;
  readonly isLink: boolean;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the network constructs of one set of planes know of each other, and the checks that need
 * all of them. Every check is a sort-and-sweep or an index lookup (no pair of VPCs is ever
 * compared), and the whole validation runs once per change, however many objects read from it.
 */
export class NetworkRegistry {
  private readonly vpcsByName = new Map<string, TenantVpc>();
  private readonly subnetNames = new Map<string, IConstruct>();
  private readonly vipPools: ControlPlaneVipPool[] = [];
  private readonly peeringsByPair = new Map<string, PeeringRequest>();
  private links = new Map<PeeringRequest, PeeringLink>();
  private version = 0;
  private validatedVersion = -1;

  constructor(private readonly planes: NetworkPlanes) {}

  /** Marks the registry changed: the next read validates again. */
  public touch(): void {
    this.version++;
  }

  public registerVpc(vpc: TenantVpc): void {
    const existing = this.vpcsByName.get(vpc.vpcName);
    if (existing) {
      throw new KmetalValidationError(vpc, 'name', `a VPC named "${vpc.vpcName}" is already declared at ${existing.node.path} (Kube-OVN VPCs are cluster-wide)`, 'give every TenantVpc its own name');
    }
    this.vpcsByName.set(vpc.vpcName, vpc);
    this.touch();
  }

  /** What declared the Kube-OVN Subnet of that name (a TenantSubnet), if this app declares it. */
  public subnetOwner(name: string): IConstruct | undefined {
    return this.subnetNames.get(name);
  }

  /** Reserves a cluster-wide Kube-OVN Subnet name. */
  public claimSubnetName(owner: IConstruct, field: string, name: string): void {
    const holder = name === this.planes.publicSubnetName ? this.planes : this.subnetNames.get(name);
    if (holder || ['ovn-default', 'join', 'node'].includes(name)) {
      throw new KmetalValidationError(owner, field, `the Kube-OVN Subnet name "${name}" is already taken${holder ? ` by ${holder.node.path}` : ' by Kube-OVN itself'} (Subnets are cluster-wide, named <vpc>-<subnet>)`, 'rename the subnet or the VPC so that "<vpc>-<subnet>" is unique');
    }
    this.subnetNames.set(name, owner);
    this.touch();
  }

  public registerVipPool(pool: ControlPlaneVipPool): void {
    this.vipPools.push(pool);
    this.planes._invalidatePlanes();
    this.touch();
  }

  public registerPeering(request: PeeringRequest, fromName: string, toName: string): void {
    const key = [fromName, toName].sort().join('|');
    const existing = this.peeringsByPair.get(key);
    if (existing) {
      throw new KmetalValidationError(request, 'to', `VPCs "${fromName}" and "${toName}" already have a peering request: ${existing.node.path}`, 'keep one request per pair of VPCs (a peering works both ways)');
    }
    this.peeringsByPair.set(key, request);
    this.touch();
  }

  /** The VPCs, by name. */
  public get vpcs(): TenantVpc[] {
    return [...this.vpcsByName.values()].sort((a, b) => byText(a.vpcName, b.vpcName));
  }

  /** Every peering request, by pair. */
  public get peerings(): PeeringRequest[] {
    return [...this.peeringsByPair.entries()].sort((a, b) => byText(a[0], b[0])).map(([, p]) => p);
  }

  /** The VIP pools that joined the public plane, by name. */
  public get pools(): ControlPlaneVipPool[] {
    return [...this.vipPools].sort((a, b) => byText(`${a.namespace}/${a.poolName}`, `${b.namespace}/${b.poolName}`));
  }

  /** The link of an approved peering (after `validate()`). */
  public linkOf(request: PeeringRequest): PeeringLink | undefined {
    return this.links.get(request);
  }

  /** Every holder of public addresses, in a deterministic order. */
  public publicClaims(): PublicClaim[] {
    const claims: PublicClaim[] = [...this.planes._publicClaims()];
    for (const pool of this.pools) {
      pool._ranges.forEach((range) => claims.push({ range, what: `control-plane VIP pool "${pool.poolName}" ${range.text}`, owner: pool, field: 'addresses', exclude: true }));
    }
    for (const vpc of this.vpcs) claims.push(...vpc._publicClaims());
    return claims;
  }

  /** What the public subnet must keep out of Kube-OVN's dynamic allocation. */
  public publicExclusions(): AddressRange[] {
    const pub = this.planes._publicRange;
    return this.publicClaims()
      .filter((c) => c.exclude && c.range.family === pub.family && c.range.last >= pub.first && c.range.first <= pub.last)
      .map((c) => ({
        ...c.range,
        first: c.range.first < pub.first ? pub.first : c.range.first,
        last: c.range.last > pub.last ? pub.last : c.range.last,
      }));
  }

  /**
   * Runs every cross-object check (throws the first problem as a KmetalValidationError) and
   * allocates the peering links. Cached until the next change.
   */
  public validate(): void {
    if (this.validatedVersion === this.version) return;
    // 1. Every pool's VIPs (exhaustion, two tenants pinning one address).
    for (const pool of this.pools) void pool.allocations;
    // 2. No public address held twice (gateway, reserved, VIP pools, EIPs, load-balancer pools).
    const clash = findOverlaps(this.publicClaims(), (c) => c.range)[0];
    if (clash) {
      const [a, b] = clash;
      // Report on the tenant's side when there is one: that is usually the input to change.
      const [mine, theirs] = b.owner === this.planes && a.owner !== this.planes ? [a, b] : [b, a];
      throw new KmetalValidationError(mine.owner, mine.field, `${mine.what} overlaps ${theirs.what} (declared by ${theirs.owner.node.path}); a public address can have one holder only`,
        'pick addresses of the public network nobody else holds');
    }
    // 3. Tenant subnets against the planes again: VIP pools may have joined after the subnets.
    for (const vpc of this.vpcs) {
      for (const subnet of vpc.subnets) this.planes._checkTenantRange(subnet, 'cidr', subnet._range);
    }
    // 4. Per VPC: the clusters it carries and their control-plane path.
    for (const vpc of this.vpcs) vpc._validate();
    // 5. Peerings: links, then overlaps between the two sides.
    this.links = this.allocateLinks();
    for (const request of this.peerings.filter((p) => p.approved)) this.checkPeeredOverlap(request);
    this.validatedVersion = this.version;
  }

  private allocateLinks(): Map<PeeringRequest, PeeringLink> {
    const block = this.planes._peeringLinkRange;
    const approved = this.peerings.filter((p) => p.approved);
    const capacity = (block.last - block.first + 1n) / 4n;
    const requests: SlotRequest<PeeringRequest>[] = [];
    const pinnedOutside: PeeringRequest[] = [];
    for (const p of approved) {
      const pinned = p._pinnedLink;
      if (pinned && (pinned.first < block.first || pinned.last > block.last)) pinnedOutside.push(p);
      else requests.push({ key: p, name: p._pairKey, fixed: pinned ? (pinned.first - block.first) / 4n : undefined });
    }
    const { slots, problem } = allocateSlots(requests, capacity);
    if (problem?.kind === 'duplicate') {
      throw new KmetalValidationError(problem.second.key, 'linkCidr', `the peering link ${formatIp(4, block.first + problem.slot * 4n)}/30 is pinned by two peerings: ${problem.first.key.node.path} and ${problem.second.key.node.path}`, 'give each peering its own /30, or drop linkCidr on one of them');
    }
    if (problem?.kind === 'exhausted') {
      throw new KmetalValidationError(this.planes, 'peeringLinkCidr', `${block.text} holds ${capacity} /30 links but ${requests.length} peerings are approved; no link is left for ${problem.unplaced.map((r) => r.key.node.path).join(', ')}`, 'give NetworkPlanes a larger peeringLinkCidr');
    }
    const links = new Map<PeeringRequest, PeeringLink>();
    const make = (p: PeeringRequest, first: bigint) => {
      const ip = (offset: bigint) => formatIp(4, first + offset);
      links.set(p, { cidr: `${ip(0n)}/30`, fromConnectIp: `${ip(1n)}/30`, fromAddress: ip(1n), toConnectIp: `${ip(2n)}/30`, toAddress: ip(2n) });
    };
    for (const [p, slot] of slots) make(p, block.first + slot * 4n);
    for (const p of pinnedOutside) make(p, p._pinnedLink!.first);
    // Pinned links outside the block may still meet each other or allocated ones.
    const all = [...links.entries()].map(([p, l]) => ({ p, range: parseCidr(l.cidr)! }));
    const overlap = findOverlaps(all, (x) => x.range)[0];
    if (overlap) {
      throw new KmetalValidationError(overlap[1].p, 'linkCidr', `the peering link ${overlap[1].range.text} overlaps the link ${overlap[0].range.text} of ${overlap[0].p.node.path}`, 'give each peering its own /30');
    }
    return links;
  }

  private checkPeeredOverlap(request: PeeringRequest): void {
    const link = this.links.get(request)!;
    const items: SubnetItem[] = [];
    for (const vpc of [request.from, request.to as TenantVpc]) {
      for (const s of vpc.subnets) {
        if (s.family !== 4) {
          throw new KmetalValidationError(request, 'to', `subnet "${s.subnetName}" (${s.cidr}) of VPC "${vpc.vpcName}" is IPv6; peering routes are IPv4 (Kube-OVN localConnectIP)`, 'peer VPCs with IPv4 subnets only, or withdraw the request');
        }
        items.push({ range: s._range, label: `subnet "${s.subnetName}" ${s.cidr} of VPC "${vpc.vpcName}"`, isLink: false });
      }
    }
    items.push({ range: parseCidr(link.cidr)!, label: `the peering link ${link.cidr}`, isLink: true });
    const hit = findOverlaps(items, (i) => i.range)[0];
    if (hit) {
      const isLink = hit[0].isLink || hit[1].isLink;
      throw new KmetalValidationError(request, isLink ? 'linkCidr' : 'to', `${hit[0].label} overlaps ${hit[1].label}; peered VPCs must not share addresses (the routes between them would be ambiguous)`,
        isLink ? 'pin linkCidr to a /30 no subnet of either VPC uses, or change NetworkPlanes peeringLinkCidr' : 'renumber one of the subnets, or withdraw the peering request');
    }
  }
}
