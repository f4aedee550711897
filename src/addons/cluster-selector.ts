import { IConstruct } from 'constructs';
import type { TenantCluster } from '../tenancy/tenant-cluster';
import { KmetalValidationError, showValue } from '../util/errors';
import { isLabel, isLabelKey, isLabelValue } from '../util/names';

/** Operators of a label requirement. */
export enum LabelOperator {
  /** The label has one of the values. */
  IN = 'In',
  /** The label is absent or has none of the values. */
  NOT_IN = 'NotIn',
  /** The label is present. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One requirement on a cluster's labels. */
export interface LabelRequirement {
  /** Label key. */
  readonly key: string;
  /** How the label is compared. */
  readonly operator: LabelOperator;
  /** Values for `IN` and `NOT_IN` (required there, refused otherwise). @default - none */
  readonly values?: string[];
}

/** The label every TenantCluster carries on its Cluster object (its name). */
export const TENANT_CLUSTER_LABEL = 'kmetal.io/tenant-cluster';

/**
 * Which tenant clusters something applies to, by the labels on their Cluster objects (the labels a
 * `TenantCluster` declares, plus `kmetal.io/tenant-cluster`, `kmetal.io/kubernetes-minor` and
 * `kmetal.io/cluster-class`). Sveltos selects clusters the same way.
 */
export class ClusterSelector {
  /** Every tenant cluster (every Cluster with the `kmetal.io/tenant-cluster` label). */
  public static allTenantClusters(): ClusterSelector {
    return new ClusterSelector({}, [{ key: TENANT_CLUSTER_LABEL, operator: LabelOperator.EXISTS }]);
  }

  /**
   * Clusters carrying all these labels.
   *
   * @param labels label key/value pairs
   */
  public static withLabels(labels: { [key: string]: string }): ClusterSelector {
    return new ClusterSelector({ ...labels }, []);
  }

  /**
   * Exactly these clusters (by their `kmetal.io/tenant-cluster` label).
   *
   * @param clusters the clusters
   */
  public static clusters(...clusters: TenantCluster[]): ClusterSelector {
    const names = [...new Set(clusters.map((c) => c.clusterName))].sort();
    return new ClusterSelector({}, [{ key: TENANT_CLUSTER_LABEL, operator: LabelOperator.IN, values: names }]);
  }

  /**
   * Clusters meeting all these requirements.
   *
   * @param requirements label requirements, ANDed
   */
  public static matching(requirements: LabelRequirement[]): ClusterSelector {
    return new ClusterSelector({}, requirements.map((r) => ({ ...r, values: r.values ? [...r.values] : undefined })));
  }

  private constructor(private readonly labels: { [key: string]: string }, private readonly requirements: LabelRequirement[]) {}

  /** The label pairs every selected cluster has. */
  public get matchLabels(): { [key: string]: string } {
    return { ...this.labels };
  }

  /** The further requirements. */
  public get matchExpressions(): LabelRequirement[] {
    return this.requirements.map((r) => ({ ...r }));
  }

  /**
   * A selector for the clusters both this one and `other` select.
   *
   * @param other the other selector
   */
  public intersect(other: ClusterSelector): ClusterSelector {
    const labels = { ...this.labels };
    const extra: LabelRequirement[] = [];
    for (const [k, v] of Object.entries(other.labels)) {
      // Two different values for one key select nothing; keep both so that this stays visible.
      if (k in labels && labels[k] !== v) extra.push({ key: k, operator: LabelOperator.IN, values: [v] });
      else labels[k] = v;
    }
    return new ClusterSelector(labels, [...this.requirements, ...extra, ...other.requirements]);
  }

  /**
   * Whether a cluster with these labels is selected.
   *
   * @param labels the cluster's labels
   */
  public matches(labels: { [key: string]: string }): boolean {
    for (const [k, v] of Object.entries(this.labels)) if (labels[k] !== v) return false;
    for (const r of this.requirements) {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.operator) {
        case LabelOperator.IN: if (!has || !(r.values ?? []).includes(labels[r.key])) return false; break;
        case LabelOperator.NOT_IN: if (has && (r.values ?? []).includes(labels[r.key])) return false; break;
        case LabelOperator.EXISTS: if (!has) return false; break;
        case LabelOperator.DOES_NOT_EXIST: if (has) return false; break;
      }
    }
    return true;
  }

  /**
   * Checks the selector and renders it as a Kubernetes `LabelSelector` (sorted, deterministic).
   * @internal
   */
  public _toLabelSelector(scope: IConstruct, field: string): any {
    for (const [k, v] of Object.entries(this.labels)) {
      if (!isLabel(k, v)) {
        throw new KmetalValidationError(scope, `${field}.matchLabels.${k}`, `${showValue(k)}=${showValue(v)} is not a valid label`, 'use label keys like "kmetal.io/tier" and values of at most 63 alphanumerics, "-", "_" or "."');
      }
    }
    for (const [i, r] of this.requirements.entries()) {
      if (!r || !isLabelKey(r.key)) {
        throw new KmetalValidationError(scope, `${field}.matchExpressions[${i}].key`, `${showValue(r?.key)} is not a label key`, 'use a key like "kmetal.io/tier"');
      }
      if (!Object.values(LabelOperator).includes(r.operator)) {
        throw new KmetalValidationError(scope, `${field}.matchExpressions[${i}].operator`, `${showValue(r.operator)} is not an operator`, 'use LabelOperator.IN, NOT_IN, EXISTS or DOES_NOT_EXIST');
      }
      const setBased = r.operator === LabelOperator.IN || r.operator === LabelOperator.NOT_IN;
      if (setBased && !(r.values?.length)) {
        throw new KmetalValidationError(scope, `${field}.matchExpressions[${i}].values`, `${r.operator} needs at least one value`, 'list the label values');
      }
      if (!setBased && r.values?.length) {
        throw new KmetalValidationError(scope, `${field}.matchExpressions[${i}].values`, `${r.operator} takes no values`, 'drop the values');
      }
      for (const v of r.values ?? []) {
        if (!isLabelValue(v)) {
          throw new KmetalValidationError(scope, `${field}.matchExpressions[${i}].values`, `${showValue(v)} is not a label value`, 'use at most 63 alphanumerics, "-", "_" or "."');
        }
      }
    }
    const matchLabels = Object.fromEntries(Object.keys(this.labels).sort().map((k) => [k, this.labels[k]]));
    const matchExpressions = this.requirements.map((r) => ({
      key: r.key,
      operator: r.operator,
      ...(r.values?.length ? { values: [...r.values].sort() } : {}),
    }));
    if (!Object.keys(matchLabels).length && !matchExpressions.length) {
      throw new KmetalValidationError(scope, field, 'an empty selector does not say which clusters are meant', 'use ClusterSelector.allTenantClusters() to mean every tenant cluster');
    }
    return {
      ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
      ...(matchExpressions.length ? { matchExpressions } : {}),
    };
  }

  /**
   * The requirements as (key, test) pairs for indexed evaluation. @internal
   */
  public _terms(): Array<{ key: string; operator: LabelOperator; values?: string[] }> {
    return [
      ...Object.entries(this.labels).map(([key, v]) => ({ key, operator: LabelOperator.IN, values: [v] })),
      ...this.requirements.map((r) => ({ key: r.key, operator: r.operator, values: r.values })),
    ];
  }
}
