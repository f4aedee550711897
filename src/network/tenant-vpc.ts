import * as crypto from 'crypto';
import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { NetworkPlanes } from './network-planes';
import type { PeeringRequest } from './peering-request';
import { OvnEip, Vpc } from '../imports/kubeovn.io';
import type { TenantCluster } from '../tenancy/tenant-cluster';
import { AddressRange, formatIp, OverlapIndex, parseAddressRange, parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel, validateDnsLabel } from '../util/names';
import { checkKnownProps, checkPropTypes } from '../util/props';
import type { PublicClaim } from './private/network-registry';
import { TenantSubnet, TenantSubnetOptions } from './tenant-subnet';
import { isolationPolicies, PolicyRouteSpec, policyRouteSpec, StaticRoutePolicy, StaticRouteSpec, staticRouteSpec, VpcPolicyRoute, VpcStaticRoute } from './vpc-routes';

/** A VPC, declared in this app (`TenantVpc`) or outside it (`TenantVpc.fromVpcName`). */
export interface ITenantVpc extends IConstruct {
  /** Name of the Kube-OVN Vpc. */
  readonly vpcName: string;
}

/** Every property of `TenantVpcProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const TENANT_VPC_PROPS_KEYS: readonly string[] = ['planes', 'name', 'namespaces', 'subnets', 'external', 'egressAddress', 'loadBalancerAddresses', 'staticRoutes', 'policyRoutes'];
/** Every property of `TenantSubnetOptions`. */
export const TENANT_SUBNET_OPTIONS_KEYS: readonly string[] = ['name', 'cidr', 'gateway', 'excludeIps', 'namespaces'];

/** Props of `TenantVpc`. */
export interface TenantVpcProps {
  /** The platform's network planes. */
  readonly planes: NetworkPlanes;
  /** Name of the Kube-OVN Vpc (a DNS label of at most 30 characters). @default - the construct id */
  readonly name?: string;
  /**
   * Namespaces allowed to use the VPC (Kube-OVN `Vpc.spec.namespaces`). The namespaces of
   * connected clusters and of subnet bindings are added automatically.
   * @default - only those of connected clusters and subnet bindings (any namespace when there are none)
   */
  readonly namespaces?: string[];
  /** Subnets (more with `addSubnet()`). @default - none */
  readonly subnets?: TenantSubnetOptions[];
  /**
   * Connect the VPC to the public plane: egress SNAT through an OVN EIP, load-balancer EIPs, and
   * the private path to the tenants' control-plane VIPs. Without it the VPC is sealed.
   * @default true
   */
  readonly external?: boolean;
  /** Pin the egress EIP (inside the public network). @default - Kube-OVN picks a free public address */
  readonly egressAddress?: string;
  /**
   * Public addresses the tenant's load balancers may draw from (CIDRs or `a-b` ranges inside the
   * public network, at most 256 addresses): one `OvnEip` each, labelled for the tenant, that the
   * cloud provider binds to LoadBalancer Services with OVN DNAT/FIP rules.
   * @default - none
   */
  readonly loadBalancerAddresses?: string[];
  /** Static routes. @default - none (peering routes are added by approved PeeringRequests) */
  readonly staticRoutes?: VpcStaticRoute[];
  /** Policy routes. @default - none besides the isolation policies */
  readonly policyRoutes?: VpcPolicyRoute[];
}

const VPC_NAME_MAX = 30;
const MAX_LB_ADDRESSES = 256;

class ImportedVpc extends Construct implements ITenantVpc {
  constructor(scope: Construct, id: string, public readonly vpcName: string) {
    super(scope, id);
  }
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A tenant's own network: a Kube-OVN `Vpc` (an OVN logical router of its own) with its `Subnet`s.
 * Tenants may reuse each other's ranges: only subnets of one VPC, and of VPCs peered by an
 * approved `PeeringRequest`, must not overlap. No subnet may touch the public or management plane.
 *
 * **Egress and published services: OVN EIP/SNAT, not the iptables NAT gateway.** An external VPC
 * gets `enableExternal` (Kube-OVN attaches its router to the public plane's underlay subnet), one
 * `OvnEip` for egress and an `OvnSnatRule` per subnet; the tenant's load balancers draw from a
 * pool of pre-created `OvnEip`s. The NAT lives in the VPC's own OVN logical router, on OVN
 * gateway chassis: there is no NAT-gateway pod per tenant to run, schedule and keep highly
 * available, no Multus/macvlan attachment to the public network, and tenant traffic never leaves
 * the OVN data plane. The iptables objects (`VpcNatGateway`, `IptablesEIP`, ...) would add a pod
 * per tenant that is a single point of failure and a throughput bottleneck; they pay off only
 * for what the gateway pod itself adds (its own BGP speaker, pod-level QoS).
 *
 * **Private path to the hosted control plane.** The workers' API endpoint is their cluster's
 * control-plane VIP, a MetalLB address on the public plane. The VPC router gets three policy
 * routes that make this the only way out of the VPC towards the platform:
 *
 * - priority 31500: `ip4.dst == <the cluster's VIP>` allow (API server and konnectivity share it),
 * - priority 31400: drop everything towards the management plane (nodes, `ovn-default`, join,
 *   Services), so no route, however configured, reaches it from a tenant VPC,
 * - priority 31300: drop the rest of the VIP pools (other tenants' control planes).
 *
 * The allowed packets leave through the VPC's own gateway port, SNATed to the tenant's egress
 * EIP, straight onto the public plane where MetalLB answers for the VIP; replies come back to the
 * EIP. The tenant network never touches the management plane, and sees one address of the VIP pool.
 */
export class TenantVpc extends Construct implements ITenantVpc {
  /** A VPC that exists outside this app (it can be named, e.g. in reports, but not peered with). */
  public static fromVpcName(scope: Construct, id: string, vpcName: string): ITenantVpc {
    if (typeof vpcName !== 'string' || !isDnsLabel(vpcName)) {
      validateDnsLabel(scope, 'vpcName', vpcName);
    }
    return new ImportedVpc(scope, id, vpcName);
  }

  /** Name of the Kube-OVN Vpc. */
  public readonly vpcName: string;
  /** The planes the VPC belongs to. */
  public readonly planes: NetworkPlanes;
  /** Whether the VPC is attached to the public plane. */
  public readonly external: boolean;
  /** Name of the egress OvnEip, when external. */
  public readonly egressEipName?: string;
  /** The pinned egress address, if any. */
  public readonly egressAddress?: string;
  /** The load-balancer addresses as given. */
  public readonly loadBalancerAddresses: string[];
  /** The Kube-OVN Vpc (escape hatch). */
  public readonly vpc: ApiObject;
  /** The egress OvnEip, when external (escape hatch). */
  public readonly egressEip?: ApiObject;
  /** One OvnEip per load-balancer address (escape hatches). */
  public readonly loadBalancerEips: ApiObject[] = [];

  private readonly subnetList: TenantSubnet[] = [];
  /** Subnets per family, sorted by first address (disjoint by construction). */
  private readonly sorted = new Map<number, TenantSubnet[]>();
  private readonly extraNamespaces: string[];
  private readonly connected = new Map<string, TenantCluster>();
  private readonly userStaticRoutes: StaticRouteSpec[] = [];
  private readonly userPolicyRoutes: PolicyRouteSpec[] = [];
  private readonly peeringList: PeeringRequest[] = [];
  private readonly claims: PublicClaim[] = [];
  private clusterVips = new Map<TenantCluster, string>();

  constructor(scope: Construct, id: string, props: TenantVpcProps) {
    super(scope, id);
    checkKnownProps(this, '', props, TENANT_VPC_PROPS_KEYS, 'TenantVpcProps');
    if (!props?.planes) {
      throw new KmetalValidationError(this, 'planes', 'is required', 'pass the platform\'s NetworkPlanes');
    }
    this.planes = props.planes;
    this.vpcName = validateDnsLabel(this, 'name', props.name ?? id, VPC_NAME_MAX);
    if (this.vpcName === 'ovn-cluster') {
      throw new KmetalValidationError(this, 'name', '"ovn-cluster" is Kube-OVN\'s default VPC (the management plane)', 'give the tenant VPC its own name');
    }
    this.external = props.external ?? true;
    this.extraNamespaces = (props.namespaces ?? []).map((ns, i) => validateDnsLabel(this, `namespaces[${i}]`, ns));
    const pub = this.planes._publicRange;
    const labels = { 'kmetal.io/tenant-vpc': this.vpcName };

    if (!this.external && (props.egressAddress !== undefined || props.loadBalancerAddresses?.length)) {
      throw new KmetalValidationError(this, props.egressAddress !== undefined ? 'egressAddress' : 'loadBalancerAddresses', 'public addresses need an external VPC', 'drop them, or drop external: false');
    }
    if (props.egressAddress !== undefined) {
      const ip = parseIp(props.egressAddress);
      if (!ip || ip.family !== pub.family || ip.value < pub.first || ip.value > pub.last) {
        throw new KmetalValidationError(this, 'egressAddress', `${showValue(props.egressAddress)} is not an address of the public network ${pub.text}`, `pick a free address inside ${pub.text}, or drop egressAddress to have Kube-OVN pick one`);
      }
      this.egressAddress = formatIp(ip.family, ip.value);
      this.claims.push({ range: { family: ip.family, first: ip.value, last: ip.value, text: this.egressAddress }, what: `the egress EIP ${this.egressAddress} of VPC "${this.vpcName}"`, owner: this, field: 'egressAddress', exclude: true });
    }
    this.loadBalancerAddresses = [...(props.loadBalancerAddresses ?? [])];
    const lbAddresses: bigint[] = [];
    const lbRanges: AddressRange[] = [];
    this.loadBalancerAddresses.forEach((text, i) => {
      const r = parseAddressRange(text);
      if (!r || text.includes('..') || r.family !== pub.family || r.first < pub.first || r.last > pub.last) {
        throw new KmetalValidationError(this, `loadBalancerAddresses[${i}]`, `${showValue(text)} is not a CIDR or range inside the public network ${pub.text}`, `write e.g. "${formatIp(pub.family, pub.first + 32n)}/29" inside ${pub.text}`);
      }
      // Each address becomes an OvnEip named after it: an address listed twice would be two objects
      // of one name (and two constructs of one id).
      const j = lbRanges.findIndex((p) => p.first <= r.last && r.first <= p.last);
      if (j >= 0) {
        throw new KmetalValidationError(this, `loadBalancerAddresses[${i}]`, `${showValue(text)} overlaps loadBalancerAddresses[${j}] ${showValue(this.loadBalancerAddresses[j])}`, 'list every address once');
      }
      lbRanges.push(r);
      if (BigInt(lbAddresses.length) + (r.last - r.first + 1n) > BigInt(MAX_LB_ADDRESSES)) {
        throw new KmetalValidationError(this, `loadBalancerAddresses[${i}]`, `the pool would exceed ${MAX_LB_ADDRESSES} addresses (one OvnEip each)`, 'give the tenant a smaller pool; add addresses when they are used up');
      }
      for (let a = r.first; a <= r.last; a++) lbAddresses.push(a);
      this.claims.push({ range: r, what: `the load-balancer addresses ${text} of VPC "${this.vpcName}"`, owner: this, field: `loadBalancerAddresses[${i}]`, exclude: true });
    });

    this.planes._registry.registerVpc(this);

    this.vpc = new ApiObject(this, 'Resource', {
      ...Vpc.GVK,
      metadata: { name: this.vpcName, labels },
      spec: Lazy.any({ produce: () => this.vpcSpec() }),
    });

    if (this.external) {
      this.egressEipName = `${this.vpcName}-egress`;
      this.egressEip = new ApiObject(this, 'EgressEip', {
        ...OvnEip.GVK,
        metadata: { name: this.egressEipName, labels: { ...labels, 'kmetal.io/eip-use': 'egress' } },
        spec: {
          externalSubnet: this.planes.publicSubnetName,
          type: 'nat',
          ...(this.egressAddress ? { [pub.family === 4 ? 'v4Ip' : 'v6Ip']: this.egressAddress } : {}),
        },
      });
      for (const value of lbAddresses) {
        const address = formatIp(pub.family, value);
        // Named after the address, so adding addresses never renames (recreates) the others.
        const suffix = pub.family === 4 ? address.replace(/\./g, '-') : crypto.createHash('sha256').update(address).digest('hex').slice(0, 12);
        this.loadBalancerEips.push(new ApiObject(this, `LoadBalancerEip-${suffix}`, {
          ...OvnEip.GVK,
          metadata: { name: `${this.vpcName}-lb-${suffix}`, labels: { ...labels, 'kmetal.io/eip-use': 'load-balancer' } },
          spec: { externalSubnet: this.planes.publicSubnetName, type: 'nat', [pub.family === 4 ? 'v4Ip' : 'v6Ip']: address },
        }));
      }
    }

    for (const s of props.subnets ?? []) this.addSubnet(s);
    for (const r of props.staticRoutes ?? []) this.addStaticRoute(r);
    for (const r of props.policyRoutes ?? []) this.addPolicyRoute(r);
  }

  /** Adds a subnet. */
  public addSubnet(options: TenantSubnetOptions): TenantSubnet {
    const name = options?.name;
    if (typeof name !== 'string' || !isDnsLabel(name)) {
      // Validate before the name becomes a construct id, so the error names the VPC.
      validateDnsLabel(this, `subnets[${this.subnetList.length}].name`, name, 20);
    }
    checkKnownProps(this, `subnets[${this.subnetList.length}]`, options, TENANT_SUBNET_OPTIONS_KEYS, 'TenantSubnetOptions');
    checkPropTypes(this, `subnets[${this.subnetList.length}]`, options, 'TenantSubnetOptions');
    if (this.subnetList.some((s) => s.localName === name)) {
      throw new KmetalValidationError(this, `subnets[${this.subnetList.length}].name`, `the VPC already has a subnet named ${showValue(name)}`, 'give every subnet of a VPC its own name');
    }
    return new TenantSubnet(this, `Subnet-${name}`, options);
  }

  /** Adds a static route to the VPC router. */
  public addStaticRoute(route: VpcStaticRoute): void {
    this.userStaticRoutes.push(staticRouteSpec(this, `staticRoutes[${this.userStaticRoutes.length}]`, route));
  }

  /** Adds a policy route to the VPC router (below the isolation policies, which always win). */
  public addPolicyRoute(route: VpcPolicyRoute): void {
    this.userPolicyRoutes.push(policyRouteSpec(this, `policyRoutes[${this.userPolicyRoutes.length}]`, route));
  }

  /**
   * Makes the VPC carry a cluster's workers: the cluster's namespace may use the VPC, and the
   * private path to its control-plane VIP is opened (see the class description). Node pools
   * placed on a subnet of this VPC do it for their cluster.
   */
  public connectCluster(cluster: TenantCluster): void {
    if (cluster.node.root !== this.node.root) {
      throw new KmetalValidationError(this, 'clusters', `cluster ${cluster.node.path} belongs to another app`, 'declare the cluster and the VPC in the same app');
    }
    const key = cluster.node.path;
    if (this.connected.has(key)) return;
    this.connected.set(key, cluster);
    this.planes._registry.touch();
  }

  /** Looks a subnet up by its name inside the VPC. */
  public findSubnet(name: string): TenantSubnet | undefined {
    return this.subnetList.find((s) => s.localName === name);
  }

  /** The subnets, in declaration order. */
  public get subnets(): TenantSubnet[] {
    return [...this.subnetList];
  }

  /** The clusters whose workers the VPC carries. */
  public get clusters(): TenantCluster[] {
    return [...this.connected.entries()].sort((a, b) => byText(a[0], b[0])).map(([, c]) => c);
  }

  /** Namespaces allowed on the VPC (sorted). */
  public get namespaces(): string[] {
    const all = new Set<string>(this.extraNamespaces);
    for (const c of this.connected.values()) all.add(c.namespace);
    for (const s of this.subnetList) s.namespaces.forEach((ns) => all.add(ns));
    return [...all].sort(byText);
  }

  /** The peering requests this VPC is part of (approved or not). */
  public get peerings(): PeeringRequest[] {
    return [...this.peeringList];
  }

  /** Checks a new subnet against the VPC's others (binary search in the sorted list). @internal */
  public _placeSubnet(subnet: TenantSubnet): void {
    const list = this.sorted.get(subnet.family) ?? [];
    const r = subnet._range;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (list[mid]._range.first < r.first) lo = mid + 1;
      else hi = mid;
    }
    // Subnets of one VPC are disjoint and sorted, so only the neighbours can overlap.
    const clash = [list[lo - 1], list[lo]].find((n) => n && n._range.first <= r.last && r.first <= n._range.last);
    if (clash) {
      throw new KmetalValidationError(subnet, 'cidr', `${r.text} overlaps subnet "${clash.localName}" (${clash.cidr}, ${clash.node.path}) of the same VPC`, 'give the subnet a range of its own inside the VPC; ranges may repeat in other VPCs, not in one');
    }
    list.splice(lo, 0, subnet);
    this.sorted.set(subnet.family, list);
    this.subnetList.push(subnet);
    this.planes._registry.touch();
  }

  /** Registers a peering request (called by PeeringRequest). @internal */
  public _addPeering(request: PeeringRequest): void {
    if (this.peeringList.length === 0) {
      // Requests not (yet) approved are visible in the output, not silently dropped.
      this.vpc.metadata.addAnnotation('kmetal.io/pending-peerings', Lazy.any({ produce: () => this.pendingPeeringsText() }) as unknown as string);
    }
    this.peeringList.push(request);
  }

  /** Public addresses this VPC pins. @internal */
  public _publicClaims(): PublicClaim[] {
    return [...this.claims];
  }

  /** Checks the connected clusters and resolves their VIPs (run by the planes' validation). @internal */
  public _validate(): void {
    const vips = new Map<TenantCluster, string>();
    const mgmt = new OverlapIndex(this.planes._managementBlocks(), (b) => b.range);
    const bound = new Map<string, TenantSubnet>();
    for (const s of this.subnetList) s.namespaces.forEach((ns) => bound.set(ns, s));
    for (const cluster of this.clusters) {
      const subnet = bound.get(cluster.namespace);
      if (subnet) {
        throw new KmetalValidationError(subnet, 'namespaces', `binds namespace "${cluster.namespace}", where the hosted control plane of cluster "${cluster.clusterName}" runs: its pods would move off the management plane into the tenant VPC`,
          'drop the namespace from the subnet; node pools attach their VMs to the subnet by annotation');
      }
      if (!this.external) {
        throw new KmetalValidationError(this, 'external', `the VPC is sealed (external: false), but cluster "${cluster.clusterName}" (${cluster.node.path}) has workers in it that must reach their control-plane VIP`, 'drop external: false, or put the workers in an external VPC');
      }
      const vip = cluster.endpointAddress;
      const ip = vip === undefined ? undefined : parseIp(vip);
      if (!ip) {
        throw new KmetalValidationError(this, 'clusters', `cluster "${cluster.clusterName}" (${cluster.node.path}) has no known control-plane VIP, so the private path to it cannot be built`,
          'give the cluster controlPlane.vipPool (a ControlPlaneVipPool) or a fixed controlPlane.endpointAddress');
      }
      const range: AddressRange = { family: ip.family, first: ip.value, last: ip.value, text: vip! };
      const onMgmt = mgmt.overlapping(range);
      if (onMgmt) {
        throw new KmetalValidationError(this, 'clusters', `the control-plane VIP ${vip} of cluster "${cluster.clusterName}" lies on the management plane (${onMgmt.what}); its workers would have to reach the management plane`, 'take control-plane VIPs from a ControlPlaneVipPool on the public plane');
      }
      if (ip.family !== this.planes._publicRange.family) {
        throw new KmetalValidationError(this, 'clusters', `the control-plane VIP ${vip} of cluster "${cluster.clusterName}" is IPv${ip.family}, the public plane IPv${this.planes._publicRange.family}`, 'use a VIP of the public plane\'s family');
      }
      vips.set(cluster, formatIp(ip.family, ip.value));
    }
    this.clusterVips = vips;
  }

  private vpcSpec(): any {
    this.planes._registry.validate();
    // Cheap (one pass over this VPC's clusters) and keeps the VIPs current even if a pool
    // changed after the last full validation.
    this._validate();
    const registry = this.planes._registry;
    const approved = this.peeringList
      .filter((p) => p.approved)
      .map((p) => ({ p, remote: (p.from === this ? p.to : p.from) as TenantVpc, link: registry.linkOf(p)! }))
      .sort((a, b) => byText(a.remote.vpcName, b.remote.vpcName));
    const vpcPeerings = approved.map(({ p, remote, link }) => ({
      remoteVpc: remote.vpcName,
      localConnectIP: p.from === this ? link.fromConnectIp : link.toConnectIp,
    }));
    const peeringRoutes = approved.flatMap(({ p, remote, link }) => remote.subnets
      .sort((a, b) => (a._range.first < b._range.first ? -1 : 1))
      .map((s) => ({ cidr: s.cidr, nextHopIP: p.from === this ? link.toAddress : link.fromAddress, policy: StaticRoutePolicy.DESTINATION })));
    const staticRoutes = [...this.userStaticRoutes, ...peeringRoutes];
    const isolation = isolationPolicies(
      [...this.clusterVips.values()],
      this.planes._managementBlocks().map((b) => b.range),
      this.planes._vipBlocks().map((b) => b.range),
    );
    const policyRoutes = [...isolation, ...this.userPolicyRoutes];
    const namespaces = this.namespaces;
    return {
      ...(namespaces.length ? { namespaces } : {}),
      ...(this.external ? { enableExternal: true } : {}),
      ...(staticRoutes.length ? { staticRoutes } : {}),
      ...(policyRoutes.length ? { policyRoutes } : {}),
      ...(vpcPeerings.length ? { vpcPeerings } : {}),
    };
  }

  private pendingPeeringsText(): string | undefined {
    const pending = this.peeringList.filter((p) => !p.approved).map((p) => (p.from === this ? p.to : p.from).vpcName).sort(byText);
    return pending.length ? pending.join(',') : undefined;
  }
}
