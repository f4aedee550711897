// MachineDrainRule (cluster.x-k8s.io/v1beta2): how Cluster API drains the Pods of a Machine's Node
// before the Machine is deleted (in a rollout, a scale-down or a remediation). Schema and semantics:
// config/crd/bases/cluster.x-k8s.io_machinedrainrules.yaml of kubernetes-sigs/cluster-api v1.14.0
// (560d4acf507bc7cac34b2da449fa5cd53eaeb149), pinned in /work/shared/crds/cluster-api/. A rule
// applies to Machines of its own namespace only ("If machines is not set, the MachineDrainRule
// applies to all Machines in the Namespace"; "Machines will be selected from all Clusters in the
// Namespace"), so it is emitted in the namespace of the tenant's Cluster.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { sortedLabels } from '../util/label-set';
import { isDnsSubdomain } from '../util/names';
import { checkProps } from '../util/props';

/** What Cluster API does with the Pods a MachineDrainRule selects. */
export enum MachineDrainBehavior {
  /** Evict them, grouped by `order` (lower orders first). */
  DRAIN = 'Drain',
  /** Leave them on the Node: drain does not wait for them. */
  SKIP = 'Skip',
  /** Never evict them; wait until they complete. */
  WAIT_COMPLETED = 'WaitCompleted',
}

/** Which Machines a rule applies to: both label sets must match (ANDed); an empty set matches all. */
export interface MachineDrainRuleMachineSelector {
  /**
   * Labels of the Machine.
   * @default - any Machine of the selected Clusters
   */
  readonly machineLabels?: { [key: string]: string };
  /**
   * Labels of the Machine's Cluster.
   * @default - Machines of every Cluster in the namespace
   */
  readonly clusterLabels?: { [key: string]: string };
}

/** Which Pods a rule applies to: both label sets must match (ANDed); an empty set matches all. */
export interface MachineDrainRulePodSelector {
  /**
   * Labels of the Pod.
   * @default - any Pod of the selected namespaces
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Labels of the Pod's namespace (in the workload cluster).
   * @default - Pods of every namespace
   */
  readonly namespaceLabels?: { [key: string]: string };
}

/** A MachineDrainRule without its namespace: `TenantCluster.addDrainRule()` puts it in the cluster's. */
export interface MachineDrainRuleOptions {
  /** Name of the MachineDrainRule object. */
  readonly name: string;
  /** What to do with the selected Pods. */
  readonly behavior: MachineDrainBehavior;
  /**
   * Drain order, only with `DRAIN`: Pods of higher order are drained after Pods of lower order
   * (Cluster API waits until a group is gone before starting the next). A 32-bit integer.
   * @default 0
   */
  readonly order?: number;
  /**
   * The Machines the rule applies to (ORed), at most 32.
   * @default - every Machine in the namespace
   */
  readonly machines?: MachineDrainRuleMachineSelector[];
  /**
   * The Pods the rule applies to (ORed), at most 32.
   * @default - every Pod
   */
  readonly pods?: MachineDrainRulePodSelector[];
}

/** Properties of a MachineDrainRule. */
export interface MachineDrainRuleProps extends MachineDrainRuleOptions {
  /** Namespace: the rule applies to Machines of this namespace only (the tenant Cluster's namespace). */
  readonly namespace: string;
}

const MAX_SELECTORS = 32; // maxItems of spec.machines and spec.pods in the pinned CRD

/** A Cluster API MachineDrainRule. */
export class MachineDrainRule extends Construct {
  /** The emitted object. */
  public readonly apiObject: ApiObject;
  /** Name of the object. */
  public readonly name: string;
  /** Namespace of the object. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: MachineDrainRuleProps) {
    super(scope, id);
    checkProps(this, '', props, 'MachineDrainRuleProps');
    if (typeof props.name !== 'string' || !isDnsSubdomain(props.name)) {
      throw new KmetalValidationError(this, 'name', `${showValue(props.name)} is not a DNS-1123 subdomain`, 'use lower-case letters, digits, "-" and "."');
    }
    if (props.order !== undefined) {
      if (!Number.isInteger(props.order) || props.order < -2147483648 || props.order > 2147483647) {
        throw new KmetalValidationError(this, 'order', `${props.order} is not a 32-bit integer`, 'use an integer from -2147483648 to 2147483647');
      }
      // CRD: "order can only be set if behavior is set to "Drain"".
      if (props.behavior !== MachineDrainBehavior.DRAIN && props.order !== 0) {
        throw new KmetalValidationError(this, 'order', `${props.order} is set with behavior ${props.behavior}`, 'set order only with MachineDrainBehavior.DRAIN');
      }
    }
    const machines = (props.machines ?? []).map((m) => ({
      ...(nonEmpty(m.clusterLabels) ? { clusterSelector: { matchLabels: sortedLabels(m.clusterLabels!) } } : {}),
      ...(nonEmpty(m.machineLabels) ? { selector: { matchLabels: sortedLabels(m.machineLabels!) } } : {}),
    }));
    const pods = (props.pods ?? []).map((p) => ({
      ...(nonEmpty(p.namespaceLabels) ? { namespaceSelector: { matchLabels: sortedLabels(p.namespaceLabels!) } } : {}),
      ...(nonEmpty(p.podLabels) ? { selector: { matchLabels: sortedLabels(p.podLabels!) } } : {}),
    }));
    checkSelectors(this, 'machines', machines);
    checkSelectors(this, 'pods', pods);
    this.name = props.name;
    this.namespace = props.namespace;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDrainRule',
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        drain: {
          behavior: props.behavior,
          ...(props.order !== undefined && props.behavior === MachineDrainBehavior.DRAIN ? { order: props.order } : {}),
        },
        ...(machines.length > 0 ? { machines } : {}),
        ...(pods.length > 0 ? { pods } : {}),
      },
    });
  }
}

function nonEmpty(labels: { [key: string]: string } | undefined): boolean {
  return labels !== undefined && Object.keys(labels).length > 0;
}

/** The CRD's rules on a selector list: at most 32, none empty (minProperties: 1), no duplicates. */
function checkSelectors(scope: Construct, field: string, entries: object[]): void {
  if (entries.length > MAX_SELECTORS) {
    throw new KmetalValidationError(scope, field, `${entries.length} selectors (the CRD allows ${MAX_SELECTORS})`, 'merge selectors or split the rule');
  }
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const key = JSON.stringify(e);
    if (key === '{}') {
      throw new KmetalValidationError(scope, `${field}[${i}]`, 'the selector has no labels', `give it labels, or leave ${field} unset to select all`);
    }
    if (seen.has(key)) throw new KmetalValidationError(scope, `${field}[${i}]`, `duplicate selector ${key}`, 'remove the duplicate');
    seen.add(key);
  });
}
