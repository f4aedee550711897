/**
 * The shape of the schema bundle (`imports/schemas/<group>.json`) that `build-tools/schema-bundle.ts`
 * writes and the conformance checker reads. Internal: not part of the jsii API.
 */

/**
 * A node of an OpenAPI v3 structural schema, as found in a CRD's `openAPIV3Schema`, with the
 * `description` fields removed. Keywords are read by name (`type`, `properties`, `x-kubernetes-*`, ...).
 */
export type JsonSchema = { [keyword: string]: any };

/** Whether objects of a kind live in a namespace. */
export type ResourceScope = 'Namespaced' | 'Cluster';

/** One version of a bundled kind. */
export interface BundledVersion {
  /** The version name, e.g. `v1beta2`. */
  readonly name: string;
  /** Whether the API server serves this version. */
  readonly served: boolean;
  /** Whether this is the storage version. */
  readonly storage: boolean;
  /** Whether the CRD marks the version deprecated. */
  readonly deprecated: boolean;
  /** The CRD's own deprecation warning, if any. */
  readonly deprecationWarning?: string;
  /** Whether the version has the status subresource: a server then drops `status` on create. */
  readonly statusSubresource: boolean;
  /** The `openAPIV3Schema` without descriptions; absent when the CRD declares none. */
  readonly schema?: JsonSchema;
}

/** One custom kind (one CRD). */
export interface BundledKind {
  /** API group, e.g. `cluster.x-k8s.io`. */
  readonly group: string;
  /** The kind, e.g. `Cluster`. */
  readonly kind: string;
  /** The plural resource name, e.g. `clusters`. */
  readonly plural: string;
  /** Namespaced or cluster-scoped. */
  readonly scope: ResourceScope;
  /** The folder of `../shared/crds` the kind comes from, e.g. `cluster-api`. */
  readonly source: string;
  /** The versions in the CRD's own order. */
  readonly versions: BundledVersion[];
}

/** Every bundled kind of one API group: the content of one `<group>.json` file. */
export interface BundledGroup {
  /** API group. */
  readonly group: string;
  /** Kinds sorted by name. */
  readonly kinds: BundledKind[];
}

/** The whole bundle, one entry per API group, sorted by group. */
export interface SchemaBundle {
  /** Groups sorted by name. */
  readonly groups: BundledGroup[];
}
