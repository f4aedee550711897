import type { ResourceScope } from './bundle-model';
import type { FindingCollector } from './finding-collector';
import { memberPath, indexPath } from './json-path';
import { checkDns1123Label, checkLabelValue, checkObjectName, checkQualifiedName, type NameRule } from './k8s-names';

/** Fields of `ObjectMeta` a client may set. */
const WRITABLE_FIELDS = new Set(['name', 'generateName', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers']);
/** Fields of `ObjectMeta` the server sets; present in dumped objects, ignored or conflicting on apply. */
const SERVER_FIELDS = new Set(['uid', 'resourceVersion', 'generation', 'selfLink', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']);
/** Kubernetes' limit on the total size of an object's annotations. */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** What metadata validation needs to know about the object's kind and the target cluster. */
export interface MetadataContext {
  readonly scope: ResourceScope;
  readonly nameRule: NameRule;
  /** The namespace a namespaced object without one is applied to, if any. */
  readonly defaultNamespace?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkStringMap(value: unknown, path: string, code: string, what: string, out: FindingCollector,
  checkKey: (k: string) => string | undefined, checkValue?: (v: string) => string | undefined): void {
  if (value === undefined || value === null) return;
  if (!isPlainObject(value)) {
    out.error('type', path, `${what} must be a map of strings, got ${Array.isArray(value) ? 'array' : typeof value}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const p = memberPath(path, key);
    const keyError = checkKey(key);
    if (keyError) out.error(code, p, `${what} key "${key}" is invalid: ${keyError}`);
    if (typeof v !== 'string') {
      out.error('type', p, `${what} values must be strings, got ${v === null ? 'null' : typeof v} (quote it: "${String(v)}")`);
      continue;
    }
    const valueError = checkValue?.(v);
    if (valueError) out.error(code, p, `${what} value "${v}" is invalid: ${valueError}`);
  }
}

/**
 * Checks `metadata` as the API server's ObjectMeta validation does: name syntax, namespace presence
 * and syntax for the kind's scope, label and annotation syntax, and fields ObjectMeta does not have
 * (a server drops them silently, so they are errors here).
 */
export function validateMetadata(metadata: unknown, context: MetadataContext, out: FindingCollector): void {
  if (metadata === undefined || metadata === null) {
    out.error('required', 'metadata', 'metadata is required (at least metadata.name)');
    return;
  }
  if (!isPlainObject(metadata)) {
    out.error('type', 'metadata', `metadata must be an object, got ${Array.isArray(metadata) ? 'array' : typeof metadata}`);
    return;
  }

  for (const key of Object.keys(metadata)) {
    if (WRITABLE_FIELDS.has(key)) continue;
    const path = memberPath('metadata', key);
    if (SERVER_FIELDS.has(key)) {
      if (metadata[key] !== null) out.warning('read-only-field', path, `metadata.${key} is set by the API server; remove it from manifests`);
    } else {
      out.error('unknown-field', path, `unknown field "${key}" in metadata (ObjectMeta has ${[...WRITABLE_FIELDS].join(', ')}); a server drops it silently`);
    }
  }

  const { name, generateName, namespace } = metadata;
  if (name === undefined || name === null || name === '') {
    if (typeof generateName !== 'string' || generateName === '') out.error('name', 'metadata.name', 'metadata.name is required (or metadata.generateName)');
  } else if (typeof name !== 'string') {
    out.error('type', 'metadata.name', `metadata.name must be a string, got ${typeof name}`);
  } else {
    const problem = checkObjectName(name, context.nameRule);
    if (problem) out.error('name', 'metadata.name', `metadata.name "${name}" ${problem}`);
  }
  if (generateName !== undefined && typeof generateName !== 'string') {
    out.error('type', 'metadata.generateName', 'metadata.generateName must be a string');
  }

  if (context.scope === 'Cluster') {
    if (namespace !== undefined && namespace !== null && namespace !== '') {
      out.error('scope', 'metadata.namespace', `${out.kindLabel} is cluster-scoped and must not set metadata.namespace (has "${String(namespace)}")`);
    }
  } else if (namespace === undefined || namespace === null || namespace === '') {
    if (context.defaultNamespace === undefined) {
      out.error('namespace', 'metadata.namespace', `${out.kindLabel} is namespaced and has no metadata.namespace: set one (or validate with a defaultNamespace when the tool that applies it sets one)`);
    }
  } else if (typeof namespace !== 'string') {
    out.error('type', 'metadata.namespace', 'metadata.namespace must be a string');
  } else {
    const problem = checkDns1123Label(namespace);
    if (problem) out.error('namespace', 'metadata.namespace', `metadata.namespace "${namespace}" ${problem}`);
  }

  checkStringMap(metadata.labels, 'metadata.labels', 'label', 'label', out, checkQualifiedName, checkLabelValue);
  // Kubernetes checks annotation keys lower-cased: upper-case letters are allowed there.
  checkStringMap(metadata.annotations, 'metadata.annotations', 'annotation', 'annotation', out, (k) => checkQualifiedName(k.toLowerCase()));
  if (isPlainObject(metadata.annotations)) {
    let bytes = 0;
    for (const [k, v] of Object.entries(metadata.annotations)) bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
    if (bytes > MAX_ANNOTATIONS_BYTES) out.error('annotation', 'metadata.annotations', `annotations total ${bytes} bytes, more than the ${MAX_ANNOTATIONS_BYTES} allowed`);
  }

  if (metadata.finalizers !== undefined && metadata.finalizers !== null) {
    if (!Array.isArray(metadata.finalizers)) {
      out.error('type', 'metadata.finalizers', 'metadata.finalizers must be a list of strings');
    } else {
      metadata.finalizers.forEach((f, i) => {
        const problem = typeof f === 'string' ? checkQualifiedName(f) : 'must be a string';
        if (problem) out.error('finalizer', indexPath('metadata.finalizers', i), `finalizer "${String(f)}" ${problem}`);
      });
    }
  }

  if (metadata.ownerReferences !== undefined && metadata.ownerReferences !== null) {
    if (!Array.isArray(metadata.ownerReferences)) {
      out.error('type', 'metadata.ownerReferences', 'metadata.ownerReferences must be a list');
    } else {
      metadata.ownerReferences.forEach((ref, i) => {
        const p = indexPath('metadata.ownerReferences', i);
        if (!isPlainObject(ref)) {
          out.error('type', p, 'an owner reference must be an object');
          return;
        }
        for (const field of ['apiVersion', 'kind', 'name', 'uid']) {
          if (typeof ref[field] !== 'string' || ref[field] === '') out.error('required', memberPath(p, field), `owner reference ${field} is required`);
        }
      });
    }
  }
}
