const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * The path of an object member: `parent.key`, or `parent["key"]` when the key is not a plain name
 * (label keys such as `app.kubernetes.io/name`).
 */
export function memberPath(parent: string, key: string): string {
  if (SIMPLE_KEY.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The path of an array element: `parent[index]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/**
 * Appends a CEL rule's `fieldPath` (`.spec.replicas`, `.items['key']`), which is relative to the
 * node that declares the rule.
 */
export function appendFieldPath(parent: string, fieldPath: string): string {
  const relative = fieldPath.startsWith('.') ? fieldPath.slice(1) : fieldPath;
  if (relative === '') return parent;
  if (parent === '') return relative;
  return relative.startsWith('[') ? `${parent}${relative}` : `${parent}.${relative}`;
}
