import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel, suggestDnsLabel, validateDnsLabel } from '../util/names';
import { checkProps } from '../util/props';

/**
 * A resource Flux checks for readiness before it reports a unit ready (Flux `spec.healthChecks`).
 */
export interface GitOpsHealthCheck {
  /** API version of the resource, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** Kind of the resource, e.g. `Deployment`. */
  readonly kind: string;
  /** Name of the resource. */
  readonly name: string;
  /**
   * Namespace of the resource.
   *
   * @default - none: Flux then looks in the namespace of the Flux Kustomization (usually `flux-system`),
   * so set it for every namespaced resource
   */
  readonly namespace?: string;
}

/**
 * How Flux judges the health of a custom resource kind, in CEL over the object (Flux
 * `spec.healthCheckExprs`, kustomize-controller v1.9.4): for kinds whose status kstatus cannot read,
 * e.g. a Cluster API v1beta2 `Cluster`, which has no `Ready` condition. Flux evaluates `inProgress`,
 * then `failed`, then `current`; the first that is true decides.
 */
export interface GitOpsHealthCheckExpression {
  /** API version of the kind; Flux matches on its group only. */
  readonly apiVersion: string;
  /** Kind. @default - every kind of the group */
  readonly kind?: string;
  /** True when the object is healthy. */
  readonly current: string;
  /** True while the object is still being reconciled. @default - none */
  readonly inProgress?: string;
  /** True when the object failed. @default - none */
  readonly failed?: string;
}

/**
 * Options of a {@link GitOpsUnit}.
 */
export interface GitOpsUnitProps extends ChartProps {
  /**
   * Folder of this unit, relative to the app folder (`dist/<app>/`), e.g. `infrastructure/crds` or
   * `tenants/acme`. Every segment must be a DNS label; `clusters` and `bootstrap` are reserved as
   * first segment (the writer puts the Flux Kustomizations there).
   */
  readonly path: string;

  /**
   * Name of the Flux Kustomization that applies this unit.
   *
   * @default - the path with `/` replaced by `-` (`infrastructure/crds` → `infrastructure-crds`)
   */
  readonly kustomizationName?: string;

  /**
   * Units that Flux must have applied (and found ready) before this one. More can be added with
   * `addDependency()`; dependencies between objects of different units are inferred by the writer.
   *
   * @default - none
   */
  readonly dependsOn?: GitOpsUnit[];

  /**
   * Whether Flux deletes objects that disappear from this unit (Flux `spec.prune`).
   *
   * @default true
   */
  readonly prune?: boolean;

  /**
   * Whether Flux waits for every applied object to become ready (Flux `spec.wait`). When true,
   * Flux ignores `healthChecks`, so a unit with both is rejected at synth.
   *
   * @default false
   */
  readonly wait?: boolean;

  /**
   * How often Flux reconciles the unit (Go duration, e.g. `10m`, `1h30m`).
   *
   * @default '10m'
   */
  readonly interval?: string;

  /**
   * How soon Flux retries after a failed reconciliation (Go duration).
   *
   * @default '1m'
   */
  readonly retryInterval?: string;

  /**
   * Timeout for apply and health checks (Go duration).
   *
   * @default '5m'
   */
  readonly timeout?: string;

  /**
   * Namespace Flux sets on every namespaced object of the unit (Flux `spec.targetNamespace`).
   *
   * @default - none: objects keep their own namespace
   */
  readonly targetNamespace?: string;

  /**
   * Name of the Flux-managed cluster this unit is applied to. Units of one cluster may only depend on
   * units of the same cluster.
   *
   * @default - the cluster name given to the writer (`FluxTreeProps.clusterName`)
   */
  readonly cluster?: string;
}

const UNIT_SYMBOL = Symbol.for('cdk8s-kmetal.GitOpsUnit');
const RESERVED_FIRST_SEGMENTS = ['clusters', 'bootstrap'];
// The pattern kustomize-controller v1 puts on interval, retryInterval and timeout.
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/**
 * One folder of the Flux tree, applied by one Flux `Kustomization`.
 *
 * A unit is a cdk8s `Chart`: every `ApiObject` defined in it (directly, or in constructs and plain
 * charts nested in it) is written to its folder, unless a nested `GitOpsUnit` is closer.
 *
 * Dependencies: `dependsOn`, `addDependency(otherUnit)` (inherited from `Chart`, so it also accepts
 * any construct) and any construct dependency between objects of different units
 * (`apiObject.addDependency(other)`) become the Flux `spec.dependsOn` of the unit.
 *
 * Write the app with `FluxTree.synth(app, ...)` rather than `app.synth()`.
 */
export class GitOpsUnit extends Chart {
  /**
   * True when `x` is a GitOpsUnit (works across copies of this library, unlike `instanceof`).
   */
  public static isGitOpsUnit(x: any): x is GitOpsUnit {
    return x !== null && typeof x === 'object' && UNIT_SYMBOL in x;
  }

  /**
   * The nearest GitOpsUnit enclosing `construct` (the construct itself if it is one); throws when
   * there is none.
   *
   * Overrides `Chart.of`, which would return the nearest Chart (possibly a plain chart inside a
   * unit). The declared type stays `Chart` because jsii forbids narrowing an inherited static
   * method: use `tryOf` for a result typed `GitOpsUnit`.
   */
  public static override of(construct: IConstruct): Chart {
    const unit = GitOpsUnit.tryOf(construct);
    if (!unit) {
      throw new KmetalValidationError(construct, 'GitOpsUnit.of', 'the construct is not inside any GitOpsUnit (its objects go to the default unit of their top-level chart)', 'use GitOpsUnit.tryOf() to handle that case, or define the construct inside a GitOpsUnit');
    }
    return unit;
  }

  /**
   * The nearest GitOpsUnit enclosing `construct` (the construct itself if it is one).
   *
   * @returns the unit, or undefined when the construct is not inside any unit
   */
  public static tryOf(construct: IConstruct): GitOpsUnit | undefined {
    let current: IConstruct | undefined = construct;
    while (current) {
      if (GitOpsUnit.isGitOpsUnit(current)) return current;
      current = current.node.scope;
    }
    return undefined;
  }

  /** Folder of this unit relative to the app folder. */
  public readonly path: string;
  /** Name of the Flux Kustomization that applies this unit. */
  public readonly kustomizationName: string;
  /** Whether Flux prunes objects removed from this unit. */
  public readonly prune: boolean;
  /** Whether Flux waits for all objects of this unit to become ready. */
  public readonly wait: boolean;
  /** Reconciliation interval (Go duration). */
  public readonly interval: string;
  /** Retry interval after a failure (Go duration). */
  public readonly retryInterval: string;
  /** Apply and health-check timeout (Go duration). */
  public readonly timeout: string;
  /** Namespace Flux forces on the unit's namespaced objects, if any. */
  public readonly targetNamespace?: string;
  /** Cluster this unit is applied to; undefined means the writer's cluster. */
  public readonly cluster?: string;

  // API objects are kept as objects and read when the tree is written (see addHealthCheckFor).
  private readonly _healthChecks: Array<GitOpsHealthCheck | ApiObject> = [];
  private readonly _healthCheckExpressions: GitOpsHealthCheckExpression[] = [];

  constructor(scope: Construct, id: string, props: GitOpsUnitProps) {
    super(scope, id, props);
    checkProps(this, '', props, 'GitOpsUnitProps');
    Object.defineProperty(this, UNIT_SYMBOL, { value: true });

    this.path = validateUnitPath(this, props.path);
    this.kustomizationName = props.kustomizationName !== undefined
      ? validateDnsLabel(this, 'kustomizationName', props.kustomizationName)
      : deriveKustomizationName(this, this.path);
    this.prune = props.prune ?? true;
    this.wait = props.wait ?? false;
    this.interval = validateFluxDuration(this, 'interval', props.interval ?? '10m');
    this.retryInterval = validateFluxDuration(this, 'retryInterval', props.retryInterval ?? '1m');
    this.timeout = validateFluxDuration(this, 'timeout', props.timeout ?? '5m');
    if (props.targetNamespace !== undefined) {
      this.targetNamespace = validateDnsLabel(this, 'targetNamespace', props.targetNamespace);
    }
    if (props.cluster !== undefined) {
      this.cluster = validateDnsLabel(this, 'cluster', props.cluster);
    }
    for (const unit of props.dependsOn ?? []) {
      this.addDependency(unit);
    }

    // Health checks can be added after construction, so the check runs at synth (the writer runs
    // every construct validation once, before writing anything).
    this.node.addValidation({
      validate: () => this.wait && this._healthChecks.length > 0
        ? [`wait is true, so Flux ignores the ${this._healthChecks.length} health check(s) of unit "${this.kustomizationName}". Fix: remove wait or the health checks`]
        : [],
    });
  }

  /**
   * The health checks of this unit, in the order they were added.
   */
  public get healthChecks(): GitOpsHealthCheck[] {
    return this._healthChecks.map(check => check instanceof ApiObject ? this.referenceTo(check) : { ...check });
  }

  /**
   * The CEL health checks of this unit, in the order they were added.
   */
  public get healthCheckExpressions(): GitOpsHealthCheckExpression[] {
    return this._healthCheckExpressions.map(e => ({ ...e }));
  }

  /**
   * Adds CEL health checks for custom resource kinds (Flux `spec.healthCheckExprs`). Flux uses them
   * for the objects this unit's health checks name (or all of them with `wait`).
   */
  public addHealthCheckExpression(...expressions: GitOpsHealthCheckExpression[]): void {
    for (const e of expressions) {
      for (const field of ['apiVersion', 'current'] as const) {
        if (typeof e?.[field] !== 'string' || e[field].trim().length === 0) {
          throw new KmetalValidationError(this, `healthCheckExprs.${field}`, `must be a non-empty string, got ${showValue(e?.[field])}`, 'give the kind\'s apiVersion and a CEL expression true when it is healthy');
        }
      }
      this._healthCheckExpressions.push({ ...e });
    }
  }

  /**
   * The units this unit was made to depend on explicitly (`dependsOn` or `addDependency`), without
   * the dependencies the writer infers from object dependencies.
   */
  public get unitDependencies(): GitOpsUnit[] {
    return this.node.dependencies.filter((d): d is GitOpsUnit => GitOpsUnit.isGitOpsUnit(d));
  }

  /**
   * Adds resources Flux must find ready before it reports this unit ready.
   */
  public addHealthCheck(...checks: GitOpsHealthCheck[]): void {
    for (const check of checks) {
      for (const field of ['apiVersion', 'kind', 'name'] as const) {
        if (typeof check[field] !== 'string' || check[field].length === 0) {
          throw new KmetalValidationError(this, `healthChecks.${field}`, `must be a non-empty string, got ${showValue(check[field])}`, 'give the apiVersion, kind and name of the resource to check');
        }
      }
      this._healthChecks.push({ ...check });
    }
  }

  /**
   * Adds health checks for API objects of this app (typically objects of this unit).
   *
   * The reference is taken from the object when the tree is written, so names, namespaces and JSON
   * patches applied later are honoured. An object without namespace is checked in the unit's
   * `targetNamespace`, if set.
   */
  public addHealthCheckFor(...objects: ApiObject[]): void {
    this._healthChecks.push(...objects);
  }

  private referenceTo(obj: ApiObject): GitOpsHealthCheck {
    // Resolved now rather than when added, so later metadata changes and JSON patches are honoured.
    const json = obj.toJson();
    const namespace: string | undefined = json.metadata?.namespace ?? this.targetNamespace;
    return {
      apiVersion: json.apiVersion,
      kind: json.kind,
      name: json.metadata?.name,
      ...(namespace !== undefined ? { namespace } : {}),
    };
  }
}

function validateUnitPath(scope: IConstruct, path: string): string {
  const fix = 'use a relative folder of lowercase DNS labels such as "infrastructure/crds" or "tenants/acme"';
  if (typeof path !== 'string' || path.length === 0) {
    throw new KmetalValidationError(scope, 'path', `must be a non-empty string, got ${showValue(path)}`, fix);
  }
  if (path.startsWith('/')) {
    throw new KmetalValidationError(scope, 'path', `${showValue(path)} is absolute; it must be relative to the app folder`, `drop the leading "/": ${showValue(path.replace(/^\/+/, ''))}`);
  }
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '..' || segment === '.') {
      throw new KmetalValidationError(scope, 'path', `${showValue(path)} contains "${segment}"; a unit folder must stay inside the app folder`, fix);
    }
    if (!isDnsLabel(segment)) {
      const suggestion = segments.map(s => suggestDnsLabel(s)).join('/');
      throw new KmetalValidationError(scope, 'path', `segment ${showValue(segment)} of ${showValue(path)} is not a DNS label (lowercase letters, digits and '-')`, `use e.g. ${showValue(suggestion)}`);
    }
  }
  if (RESERVED_FIRST_SEGMENTS.includes(segments[0])) {
    throw new KmetalValidationError(scope, 'path', `${showValue(path)} starts with "${segments[0]}", which the Flux tree reserves for its Kustomizations`, `put the unit elsewhere, e.g. ${showValue(`platform/${path}`)}`);
  }
  return path;
}

function deriveKustomizationName(scope: IConstruct, path: string): string {
  const name = path.replace(/\//g, '-');
  if (name.length > 63) {
    throw new KmetalValidationError(scope, 'kustomizationName', `the name derived from path ${showValue(path)} is ${name.length} characters, more than the 63 a Kubernetes name allows`, `pass kustomizationName (a DNS label of at most 63 characters), e.g. ${showValue(suggestDnsLabel(name.slice(name.length - 63)))}`);
  }
  return name;
}

function validateFluxDuration(scope: IConstruct, field: string, value: string): string {
  if (typeof value !== 'string' || !FLUX_DURATION.test(value)) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not a Go duration Flux accepts`, 'use digits followed by h, m, s or ms, e.g. "10m", "1h30m" or "30s"');
  }
  return value;
}
