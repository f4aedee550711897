/* eslint-disable no-bitwise */ // IP arithmetic is bit arithmetic on BigInts.
/**
 * CIDR arithmetic for IPv4 and IPv6 (BigInt based, no dependency): parsing, containment, overlap.
 * Only what the constructs need; every function is pure.
 */
export interface ParsedCidr {
  /** 4 or 6. */
  readonly family: number;
  /** First address of the block. */
  readonly first: bigint;
  /** Last address of the block. */
  readonly last: bigint;
  /** Prefix length. */
  readonly prefix: number;
  /** The text as given. */
  readonly text: string;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    value = (value << 8n) | BigInt(Number(p));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  let tail: bigint[] = [];
  let body = text;
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseIpv4(v4[1]);
    if (n === undefined) return undefined;
    tail = [n >> 16n, n & 0xffffn];
    body = text.slice(0, -v4[1].length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const [head, rest] = body.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const r = rest === undefined ? undefined : groups(rest);
  const all = [...h, ...(r ?? [])];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - all.length - tail.length;
  if (r === undefined ? missing !== 0 : missing < 1) return undefined;
  const hex = (g: string) => BigInt(parseInt(g, 16));
  const values = [...h.map(hex), ...Array(r === undefined ? 0 : missing).fill(0n), ...(r ?? []).map(hex), ...tail];
  return values.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IP address; undefined when it is not one. */
export function parseIp(text: string): { family: number; value: bigint } | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/**
 * Parses `10.0.0.0/16` or `fd00::/64`; undefined when malformed or when host bits are set
 * (`10.0.0.1/16` is almost always a typo for a network, and Kubernetes refuses it in most places).
 */
export function parseCidr(text: string): ParsedCidr | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  if (ip.value % size !== 0n) return undefined;
  return { family: ip.family, first: ip.value, last: ip.value + size - 1n, prefix, text };
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: ParsedCidr, ip: string): boolean {
  const parsed = parseIp(ip);
  return !!parsed && parsed.family === cidr.family && parsed.value >= cidr.first && parsed.value <= cidr.last;
}

/** Formats an address value of the given family. */
export function formatIp(family: number, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let best = [-1, 0];
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best[1] && j - i > 1) best = [i, j - i];
    i = j;
  }
  if (best[0] < 0) return groups.join(':');
  return `${groups.slice(0, best[0]).join(':')}::${groups.slice(best[0] + best[1]).join(':')}`;
}

/**
 * Finds overlapping pairs among many blocks in O(n log n): sort by first address and sweep,
 * remembering the block that reaches furthest. Returns each overlapping pair once (reported
 * against the block that covers it), which is what error messages need.
 */
export function findOverlaps<T>(items: T[], cidrOf: (item: T) => AddressRange): Array<[T, T]> {
  const found: Array<[T, T]> = [];
  for (const family of [4, 6]) {
    const sorted = items.filter((i) => cidrOf(i).family === family).sort((x, y) => {
      const a = cidrOf(x).first;
      const b = cidrOf(y).first;
      return a < b ? -1 : a > b ? 1 : 0;
    });
    let reach: T | undefined;
    for (const item of sorted) {
      if (reach !== undefined && cidrOf(item).first <= cidrOf(reach).last) found.push([reach, item]);
      if (reach === undefined || cidrOf(item).last > cidrOf(reach).last) reach = item;
    }
  }
  return found;
}

/** Number of bits of an address of the family (32 or 128). */
export function addressBits(family: number): number {
  return family === 4 ? 32 : 128;
}

/** An inclusive range of addresses of one family; every CIDR block is one. */
export interface AddressRange {
  /** 4 or 6. */
  readonly family: number;
  /** First address. */
  readonly first: bigint;
  /** Last address. */
  readonly last: bigint;
  /** The text as given. */
  readonly text: string;
}

/**
 * Parses what MetalLB accepts in `IPAddressPool.spec.addresses` and Kube-OVN in `excludeIps`:
 * a CIDR (`192.0.2.0/28`), a range (`192.0.2.10-192.0.2.20`, or Kube-OVN's `192.0.2.10..192.0.2.20`)
 * or a single address. Undefined when malformed, mixed-family or reversed.
 */
export function parseAddressRange(text: string): AddressRange | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed.includes('/')) return parseCidr(trimmed);
  const parts = trimmed.includes('..') ? trimmed.split('..') : trimmed.split('-');
  if (parts.length > 2) return undefined;
  const a = parseIp(parts[0].trim());
  const b = parts.length === 2 ? parseIp(parts[1].trim()) : a;
  if (!a || !b || a.family !== b.family || b.value < a.value) return undefined;
  return { family: a.family, first: a.value, last: b.value, text };
}

/** The fewest CIDR blocks covering exactly `first..last` (OVN matches take blocks, not ranges). */
export function rangeToCidrs(family: number, first: bigint, last: bigint): string[] {
  const bits = addressBits(family);
  const out: string[] = [];
  let start = first;
  while (start <= last) {
    // The largest aligned block starting at `start` that does not run past `last`.
    let size = 1n;
    let prefix = bits;
    while (prefix > 0 && start % (size * 2n) === 0n && start + size * 2n - 1n <= last) {
      size *= 2n;
      prefix--;
    }
    out.push(`${formatIp(family, start)}/${prefix}`);
    start += size;
  }
  return out;
}

/**
 * Labelled blocks indexed for one question, asked many times: "which block overlaps this range?"
 * Built in O(n log n), answered in O(log n) (sorted by first address, with a running maximum of
 * the last address), so checking every tenant subnet against every plane stays linearithmic.
 */
export class OverlapIndex<T> {
  private readonly byFamily = new Map<number, { firsts: bigint[]; reach: bigint[]; owner: T[] }>();

  constructor(items: readonly T[], rangeOf: (item: T) => AddressRange) {
    for (const family of [4, 6]) {
      const sorted = items.filter((i) => rangeOf(i).family === family).sort((x, y) => {
        const a = rangeOf(x).first;
        const b = rangeOf(y).first;
        return a < b ? -1 : a > b ? 1 : 0;
      });
      const firsts: bigint[] = [];
      const reach: bigint[] = [];
      const owner: T[] = [];
      for (const item of sorted) {
        const r = rangeOf(item);
        const previous = reach.length ? reach[reach.length - 1] : -1n;
        firsts.push(r.first);
        if (r.last > previous || owner.length === 0) {
          reach.push(r.last);
          owner.push(item);
        } else {
          reach.push(previous);
          owner.push(owner[owner.length - 1]);
        }
      }
      this.byFamily.set(family, { firsts, reach, owner });
    }
  }

  /** A block that shares at least one address with the range (the one reaching furthest), if any. */
  public overlapping(range: AddressRange): T | undefined {
    const index = this.byFamily.get(range.family);
    if (!index || index.firsts.length === 0) return undefined;
    // Last block whose first address is <= range.last.
    let lo = 0;
    let hi = index.firsts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (index.firsts[mid] <= range.last) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && index.reach[found] >= range.first ? index.owner[found] : undefined;
  }
}
