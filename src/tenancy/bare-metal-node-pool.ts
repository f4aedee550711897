import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { _machineDeploymentObjects, GpuRequest, INodePool, NodePoolOptions, NodePoolRollout, rolloutView } from './node-pool';
import { resolveNodePoolOptions } from './node-pool-resolver';
import type { ResolvedPoolPlacement } from './placement';
import type { TenantCluster } from './tenant-cluster';
import type { BareMetalHost } from '../baremetal/bare-metal-host';
import type { BareMetalPool } from '../baremetal/bare-metal-pool';
import { HostClaims } from '../baremetal/host-claims';
import type { BareMetalMachineTemplate } from '../baremetal/machine-template';
import { KmetalValidationError, showValue } from '../util/errors';

/** Props of `BareMetalNodePool`. Usually created through `TenantCluster.addNodePool()` with `bareMetal`. */
export interface BareMetalNodePoolProps extends NodePoolOptions {
  /** The cluster the pool belongs to (its `infrastructure` is METAL3). */
  readonly cluster: TenantCluster;
}

/**
 * A node pool of whole servers: a Cluster API `MachineDeployment` whose machines are Metal3
 * machines (`Metal3MachineTemplate` + `Metal3DataTemplate`, from `BareMetalPool.machineTemplate()`),
 * with its kubeadm bootstrap template and `MachineHealthCheck`.
 *
 * Each replica takes one server of the bare-metal pool carrying the pool's label,
 * `kmetal.io/role: tenant-metal` and `bareMetal.hostLabels`. Synthesis fails when the pool wants
 * more servers (replicas, or `maxReplicas` when autoscaled) than the matching servers other metal
 * pools leave free (`HostClaims`).
 *
 * Scale-down returns servers: when Cluster API deletes a machine, CAPM3 clears the host's image
 * and consumer, and with `automatedCleaningMode: metadata` (always set here) Ironic wipes the disk
 * metadata while deprovisioning, so the server is back in the pool, available, for the next claim
 * (cluster-api-provider-metal3 v1.13.2 baremetal/metal3machine_manager.go `Delete`;
 * baremetal/metal3machinetemplate_manager.go syncs the mode to Metal3Machines). `nodeReuse` stays
 * off: a freed server goes back to the pool rather than being held for this deployment. Rolling
 * updates replace a server before taking a new one (`maxSurge: 0`): there is no spare host to surge onto.
 */
export class BareMetalNodePool extends Construct implements INodePool {
  /** Pool name. */
  public readonly poolName: string;
  /** Name of the MachineDeployment (and of the bootstrap template and health check). */
  public readonly deploymentName: string;
  /** Servers (undefined when the autoscaler owns the count). */
  public readonly replicas?: number;
  /** Lower bound of the autoscaler, if any. */
  public readonly minReplicas?: number;
  /** Upper bound of the autoscaler, if any. */
  public readonly maxReplicas?: number;
  /** Always empty: a server's GPUs belong to its node, no devices are passed to VMs. */
  public readonly gpus: GpuRequest[] = [];
  /** The bare-metal pool the servers come from. */
  public readonly bareMetalPool: BareMetalPool;
  /** Servers the pool may hold at once (replicas, or maxReplicas when autoscaled). */
  public readonly hostsWanted: number;
  /** The Metal3 machine and data templates (escape hatch). */
  public readonly infrastructure: BareMetalMachineTemplate;
  /** The MachineDeployment (escape hatch). */
  public readonly machineDeployment: ApiObject;
  /** The kubeadm bootstrap template (escape hatch). */
  public readonly bootstrapTemplate: ApiObject;
  /** The MachineHealthCheck, unless disabled (escape hatch). */
  public readonly machineHealthCheck?: ApiObject;
  /** No VM placement: each machine is a whole server (spread NONE, no live migration). */
  public readonly placement: ResolvedPoolPlacement;
  /** How the pool's machines are replaced (a surge takes extra servers, counted in `hostsWanted`). */
  public readonly rollout: NodePoolRollout;

  constructor(scope: Construct, id: string, props: BareMetalNodePoolProps) {
    super(scope, id);
    const cluster = props.cluster;
    const resolved = resolveNodePoolOptions(this, cluster.clusterName, props);
    const bm = resolved.bareMetal;
    if (!bm) {
      throw new KmetalValidationError(this, 'bareMetal', 'a bare-metal pool needs the servers it runs on', 'set bareMetal: { pool } (a BareMetalPool in the cluster\'s namespace)');
    }
    this.poolName = resolved.name;
    this.deploymentName = resolved.deploymentName;
    this.replicas = resolved.replicas;
    this.minReplicas = resolved.minReplicas;
    this.maxReplicas = resolved.maxReplicas;
    this.placement = resolved.placement;
    this.rollout = rolloutView(resolved.rollout);
    // A surge machine is one more server, claimed like the others: by default maxSurge is 0 (a
    // server is released before its successor is claimed).
    this.hostsWanted = (resolved.maxReplicas ?? resolved.replicas ?? 1) + resolved.rollout.maxSurge;
    this.bareMetalPool = bm.pool;
    if (bm.pool.namespace !== cluster.namespace) {
      // cluster-api-provider-metal3 v1.13.2 baremetal/metal3machine_manager.go chooseHost lists
      // hosts with client.InNamespace(Metal3Machine.Namespace): hosts elsewhere are never seen.
      throw new KmetalValidationError(this, 'bareMetal.pool', `pool "${bm.pool.poolName}" keeps its hosts in namespace ${showValue(bm.pool.namespace)}, but the cluster's machines are in ${showValue(cluster.namespace)}, and Cluster API provider Metal3 only claims hosts in its machines' namespace`,
        `declare a BareMetalPool for this tenant's servers in namespace "${cluster.namespace}" (one pool per tenant namespace), or put the cluster in namespace "${bm.pool.namespace}"`);
    }
    const image = bm.image ?? (props.image as any) ?? (cluster.defaultImage as any);
    if (!image || typeof image.bindToBareMetal !== 'function') {
      throw new KmetalValidationError(this, 'bareMetal.image', `${showValue(image?.imageRef ?? image)} is not an image for bare-metal servers`, 'set bareMetal.image to a NodeImage with metal settings, or MetalImage.fromUrl({ url, checksum })');
    }
    this.infrastructure = bm.pool.machineTemplate(this, 'Infrastructure', {
      clusterName: cluster.clusterName,
      name: this.deploymentName,
      image,
      hostLabels: bm.hostLabels,
      // Scale-down returns wiped servers to the pool (see the class comment).
      automatedCleaning: true,
      nodeReuse: false,
    });
    const objects = _machineDeploymentObjects(this, {
      clusterName: cluster.clusterName,
      namespace: cluster.namespace,
      version: cluster.version.text,
      deploymentName: this.deploymentName,
      poolName: this.poolName,
      resolved,
      infrastructureRef: this.infrastructure.infrastructureRef,
    });
    this.bootstrapTemplate = objects.bootstrapTemplate;
    this.machineDeployment = objects.machineDeployment;
    this.machineHealthCheck = objects.machineHealthCheck;

    const claims = HostClaims.of(this);
    claims._register({
      path: this.node.path,
      cluster: `${cluster.namespace}/${cluster.clusterName}`,
      poolName: this.poolName,
      bareMetalPool: bm.pool,
      hostSelector: this.infrastructure.hostSelector,
      hostsWanted: this.hostsWanted,
    });
    // At synth: servers may be added to the bare-metal pool after the node pool is declared.
    this.node.addValidation({
      validate: () => {
        const problem = claims._problemOf(this.node.path);
        return problem ? [problem] : [];
      },
    });
  }

  /** The servers this pool is assigned in the fleet's host claims (read at synth). */
  public get assignedHosts(): BareMetalHost[] {
    return HostClaims.of(this).allocations.find((a) => a.claim.path === this.node.path)?.assignedHosts ?? [];
  }
}
