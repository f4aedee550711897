import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../../util/errors';
import { isLabel } from '../../util/names';

/** The label every host of a pool carries; the pool's host selector is built on it. */
export const POOL_LABEL = 'kmetal.io/pool';

/** Validates a label map (keys and values as Kubernetes accepts them); returns a copy. */
export function validateLabels(scope: IConstruct, field: string, labels: unknown): { [key: string]: string } {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new KmetalValidationError(scope, field, `${showValue(labels)} is not a map of labels`, 'give an object such as { "kmetal.io/rack": "r12" }');
  }
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(labels as object)) {
    if (!isLabel(k, v) || k.length > 317) {
      throw new KmetalValidationError(scope, `${field}.${k}`, `${showValue(k)}=${showValue(v)} is not a valid Kubernetes label`, 'use a key like "kmetal.io/rack" and a value of at most 63 alphanumerics, "-", "_" or "."');
    }
    if (k === POOL_LABEL) {
      throw new KmetalValidationError(scope, `${field}.${k}`, `the label ${POOL_LABEL} is set by the pool (it is how machine templates find the pool's hosts)`, 'drop it; use another key to mark a subset of hosts');
    }
    out[k] = v;
  }
  return out;
}

/** A whole number of at least `min`. */
export function wholeNumber(scope: IConstruct, field: string, value: unknown, min: number, fix: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not a whole number of at least ${min}`, fix);
  }
  return value;
}

/**
 * Normalizes a 48-bit MAC address (`AA-BB-…` or `aa:bb:…`) to lowercase colon form, so that the
 * same NIC written two ways is still recognised as one.
 */
export function normalizeMac(scope: IConstruct, field: string, mac: unknown): string {
  if (typeof mac !== 'string' || !/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(mac)) {
    throw new KmetalValidationError(scope, field, `${showValue(mac)} is not a MAC address`, 'write six hex octets separated by colons, e.g. "0c:c4:7a:12:34:56"');
  }
  const normalized = mac.toLowerCase().replace(/-/g, ':');
  // The I/G bit set means a group address: no NIC boots from it (and all-zero is a placeholder).
  if (parseInt(normalized.slice(0, 2), 16) % 2 === 1 || normalized === '00:00:00:00:00:00') {
    throw new KmetalValidationError(scope, field, `${showValue(mac)} is a ${normalized === '00:00:00:00:00:00' ? 'placeholder' : 'multicast/broadcast'} address, not the MAC of a NIC`, 'copy the boot NIC\'s MAC from the server\'s inventory or BMC');
  }
  return normalized;
}
