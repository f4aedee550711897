/* eslint-disable no-bitwise */ // mulberry32 is 32-bit integer arithmetic.
// The same platform declared in another order, where order carries no meaning: tenants, the hosts
// of each pool and the subnets of each VPC are permuted, and every index that points at a tenant or
// a subnet follows its target. (Node pools, VIP pool ranges, add-on profiles and peering requests
// keep their order: list order is output there, or decides which of two requests is kept.)
import { PlatformSpec } from './platform-spec';

/** mulberry32: a tiny seeded PRNG, so a shuffle is reproducible from the seed fast-check generated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1: `perm[newIndex] = oldIndex`. */
function permutation(n: number, rnd: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Where each old index went: `inverse[oldIndex] = newIndex`. */
function inverse(perm: number[]): number[] {
  const inv: number[] = [];
  perm.forEach((old, i) => (inv[old] = i));
  return inv;
}

const mod = (i: number, n: number) => ((i % n) + n) % n;

/** `spec` with tenants, hosts and subnets in a seeded random order (references remapped). */
export function shuffleSpec(spec: PlatformSpec, seed: number): PlatformSpec {
  const rnd = random(seed);
  const n = spec.tenants.length;
  const perm = permutation(n, rnd);
  const inv = inverse(perm);
  const tenant = (i: number) => inv[mod(i, n)];
  return {
    ...spec,
    tenants: perm.map((old) => {
      const t = spec.tenants[old];
      if (!t.vpc) return t;
      const sp = permutation(t.vpc.subnets.length, rnd);
      const sinv = inverse(sp);
      return {
        ...t,
        vpc: {
          ...t.vpc,
          subnets: sp.map((o) => t.vpc!.subnets[o]),
          workerSubnet: t.vpc.workerSubnet && t.vpc.subnets.length
            ? { idx: sinv[mod(t.vpc.workerSubnet.idx, t.vpc.subnets.length)] }
            : t.vpc.workerSubnet,
        },
      };
    }),
    hostPools: spec.hostPools.map((p) => ({ ...p, hosts: permutation(p.hosts.length, rnd).map((o) => p.hosts[o]) })),
    peerings: spec.peerings.map((r) => ({ ...r, from: tenant(r.from), to: tenant(r.to) })),
    addons: spec.addons.map((a) => (a.selector.kind === 'cluster' ? { ...a, selector: { ...a.selector, tenant: tenant(a.selector.tenant) } } : a)),
    policy: spec.policy && { ...spec.policy, suppressions: spec.policy.suppressions.map((s) => ({ ...s, tenant: tenant(s.tenant) })) },
  };
}
