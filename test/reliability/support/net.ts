/* eslint-disable no-bitwise */ // addresses are bit strings: shifts and masks on BigInts.
// Address arithmetic for the output checks, written independently of src/util/cidr.ts so that the
// invariants do not trust the code they check. IPv4 and IPv6, as BigInt intervals.
import { isIPv4, isIPv6 } from 'net';

/** An inclusive interval of addresses of one family. */
export interface Interval {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
  readonly text: string;
}

/** The address as a number, or undefined when the text is no IP address. */
export function ipValue(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (typeof text !== 'string') return undefined;
  if (isIPv4(text)) {
    return { family: 4, value: text.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n) };
  }
  if (isIPv6(text) && !text.includes('.')) {
    const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
  }
  return undefined;
}

/** `a.b.c.d` / IPv6 text of an address value. */
export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
}

/** A CIDR (`10.0.0.0/24`, host bits allowed), a range (`a-b` or `a..b`) or a single address. */
export function interval(text: string): Interval | undefined {
  if (typeof text !== 'string') return undefined;
  const range = /^(.+?)(?:-|\.\.)([0-9a-fA-F:.]+)$/.exec(text);
  if (range && !text.includes('/') && ipValue(range[1]) && ipValue(range[2])) {
    const a = ipValue(range[1])!;
    const b = ipValue(range[2])!;
    if (a.family !== b.family || b.value < a.value) return undefined;
    return { family: a.family, first: a.value, last: b.value, text };
  }
  const [addr, prefixText] = text.split('/');
  const ip = ipValue(addr);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const first = (ip.value / size) * size;
  return { family: ip.family, first, last: first + size - 1n, text };
}

/** Whether two intervals share an address. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** Whether `inner` lies within `outer`. */
export function contains(outer: Interval, inner: Interval): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/** Every pair of overlapping intervals (sort and sweep). */
export function overlappingPairs<T>(items: T[], of: (t: T) => Interval): Array<[T, T]> {
  const byStart = (x: { r: Interval }, y: { r: Interval }) =>
    (x.r.family - y.r.family) || (x.r.first < y.r.first ? -1 : x.r.first > y.r.first ? 1 : 0);
  const sorted = items.map((item) => ({ item, r: of(item) })).sort(byStart);
  const out: Array<[T, T]> = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].r.family === sorted[i].r.family && sorted[j].r.first <= sorted[i].r.last; j++) {
      out.push([sorted[i].item, sorted[j].item]);
    }
  }
  return out;
}
