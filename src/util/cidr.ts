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
  const values = [...h.map((g) => BigInt(parseInt(g, 16))), ...Array(r === undefined ? 0 : missing).fill(0n), ...(r ?? []).map((g) => BigInt(parseInt(g, 16))), ...tail];
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
export function findOverlaps<T>(items: T[], cidrOf: (item: T) => ParsedCidr): Array<[T, T]> {
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
