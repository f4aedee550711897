import * as crypto from 'crypto';

/** One claimant of a slot (an address of a pool, a link of the peering block). @internal */
export interface SlotRequest<K> {
  /** What the caller maps the result back to. */
  readonly key: K;
  /** Stable name: the hash seed and the tie-break of the processing order. */
  readonly name: string;
  /** A pinned slot (already checked to be in range by the caller). */
  readonly fixed?: bigint;
}

/** What went wrong, for the caller to turn into a KmetalValidationError naming the claimants. @internal */
export type SlotProblem<K> =
  | { readonly kind: 'duplicate'; readonly slot: bigint; readonly first: SlotRequest<K>; readonly second: SlotRequest<K> }
  | { readonly kind: 'exhausted'; readonly capacity: bigint; readonly placed: SlotRequest<K>[]; readonly unplaced: SlotRequest<K>[] };

/** Preferred slot of a name: a digest of it, so it does not depend on the other claimants. @internal */
export function preferredSlot(name: string, capacity: bigint): bigint {
  const digest = crypto.createHash('sha256').update(name).digest('hex').slice(0, 16);
  return BigInt(`0x${digest}`) % capacity;
}

function byName<K>(a: SlotRequest<K>, b: SlotRequest<K>): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Deterministic allocation of `capacity` slots (0..capacity-1) to claimants, independent of the
 * order they were declared in:
 *
 * 1. pinned slots first (two claimants pinning one slot is a problem);
 * 2. the others in name order, each at the slot its name hashes to, or the next free one after it
 *    (linear probing, wrapping around).
 *
 * Hashing is what makes the result stable: a claimant's slot depends on its own name, not on how
 * many names sort before it, so adding a claimant moves nobody unless it takes the exact slot a
 * later-sorted claimant had probed to. Pinning removes even that.
 *
 * Occupied slots form chains resolved with a union-find "next free slot" map (path compression),
 * so probing is near O(1) amortised even in a nearly full pool, and the whole allocation is
 * O(n log n) for the sort, whatever the size of the pool (IPv6 pools are never enumerated).
 *
 * @internal
 */
export function allocateSlots<K>(requests: readonly SlotRequest<K>[], capacity: bigint): { slots: Map<K, bigint>; problem?: SlotProblem<K> } {
  const slots = new Map<K, bigint>();
  const owner = new Map<bigint, SlotRequest<K>>();
  const next = new Map<bigint, bigint>();

  const pinned = requests.filter((r) => r.fixed !== undefined).sort(byName);
  for (const r of pinned) {
    const existing = owner.get(r.fixed!);
    if (existing) return { slots, problem: { kind: 'duplicate', slot: r.fixed!, first: existing, second: r } };
    owner.set(r.fixed!, r);
    next.set(r.fixed!, (r.fixed! + 1n) % capacity);
    slots.set(r.key, r.fixed!);
  }

  const rest = requests.filter((r) => r.fixed === undefined).sort(byName);
  const free = capacity - BigInt(pinned.length);
  if (BigInt(rest.length) > free) {
    const fits = Number(free < 0n ? 0n : free);
    return {
      slots,
      problem: { kind: 'exhausted', capacity, placed: [...pinned, ...rest.slice(0, fits)].sort(byName), unplaced: rest.slice(fits) },
    };
  }

  const findFree = (start: bigint): bigint => {
    const path: bigint[] = [];
    let s = start;
    while (owner.has(s)) {
      path.push(s);
      s = next.get(s)!;
    }
    for (const p of path) next.set(p, s);
    return s;
  };

  for (const r of rest) {
    const slot = findFree(preferredSlot(r.name, capacity));
    owner.set(slot, r);
    next.set(slot, (slot + 1n) % capacity);
    slots.set(r.key, slot);
  }
  return { slots };
}
