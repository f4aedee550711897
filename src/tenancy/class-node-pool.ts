import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AUTOSCALER_MAX_SIZE_ANNOTATION, AUTOSCALER_MIN_SIZE_ANNOTATION, DEFER_UPGRADE_ANNOTATION, HOLD_UPGRADE_SEQUENCE_ANNOTATION } from './cluster-api-annotations';
import { GpuRequest, healthCheckSpec, INodePool, NodePoolOptions, NodePoolRollout, rolloutView } from './node-pool';
import { resolveNodePoolOptions, ResolvedNodePoolOptions } from './node-pool-resolver';
import { ResolvedPoolPlacement } from './placement';
import type { TenantCluster } from './tenant-cluster';
import { HostClaims } from '../baremetal/host-claims';
import { POOL_LABEL } from '../baremetal/private/validation';
import {
  ClusterSpecTopologyWorkersMachineDeploymentsHealthCheckRemediationTriggerIfUnhealthyLessThanOrEqualTo as TriggerIfUnhealthy,
  ClusterSpecTopologyWorkersMachineDeploymentsRolloutStrategyRollingUpdateMaxSurge as MaxSurge,
  ClusterSpecTopologyWorkersMachineDeploymentsRolloutStrategyRollingUpdateMaxUnavailable as MaxUnavailable,
} from '../imports/cluster.x-k8s.io';
import { Metal3DataTemplate } from '../imports/infrastructure.cluster.x-k8s.io';
import { KmetalValidationError, showValue } from '../util/errors';
import { sortedLabels } from '../util/label-set';

/** What a pool of whole servers in a Metal3 class patches into its worker class's template. @internal */
export interface ClassPoolMetal {
  /** `hostSelector.matchLabels`: the pool label, the tenant-metal role and the pool's hostLabels. */
  readonly hostSelector: { [key: string]: string };
  /** The pool's Metal3DataTemplate, in the cluster's namespace. */
  readonly dataTemplateName: string;
}

/** Props of `ClassNodePool`. Usually created through `TenantCluster.addNodePool()` of a class-based cluster. */
export interface ClassNodePoolProps extends NodePoolOptions {
  /** The class-based cluster the pool belongs to (it must have a `clusterClass`). */
  readonly cluster: TenantCluster;
}

/**
 * A node pool of a cluster built from a `TenantClusterClass`: an entry of the cluster's
 * `topology.workers.machineDeployments`, from which Cluster API creates the MachineDeployment with
 * the class's templates. It emits no objects of its own.
 *
 * Its options are checked by the same resolver as `NodePool`'s, so a pool is refused (or accepted)
 * the same way on both kinds of cluster; the class then refuses what it has no variable for.
 */
export class ClassNodePool extends Construct implements INodePool {
  /** Pool name. */
  public readonly poolName: string;
  /** Worker VMs (undefined when the autoscaler owns the count). */
  public readonly replicas?: number;
  /** Lower bound of the autoscaler, if any. */
  public readonly minReplicas?: number;
  /** Upper bound of the autoscaler, if any. */
  public readonly maxReplicas?: number;
  /** GPUs per VM, by device name. */
  public readonly gpus: GpuRequest[];
  /** Where the VMs run, with defaults applied (the class's placement variables carry it). */
  public readonly placement: ResolvedPoolPlacement;
  /** The class's worker class the pool uses. */
  public readonly workerClass: string;
  /** vCPU cores per VM as the pool sets them (undefined: the class's variable decides). */
  public readonly cpuCores?: number;
  /** Memory per VM in GiB as the pool sets it (undefined: the class's variable decides). */
  public readonly memoryGiB?: number;
  /** vCPU cores each VM runs with: the pool's `cpuCores`, else its worker class's. */
  public readonly vmCpuCores: number;
  /** Memory in GiB each VM runs with: the pool's `memoryGiB`, else its worker class's. */
  public readonly vmMemoryGiB: number;
  /** How the pool's machines are replaced, with the defaults applied. */
  public readonly rollout: NodePoolRollout;

  /** For a pool of whole servers (a Metal3 class): what the class's patches set. @internal */
  public readonly _metal?: ClassPoolMetal;
  /** The pool's Metal3DataTemplate, for a pool of whole servers (escape hatch). */
  public readonly dataTemplate?: ApiObject;

  /** The options as given. @internal */
  public readonly _options: NodePoolOptions;
  /** The options checked, with defaults. @internal */
  public readonly _resolved: ResolvedNodePoolOptions;

  constructor(scope: Construct, id: string, props: ClassNodePoolProps) {
    super(scope, id);
    const clusterClass = props.cluster.clusterClass;
    const resolved = resolveNodePoolOptions(this, props.cluster.clusterName, props);
    if (!clusterClass) {
      throw new Error(`ClassNodePool ${this.node.path}: cluster ${props.cluster.node.path} is not built from a class (use NodePool)`);
    }
    clusterClass._checkPool(this, props, props.cluster.version.text);
    const { cluster: _, ...options } = props;
    this._options = options;
    this._resolved = resolved;
    this.poolName = resolved.name;
    this.replicas = resolved.replicas;
    this.minReplicas = resolved.minReplicas;
    this.maxReplicas = resolved.maxReplicas;
    this.gpus = resolved.gpus;
    this.placement = resolved.placement;
    this.rollout = rolloutView(resolved.rollout);
    this.cpuCores = resolved.cpuCores;
    this.memoryGiB = resolved.memoryGiB;
    this.workerClass = props.workerClass ?? clusterClass.workerClassNames[0];
    const size = clusterClass.workerClassSize(this.workerClass);
    this.vmCpuCores = resolved.cpuCores ?? size.cpuCores;
    this.vmMemoryGiB = resolved.memoryGiB ?? size.memoryGiB;

    const bm = resolved.bareMetal;
    if (bm) {
      const cluster = props.cluster;
      if (bm.pool.namespace !== cluster.namespace) {
        // Cluster API clones the class's template into the cluster's namespace, and CAPM3 claims
        // hosts only there (v1.13.2 baremetal/metal3machine_manager.go chooseHost).
        throw new KmetalValidationError(this, 'bareMetal.pool', `pool "${bm.pool.poolName}" keeps its hosts in namespace ${showValue(bm.pool.namespace)}, but the cluster's machines are in ${showValue(cluster.namespace)}, and Cluster API provider Metal3 only claims hosts in its machines' namespace`,
          `declare a BareMetalPool for this tenant's servers in namespace "${cluster.namespace}" (one pool per tenant namespace), or put the cluster in namespace "${bm.pool.namespace}"`);
      }
      const selector: { [key: string]: string } = { ...bm.hostLabels, [POOL_LABEL]: bm.pool.poolName };
      const hostSelector = sortedLabels(selector);
      this._metal = { hostSelector, dataTemplateName: resolved.deploymentName };
      // The data template names the cluster, so it is the cluster's own, not the class's.
      this.dataTemplate = new ApiObject(this, 'DataTemplate', {
        ...Metal3DataTemplate.GVK,
        metadata: { name: resolved.deploymentName, namespace: cluster.namespace, labels: { [POOL_LABEL]: bm.pool.poolName } },
        spec: {
          clusterName: cluster.clusterName,
          // The machine's name as host name (CAPM3 then finds the node by it to set its providerID).
          metaData: {
            objectNames: [
              { key: 'name', object: 'machine' },
              { key: 'local-hostname', object: 'machine' },
              { key: 'local_hostname', object: 'machine' },
            ],
          },
        },
      });
      const claims = HostClaims.of(this);
      claims._register({
        path: this.node.path,
        cluster: `${cluster.namespace}/${cluster.clusterName}`,
        poolName: resolved.name,
        bareMetalPool: bm.pool,
        hostSelector,
        hostsWanted: resolved.maxReplicas ?? resolved.replicas ?? 1,
      });
      this.node.addValidation({
        validate: () => {
          const problem = claims._problemOf(this.node.path);
          return problem ? [problem] : [];
        },
      });
    }
  }

  /**
   * The pool's entry in the cluster's `topology.workers.machineDeployments` (upstream field names).
   * `holdUpgradeSequence` puts Cluster API's hold on this entry, which holds it and every later
   * entry (the cluster's wave holds worker upgrades; it is set on the first pool). @internal
   */
  public _topologyEntry(overrides: Array<{ name: string; value: any }>, holdUpgradeSequence = false): any {
    const r = this._resolved;
    const hc = r.healthCheck;
    // Only a pool that sets healthCheck overrides the class's (which has no remediation limit).
    const healthCheck = this._options.healthCheck === undefined ? undefined : hc ? {
      ...healthCheckSpec(hc),
      // The Cluster's L1 converters take int-or-string values only as their wrapper class.
      remediation: {
        triggerIf: {
          unhealthyLessThanOrEqualTo: /%$/.test(hc.maxUnhealthy)
            ? TriggerIfUnhealthy.fromString(hc.maxUnhealthy)
            : TriggerIfUnhealthy.fromNumber(Number(hc.maxUnhealthy)),
        },
      },
    } : { enabled: false };
    const annotations: { [key: string]: string } = {
      ...(r.autoscaled ? {
        [AUTOSCALER_MIN_SIZE_ANNOTATION]: String(r.minReplicas),
        [AUTOSCALER_MAX_SIZE_ANNOTATION]: String(r.maxReplicas),
      } : {}),
      // Cluster API reads only the key (api/core/v1beta2/common_types.go); the value says why for a reader.
      ...(r.rollout.deferUpgrade ? { [DEFER_UPGRADE_ANNOTATION]: 'kmetal: rollout.deferUpgrade' } : {}),
      ...(holdUpgradeSequence ? { [HOLD_UPGRADE_SEQUENCE_ANNOTATION]: 'kmetal: rollout wave holds worker upgrades' } : {}),
    };
    return {
      class: this.workerClass,
      name: r.name,
      ...(Object.keys(annotations).length ? { metadata: { annotations } } : {}),
      ...(r.autoscaled ? {} : { replicas: r.replicas }),
      ...(healthCheck ? { healthCheck } : {}),
      // Set on every pool: the ClusterClass sets no rollout, so Cluster API's defaults (surge 1) would apply.
      rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: MaxSurge.fromNumber(r.rollout.maxSurge), maxUnavailable: MaxUnavailable.fromNumber(r.rollout.maxUnavailable) } } },
      ...(r.rollout.nodeDrainTimeoutSeconds !== undefined ? { deletion: { nodeDrainTimeoutSeconds: r.rollout.nodeDrainTimeoutSeconds } } : {}),
      ...(overrides.length ? { variables: { overrides } } : {}),
    };
  }
}
