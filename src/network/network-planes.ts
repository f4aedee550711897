import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ProviderNetwork, Subnet, Vlan } from '../imports/kubeovn.io';
import { AddressRange, addressBits, formatIp, OverlapIndex, parseAddressRange, parseCidr, ParsedCidr, parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsSubdomain, validateDnsLabel } from '../util/names';
import { NetworkRegistry, PublicClaim } from './private/network-registry';
import { excludeIpsOf, mergeRanges } from './private/ovn';
import { checkProps } from '../util/props';

/** The three planes of the platform's network. */
export enum NetworkPlane {
  /** The provider network the public addresses (EIPs, load balancers, API VIPs) live on. */
  PUBLIC = 'public',
  /** Where the under cluster's nodes and the hosted control-plane pods live. */
  MANAGEMENT = 'management',
  /** The tenants' own VPCs (overlay, overlapping ranges allowed). */
  TENANT = 'tenant',
  /** A range on no plane: outside the declared tenant ranges, and on neither other plane. */
  UNASSIGNED = 'unassigned',
}

/** The public plane: a Kube-OVN underlay (provider network, VLAN, subnet) the EIPs come from. */
export interface PublicPlaneOptions {
  /** Host NIC that carries the public VLAN on the gateway nodes (ProviderNetwork `defaultInterface`, at most 15 characters). */
  readonly nic: string;
  /** The public underlay network, e.g. `203.0.113.0/24`. */
  readonly cidr: string;
  /** Nodes that host the OVN gateway chassis of the tenant VPCs (`external-gw-nodes`). */
  readonly gatewayNodes: string[];
  /** The physical router of the public network. @default - the first usable address of `cidr` */
  readonly gateway?: string;
  /** VLAN id, 0 for an untagged network. @default 0 */
  readonly vlanId?: number;
  /**
   * Name of the ProviderNetwork; Kube-OVN derives the OVS bridge `br-<name>` from it, which is
   * why it is limited to 12 characters.
   * @default 'public'
   */
  readonly providerNetworkName?: string;
  /**
   * Name of the underlay Subnet: the external gateway switch of every tenant VPC
   * (`external-gw-switch`, kube-ovn-controller's `--external-gateway-switch`).
   * @default 'external'
   */
  readonly subnetName?: string;
  /** Addresses of the public network Kube-OVN must never hand out (routers, hosts): IPs or `a..b` ranges. @default - none */
  readonly reservedAddresses?: string[];
  /**
   * Emit Kube-OVN's `ovn-external-gw-config` ConfigMap (turn off when the Kube-OVN installation
   * manages it).
   * @default true
   */
  readonly externalGatewayConfig?: boolean;
}

/** The management plane: every range a tenant network must never reach. */
export interface ManagementPlaneOptions {
  /** The under cluster's node networks (BMC and storage networks belong here too, or in `extraCidrs`). */
  readonly nodeCidrs: string[];
  /** The under cluster's pod network, Kube-OVN's `ovn-default` (hosted control planes live here). @default '10.16.0.0/16' */
  readonly podCidr?: string;
  /** Kube-OVN's `join` network between nodes and the overlay. @default '100.64.0.0/16' */
  readonly joinCidr?: string;
  /** The under cluster's Service network. @default '10.96.0.0/12' */
  readonly serviceCidr?: string;
  /** Other management ranges (storage, BMC, monitoring). @default - none */
  readonly extraCidrs?: string[];
}

/** Props of `NetworkPlanes`. */
export interface NetworkPlanesProps {
  /** The public plane. */
  readonly publicPlane: PublicPlaneOptions;
  /** The management plane. */
  readonly managementPlane: ManagementPlaneOptions;
  /**
   * Ranges tenant subnets must lie in; the public and management planes are carved out of them
   * (`10.0.0.0/8` may contain `ovn-default`). Tenants may reuse the ranges freely (VPCs are
   * separate address spaces); only the VPCs of an approved peering must not overlap.
   * @default - any range that is on neither the public nor the management plane
   */
  readonly tenantCidrs?: string[];
  /**
   * IPv4 block the /30 links between peered VPC routers are taken from (Kube-OVN
   * `localConnectIP`). Must not be used by any tenant subnet of a peered VPC.
   * @default '169.254.64.0/18'
   */
  readonly peeringLinkCidr?: string;
  /** Namespace of Kube-OVN (for `ovn-external-gw-config`). @default 'kube-system' */
  readonly kubeOvnNamespace?: string;
}

/** A range of one plane, with what it is and who declared it (for error messages). @internal */
export interface PlaneBlock {
  readonly range: AddressRange;
  readonly plane: NetworkPlane;
  readonly what: string;
  readonly owner: IConstruct;
}

const RESERVED_SUBNET_NAMES = ['ovn-default', 'join', 'node'];

/**
 * The network planes of the platform, declared once on the under cluster.
 *
 * - **Public plane**: a Kube-OVN underlay (`ProviderNetwork` + `Vlan` + `Subnet`) that is the
 *   external gateway switch of every tenant VPC. Tenant EIPs (egress SNAT, load balancers) are
 *   taken from it, and the MetalLB control-plane VIP pools live on it.
 * - **Management plane**: the under cluster's node, pod (`ovn-default`), join and Service
 *   networks, where the hosted control planes run. Nothing of a tenant may be placed on it, and
 *   every tenant VPC drops traffic towards it at its router.
 * - **Tenant plane**: the tenants' VPCs. Their ranges may overlap each other (unless peered).
 *
 * Every `TenantVpc`, `ControlPlaneVipPool` (given `planes`) and `PeeringRequest` registers here;
 * the cross-object checks (public address clashes, peered overlaps, link allocation) run once per
 * synthesis over all of them, in O(n log n).
 */
export class NetworkPlanes extends Construct {
  /** Name of the public underlay Subnet (the VPCs' external gateway switch). */
  public readonly publicSubnetName: string;
  /** Name of the ProviderNetwork of the public plane. */
  public readonly providerNetworkName: string;
  /** Name of the Vlan of the public plane. */
  public readonly vlanName: string;
  /** The public network, e.g. `203.0.113.0/24`. */
  public readonly publicCidr: string;
  /** The public network's router. */
  public readonly publicGateway: string;
  /** Host NIC of the public plane. */
  public readonly publicNic: string;
  /** Every range of the management plane. */
  public readonly managementCidrs: string[];
  /** The ranges tenant subnets must lie in (empty: anything off the other planes). */
  public readonly tenantCidrs: string[];
  /** Block the peering links are allocated from. */
  public readonly peeringLinkCidr: string;
  /** The Kube-OVN ProviderNetwork (escape hatch). */
  public readonly providerNetwork: ApiObject;
  /** The Kube-OVN Vlan (escape hatch). */
  public readonly vlan: ApiObject;
  /** The public underlay Subnet (escape hatch). */
  public readonly publicSubnet: ApiObject;
  /** Kube-OVN's `ovn-external-gw-config` ConfigMap, unless turned off (escape hatch). */
  public readonly externalGatewayConfig?: ApiObject;

  /** Registries and cross-object validation shared by the network constructs. @internal */
  public readonly _registry: NetworkRegistry;
  /** @internal */
  public readonly _publicRange: ParsedCidr;
  /** @internal */
  public readonly _peeringLinkRange: ParsedCidr;
  private readonly reservations: PublicClaim[] = [];
  private readonly fixedBlocks: PlaneBlock[] = [];
  private readonly managementHostBlocks: PlaneBlock[] = [];
  private readonly tenantRanges: AddressRange[];
  private managementIndex?: OverlapIndex<PlaneBlock>;
  private publicIndex?: OverlapIndex<PlaneBlock>;

  constructor(scope: Construct, id: string, props: NetworkPlanesProps) {
    super(scope, id);
    checkProps(this, '', props, 'NetworkPlanesProps');
    const pub = props?.publicPlane;
    const mgmt = props?.managementPlane;
    if (!pub || !mgmt) {
      throw new KmetalValidationError(this, pub ? 'managementPlane' : 'publicPlane', 'is required', 'declare the public plane (provider network, VLAN, underlay CIDR, gateway nodes) and the management plane (node networks)');
    }
    this._registry = new NetworkRegistry(this);
    this.providerNetworkName = validateDnsLabel(this, 'publicPlane.providerNetworkName', pub.providerNetworkName ?? 'public', 12);
    this.publicSubnetName = validateDnsLabel(this, 'publicPlane.subnetName', pub.subnetName ?? 'external');
    if (RESERVED_SUBNET_NAMES.includes(this.publicSubnetName)) {
      throw new KmetalValidationError(this, 'publicPlane.subnetName', `${showValue(this.publicSubnetName)} is a Kube-OVN built-in subnet`, 'keep the default "external" or pick another name');
    }
    if (typeof pub.nic !== 'string' || !/^[^/\s]+$/.test(pub.nic) || pub.nic.length > 15) {
      throw new KmetalValidationError(this, 'publicPlane.nic', `${showValue(pub.nic)} is not a Linux interface name`, 'give the NIC name as the host sees it, at most 15 characters without "/" or spaces, e.g. "bond0.204" or "eth1"');
    }
    this.publicNic = pub.nic;
    const vlanId = pub.vlanId ?? 0;
    if (!Number.isInteger(vlanId) || vlanId < 0 || vlanId > 4094) {
      throw new KmetalValidationError(this, 'publicPlane.vlanId', `${showValue(vlanId)} is not a VLAN id`, 'give 1..4094, or 0 for an untagged network');
    }
    this.vlanName = `${this.providerNetworkName}-vlan${vlanId}`;

    const publicRange = this.cidr('publicPlane.cidr', pub.cidr);
    if (publicRange.prefix > addressBits(publicRange.family) - 2) {
      throw new KmetalValidationError(this, 'publicPlane.cidr', `${publicRange.text} has no room for a gateway and addresses`, 'give a network of at least 4 addresses, e.g. a /24');
    }
    this._publicRange = publicRange;
    this.publicCidr = publicRange.text;
    const gateway = pub.gateway ?? formatIp(publicRange.family, publicRange.first + 1n);
    const gw = parseIp(gateway);
    const lastUsable = publicRange.family === 4 ? publicRange.last - 1n : publicRange.last;
    if (!gw || gw.family !== publicRange.family || gw.value <= publicRange.first || gw.value > lastUsable) {
      throw new KmetalValidationError(this, 'publicPlane.gateway', `${showValue(gateway)} is not a usable address of ${publicRange.text}`, `give the router's address inside ${publicRange.text}, or drop it to use ${formatIp(publicRange.family, publicRange.first + 1n)}`);
    }
    this.publicGateway = formatIp(gw.family, gw.value);
    const nodes = pub.gatewayNodes ?? [];
    if (!Array.isArray(nodes) || nodes.length === 0 || nodes.some((n) => typeof n !== 'string' || !isDnsSubdomain(n))) {
      throw new KmetalValidationError(this, 'publicPlane.gatewayNodes', `${showValue(nodes)} is not a list of node names`, 'name the under-cluster nodes that host the OVN gateways, e.g. ["node-1", "node-2", "node-3"] (three keep egress up through a node loss)');
    }

    // The management plane.
    const mgmtEntries: Array<[string, string, string]> = [];
    if (!Array.isArray(mgmt.nodeCidrs) || mgmt.nodeCidrs.length === 0) {
      throw new KmetalValidationError(this, 'managementPlane.nodeCidrs', `${showValue(mgmt.nodeCidrs)} names no node network`, 'list the under cluster\'s node networks, e.g. ["192.168.10.0/24"]');
    }
    mgmt.nodeCidrs.forEach((c, i) => mgmtEntries.push([`managementPlane.nodeCidrs[${i}]`, c, 'the under cluster\'s node network']));
    mgmtEntries.push(['managementPlane.podCidr', mgmt.podCidr ?? '10.16.0.0/16', 'the under cluster\'s pod network (Kube-OVN ovn-default, where hosted control planes run)']);
    mgmtEntries.push(['managementPlane.joinCidr', mgmt.joinCidr ?? '100.64.0.0/16', 'Kube-OVN\'s join network']);
    mgmtEntries.push(['managementPlane.serviceCidr', mgmt.serviceCidr ?? '10.96.0.0/12', 'the under cluster\'s Service network']);
    (mgmt.extraCidrs ?? []).forEach((c, i) => mgmtEntries.push([`managementPlane.extraCidrs[${i}]`, c, 'a management network']));
    for (const [field, text, what] of mgmtEntries) {
      const range = this.cidr(field, text);
      this.fixedBlocks.push({ range, plane: NetworkPlane.MANAGEMENT, what: `${what} ${range.text}`, owner: this });
      if (field.startsWith('managementPlane.nodeCidrs') || field.startsWith('managementPlane.extraCidrs')) {
        this.managementHostBlocks.push(this.fixedBlocks[this.fixedBlocks.length - 1]);
      }
    }
    this.managementCidrs = this.fixedBlocks.map((b) => b.range.text);
    const mgmtIndex = new OverlapIndex(this.fixedBlocks, (b) => b.range);
    const onMgmt = mgmtIndex.overlapping(publicRange);
    if (onMgmt) {
      throw new KmetalValidationError(this, 'publicPlane.cidr', `${publicRange.text} overlaps ${onMgmt.what}`, 'the planes must be separate networks: give the public plane its own range');
    }
    this.fixedBlocks.push({ range: publicRange, plane: NetworkPlane.PUBLIC, what: `the public plane's underlay subnet "${this.publicSubnetName}" ${publicRange.text}`, owner: this });

    // What the public plane keeps for itself: nobody may claim these addresses.
    const reserve = (first: bigint, last: bigint, what: string, field: string, exclude: boolean) => {
      const text = first === last ? formatIp(publicRange.family, first) : `${formatIp(publicRange.family, first)}..${formatIp(publicRange.family, last)}`;
      this.reservations.push({ range: { family: publicRange.family, first, last, text }, what, owner: this, field, exclude });
    };
    if (publicRange.family === 4) {
      reserve(publicRange.first, publicRange.first, `the network address of ${publicRange.text}`, 'publicPlane.cidr', false);
      reserve(publicRange.last, publicRange.last, `the broadcast address of ${publicRange.text}`, 'publicPlane.cidr', false);
    }
    reserve(gw.value, gw.value, `the public gateway ${this.publicGateway}`, 'publicPlane.gateway', false);
    (pub.reservedAddresses ?? []).forEach((text, i) => {
      const r = parseAddressRange(text);
      if (!r || r.family !== publicRange.family || r.first < publicRange.first || r.last > publicRange.last) {
        throw new KmetalValidationError(this, `publicPlane.reservedAddresses[${i}]`, `${showValue(text)} is not an address or range inside ${publicRange.text}`, 'write "203.0.113.5" or "203.0.113.2..203.0.113.9" inside the public network');
      }
      reserve(r.first, r.last, `the reserved public addresses ${r.text}`, `publicPlane.reservedAddresses[${i}]`, true);
    });

    // The other planes are carved out of the tenant ranges (10.0.0.0/8 with ovn-default inside
    // it is the usual case): subnets are checked against them first.
    const tenantRanges = (props.tenantCidrs ?? []).map((text, i) => this.cidr(`tenantCidrs[${i}]`, text));
    this.tenantCidrs = tenantRanges.map((r) => r.text);
    this.tenantRanges = mergeRanges(tenantRanges);

    const link = this.cidr('peeringLinkCidr', props.peeringLinkCidr ?? '169.254.64.0/18');
    if (link.family !== 4 || link.prefix > 30) {
      throw new KmetalValidationError(this, 'peeringLinkCidr', `${link.text} cannot hold IPv4 /30 links`, 'give an IPv4 block of at least a /30, e.g. "169.254.64.0/18"');
    }
    const linkClash = new OverlapIndex(this.fixedBlocks, (b) => b.range).overlapping(link);
    if (linkClash) {
      throw new KmetalValidationError(this, 'peeringLinkCidr', `${link.text} overlaps ${linkClash.what}`, 'use a link-local block such as "169.254.64.0/18"');
    }
    this._peeringLinkRange = link;
    this.peeringLinkCidr = link.text;

    const labels = { 'kmetal.io/network-plane': NetworkPlane.PUBLIC };
    this.providerNetwork = new ApiObject(this, 'ProviderNetwork', {
      ...ProviderNetwork.GVK,
      metadata: { name: this.providerNetworkName, labels },
      spec: { defaultInterface: this.publicNic },
    });
    this.vlan = new ApiObject(this, 'Vlan', {
      ...Vlan.GVK,
      metadata: { name: this.vlanName, labels },
      spec: { id: vlanId, provider: this.providerNetworkName },
    });
    this.publicSubnet = new ApiObject(this, 'Subnet', {
      ...Subnet.GVK,
      metadata: { name: this.publicSubnetName, labels },
      spec: {
        protocol: publicRange.family === 4 ? 'IPv4' : 'IPv6',
        cidrBlock: publicRange.text,
        gateway: this.publicGateway,
        vlan: this.vlanName,
        // Everything kmetal pins (VIP pools, load-balancer pools, pinned EIPs) is excluded from
        // Kube-OVN's dynamic allocation, so a dynamically allocated EIP can never take a pinned
        // address first; Kube-OVN still grants static requests for excluded addresses.
        excludeIps: Lazy.any({
          produce: () => {
            this._registry.validate();
            return excludeIpsOf(this.publicGateway, this._registry.publicExclusions());
          },
        }),
      },
    });
    if (pub.externalGatewayConfig ?? true) {
      const ns = validateDnsLabel(this, 'kubeOvnNamespace', props.kubeOvnNamespace ?? 'kube-system');
      this.externalGatewayConfig = new ApiObject(this, 'ExternalGatewayConfig', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'ovn-external-gw-config', namespace: ns, labels },
        data: {
          'enable-external-gw': 'true',
          'external-gw-switch': this.publicSubnetName,
          'external-gw-nodes': [...nodes].sort().join(','),
          'external-gw-nic': this.publicNic,
          'external-gw-addr': `${this.publicGateway}/${publicRange.prefix}`,
          'type': 'centralized',
        },
      });
    }
    // Cross-object problems surface in cdk8s' validation phase, before any object is rendered.
    this.node.addValidation({
      validate: () => {
        this._registry.validate();
        return [];
      },
    });
  }

  /**
   * The plane a range belongs to: MANAGEMENT or PUBLIC when it touches one of their ranges,
   * TENANT when it lies inside the tenant plane, UNASSIGNED otherwise.
   */
  public planeOf(cidr: string): NetworkPlane {
    const range = this.cidr('cidr', cidr);
    const hit = this.classify(range);
    if (hit) return hit.plane;
    return this.insideTenantPlane(range) ? NetworkPlane.TENANT : NetworkPlane.UNASSIGNED;
  }

  /**
   * Refuses a tenant range on the public or management plane, or outside the tenant plane.
   * O(log n) per range.
   * @internal
   */
  public _checkTenantRange(owner: IConstruct, field: string, range: AddressRange): void {
    const hit = this.classify(range);
    if (hit) {
      throw new KmetalValidationError(owner, field, `${range.text} lies on the ${hit.plane} plane: it overlaps ${hit.what} (declared by ${hit.owner.node.path})`,
        `tenant subnets must stay off the ${hit.plane} plane; pick another range${this.tenantCidrs.length ? ` inside the tenant plane (${this.tenantCidrs.join(', ')})` : ''}`);
    }
    if (!this.insideTenantPlane(range)) {
      throw new KmetalValidationError(owner, field, `${range.text} is outside the tenant plane (${this.tenantCidrs.join(', ')})`, `pick a range inside ${this.tenantCidrs.join(' or ')}, or add one to NetworkPlanes tenantCidrs`);
    }
  }

  /** Forgets the cached public-plane index (a VIP pool joined the public plane). @internal */
  public _invalidatePlanes(): void {
    this.publicIndex = undefined;
  }

  /** The public plane's own reservations: network, broadcast, gateway, reserved addresses. @internal */
  public _publicClaims(): PublicClaim[] {
    return [...this.reservations];
  }

  /** The VIP pools' ranges, as blocks of the public plane. @internal */
  public _vipBlocks(): PlaneBlock[] {
    return this._registry.pools.flatMap((pool) => pool._ranges.map((range) => ({ range, plane: NetworkPlane.PUBLIC, what: `control-plane VIP pool "${pool.poolName}" ${range.text}`, owner: pool })));
  }

  /**
   * The management networks that hold machines (node and extra networks), not the under cluster's
   * own overlay ranges, which a tenant cluster's overlay may reuse. @internal
   */
  public _managementHostBlocks(): PlaneBlock[] {
    return [...this.managementHostBlocks];
  }

  /** The management plane's ranges. @internal */
  public _managementBlocks(): PlaneBlock[] {
    return this.fixedBlocks.filter((b) => b.plane === NetworkPlane.MANAGEMENT);
  }

  /** The block a range touches, management first (it is the plane that must never be reached). */
  private classify(range: AddressRange): PlaneBlock | undefined {
    this.managementIndex ??= new OverlapIndex(this._managementBlocks(), (b) => b.range);
    this.publicIndex ??= new OverlapIndex(this.fixedBlocks.filter((b) => b.plane === NetworkPlane.PUBLIC).concat(this._vipBlocks()), (b) => b.range);
    return this.managementIndex.overlapping(range) ?? this.publicIndex.overlapping(range);
  }

  private insideTenantPlane(range: AddressRange): boolean {
    if (this.tenantRanges.length === 0) return true;
    // The merged tenant ranges are disjoint and sorted: the last one starting at or before the
    // range must reach past its end.
    let lo = 0;
    let hi = this.tenantRanges.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = this.tenantRanges[mid];
      if (t.family < range.family || (t.family === range.family && t.first <= range.first)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const t = found >= 0 ? this.tenantRanges[found] : undefined;
    return !!t && t.family === range.family && t.last >= range.last;
  }

  private cidr(field: string, text: string): ParsedCidr {
    const parsed = parseCidr(text);
    if (!parsed) {
      throw new KmetalValidationError(this, field, `${showValue(text)} is not a network in CIDR notation (or has host bits set)`, 'write the network address and prefix, e.g. "10.16.0.0/16"');
    }
    return parsed;
  }
}
