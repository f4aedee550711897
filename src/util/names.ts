import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `value` is an RFC 1123 DNS label (lowercase alphanumerics and '-', at most 63). */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** True when `value` is an RFC 1123 DNS subdomain (labels joined by '.', at most 253). */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/**
 * Validates a name that other object names are derived from.
 *
 * `maxLength` is the budget left once the longest suffix the construct appends is counted, so that
 * every derived name stays a valid 63-character DNS label (Services, Namespaces and label values
 * are the tightest limits Kubernetes has).
 */
export function validateDnsLabel(scope: IConstruct, field: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new KmetalValidationError(scope, field, `must be a non-empty string, got ${showValue(value)}`, 'give a lowercase DNS-1123 label such as "acme-prod"');
  }
  if (!DNS1123_LABEL.test(value)) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`, `use e.g. ${showValue(suggestDnsLabel(value, maxLength))}`);
  }
  if (value.length > maxLength) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is ${value.length} characters; names derived from it must fit 63, which leaves ${maxLength} for it`, `shorten it to at most ${maxLength} characters`);
  }
  return value;
}

/** A best-effort DNS label made from arbitrary text (for suggestions in error messages). */
export function suggestDnsLabel(value: string, maxLength = 63): string {
  const cleaned = String(value).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').replace(/-{2,}/g, '-');
  return (cleaned || 'name').slice(0, maxLength).replace(/-+$/, '');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Whether `key` is a valid Kubernetes label key (optional DNS prefix, name part of at most 63 characters). */
export function isLabelKey(key: string): boolean {
  return typeof key === 'string' && LABEL_KEY.test(key) && key.split('/').pop()!.length <= 63;
}

/** Whether `value` is a valid Kubernetes label value (at most 63 characters, may be empty). */
export function isLabelValue(value: string): boolean {
  return typeof value === 'string' && LABEL_VALUE.test(value) && value.length <= 63;
}

/** Whether `key=value` is a valid Kubernetes label. */
export function isLabel(key: string, value: string): boolean {
  return isLabelKey(key) && isLabelValue(value);
}
