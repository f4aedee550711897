/**
 * Turns an OpenAPI v2 document (KubeVirt's and CDI's `swagger.json`) into bundle records equivalent
 * to the CRDs their operators generate at install time from the same Go types.
 *
 * What a kind is comes from the document's `paths` (`/apis/<group>/<version>/[namespaces/{namespace}/]<plural>`
 * and the schema the POST takes), not from `x-kubernetes-group-version-kind`, which these documents do
 * not carry. Each kind's schema is inlined (`$ref`s resolved) into a structural schema the way the
 * generated CRDs read:
 * - `metadata` of the kind is validated by the checker itself, nested `ObjectMeta` and `status` are
 *   left unvalidated (`x-kubernetes-preserve-unknown-fields`), as in the generated CRDs;
 * - `Quantity`/`IntOrString` become `x-kubernetes-int-or-string`, `Time` a `date-time` string;
 * - openapi-gen's `default`s are dropped: they are the zero values of non-pointer Go fields, which
 *   the generated CRDs do not declare, so an API server never applies them;
 * - a recursive `$ref` is cut with `x-kubernetes-preserve-unknown-fields` (none of these types is
 *   recursive today; the guard keeps a future one from looping).
 */
import type { BundledKind, BundledVersion, JsonSchema, ResourceScope } from '../src/conformance/bundle-model';

type Definitions = Record<string, JsonSchema>;

/** Groups served by an aggregated API server, not by CRDs: no objects of theirs are applied from YAML. */
const NOT_CRD_GROUPS = /^(subresources|upload)\./;

/**
 * Scopes the document's paths get wrong. CDI's document lists every resource under both namespaced and
 * cluster paths; KubeVirt's lists `VirtualMachineClone` under cluster paths only. These are the scopes
 * of the CRDs the operators install.
 */
const KNOWN_SCOPES: Record<string, ResourceScope> = {
  'cdi.kubevirt.io/CDI': 'Cluster',
  'cdi.kubevirt.io/CDIConfig': 'Cluster',
  'cdi.kubevirt.io/StorageProfile': 'Cluster',
  'cdi.kubevirt.io/DataVolume': 'Namespaced',
  'cdi.kubevirt.io/DataSource': 'Namespaced',
  'cdi.kubevirt.io/DataImportCron': 'Namespaced',
  'clone.kubevirt.io/VirtualMachineClone': 'Namespaced',
};

const PRESERVED_OBJECT: JsonSchema = { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true };
const INT_OR_STRING: JsonSchema = { 'anyOf': [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
/** The pattern controller-gen puts on every `resource.Quantity`. */
const QUANTITY: JsonSchema = {
  ...INT_OR_STRING,
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
};

/** Definitions replaced as a whole, by the last segments of their name (KubeVirt uses full Go paths, CDI short ones). */
function wellKnownDefinition(name: string): JsonSchema | undefined {
  if (/(^|\.)resource\.Quantity$/.test(name)) return QUANTITY;
  if (/(^|\.)intstr\.IntOrString$/.test(name)) return INT_OR_STRING;
  if (/(^|\.)v1\.ObjectMeta$/.test(name)) return PRESERVED_OBJECT;
  if (/(^|\.)v1\.Time$/.test(name)) return { type: 'string', format: 'date-time' };
  return undefined;
}

/** Keywords copied as they are; everything else (description, default, example, patch hints) is dropped. */
const KEPT_KEYWORDS = new Set([
  'enum', 'required', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'uniqueItems', 'nullable',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-validations',
]);

class SchemaInliner {
  private readonly inProgress = new Set<string>();

  constructor(private readonly definitions: Definitions) {}

  /** The structural schema of a definition, `$ref`s inlined. */
  definition(name: string): JsonSchema {
    const known = wellKnownDefinition(name);
    if (known) return known;
    const def = this.definitions[name];
    if (!def) throw new Error(`swagger: $ref to unknown definition ${name}`);
    if (this.inProgress.has(name)) return PRESERVED_OBJECT;
    this.inProgress.add(name);
    try {
      return this.node(def);
    } finally {
      this.inProgress.delete(name);
    }
  }

  node(node: JsonSchema): JsonSchema {
    if (typeof node.$ref === 'string') return this.definition(node.$ref.replace(/^#\/definitions\//, ''));
    if (node.format === 'int-or-string') return INT_OR_STRING;

    const out: JsonSchema = {};
    const types: string[] = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
    const nonNull = types.filter((t) => t !== 'null');
    if (nonNull.includes('string') && (nonNull.includes('integer') || nonNull.includes('number'))) return INT_OR_STRING;
    if (nonNull.length === 1) out.type = nonNull[0];
    if (types.includes('null')) out.nullable = true;
    if (typeof node.format === 'string') out.format = node.format;
    for (const [k, v] of Object.entries(node)) if (KEPT_KEYWORDS.has(k)) out[k] = v;

    if (node.properties) {
      out.properties = {};
      for (const [prop, sub] of Object.entries<JsonSchema>(node.properties)) out.properties[prop] = this.node(sub);
    }
    if (node.items) out.items = this.node(node.items);
    if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
    else if (node.additionalProperties) out.additionalProperties = this.node(node.additionalProperties);

    // A bare `type: object` in these documents is a free-form value (RawExtension, FieldsV1, ...).
    if (out.type === 'object' && !out.properties && out.additionalProperties === undefined) {
      out['x-kubernetes-preserve-unknown-fields'] = true;
    }
    return out;
  }
}

interface PathKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly definition: string;
  namespaced: boolean;
}

const RESOURCE_PATH = /^\/apis\/([^/]+)\/([^/]+)\/(namespaces\/\{namespace[^}]*\}\/)?([a-z0-9-]+)$/;

function refName(schema: any): string | undefined {
  return typeof schema?.$ref === 'string' ? schema.$ref.replace(/^#\/definitions\//, '') : undefined;
}

/** The definition a resource path creates (POST body), or lists (GET `items`). */
function definitionOfPath(item: any, definitions: Definitions): string | undefined {
  const body = (item.post?.parameters ?? []).find((p: any) => p.in === 'body');
  const posted = refName(body?.schema);
  if (posted) return posted;
  const list = refName(item.get?.responses?.['200']?.schema);
  return list ? refName(definitions[list]?.properties?.items?.items) : undefined;
}

function pathKinds(swagger: any): PathKind[] {
  const byKey = new Map<string, PathKind>();
  for (const [p, item] of Object.entries<any>(swagger.paths ?? {})) {
    const m = RESOURCE_PATH.exec(p);
    if (!m || m[4] === 'watch') continue;
    const [, group, version, namespacedPrefix, plural] = m;
    if (NOT_CRD_GROUPS.test(group)) continue;
    const definition = definitionOfPath(item, swagger.definitions);
    if (!definition || !swagger.definitions[definition]) continue;
    const key = `${group}/${version}/${plural}`;
    const existing = byKey.get(key);
    if (existing) existing.namespaced ||= Boolean(namespacedPrefix);
    else byKey.set(key, { group, version, plural, definition, namespaced: Boolean(namespacedPrefix) });
  }
  return [...byKey.values()];
}

/**
 * Bundle records for every custom kind an OpenAPI v2 document serves.
 *
 * @param swagger the parsed `swagger.json`
 * @param source the folder it comes from, recorded on every kind
 */
export function kindsFromSwagger(swagger: any, source: string): BundledKind[] {
  const inliner = new SchemaInliner(swagger.definitions ?? {});
  const byKind = new Map<string, { group: string; kind: string; plural: string; scope: ResourceScope; versions: BundledVersion[] }>();
  for (const pk of pathKinds(swagger)) {
    const kind = pk.definition.replace(/^.*\./, '');
    const key = `${pk.group}/${kind}`;
    const schema = inliner.definition(pk.definition);
    const properties = { ...(schema.properties ?? {}) };
    // The checker validates the kind's own metadata; the generated CRDs leave status unvalidated.
    if (properties.metadata) properties.metadata = { type: 'object' };
    if (properties.status) properties.status = PRESERVED_OBJECT;
    const version: BundledVersion = {
      name: pk.version,
      served: true,
      storage: false,
      deprecated: false,
      // The operators install every kind that has a status with the status subresource.
      statusSubresource: properties.status !== undefined,
      schema: { ...schema, properties },
    };
    const scope: ResourceScope = KNOWN_SCOPES[key] ?? (pk.namespaced ? 'Namespaced' : 'Cluster');
    const existing = byKind.get(key);
    if (existing) existing.versions.push(version);
    else byKind.set(key, { group: pk.group, kind, plural: pk.plural, scope, versions: [version] });
  }
  return [...byKind.values()].map((k) => {
    // The document does not say which version is stored; the newest listed one is, for every kind here.
    const versions = k.versions.map((v, i) => ({ ...v, storage: i === k.versions.length - 1 }));
    return { ...k, source, versions };
  });
}
