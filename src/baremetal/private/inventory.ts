import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../../util/errors';

// Field names that hold a secret value. Matched against keys, never against values: the check
// must not need to see (or print) the secret to recognise it.
const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|secret$|token$|private.?key|api.?key/i;
const USER_KEY = /^(user(name)?|login)$/i;

const FIX = 'store user name and password in a Secret with keys "username" and "password" (created out of band, e.g. with SOPS, or by external-secrets) and reference it: BmcCredentials.fromSecret(name) or BmcCredentials.fromExternalSecret(...) in code, "bmc": { "credentialsName": "<secret>" } in inventory files';

/**
 * Refuses credential values anywhere in a host spec (typed fields that exist only to be refused,
 * and any key that names a secret in untyped inventory data). Runs before any other check, so no
 * later error message can quote a secret. Class instances (BmcCredentials) are not walked.
 */
export function refuseInlineCredentials(scope: IConstruct, field: string, value: unknown): void {
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    if (Object.getPrototypeOf(v) !== Object.prototype && !Array.isArray(v)) return;
    for (const [k, child] of Object.entries(v as object)) {
      const childPath = Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`;
      const given = child !== undefined && child !== null && child !== '' && typeof child !== 'object';
      if (given && SECRET_KEY.test(k)) {
        throw new KmetalValidationError(scope, childPath.slice(1), 'a BMC password (or other secret) is given as plain text; it would be written into the synthesized manifests and Git. The value is not shown here', FIX);
      }
      if (given && USER_KEY.test(k) && path.endsWith('.bmc')) {
        throw new KmetalValidationError(scope, childPath.slice(1), 'a BMC user name is given in the host spec; Metal3 reads user name and password together from the credentials Secret', FIX);
      }
      // Labels are public metadata: a label key ending in "token" is not a credential.
      if (k !== 'labels') walk(child, childPath, depth + 1);
    }
  };
  if (field) walk({ [field]: value }, '', 0);
  else walk(value, '', 0);
}

const KNOWN: { [level: string]: string[] } = {
  host: ['name', 'bmc', 'bootMacAddress', 'rootDeviceHints', 'bootMode', 'online', 'labels', 'capacity', 'description'],
  bmc: ['address', 'credentialsName', 'disableCertificateVerification', 'username', 'password'],
  rootDeviceHints: ['deviceName', 'hctl', 'model', 'vendor', 'serialNumber', 'minSizeGiB', 'wwn', 'wwnWithExtension', 'wwnVendorExtension', 'rotational'],
  capacity: ['cpuCores', 'memoryGiB', 'gpus'],
  gpu: ['model', 'count'],
};

function checkKeys(scope: IConstruct, field: string, level: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not an object`, `give an object with fields ${KNOWN[level].join(', ')}`);
  }
  for (const key of Object.keys(value)) {
    if (KNOWN[level].includes(key)) continue;
    const near = KNOWN[level].find((k) => k.toLowerCase() === key.toLowerCase());
    throw new KmetalValidationError(scope, `${field}.${key}`, 'is not a field of a host entry', near ? `write "${near}"` : `use only ${KNOWN[level].join(', ')}`);
  }
}

/**
 * Reads an untyped inventory (JSON text, a list of host entries, or `{ "hosts": [...] }`):
 * refuses credentials and unknown fields; the pool checks the values host by host.
 */
export function parseInventory(scope: IConstruct, inventory: unknown): any[] {
  let data = inventory;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (e) {
      throw new KmetalValidationError(scope, 'inventory', `is not valid JSON (${(e as Error).message})`, 'give the inventory as JSON: a list of hosts, or { "hosts": [...] }');
    }
  }
  const hosts = Array.isArray(data) ? data : (data as any)?.hosts;
  if (!Array.isArray(hosts)) {
    throw new KmetalValidationError(scope, 'inventory', 'has no list of hosts', 'give a list of host entries, or an object with a "hosts" list');
  }
  hosts.forEach((h, i) => {
    const field = `inventory.hosts[${i}]`;
    refuseInlineCredentials(scope, field, h);
    checkKeys(scope, field, 'host', h);
    checkKeys(scope, `${field}.bmc`, 'bmc', h.bmc);
    checkKeys(scope, `${field}.rootDeviceHints`, 'rootDeviceHints', h.rootDeviceHints);
    checkKeys(scope, `${field}.capacity`, 'capacity', h.capacity);
    if (Array.isArray(h.capacity?.gpus)) h.capacity.gpus.forEach((g: unknown, j: number) => checkKeys(scope, `${field}.capacity.gpus[${j}]`, 'gpu', g));
  });
  return hosts;
}
