import { IConstruct } from 'constructs';
import { destinationMatch } from './private/ovn';
import { AddressRange, formatIp, parseCidr, parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';

/** Which address a static route matches. */
export enum StaticRoutePolicy {
  /** The destination address (the usual route). */
  DESTINATION = 'policyDst',
  /** The source address (source-based routing). */
  SOURCE = 'policySrc',
}

/** What a policy route does with the packets it matches. */
export enum PolicyRouteAction {
  /** Route them normally. */
  ALLOW = 'allow',
  /** Drop them. */
  DROP = 'drop',
  /** Send them to `nextHopIp`. */
  REROUTE = 'reroute',
}

/** A static route of the VPC router. */
export interface VpcStaticRoute {
  /** Destination (or source) range, e.g. `0.0.0.0/0`. */
  readonly cidr: string;
  /** Next hop, an address reachable from the VPC router. */
  readonly nextHopIp: string;
  /** Match on destination or source. @default StaticRoutePolicy.DESTINATION */
  readonly policy?: StaticRoutePolicy;
}

/** A policy route of the VPC router (an OVN logical router policy). */
export interface VpcPolicyRoute {
  /** Priority, 0..31299: 31300 and above belong to the VPC's isolation policies, which always win. */
  readonly priority: number;
  /** OVN match expression, e.g. `ip4.src == 10.0.1.0/24`. */
  readonly match: string;
  /** What to do with matching packets. */
  readonly action: PolicyRouteAction;
  /** Next hop for `REROUTE`. @default - none (required for REROUTE, refused otherwise) */
  readonly nextHopIp?: string;
}

/** A static route in Kube-OVN's field names. @internal */
export interface StaticRouteSpec {
  readonly cidr: string;
  readonly nextHopIP: string;
  readonly policy: string;
}

/** A policy route in Kube-OVN's field names. @internal */
export interface PolicyRouteSpec {
  readonly priority: number;
  readonly match: string;
  readonly action: string;
  readonly nextHopIP?: string;
}

/** Priorities of the isolation policies; user policy routes stay below them. */
const PRIORITY_OWN_VIP = 31500;
const PRIORITY_DROP_MANAGEMENT = 31400;
const PRIORITY_DROP_OTHER_VIPS = 31300;

/** Checks a user static route and renders it. @internal */
export function staticRouteSpec(scope: IConstruct, field: string, route: VpcStaticRoute): StaticRouteSpec {
  const cidr = parseCidr(route?.cidr);
  if (!cidr) {
    throw new KmetalValidationError(scope, `${field}.cidr`, `${showValue(route?.cidr)} is not a network in CIDR notation`, 'write e.g. "0.0.0.0/0" or "10.20.0.0/16"');
  }
  const hop = parseIp(route.nextHopIp);
  if (!hop || hop.family !== cidr.family) {
    throw new KmetalValidationError(scope, `${field}.nextHopIp`, `${showValue(route.nextHopIp)} is not an IPv${cidr.family} address`, 'give the next hop as an address of the same family as the route');
  }
  if (route.policy !== undefined && !Object.values(StaticRoutePolicy).includes(route.policy)) {
    throw new KmetalValidationError(scope, `${field}.policy`, `${showValue(route.policy)} is not a route policy`, 'use StaticRoutePolicy.DESTINATION or SOURCE');
  }
  return { cidr: cidr.text, nextHopIP: formatIp(hop.family, hop.value), policy: route.policy ?? StaticRoutePolicy.DESTINATION };
}

/** Checks a user policy route and renders it. @internal */
export function policyRouteSpec(scope: IConstruct, field: string, route: VpcPolicyRoute): PolicyRouteSpec {
  if (!Number.isInteger(route?.priority) || route.priority < 0 || route.priority >= PRIORITY_DROP_OTHER_VIPS) {
    throw new KmetalValidationError(scope, `${field}.priority`, `${showValue(route?.priority)} is not a priority in 0..${PRIORITY_DROP_OTHER_VIPS - 1}`,
      `use a priority below ${PRIORITY_DROP_OTHER_VIPS}: ${PRIORITY_DROP_OTHER_VIPS}..${PRIORITY_OWN_VIP} hold the VPC's isolation policies, which must win`);
  }
  if (typeof route.match !== 'string' || !route.match.trim()) {
    throw new KmetalValidationError(scope, `${field}.match`, `${showValue(route.match)} is not an OVN match expression`, 'write e.g. "ip4.src == 10.0.1.0/24"');
  }
  if (!Object.values(PolicyRouteAction).includes(route.action)) {
    throw new KmetalValidationError(scope, `${field}.action`, `${showValue(route.action)} is not a policy route action`, 'use PolicyRouteAction.ALLOW, DROP or REROUTE');
  }
  const reroute = route.action === PolicyRouteAction.REROUTE;
  if (reroute !== (route.nextHopIp !== undefined) || (reroute && !parseIp(route.nextHopIp!))) {
    throw new KmetalValidationError(scope, `${field}.nextHopIp`, reroute ? `${showValue(route.nextHopIp)} is not a next hop address` : `a next hop is set for action ${route.action}`,
      'give nextHopIp with REROUTE, and only with REROUTE');
  }
  const { priority, match, action } = route;
  return { priority, match, action, ...(reroute ? { nextHopIP: route.nextHopIp } : {}) };
}

/**
 * The policies that keep a tenant VPC off the management plane and open only its own
 * control-plane VIPs: allow each VIP (31500), drop the management plane (31400), drop the rest of
 * the VIP pools (31300). @internal
 */
export function isolationPolicies(
  ownVips: readonly string[],
  management: readonly AddressRange[],
  vipPools: readonly AddressRange[],
): PolicyRouteSpec[] {
  const out: PolicyRouteSpec[] = [];
  for (const vip of [...new Set(ownVips)].sort()) {
    out.push({ priority: PRIORITY_OWN_VIP, match: `${vip.includes(':') ? 'ip6' : 'ip4'}.dst == ${vip}`, action: PolicyRouteAction.ALLOW });
  }
  const drop = (priority: number, ranges: readonly AddressRange[]) => {
    for (const family of [4, 6]) {
      if (ranges.some((r) => r.family === family)) out.push({ priority, match: destinationMatch(family, ranges), action: PolicyRouteAction.DROP });
    }
  };
  drop(PRIORITY_DROP_MANAGEMENT, management);
  drop(PRIORITY_DROP_OTHER_VIPS, vipPools);
  return out;
}
