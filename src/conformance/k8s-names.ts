/**
 * Kubernetes' name syntaxes (k8s.io/apimachinery/pkg/util/validation). Each check returns what is
 * wrong, or `undefined` when the value is valid.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Which syntax a kind's `metadata.name` must follow. */
export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

/** A DNS-1123 label: lower-case alphanumerics and `-`, at most 63 characters. */
export function checkDns1123Label(value: string): string | undefined {
  if (value.length > 63) return `must be no more than 63 characters (has ${value.length})`;
  if (!DNS1123_LABEL.test(value)) {
    return "must be a DNS-1123 label: lower-case alphanumeric characters or '-', starting and ending with an alphanumeric character (e.g. 'my-name')";
  }
  return undefined;
}

/** A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters. */
export function checkDns1123Subdomain(value: string): string | undefined {
  if (value.length > 253) return `must be no more than 253 characters (has ${value.length})`;
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return "must be a DNS-1123 subdomain: lower-case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'example.com')";
  }
  return undefined;
}

/** A DNS-1035 label (Service names): like a DNS-1123 label but starting with a letter. */
export function checkDns1035Label(value: string): string | undefined {
  if (value.length > 63) return `must be no more than 63 characters (has ${value.length})`;
  if (!DNS1035_LABEL.test(value)) {
    return "must be a DNS-1035 label: lower-case alphanumeric characters or '-', starting with a letter and ending with an alphanumeric character (e.g. 'my-name')";
  }
  return undefined;
}

/** A path segment (RBAC names such as `system:aggregate-to-edit`): anything but `.`, `..`, `/` and `%`. */
export function checkPathSegment(value: string): string | undefined {
  if (value === '.' || value === '..') return `may not be '${value}'`;
  if (/[/%]/.test(value)) return "may not contain '/' or '%'";
  return undefined;
}

/** Checks a `metadata.name` against the rule of its kind. */
export function checkObjectName(value: string, rule: NameRule): string | undefined {
  switch (rule) {
    case 'dns1123-label': return checkDns1123Label(value);
    case 'dns1035-label': return checkDns1035Label(value);
    case 'path-segment': return checkPathSegment(value);
    default: return checkDns1123Subdomain(value);
  }
}

/**
 * A qualified name (label and annotation keys, finalizers): an optional DNS-1123 subdomain prefix
 * and `/`, then a name of at most 63 characters.
 */
export function checkQualifiedName(value: string): string | undefined {
  const parts = value.split('/');
  let name = value;
  if (parts.length === 2) {
    const [prefix, rest] = parts;
    if (prefix.length === 0) return 'prefix part must be non-empty';
    const prefixError = checkDns1123Subdomain(prefix);
    if (prefixError) return `prefix part ${prefixError}`;
    name = rest;
  } else if (parts.length > 2) {
    return "must consist of an optional DNS subdomain prefix and '/', then a name (e.g. 'example.com/my-name')";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return `name part must be no more than 63 characters (has ${name.length})`;
  if (!QUALIFIED_NAME_PART.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name', '123-abc')";
  }
  return undefined;
}

/** A label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting and ending with an alphanumeric. */
export function checkLabelValue(value: string): string | undefined {
  if (value.length > 63) return `must be no more than 63 characters (has ${value.length})`;
  if (!LABEL_VALUE.test(value)) {
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value', '12345')";
  }
  return undefined;
}
