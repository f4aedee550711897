import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { INodeNetwork, NodeNetworkBinding } from './node-network';
import { OvnSnatRule, Subnet } from '../imports/kubeovn.io';
import { TenantCluster } from '../tenancy/tenant-cluster';
import { AddressRange, addressBits, formatIp, parseAddressRange, parseCidr, ParsedCidr, parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { excludeIpsOf } from './private/ovn';
import type { TenantVpc } from './tenant-vpc';

/** A subnet of a tenant VPC. */
export interface TenantSubnetOptions {
  /** Name inside the VPC (a DNS label of at most 20 characters); the Kube-OVN Subnet is `<vpc>-<name>`. */
  readonly name: string;
  /** The subnet's range, e.g. `10.0.0.0/24`. It may overlap subnets of other (unpeered) VPCs. */
  readonly cidr: string;
  /** The subnet's gateway (the VPC router's port). @default - the first usable address of `cidr` */
  readonly gateway?: string;
  /** Addresses Kube-OVN must not hand out: IPs or `a..b` ranges inside `cidr`. @default - only the gateway */
  readonly excludeIps?: string[];
  /**
   * Namespaces whose pods land on this subnet by default (Kube-OVN `Subnet.spec.namespaces`).
   * Worker VMs do not need it (node pools attach them by annotation), and it must not name the
   * namespace of a cluster's hosted control plane: that would move the control-plane pods off the
   * management plane into the tenant VPC.
   * @default - none
   */
  readonly namespaces?: string[];
}

const SUBNET_NAME_MAX = 20;

/**
 * A Kube-OVN `Subnet` of a `TenantVpc` (with its egress SNAT rule when the VPC is external).
 *
 * Implements `INodeNetwork`: a node pool placed on it gets the `ovn.kubernetes.io/logical_switch`
 * annotation on its VMs, and the pool's cluster is connected to the VPC (its namespace is allowed
 * on the VPC and its control-plane VIP becomes reachable, see `TenantVpc.connectCluster`).
 * Created with `TenantVpc.addSubnet()`.
 */
export class TenantSubnet extends Construct implements INodeNetwork {
  /** The Kube-OVN Subnet name, `<vpc>-<name>`. */
  public readonly subnetName: string;
  /** The name inside the VPC. */
  public readonly localName: string;
  /** The range. */
  public readonly cidr: string;
  /** The gateway. */
  public readonly gateway: string;
  /** 4 or 6. */
  public readonly family: number;
  /** The VPC. */
  public readonly vpc: TenantVpc;
  /** Namespaces bound to the subnet. */
  public readonly namespaces: string[];
  /** The Kube-OVN Subnet (escape hatch). */
  public readonly subnet: ApiObject;
  /** The OvnSnatRule giving the subnet egress through the VPC's EIP, when the VPC is external (escape hatch). */
  public readonly snatRule?: ApiObject;
  /** @internal */
  public readonly _range: ParsedCidr;

  constructor(vpc: TenantVpc, id: string, options: TenantSubnetOptions) {
    super(vpc, id);
    this.vpc = vpc;
    this.localName = validateDnsLabel(this, 'name', options?.name, SUBNET_NAME_MAX);
    this.subnetName = `${vpc.vpcName}-${this.localName}`;
    const range = parseCidr(options.cidr);
    if (!range) {
      throw new KmetalValidationError(this, 'cidr', `${showValue(options.cidr)} is not a network in CIDR notation (or has host bits set)`, 'write the network address and prefix, e.g. "10.0.0.0/24"');
    }
    const bits = addressBits(range.family);
    if (range.prefix > bits - 2) {
      throw new KmetalValidationError(this, 'cidr', `${range.text} has no room for a gateway and VMs`, `give at least a /${bits - 2}; node pools usually want a /24 or larger`);
    }
    this._range = range;
    this.cidr = range.text;
    this.family = range.family;
    vpc.planes._checkTenantRange(this, 'cidr', range);
    if (vpc.external && range.family !== vpc.planes._publicRange.family) {
      throw new KmetalValidationError(this, 'cidr', `${range.text} is IPv${range.family}, but the public plane (egress, control-plane path) is IPv${vpc.planes._publicRange.family}`, `use an IPv${vpc.planes._publicRange.family} range, or declare the VPC with external: false`);
    }

    const lastUsable = range.family === 4 ? range.last - 1n : range.last;
    const gatewayText = options.gateway ?? formatIp(range.family, range.first + 1n);
    const gw = parseIp(gatewayText);
    if (!gw || gw.family !== range.family || gw.value <= range.first || gw.value > lastUsable) {
      throw new KmetalValidationError(this, 'gateway', `${showValue(gatewayText)} is not a usable address of ${range.text}`, `give an address inside ${range.text} (not its network${range.family === 4 ? ' or broadcast' : ''} address), or drop gateway to use ${formatIp(range.family, range.first + 1n)}`);
    }
    this.gateway = formatIp(gw.family, gw.value);
    const excluded: AddressRange[] = (options.excludeIps ?? []).map((text, i) => {
      const r = parseAddressRange(text);
      if (!r || text.includes('/') || r.family !== range.family || r.first < range.first || r.last > range.last) {
        throw new KmetalValidationError(this, `excludeIps[${i}]`, `${showValue(text)} is not an address or range inside ${range.text}`, `write "10.0.0.10" or "10.0.0.10..10.0.0.20" inside ${range.text}`);
      }
      return r;
    });
    this.namespaces = (options.namespaces ?? []).map((ns, i) => validateDnsLabel(this, `namespaces[${i}]`, ns));

    // Cluster-wide names and the overlap check inside the VPC (O(log n), against its sorted subnets).
    vpc.planes._registry.claimSubnetName(this, 'name', this.subnetName);
    vpc._placeSubnet(this);

    const labels = { 'kmetal.io/tenant-vpc': vpc.vpcName };
    this.subnet = new ApiObject(this, 'Resource', {
      ...Subnet.GVK,
      metadata: { name: this.subnetName, labels },
      spec: {
        vpc: vpc.vpcName,
        cidrBlock: this.cidr,
        protocol: this.family === 4 ? 'IPv4' : 'IPv6',
        gateway: this.gateway,
        excludeIps: excludeIpsOf(this.gateway, excluded),
        // Never `default: true`: a default subnet would become the default of every namespace
        // the VPC allows, control-plane pods included.
        ...(this.namespaces.length ? { namespaces: [...this.namespaces] } : {}),
      },
    });
    if (vpc.external) {
      this.snatRule = new ApiObject(this, 'Snat', {
        ...OvnSnatRule.GVK,
        metadata: { name: `${this.subnetName}-snat`, labels },
        spec: { ovnEip: vpc.egressEipName!, vpcSubnet: this.subnetName },
      });
    }
  }

  /** Attaches a node pool's VMs to this subnet and connects the pool's cluster to the VPC. */
  public bindNodePool(pool: IConstruct): NodeNetworkBinding {
    const cluster = [...pool.node.scopes].reverse().find((s): s is TenantCluster => s instanceof TenantCluster);
    if (cluster) this.vpc.connectCluster(cluster);
    return {
      podAnnotations: { 'ovn.kubernetes.io/logical_switch': this.subnetName },
      description: `tenant VPC "${this.vpc.vpcName}" subnet "${this.localName}" (${this.cidr})`,
    };
  }
}
