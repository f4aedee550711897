// Address parsing shared by the network rules (not part of the public API).
import { AddressRange, parseAddressRange, parseCidr, parseIp } from '../../../util/cidr';
import type { SynthesizedObject } from '../../policy-context';
import { get } from '../helpers';

/** A tenant-network block found in an object. */
export interface Block {
  readonly range: AddressRange;
  readonly object: SynthesizedObject;
  readonly label: string;
}

/** The ranges of a Kube-OVN Subnet's `cidrBlock` (one, or two for dual stack). */
export function subnetRanges(o: SynthesizedObject): AddressRange[] {
  const text = get(o.json, 'spec.cidrBlock');
  if (typeof text !== 'string') return [];
  return text.split(',').map((t) => parseCidr(t.trim())).filter((r): r is NonNullable<typeof r> => !!r);
}

/** The VPC a Kube-OVN Subnet belongs to (`ovn-cluster`, the default VPC, when unset). */
export function vpcOf(o: SynthesizedObject): string {
  const vpc = get(o.json, 'spec.vpc');
  return typeof vpc === 'string' && vpc !== '' ? vpc : 'ovn-cluster';
}

/** The network of an interface address such as `169.254.64.1/30`. */
export function interfaceNetwork(text: string): AddressRange | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(String(text ?? '').trim());
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits) return undefined;
  const size = 2n ** BigInt(bits - prefix);
  const first = ip.value - (ip.value % size);
  return { family: ip.family, first, last: first + size - 1n, text };
}

/** A MetalLB pool address entry (CIDR or `a-b` range). */
export function poolRange(text: string): AddressRange | undefined {
  return parseAddressRange(text);
}
