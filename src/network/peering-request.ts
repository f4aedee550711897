import { Construct, IConstruct } from 'constructs';
import { ITenantVpc, TenantVpc } from './tenant-vpc';
import { parseCidr, ParsedCidr } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { checkProps } from '../util/props';

/** Who approved a peering, and under which change ticket. */
export interface PeeringApproval {
  /** The approving operator (a name or an e-mail address). */
  readonly by: string;
  /** Change ticket or review reference. @default - none */
  readonly ticket?: string;
}

/** Where a peering request stands. */
export enum PeeringStatus {
  /** Requested, not approved: nothing is peered. */
  PENDING = 'Pending',
  /** Approved: both VPCs carry the peering and the routes. */
  APPROVED = 'Approved',
}

/** Props of `PeeringRequest`. */
export interface PeeringRequestProps {
  /** The requesting tenant's VPC. */
  readonly from: TenantVpc;
  /** The VPC to peer with; it must be a `TenantVpc` of this app (the peering is written on both). */
  readonly to: ITenantVpc;
  /** Why the tenant needs the peering (kept with the request for the approver). */
  readonly reason: string;
  /** The operator's approval, when given in code up front. @default - pending until `approve()` */
  readonly approved?: PeeringApproval;
  /**
   * Pin the /30 between the two VPC routers (`localConnectIP`s are its first two addresses).
   * @default - allocated from NetworkPlanes `peeringLinkCidr`, deterministically from the VPC names
   */
  readonly linkCidr?: string;
}

/**
 * A tenant-initiated, operator-approved peering of two tenant VPCs.
 *
 * The tenant declares the request (`from` its VPC, `to` another, with a `reason`); the operator
 * approves it, in code (`approved` prop or `approve({ by, ticket })`), so the approval goes
 * through the same review as any other change. Only an approved request changes the output:
 * both Kube-OVN `Vpc`s get a `vpcPeerings` entry (`remoteVpc`, `localConnectIP` on a /30 link)
 * and `policyDst` static routes to every subnet of the other side. From then on the two VPCs
 * must not overlap (that is checked at synth, with the link).
 *
 * Pending requests are never dropped silently: both VPCs carry the annotation
 * `kmetal.io/pending-peerings` (the other VPC's name), and `PeeringRequest.pendingIn(app)` lists
 * them for reports and CI gates.
 */
export class PeeringRequest extends Construct {
  /** Every pending peering request of the app `scope` belongs to, by construct path. */
  public static pendingIn(scope: IConstruct): PeeringRequest[] {
    return scope.node.root.node.findAll()
      .filter((c): c is PeeringRequest => c instanceof PeeringRequest && !c.approved)
      .sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0));
  }

  /** The requesting VPC. */
  public readonly from: TenantVpc;
  /** The requested VPC. */
  public readonly to: TenantVpc;
  /** Why the tenant needs the peering. */
  public readonly reason: string;
  /** The pinned link, if any. */
  public readonly linkCidr?: string;

  /** @internal */
  public readonly _pinnedLink?: ParsedCidr;
  /** Stable name of the pair (the link's hash seed). @internal */
  public readonly _pairKey: string;
  private approvalGiven?: PeeringApproval;

  constructor(scope: Construct, id: string, props: PeeringRequestProps) {
    super(scope, id);
    checkProps(this, '', props, 'PeeringRequestProps');
    const from = props?.from;
    const to = props?.to;
    if (!(from instanceof TenantVpc) || from.node.root !== this.node.root) {
      throw new KmetalValidationError(this, 'from', `${showValue(from?.node?.path ?? from)} is not a TenantVpc of this app`, 'pass the requesting tenant\'s TenantVpc');
    }
    if (!(to instanceof TenantVpc) || to.node.root !== this.node.root) {
      const name = (to as ITenantVpc | undefined)?.vpcName;
      throw new KmetalValidationError(this, 'to', `VPC ${showValue(name ?? to)} does not exist in this app${to instanceof TenantVpc ? ' (it is declared in another one)' : ''}; a peering is written on both VPCs, so both must be declared here`,
        'declare the remote VPC as a TenantVpc in this app and pass it as `to`, or withdraw the request');
    }
    if (from === to) {
      throw new KmetalValidationError(this, 'to', `VPC "${to.vpcName}" cannot peer with itself`, 'name another VPC');
    }
    if (from.planes !== to.planes) {
      throw new KmetalValidationError(this, 'to', `VPCs "${from.vpcName}" and "${to.vpcName}" belong to different NetworkPlanes`, 'peer VPCs of one under cluster only');
    }
    if (typeof props.reason !== 'string' || !props.reason.trim()) {
      throw new KmetalValidationError(this, 'reason', `${showValue(props.reason)} gives no reason`, 'say why the tenant needs the peering, e.g. "shared CI runners reach the artifact cache"');
    }
    if (props.linkCidr !== undefined) {
      const link = parseCidr(props.linkCidr);
      if (!link || link.family !== 4 || link.prefix !== 30) {
        throw new KmetalValidationError(this, 'linkCidr', `${showValue(props.linkCidr)} is not an IPv4 /30`, 'give a /30 no subnet of either VPC uses, e.g. "169.254.64.0/30"');
      }
      this._pinnedLink = link;
      this.linkCidr = link.text;
    }
    this.from = from;
    this.to = to;
    this.reason = props.reason;
    this._pairKey = [from.vpcName, to.vpcName].sort().join('|');
    from.planes._registry.registerPeering(this, from.vpcName, to.vpcName);
    from._addPeering(this);
    to._addPeering(this);
    if (props.approved) this.approve(props.approved);
  }

  /** Approves the request: from now on the output peers the two VPCs. */
  public approve(approval: PeeringApproval): void {
    if (typeof approval?.by !== 'string' || !approval.by.trim()) {
      throw new KmetalValidationError(this, 'approved.by', `${showValue(approval?.by)} names no approver`, 'say who approved it, e.g. { by: "netops@example.com", ticket: "CHG-1234" }');
    }
    if (this.approvalGiven) {
      throw new KmetalValidationError(this, 'approved', `is already approved by ${showValue(this.approvalGiven.by)}`, 'approve a request once');
    }
    this.approvalGiven = { ...approval };
    this.from.planes._registry.touch();
  }

  /** Whether the request is approved. */
  public get approved(): boolean {
    return this.approvalGiven !== undefined;
  }

  /** Where the request stands. */
  public get status(): PeeringStatus {
    return this.approved ? PeeringStatus.APPROVED : PeeringStatus.PENDING;
  }

  /** The approval, once given. */
  public get approval(): PeeringApproval | undefined {
    return this.approvalGiven ? { ...this.approvalGiven } : undefined;
  }

  /** The /30 linking the two routers (resolved at synth; undefined while pending). */
  public get resolvedLinkCidr(): string | undefined {
    if (!this.approved) return undefined;
    this.from.planes._registry.validate();
    return this.from.planes._registry.linkOf(this)?.cidr;
  }
}
