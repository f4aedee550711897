/**
 * How much a finding matters.
 */
export enum FindingSeverity {
  /** A strict API server would reject the object, or silently drop part of it. */
  ERROR = 'error',
  /** Accepted, but worth a look (e.g. a deprecated API version). */
  WARNING = 'warning',
  /** A note on what was not checked (e.g. a built-in kind the bundle has no schema for). */
  INFO = 'info',
}

/**
 * Where a validated document came from, when it was read from YAML.
 */
export interface FindingSource {
  /** The file (or the name the caller gave the YAML text). */
  readonly file?: string;
  /** Zero-based index of the document in a multi-document YAML stream. */
  readonly documentIndex?: number;
}

/**
 * One problem (or note) about one Kubernetes object.
 */
export interface ConformanceFinding {
  /** How much it matters. */
  readonly severity: FindingSeverity;
  /**
   * A stable identifier of the check, e.g. `unknown-field`, `type`, `enum`, `required`, `pattern`,
   * `format`, `cel`, `cel-unevaluated`, `scope`, `namespace`, `name`, `label`, `annotation`,
   * `unknown-kind`, `version-not-served`, `deprecated-version`, `no-schema`, `malformed`, `yaml`.
   */
  readonly code: string;
  /** The object's `apiVersion` (empty when it has none). */
  readonly apiVersion: string;
  /** The object's `kind` (empty when it has none). */
  readonly kind: string;
  /** The object's `metadata.name` (empty when it has none). */
  readonly name: string;
  /** The namespace the object would be created in, if it is namespaced and one is known. */
  readonly namespace?: string;
  /** Where in the object, as a JSON path such as `spec.topology.workers.machineDeployments[0].replicas`; empty for the object as a whole. */
  readonly path: string;
  /** What is wrong and, where possible, what is allowed. */
  readonly message: string;
  /** The file and document the object was read from, when validating YAML. */
  readonly source?: FindingSource;
}
