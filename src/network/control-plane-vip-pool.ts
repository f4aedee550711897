import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IControlPlaneVipPool } from './control-plane-vip';
import type { NetworkPlanes } from './network-planes';
import { BgpAdvertisement, IpAddressPool, L2Advertisement } from '../imports/metallb.io';
import { AddressRange, addressBits, findOverlaps, formatIp, OverlapIndex, parseAddressRange, parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkKnownProps } from '../util/props';
import { allocateSlots, SlotRequest } from './private/slot-allocator';

/** BGP announcement of the VIPs (MetalLB `BGPAdvertisement`). */
export interface VipPoolBgpOptions {
  /** Names of the MetalLB `BGPPeer`s to announce to. @default - every peer */
  readonly peers?: string[];
  /** BGP communities to attach, e.g. `65000:100`. @default - none */
  readonly communities?: string[];
  /** BGP LOCAL_PREF of the announcements (iBGP only). @default - MetalLB's default */
  readonly localPref?: number;
}

/** Props of `ControlPlaneVipPool`. */
export interface ControlPlaneVipPoolProps {
  /**
   * The pool's addresses, as MetalLB takes them: CIDRs (`203.0.113.64/27`) or ranges
   * (`203.0.113.64-203.0.113.95`), all of one address family.
   */
  readonly addresses: string[];
  /** Name of the `IPAddressPool` (and of its advertisements). @default - the construct id */
  readonly name?: string;
  /** Namespace MetalLB runs in. @default 'metallb-system' */
  readonly namespace?: string;
  /**
   * The platform's planes: the pool joins the public plane (its addresses are excluded from
   * Kube-OVN's dynamic EIP allocation, no tenant subnet may use them, and every tenant VPC may
   * reach its own VIP in it only) and must stay off the management plane.
   * @default - the pool is not checked against the planes
   */
  readonly planes?: NetworkPlanes;
  /** Announce the VIPs with ARP/NDP (`L2Advertisement`). @default true */
  readonly l2Advertisement?: boolean;
  /**
   * Interfaces the L2 announcements leave from. With a Kube-OVN underlay, the host side of the
   * public NIC is the OVS bridge `br-<providerNetwork>`.
   * @default - every interface of every node
   */
  readonly interfaces?: string[];
  /** Also announce the VIPs over BGP. @default - no BGP announcement */
  readonly bgp?: VipPoolBgpOptions;
}

/** The VIP a tenant got from a pool. */
export interface VipAllocation {
  /** The tenant's name as registered (the cluster name). */
  readonly tenantName: string;
  /** Its VIP. */
  readonly address: string;
  /** True when the tenant pinned the address (`controlPlane.endpointAddress`). */
  readonly pinned: boolean;
}

interface Registration {
  readonly tenant: IConstruct;
  readonly name: string;
  readonly fixed?: bigint;
}

/**
 * A pool of VIPs for the tenants' API servers: a MetalLB `IPAddressPool` (never auto-assigned, so
 * only control planes that ask for it by name get its addresses) with an `L2Advertisement`, and
 * optionally a `BGPAdvertisement`.
 *
 * **One VIP per tenant, deterministically.** Tenants register when constructed
 * (`TenantCluster` with `controlPlane.vipPool`); addresses are decided at synth time, when every
 * tenant is known, so the result never depends on declaration order:
 *
 * 1. pinned addresses first (`controlPlane.endpointAddress`, checked to lie in the pool);
 * 2. every other tenant, in name order, at the address its name hashes to, or the next free one.
 *
 * **Stability.** Because an address derives from the tenant's own name, adding or removing a
 * tenant leaves the other tenants' VIPs where they are, except in one case: a new tenant that
 * hashes onto exactly the address another tenant had probed to, and sorts before it. (Handing out
 * addresses in name order instead would move every tenant that sorts after a newcomer.) A VIP
 * that moves changes the API endpoint its workers and kubeconfigs use, so **pin the VIPs of
 * production tenants**: read `allocations` once and copy each address into the cluster's
 * `controlPlane.endpointAddress`; pinned addresses never move.
 *
 * Pool exhaustion and two tenants pinning one address are synth-time errors naming the tenants.
 * Allocation is O(n log n) in the number of tenants, whatever the size of the pool.
 */
/** Every property of `ControlPlaneVipPoolProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const CONTROL_PLANE_VIP_POOL_PROPS_KEYS: readonly string[] = ['addresses', 'bgp', 'interfaces', 'l2Advertisement', 'name', 'namespace', 'planes'];

export class ControlPlaneVipPool extends Construct implements IControlPlaneVipPool {
  /** Name of the MetalLB IPAddressPool. */
  public readonly poolName: string;
  /** Namespace of the MetalLB objects. */
  public readonly namespace: string;
  /** The pool's addresses as given. */
  public readonly addresses: string[];
  /** How many VIPs the pool holds (capped at 2^53 - 1 for IPv6 pools). */
  public readonly capacity: number;
  /** The MetalLB IPAddressPool (escape hatch). */
  public readonly addressPool: ApiObject;
  /** The L2Advertisement, unless turned off (escape hatch). */
  public readonly l2Advertisement?: ApiObject;
  /** The BGPAdvertisement, when BGP is on (escape hatch). */
  public readonly bgpAdvertisement?: ApiObject;
  /** The planes the pool belongs to, if given. */
  public readonly planes?: NetworkPlanes;

  /** The pool's ranges, sorted and disjoint. @internal */
  public readonly _ranges: AddressRange[];
  private readonly family: number;
  /** Cumulative size of the ranges before each one (slot -> address mapping). */
  private readonly offsets: bigint[] = [];
  private readonly total: bigint;
  private readonly registrations = new Map<IConstruct, Registration>();
  private resolved?: Map<IConstruct, bigint>;

  constructor(scope: Construct, id: string, props: ControlPlaneVipPoolProps) {
    super(scope, id);
    checkKnownProps(this, '', props, CONTROL_PLANE_VIP_POOL_PROPS_KEYS, 'ControlPlaneVipPoolProps');
    this.poolName = validateDnsLabel(this, 'name', props?.name ?? id);
    this.namespace = validateDnsLabel(this, 'namespace', props?.namespace ?? 'metallb-system');
    const given = props?.addresses;
    if (!Array.isArray(given) || given.length === 0) {
      throw new KmetalValidationError(this, 'addresses', `${showValue(given)} holds no address`, 'give CIDRs or ranges, e.g. ["203.0.113.64/27"]');
    }
    const ranges = given.map((text, i) => {
      const r = parseAddressRange(text);
      if (!r || text.includes('..')) {
        throw new KmetalValidationError(this, `addresses[${i}]`, `${showValue(text)} is neither a CIDR nor an address range`, 'write "203.0.113.64/27" or "203.0.113.64-203.0.113.95"');
      }
      return r;
    });
    this.family = ranges[0].family;
    const otherFamily = ranges.find((r) => r.family !== this.family);
    if (otherFamily) {
      throw new KmetalValidationError(this, 'addresses', `mixes IPv4 and IPv6 (${otherFamily.text})`, 'a tenant gets one VIP: declare one pool per address family');
    }
    const overlap = findOverlaps(ranges, (r) => r)[0];
    if (overlap) {
      throw new KmetalValidationError(this, 'addresses', `${overlap[0].text} and ${overlap[1].text} overlap`, 'list every address once');
    }
    this._ranges = ranges.sort((a, b) => (a.first < b.first ? -1 : 1));
    let total = 0n;
    for (const r of this._ranges) {
      this.offsets.push(total);
      total += r.last - r.first + 1n;
    }
    this.total = total;
    this.capacity = Number(total > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : total);
    this.addresses = [...given];

    if (props.planes) {
      this.planes = props.planes;
      const mgmt = new OverlapIndex(props.planes._managementBlocks(), (b) => b.range);
      for (const r of this._ranges) {
        const hit = mgmt.overlapping(r);
        if (hit) {
          throw new KmetalValidationError(this, 'addresses', `${r.text} lies on the management plane (${hit.what})`,
            'control-plane VIPs belong to the public plane: workers reach them from their VPC, which must never touch the management plane; take them from the public network');
        }
      }
      // An L2 (ARP/NDP) announcement reaches only the public network's own segment: hosts there
      // never ask for an address outside their subnet, so such a VIP is unreachable unless a
      // router learns it some other way (BGP).
      const pub = props.planes._publicRange;
      const outside = (props.l2Advertisement ?? true) && !props.bgp
        ? this._ranges.find((r) => r.family !== pub.family || r.first < pub.first || r.last > pub.last) : undefined;
      if (outside) {
        throw new KmetalValidationError(this, 'addresses', `${outside.text} is outside the public network ${pub.text} the pool is announced on (by ARP/NDP, which reaches that network only)`,
          `take the VIPs from ${pub.text}, or announce them over BGP (bgp) to routers that carry them`);
      }
      props.planes._registry.registerVipPool(this);
    }

    const labels = { 'kmetal.io/vip-pool': this.poolName };
    this.addressPool = new ApiObject(this, 'IPAddressPool', {
      ...IpAddressPool.GVK,
      metadata: { name: this.poolName, namespace: this.namespace, labels },
      // autoAssign off: only Services that name the pool (the control planes) get its addresses.
      spec: { addresses: given.map((t) => (t.includes('/') ? t : t.includes('-') ? t : `${t}/${addressBits(this.family)}`)), autoAssign: false },
    });
    if (props.l2Advertisement ?? true) {
      this.l2Advertisement = new ApiObject(this, 'L2Advertisement', {
        ...L2Advertisement.GVK,
        metadata: { name: this.poolName, namespace: this.namespace, labels },
        spec: { ipAddressPools: [this.poolName], ...(props.interfaces?.length ? { interfaces: [...props.interfaces] } : {}) },
      });
    }
    if (props.bgp) {
      const b = props.bgp;
      if (b.localPref !== undefined && (!Number.isInteger(b.localPref) || b.localPref < 0 || b.localPref > 4294967295)) {
        throw new KmetalValidationError(this, 'bgp.localPref', `${showValue(b.localPref)} is not a BGP LOCAL_PREF`, 'give a whole number 0..4294967295, e.g. 100');
      }
      (b.communities ?? []).forEach((c, i) => {
        if (!/^(\d{1,5}:\d{1,5}|large:\d+:\d+:\d+|[a-z0-9][-a-z0-9]*)$/.test(c)) {
          throw new KmetalValidationError(this, `bgp.communities[${i}]`, `${showValue(c)} is not a BGP community`, 'write "65000:100", "large:65000:1:1", or the name of a MetalLB Community alias');
        }
      });
      (b.peers ?? []).forEach((p, i) => validateDnsLabel(this, `bgp.peers[${i}]`, p));
      this.bgpAdvertisement = new ApiObject(this, 'BGPAdvertisement', {
        ...BgpAdvertisement.GVK,
        metadata: { name: this.poolName, namespace: this.namespace, labels },
        spec: {
          ipAddressPools: [this.poolName],
          ...(b.peers?.length ? { peers: [...b.peers] } : {}),
          ...(b.communities?.length ? { communities: [...b.communities] } : {}),
          ...(b.localPref !== undefined ? { localPref: b.localPref } : {}),
        },
      });
    }
    this.node.addValidation({
      validate: () => {
        this.resolve();
        return [];
      },
    });
  }

  /**
   * Registers a tenant's control plane; `fixedAddress` pins its VIP and must lie in the pool.
   * Tenants that pin the same address are reported when the addresses are resolved (at synth).
   */
  public registerTenant(tenant: IConstruct, tenantName: string, fixedAddress?: string): void {
    let fixed: bigint | undefined;
    if (fixedAddress !== undefined) {
      fixed = this.slotOf(fixedAddress);
      if (fixed === undefined) {
        throw new KmetalValidationError(tenant, 'controlPlane.endpointAddress', `${showValue(fixedAddress)} is not in the VIP pool "${this.poolName}" (${this.addresses.join(', ')})`,
          `pick a free address inside ${this.addresses.join(' or ')}, or drop endpointAddress to have one allocated`);
      }
    }
    this.registrations.set(tenant, { tenant, name: tenantName, fixed });
    this.resolved = undefined;
    this.planes?._registry.touch();
  }

  /** The VIP of a registered tenant (the whole pool is allocated on the first call after a change). */
  public addressOf(tenant: IConstruct): string {
    const slot = this.resolve().get(tenant);
    if (slot === undefined) {
      throw new KmetalValidationError(tenant, 'controlPlane.vipPool', `is not registered with the VIP pool "${this.poolName}"`, 'pass the pool as controlPlane.vipPool of the tenant cluster');
    }
    return this.addressAt(slot);
  }

  /** Every tenant's VIP, in name order (resolves the allocation). */
  public get allocations(): VipAllocation[] {
    const slots = this.resolve();
    return [...this.registrations.values()]
      .map((r) => ({ tenantName: r.name, address: this.addressAt(slots.get(r.tenant)!), pinned: r.fixed !== undefined }))
      .sort((a, b) => (a.tenantName < b.tenantName ? -1 : a.tenantName > b.tenantName ? 1 : 0));
  }

  /** Number of registered tenants. */
  public get tenantCount(): number {
    return this.registrations.size;
  }

  private resolve(): Map<IConstruct, bigint> {
    if (this.resolved) return this.resolved;
    // Name then construct path: two tenants may share a name in different namespaces.
    const requests: SlotRequest<IConstruct>[] = [...this.registrations.values()].map((r) => ({ key: r.tenant, name: `${r.name}\u0000${r.tenant.node.path}`, fixed: r.fixed }));
    const { slots, problem } = allocateSlots(requests, this.total);
    const label = (r: SlotRequest<IConstruct>) => `"${r.name.split('\u0000')[0]}" (${r.key.node.path})`;
    if (problem?.kind === 'duplicate') {
      throw new KmetalValidationError(problem.second.key, 'controlPlane.endpointAddress', `VIP ${this.addressAt(problem.slot)} of pool "${this.poolName}" is pinned by two tenants: ${label(problem.first)} and ${label(problem.second)}`,
        'give each tenant its own VIP, or drop endpointAddress on one of them to have one allocated');
    }
    if (problem?.kind === 'exhausted') {
      throw new KmetalValidationError(this, 'addresses', `VIP pool "${this.poolName}" holds ${problem.capacity} address(es) but ${requests.length} tenants need one: ${problem.placed.map(label).join(', ')} fit; no address is left for ${problem.unplaced.map(label).join(', ')}`,
        'add addresses to the pool, or give the remaining tenants another ControlPlaneVipPool');
    }
    this.resolved = slots;
    return slots;
  }

  private slotOf(address: string): bigint | undefined {
    const ip = parseIp(address);
    if (!ip || ip.family !== this.family) return undefined;
    for (let i = 0; i < this._ranges.length; i++) {
      const r = this._ranges[i];
      if (ip.value >= r.first && ip.value <= r.last) return this.offsets[i] + (ip.value - r.first);
    }
    return undefined;
  }

  private addressAt(slot: bigint): string {
    // Binary search for the range holding the slot.
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (this.offsets[mid] <= slot) lo = mid;
      else hi = mid - 1;
    }
    return formatIp(this.family, this._ranges[lo].first + (slot - this.offsets[lo]));
  }
}
