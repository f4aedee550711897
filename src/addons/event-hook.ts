import { ApiObject, Yaml } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AddonSyncMode } from './addon-profile';
import { ClusterSelector } from './cluster-selector';
import { HookAction, HookContext } from './hook-action';
import { EventSource, EventTrigger } from '../imports/lib.projectsveltos.io';
import { MANAGEMENT_CLUSTER_LABELS } from '../reconcile/models/sveltos';
import { FleetRegistry } from '../tenancy/governance/fleet-registry';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkProps } from '../util/props';

/** Cluster lifecycle events a hook can react to. */
export enum ClusterLifecycleEvent {
  /**
   * The cluster is provisioned (Cluster API phase `Provisioned`). The action runs once per
   * cluster; should a cluster leave and re-enter the phase, it runs again, so make it idempotent.
   */
  CREATED = 'created',
  /** The cluster is being deleted (its Cluster object has a deletion timestamp). */
  DELETED = 'deleted',
  /**
   * The cluster's health changed to not available (Cluster API v1beta2 condition `Available` is
   * `False`). The action's objects are withdrawn once the cluster is available again.
   */
  UNHEALTHY = 'unhealthy',
}


/** Props of `EventHook`. */
export interface EventHookProps {
  /** Name of the EventSource, EventTrigger and action ConfigMap (a DNS label of at most 40). @default - the construct id */
  readonly name?: string;
  /** The lifecycle event. */
  readonly event: ClusterLifecycleEvent;
  /** What happens per event. */
  readonly action: HookAction;
  /** Whose events: tenant clusters selected by their labels. @default ClusterSelector.allTenantClusters() */
  readonly clusters?: ClusterSelector;
  /**
   * Labels of the SveltosCluster that stands for the under (management) cluster: the events are
   * about Cluster objects there, so that is where Sveltos watches and where the action runs.
   * @default EventHook.MANAGEMENT_CLUSTER_LABELS
   */
  readonly managementClusterLabels?: { [key: string]: string };
  /** Namespace on the under cluster of the action template and of the objects it creates (Jobs). @default 'projectsveltos' */
  readonly namespace?: string;
  /**
   * How the per-event objects are kept. Drift detection would re-create Jobs that were cleaned up
   * after they finished, so the default applies changes without repairing drift.
   * @default AddonSyncMode.CONTINUOUS
   */
  readonly syncMode?: AddonSyncMode;
}

const CLUSTER_API_GROUP = 'cluster.x-k8s.io';
const CLUSTER_API_VERSION = 'v1beta2';

// CEL rules Sveltos evaluates against each Cluster object (`resource`); the first true one matches.
const EVENT_RULES: { [e in ClusterLifecycleEvent]: { name: string; rule: string } } = {
  [ClusterLifecycleEvent.CREATED]: {
    name: 'cluster-provisioned',
    rule: 'has(resource.status) && has(resource.status.phase) && resource.status.phase == "Provisioned" && !has(resource.metadata.deletionTimestamp)',
  },
  [ClusterLifecycleEvent.DELETED]: {
    name: 'cluster-deleting',
    rule: 'has(resource.metadata.deletionTimestamp)',
  },
  [ClusterLifecycleEvent.UNHEALTHY]: {
    name: 'cluster-not-available',
    rule: 'has(resource.status) && has(resource.status.conditions) && resource.status.conditions.exists(c, c.type == "Available" && c.status == "False")',
  },
};

/**
 * A hook into the tenant clusters' lifecycle (Sveltos Event Framework): an `EventSource` that
 * matches Cluster API `Cluster` objects of tenant clusters in a lifecycle state, and an
 * `EventTrigger` that, for each matching cluster, instantiates the action (a Job, a webhook call or
 * any objects) on the under cluster. Billing, audit and authorisation hooks plug in here without
 * touching the platform.
 *
 * Prerequisites on the under cluster: Sveltos with its Event Framework, and the under cluster
 * registered with Sveltos as a managed cluster (the `projectsveltos` chart's register-mgmt-cluster
 * job) carrying `managementClusterLabels`.
 */
export class EventHook extends Construct {
  /** The labels the under cluster's SveltosCluster is expected to carry by default. */
  public static readonly MANAGEMENT_CLUSTER_LABELS: { [key: string]: string } = { ...MANAGEMENT_CLUSTER_LABELS };

  /** Name of the EventSource and EventTrigger. */
  public readonly hookName: string;
  /** The event. */
  public readonly event: ClusterLifecycleEvent;
  /** The Sveltos EventSource (escape hatch). */
  public readonly eventSource: ApiObject;
  /** The Sveltos EventTrigger (escape hatch). */
  public readonly eventTrigger: ApiObject;
  /** The ConfigMap holding the action template (escape hatch). */
  public readonly actionTemplate: ApiObject;

  constructor(scope: Construct, id: string, props: EventHookProps) {
    super(scope, id);
    checkProps(this, '', props, 'EventHookProps');
    // Per-event object names append a 10-character hash to it (instanceName in hook-action.ts) within 63.
    this.hookName = validateDnsLabel(this, 'name', props.name ?? id, 40);
    if (!Object.values(ClusterLifecycleEvent).includes(props.event)) {
      throw new KmetalValidationError(this, 'event', `${showValue(props.event)} is not a lifecycle event`, 'use ClusterLifecycleEvent.CREATED, DELETED or UNHEALTHY');
    }
    this.event = props.event;
    if (!(props.action instanceof HookAction)) {
      throw new KmetalValidationError(this, 'action', `${showValue(String(props.action))} is not a hook action`, 'use HookAction.job(), HookAction.webhook() or HookAction.resources()');
    }
    const namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'projectsveltos');
    const syncMode = props.syncMode ?? AddonSyncMode.CONTINUOUS;
    if (!Object.values(AddonSyncMode).includes(syncMode)) {
      throw new KmetalValidationError(this, 'syncMode', `${showValue(syncMode)} is not a sync mode`, 'use an AddonSyncMode value');
    }
    const clusters = (props.clusters ?? ClusterSelector.allTenantClusters())._toLabelSelector(this, 'clusters');
    const management = ClusterSelector.withLabels(props.managementClusterLabels ?? EventHook.MANAGEMENT_CLUSTER_LABELS)._toLabelSelector(this, 'managementClusterLabels');
    const ctx: HookContext = { hookName: this.hookName, namespace, event: this.event };
    const actionYaml = templateYaml(this, props.action._manifests(this, ctx));
    // Claimed once the input is known good, so that a refused hook does not hold the name.
    const taken = FleetRegistry.of(this).claimName('EventHook', this.hookName, this);
    if (taken) {
      throw new KmetalValidationError(this, 'name', `an EventSource and EventTrigger named ${showValue(this.hookName)} are already declared by ${taken.node.path} (they are cluster-scoped)`, 'give the hook another name');
    }

    this.eventSource = new ApiObject(this, 'EventSource', {
      ...EventSource.GVK,
      metadata: { name: this.hookName, labels: { 'kmetal.io/event-hook': this.hookName } },
      spec: {
        // The action's templates read the whole Cluster object (.Resource).
        collectResources: true,
        resourceSelectors: [{
          group: CLUSTER_API_GROUP,
          version: CLUSTER_API_VERSION,
          kind: 'Cluster',
          namespace: '',
          selector: clusters,
          evaluateCEL: [EVENT_RULES[this.event]],
        }],
      },
    });

    this.actionTemplate = new ApiObject(this, 'Action', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `${this.hookName}-action`,
        namespace,
        labels: { 'kmetal.io/event-hook': this.hookName },
        // Sveltos instantiates the templates with the event's data before deploying them.
        annotations: { 'projectsveltos.io/instantiate': 'ok' },
      },
      data: { 'action.yaml': actionYaml },
    });

    this.eventTrigger = new ApiObject(this, 'EventTrigger', {
      ...EventTrigger.GVK,
      metadata: { name: this.hookName, labels: { 'kmetal.io/event-hook': this.hookName } },
      spec: {
        eventSourceName: this.hookName,
        sourceClusterSelector: management,
        // One generated ClusterProfile (and one Job) per tenant cluster in the state.
        oneForEvent: true,
        syncMode,
        policyRefs: [{ kind: 'ConfigMap', name: `${this.hookName}-action`, namespace }],
      },
    });
    this.eventTrigger.node.addDependency(this.eventSource, this.actionTemplate);
  }
}

/**
 * The action's objects as YAML, checked to carry every Go template expression verbatim: Sveltos
 * instantiates the YAML *text*, so an expression the YAML writer had to escape (a `"` or `\` in
 * a double-quoted string) would no longer parse as a template.
 */
function templateYaml(scope: IConstruct, manifests: any[]): string {
  const text = Yaml.stringify(...manifests);
  const expressions = new Set<string>();
  const collect = (v: any): void => {
    if (typeof v === 'string') for (const m of v.match(/\{\{.*?\}\}/gs) ?? []) expressions.add(m);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(manifests);
  for (const e of expressions) {
    if (!text.includes(e)) {
      throw new KmetalValidationError(scope, 'action', `the template expression ${e} does not survive YAML quoting (it contains a character YAML escapes)`, 'write string literals in templates with backquotes (printf `%s`) instead of double quotes, and avoid backslashes');
    }
  }
  return text;
}

