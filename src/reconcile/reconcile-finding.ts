/** How bad a reconcile finding is. */
export enum ReconcileSeverity {
  /** The platform will not come up as declared: a controller or Flux waits forever, or acts on nothing. */
  ERROR = 'error',
  /** Probably wrong, e.g. a selector that selects nothing today; silence it when it is intended. */
  WARNING = 'warning',
  /** Something the tree relies on that lives outside it (a Secret created out of band). */
  INFO = 'info',
}

/**
 * One problem the reconcile check found: what the controllers and charts of the platform would do
 * with the tree differs from what it declares.
 */
export interface ReconcileFinding {
  /** `error`, `warning` or `info` (a {@link ReconcileSeverity} value). */
  readonly severity: string;
  /**
   * What kind of problem: `dangling-reference`, `missing-namespace`, `empty-selection`,
   * `admission-precondition`, `template-render`, `applied-twice`, `out-of-band`, or a tree problem
   * (`tree-missing-path`, `tree-missing-file`, `tree-orphan-file`, `tree-cycle`, ...).
   */
  readonly code: string;
  /** The cluster of the Flux tree the object is applied to. */
  readonly cluster: string;
  /** API version of the object the problem is on. @default - a problem of the tree itself */
  readonly apiVersion?: string;
  /** Kind of the object. @default - a problem of the tree itself */
  readonly kind?: string;
  /** Namespace of the object, as applied. @default - cluster-scoped, or a problem of the tree */
  readonly namespace?: string;
  /** Name of the object. @default - a problem of the tree itself */
  readonly name?: string;
  /** File of the tree holding the object, relative to the app folder. @default - none */
  readonly file?: string;
  /** Field of the object that holds the reference, selector or template, e.g. `spec.dataStoreName`. @default - none */
  readonly field?: string;
  /** What the field points at, e.g. `Secret tenant-acme/acme-etcd-certs`. @default - none */
  readonly target?: string;
  /** What is wrong, and what the controller will do about it. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * The upstream behaviour the verdict rests on (the model and its source), e.g.
   * `kamaji-etcd 0.17.0 templates/_helpers.tpl etcd.fullname`. @default - none
   */
  readonly rule?: string;
}

/** One line for a finding: `error [dangling-reference] cluster under: DataStore acme-etcd spec...: message. Fix: ...`. */
export function formatReconcileFinding(f: ReconcileFinding): string {
  const object = f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? ''}` : f.file ?? '';
  const field = f.field ? ` ${f.field}` : '';
  return `${f.severity} [${f.code}] ${f.cluster}: ${object}${field}: ${f.message}. Fix: ${f.fix}`;
}
