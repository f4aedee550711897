// Which whole servers tenant bare-metal pools take: the one model that the pools' synth check, the
// platform policy pack (VM supply excludes these hosts) and the fleet report read.
import { IConstruct } from 'constructs';
import type { BareMetalHost } from './bare-metal-host';
import type { BareMetalPool } from './bare-metal-pool';
import { _sumCapacity, PoolCapacity } from './capacity';

/**
 * The role label a server must carry for tenant bare-metal pools to take it: `kmetal.io/role` with
 * this value. A metal pool's Metal3 host selector always includes it, so hosts labelled as the
 * under cluster's own nodes (`control-plane`, `worker`) are never claimed by Cluster API provider
 * Metal3, and the capacity policy never counts these hosts as VM hosts.
 */
export const TENANT_METAL_ROLE = 'tenant-metal';
/** The label key of host roles (`kmetal.io/role`). */
export const HOST_ROLE_LABEL = 'kmetal.io/role';

/** One tenant pool's claim on whole servers. */
export interface HostClaim {
  /** The pool's construct path. */
  readonly path: string;
  /** `namespace/cluster` of the tenant cluster. */
  readonly cluster: string;
  /** Pool name. */
  readonly poolName: string;
  /** The bare-metal pool the servers come from. */
  readonly bareMetalPool: BareMetalPool;
  /** The labels Metal3 claims hosts by (the Metal3MachineTemplate's `hostSelector.matchLabels`). */
  readonly hostSelector: { [key: string]: string };
  /** Servers the pool may hold at once: its replicas, or `maxReplicas` when autoscaled. */
  readonly hostsWanted: number;
}

/** How the servers a pool may take are shared out (evaluated when read: hosts may be added late). */
export interface HostAllocation {
  /** The claim. */
  readonly claim: HostClaim;
  /** Hosts of the bare-metal pool the pool's selector matches. */
  readonly matchingHosts: BareMetalHost[];
  /** Hosts the pool gets in an assignment that serves as many claims as possible. */
  readonly assignedHosts: BareMetalHost[];
  /** Matching hosts that other pools' claims need. */
  readonly takenByOthers: number;
  /** Pools assigned some of the hosts this one matches (construct paths). */
  readonly competitors: string[];
  /** Servers wanted but not available (0: the pool fits). */
  readonly shortfall: number;
  /** Capacity of the assigned hosts. */
  readonly capacity: PoolCapacity;
}

/**
 * The claims of tenant bare-metal pools on servers, per app. Metal3 gives each Metal3Machine a host
 * of its own (a host with a consumer is never chosen again: cluster-api-provider-metal3 v1.13.2
 * baremetal/metal3machine_manager.go chooseHost), so claims are matched to hosts one to one; a
 * claim that no assignment can serve is refused at synth with the counts.
 */
export class HostClaims {
  /** The claims registry of the app `scope` belongs to. */
  public static of(scope: IConstruct): HostClaims {
    const root = scope.node.root;
    let registry = REGISTRIES.get(root);
    if (!registry) {
      registry = new HostClaims();
      REGISTRIES.set(root, registry);
    }
    return registry;
  }

  private readonly entries: HostClaim[] = [];

  private constructor() {}

  /** Records a pool's claim. @internal */
  public _register(claim: HostClaim): void {
    this.entries.push(claim);
  }

  /** Every claim, in declaration order. */
  public get claims(): HostClaim[] {
    return [...this.entries];
  }

  /** Every host some tenant pool's selector matches (these are not VM hosts). */
  public get claimedHosts(): BareMetalHost[] {
    const out = new Set<BareMetalHost>();
    for (const c of this.entries) for (const h of matchingHosts(c)) out.add(h);
    return [...out];
  }

  /** How the servers are shared out, one entry per claim in declaration order. */
  public get allocations(): HostAllocation[] {
    const claims = this.entries;
    const matching = claims.map(matchingHosts);
    const owner = assign(claims.map((c) => c.hostsWanted), matching);
    return claims.map((claim, i) => {
      const assigned = matching[i].filter((h) => owner.get(h) === i);
      // The pools holding some of the hosts this one could take, in declaration order.
      const holders = new Set(matching[i].map((h) => owner.get(h)).filter((j): j is number => j !== undefined && j !== i));
      const competitors = [...holders].sort((a, b) => a - b).map((j) => claims[j].path);
      return {
        claim,
        matchingHosts: matching[i],
        assignedHosts: assigned,
        takenByOthers: matching[i].filter((h) => owner.has(h) && owner.get(h) !== i).length,
        competitors,
        shortfall: claim.hostsWanted - assigned.length,
        capacity: _sumCapacity(assigned.map((h) => h.capacity)),
      };
    });
  }

  /** The problem of one claim, for the pool's synth check (undefined: it fits). @internal */
  public _problemOf(path: string): string | undefined {
    const a = this.allocations.find((x) => x.claim.path === path);
    if (!a || a.shortfall <= 0) return undefined;
    const c = a.claim;
    const selector = JSON.stringify(sortKeys(c.hostSelector));
    const free = a.matchingHosts.length - a.takenByOthers;
    const others = a.takenByOthers > 0 ? `; ${a.takenByOthers} of them are needed by ${a.competitors.join(', ')}` : '';
    const labels = JSON.stringify(Object.fromEntries(Object.entries(sortKeys(c.hostSelector)).filter(([k]) => k !== 'kmetal.io/pool')));
    const lower = free > 0 ? `lower replicas (maxReplicas when autoscaled) to at most ${free}, or ` : '';
    return `bareMetal: pool "${c.poolName}" of ${c.cluster} needs ${c.hostsWanted} whole server(s) (one per replica; maxReplicas when autoscaled), `
      + `but only ${Math.max(0, free)} of the ${a.matchingHosts.length} host(s) of bare-metal pool "${c.bareMetalPool.poolName}" matching ${selector} are free${others}, `
      + `so ${a.shortfall} machine(s) would wait forever for a server. Fix: ${lower}add servers labelled ${labels} to pool "${c.bareMetalPool.poolName}"`;
  }
}

const REGISTRIES = new WeakMap<IConstruct, HostClaims>();

/** The hosts of the claim's bare-metal pool carrying every label of its selector (read when asked). */
function matchingHosts(c: HostClaim): BareMetalHost[] {
  const wanted = Object.entries(c.hostSelector);
  return c.bareMetalPool.hosts.filter((h) => wanted.every(([k, v]) => h.labels[k] === v));
}

/**
 * A maximum one-to-one assignment of hosts to claims (claim i wants `wanted[i]` hosts among
 * `matching[i]`): augmenting paths, one host at a time, claims in declaration order, so the result
 * is deterministic. Fleets have tens of metal hosts; this is small.
 */
function assign(wanted: number[], matching: BareMetalHost[][]): Map<BareMetalHost, number> {
  const owner = new Map<BareMetalHost, number>();
  const held = wanted.map(() => 0);
  const augment = (i: number, seen: Set<BareMetalHost>): boolean => {
    for (const h of matching[i]) {
      if (seen.has(h)) continue;
      seen.add(h);
      const current = owner.get(h);
      if (current === undefined || augment(current, seen)) {
        if (current !== undefined) held[current]--;
        owner.set(h, i);
        held[i]++;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < wanted.length; i++) {
    while (held[i] < wanted[i] && augment(i, new Set())) { /* one more host for claim i */ }
  }
  return owner;
}

function sortKeys(map: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k];
  return out;
}
