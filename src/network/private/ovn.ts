import { AddressRange, formatIp, parseIp, rangeToCidrs } from '../../util/cidr';

/** Sorts ranges and merges the overlapping or adjacent ones (per family). */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.family - b.family) || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.family === r.family && r.first <= prev.last + 1n) {
      if (r.last > prev.last) out[out.length - 1] = { ...prev, last: r.last, text: `${formatIp(prev.family, prev.first)}..${formatIp(prev.family, r.last)}` };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** Kube-OVN's text for a range in `excludeIps`: `a` or `a..b`. */
export function excludeText(r: AddressRange): string {
  return r.first === r.last ? formatIp(r.family, r.first) : `${formatIp(r.family, r.first)}..${formatIp(r.family, r.last)}`;
}

/**
 * A Subnet's `excludeIps`: the gateway as its own entry (Kube-OVN appends it when it is missing,
 * which a GitOps controller would then fight over), then the other ranges merged and sorted.
 */
export function excludeIpsOf(gateway: string, ranges: readonly AddressRange[]): string[] {
  const gw = parseIp(gateway);
  const rest = mergeRanges(ranges)
    .map(excludeText)
    .filter((t) => !gw || t !== formatIp(gw.family, gw.value));
  return [gateway, ...rest];
}

/** An OVN logical-router-policy match on destinations: `ip4.dst == 10.0.0.0/8` or `ip4.dst == {a, b}`. */
export function destinationMatch(family: number, ranges: readonly AddressRange[]): string {
  const blocks = mergeRanges(ranges.filter((r) => r.family === family)).flatMap((r) => rangeToCidrs(family, r.first, r.last));
  const field = family === 4 ? 'ip4.dst' : 'ip6.dst';
  return blocks.length === 1 ? `${field} == ${blocks[0]}` : `${field} == {${blocks.join(', ')}}`;
}
