/* eslint-disable no-bitwise */ // addresses are bytes; masks and groups are bit operations
import { CelScalar, celFunc, celMethod, type CelFunc } from '@bufbuild/cel';

/**
 * The Kubernetes CEL "net" library (`isIP`, `isCIDR`, `ip()`, `cidr()` and the methods on their
 * results), with Kubernetes' strictness: no leading zeros in IPv4 octets or prefix lengths, no IPv6
 * zones, no IPv4-mapped IPv6 addresses.
 *
 * `@bufbuild/cel` has no opaque user types, so `ip(...)` and `cidr(...)` return their canonical
 * string and the methods are declared on strings. Every expression that compiles in Kubernetes
 * evaluates the same way here; a few that Kubernetes rejects at compile time (`'x'.family()`) run.
 */

/** A parsed address: 4 or 16 bytes. */
type IpBytes = number[];

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIpv4(text: string): IpBytes | undefined {
  const m = IPV4.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : undefined;
}

function parseIpv6Groups(part: string): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  const pieces = part.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIpv4(piece);
      if (!v4) return undefined;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): IpBytes | undefined {
  if (text.includes('%')) return undefined; // zones are not allowed
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0]);
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  const v4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return v4Mapped ? undefined : bytes;
}

/** Parses an IPv4 or IPv6 address the way Kubernetes' `isIP` accepts it. */
export function parseIp(text: string): IpBytes | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** Parses `address/prefixLength` the way Kubernetes' `isCIDR` accepts it. */
export function parseCidr(text: string): { ip: IpBytes; prefix: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(bits)) return undefined;
  const prefix = Number(bits);
  return prefix <= ip.length * 8 ? { ip, prefix } : undefined;
}

function formatIp(ip: IpBytes): string {
  if (ip.length === 4) return ip.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i] << 8) | ip[i + 1]);
  // RFC 5952: compress the longest run (of two or more) of zero groups.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function masked(ip: IpBytes, prefix: number): IpBytes {
  return ip.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

function mustIp(text: string): IpBytes {
  const ip = parseIp(text);
  if (!ip) throw new Error(`IP Address '${text}' parse error during conversion from string`);
  return ip;
}

function mustCidr(text: string): { ip: IpBytes; prefix: number } {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`network address '${text}' parse error during conversion from string`);
  return cidr;
}

function cidrContains(cidr: { ip: IpBytes; prefix: number }, ip: IpBytes, prefix: number): boolean {
  if (ip.length !== cidr.ip.length || prefix < cidr.prefix) return false;
  const a = masked(cidr.ip, cidr.prefix);
  const b = masked(ip, cidr.prefix);
  return a.every((byte, i) => byte === b[i]);
}

const S = CelScalar.STRING;
const B = CelScalar.BOOL;
const I = CelScalar.INT;

/** The net library's functions, for `celEnv({ funcs })`. */
export const CEL_NET_FUNCTIONS: CelFunc[] = [
  celFunc('isIP', [S], B, (s) => parseIp(s) !== undefined),
  celFunc('isCIDR', [S], B, (s) => parseCidr(s) !== undefined),
  celFunc('ip', [S], S, (s) => formatIp(mustIp(s))),
  celFunc('cidr', [S], S, (s) => {
    const c = mustCidr(s);
    return `${formatIp(c.ip)}/${c.prefix}`;
  }),
  celMethod('family', S, [], I, function (this: string) { return mustIp(this).length === 4 ? 4n : 6n; }),
  celMethod('isUnspecified', S, [], B, function (this: string) { return mustIp(this).every((b) => b === 0); }),
  celMethod('isLoopback', S, [], B, function (this: string) {
    const ip = mustIp(this);
    return ip.length === 4 ? ip[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
  }),
  celMethod('containsIP', S, [S], B, function (this: string, other: string) {
    const ip = mustIp(other);
    return cidrContains(mustCidr(this), ip, ip.length * 8);
  }),
  celMethod('containsCIDR', S, [S], B, function (this: string, other: string) {
    const inner = mustCidr(other);
    return cidrContains(mustCidr(this), inner.ip, inner.prefix);
  }),
  celMethod('prefixLength', S, [], I, function (this: string) { return BigInt(mustCidr(this).prefix); }),
  celMethod('ip', S, [], S, function (this: string) { return formatIp(mustCidr(this).ip); }),
  celMethod('masked', S, [], S, function (this: string) {
    const c = mustCidr(this);
    return `${formatIp(masked(c.ip, c.prefix))}/${c.prefix}`;
  }),
];
