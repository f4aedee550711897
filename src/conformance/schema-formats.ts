import { parseCidr, parseIp } from './cel-net-library';

/**
 * The `format`s an API server checks on custom objects (kube-openapi's strfmt registry), each
 * returning what is wrong or `undefined`. Formats it does not know are not checked, as in Kubernetes.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URI = /^([A-Za-z][A-Za-z0-9+.-]*:|\/)\S*$/;
const HOSTNAME = /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?([0-9a-f])[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{2}[:-]){7}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$/;
const DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s|m|h|d|w))+$/;

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day <= days;
}

type StringFormat = (value: string) => boolean;

const STRING_FORMATS: Record<string, StringFormat> = {
  'date': (v) => {
    const m = DATE.exec(v);
    return m !== null && validDate(m[1], m[2], m[3]);
  },
  'date-time': (v) => {
    const m = DATE_TIME.exec(v);
    return m !== null && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
  },
  'byte': (v) => BASE64.test(v),
  'uri': (v) => URI.test(v),
  'hostname': (v) => v.length <= 253 && HOSTNAME.test(v),
  'ipv4': (v) => parseIp(v)?.length === 4,
  'ipv6': (v) => v.includes(':') && parseIp(v) !== undefined,
  'cidr': (v) => parseCidr(v) !== undefined,
  'mac': (v) => MAC.test(v),
  'email': (v) => EMAIL.test(v),
  'uuid': (v) => UUID.test(v),
  'uuid3': (v) => UUID.exec(v)?.[1] === '3',
  'uuid4': (v) => UUID.exec(v)?.[1] === '4',
  'uuid5': (v) => UUID.exec(v)?.[1] === '5',
  'duration': (v) => v === '0' || DURATION.test(v),
};

const EXAMPLES: Record<string, string> = {
  'date': '2006-01-02',
  'date-time': '2006-01-02T15:04:05Z',
  'byte': 'base64, e.g. aGVsbG8=',
  'uri': 'https://example.com/path',
  'hostname': 'host.example.com',
  'ipv4': '192.0.2.10',
  'ipv6': '2001:db8::10',
  'cidr': '10.0.0.0/16',
  'duration': '1h30m',
};

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 9223372036854775807;

/** Checks a value against a `format`; `undefined` when it conforms or the format is not checked. */
export function checkFormat(format: string, value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (format === 'int32' && (value < INT32_MIN || value > INT32_MAX)) return `${value} does not fit in int32 (${INT32_MIN}..${INT32_MAX})`;
    if (format === 'int64' && Math.abs(value) > INT64_LIMIT) return `${value} does not fit in int64`;
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  const check = STRING_FORMATS[format];
  if (!check || check(value)) return undefined;
  const example = EXAMPLES[format];
  return `"${value}" is not a valid ${format}${example ? ` (e.g. ${example})` : ''}`;
}
