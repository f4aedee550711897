import { Construct, IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../../util/errors';
import { BareMetalNodePool } from '../bare-metal-node-pool';
import type { TenantCluster } from '../tenant-cluster';
import { clusterShape } from './cluster-shape';
import { FleetRegistry } from './fleet-registry';
import { checkProps } from '../../util/props';

/** Props of `PlatformBoundaries`: the self-service limits every tenant cluster in scope must respect. */
export interface PlatformBoundariesProps {
  /**
   * Kubernetes releases tenants may run: a minor (`v1.33`, any patch) or an exact release
   * (`v1.33.2`).
   * @default - any release the pinned Kamaji supports
   */
  readonly allowedKubernetesVersions?: string[];
  /**
   * Most machines one pool may have (`replicas`, or `maxReplicas` when autoscaled): VMs, or the
   * servers of a bare-metal pool.
   * @default - no limit
   */
  readonly maxReplicasPerPool?: number;
  /** Most worker machines (VMs and bare-metal servers) one cluster may have, over all pools. @default - no limit */
  readonly maxNodesPerCluster?: number;
  /**
   * Most GPUs (and other passed-through devices) one cluster may use at its largest. A bare-metal
   * pool counts the GPUs of the servers it could be given: the ones with the most GPUs among the
   * servers its selector matches.
   * @default - no limit
   */
  readonly maxGpusPerCluster?: number;
  /** Most vCPU cores of one worker VM. @default - no limit */
  readonly maxCpuCoresPerNode?: number;
  /** Most guest memory of one worker VM in GiB. @default - no limit */
  readonly maxMemoryGiBPerNode?: number;
  /**
   * Images worker VMs may boot, as patterns where `*` matches any text, e.g.
   * `quay.io/capk/ubuntu-2404-container-disk:*` or `registry.example.com/kmetal/*`.
   * @default - any image
   */
  readonly allowedImages?: string[];
  /** Device resource names pools may request, as patterns (`nvidia.com/*`). @default - any device */
  readonly allowedGpuDevices?: string[];
}

/**
 * The self-service boundaries the platform operator declares once: every TenantCluster declared in
 * the same scope (or below it) is checked against them at synth time, wherever and whenever it is
 * declared, before or after the boundaries.
 *
 * Declare them at the top of the app (`new PlatformBoundaries(app, 'Boundaries', {...})`), or on a
 * narrower scope (a GitOps unit, a team's construct) for limits that apply there only; a cluster is
 * checked against the boundaries of every scope it is nested in. At most one per scope.
 */
export class PlatformBoundaries extends Construct {
  /**
   * The boundaries closest to a construct: declared in its scope or the nearest enclosing one.
   *
   * @param scope the construct to look up from
   * @returns the boundaries, or undefined when none are declared on the way to the app
   */
  public static of(scope: IConstruct): PlatformBoundaries | undefined {
    return PlatformBoundaries.allOf(scope)[0];
  }

  /**
   * Every PlatformBoundaries that applies to a construct, closest first.
   *
   * @param scope the construct to look up from
   */
  public static allOf(scope: IConstruct): PlatformBoundaries[] {
    const registry = FleetRegistry.of(scope);
    const out: PlatformBoundaries[] = [];
    // Walking up the ancestors costs the tree depth; each scope is one map lookup.
    for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
      const b = registry.boundaries.get(c);
      if (b) out.push(b as PlatformBoundaries);
    }
    return out;
  }

  /** The limits as declared. */
  public readonly limits: PlatformBoundariesProps;
  private readonly versions: string[];
  private readonly images: RegExp[];
  private readonly devices: RegExp[];

  constructor(scope: Construct, id: string, props: PlatformBoundariesProps = {}) {
    super(scope, id);
    checkProps(this, '', props, 'PlatformBoundariesProps');
    const registry = FleetRegistry.of(this);
    const existing = registry.boundaries.get(scope);
    if (existing) {
      throw new KmetalValidationError(this, 'scope', `${existing.node.path} already declares the platform boundaries of this scope`, 'declare one PlatformBoundaries per scope (put narrower limits on a nested scope)');
    }
    for (const [field, v] of Object.entries({
      maxReplicasPerPool: props.maxReplicasPerPool,
      maxNodesPerCluster: props.maxNodesPerCluster,
      maxGpusPerCluster: props.maxGpusPerCluster,
      maxCpuCoresPerNode: props.maxCpuCoresPerNode,
      maxMemoryGiBPerNode: props.maxMemoryGiBPerNode,
    })) {
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
        throw new KmetalValidationError(this, field, `${showValue(v)} is not a limit`, 'give a non-negative number, or leave it out for no limit');
      }
    }
    this.versions = (props.allowedKubernetesVersions ?? []).map((v, i) => {
      const m = /^v?(\d+)\.(\d+)(\.(\d+))?$/.exec(String(v ?? '').trim());
      if (!m) {
        throw new KmetalValidationError(this, `allowedKubernetesVersions[${i}]`, `${showValue(v)} is neither a minor (v1.33) nor a release (v1.33.2)`, 'write e.g. "v1.33" or "v1.33.2"');
      }
      return `v${m[1]}.${m[2]}${m[3] ?? ''}`;
    });
    if (props.allowedKubernetesVersions && this.versions.length === 0) {
      throw new KmetalValidationError(this, 'allowedKubernetesVersions', 'an empty list would refuse every cluster', 'list at least one version, or leave it out');
    }
    this.images = (props.allowedImages ?? []).map((p, i) => pattern(this, `allowedImages[${i}]`, p));
    this.devices = (props.allowedGpuDevices ?? []).map((p, i) => pattern(this, `allowedGpuDevices[${i}]`, p));
    this.limits = { ...props };
    registry.boundaries.set(scope, this);
  }

  /**
   * What a cluster does beyond these boundaries, as validation messages (empty when it complies).
   * @internal
   */
  public _violations(cluster: TenantCluster): string[] {
    const out: string[] = [];
    const where = `outside the platform boundaries of ${this.node.path}`;
    const p = this.limits;
    if (this.versions.length && !this.versions.includes(cluster.version.text) && !this.versions.includes(cluster.version.minorText)) {
      out.push(message('version', `${cluster.version.text} is ${where} (allowed: ${this.versions.join(', ')})`, `use one of ${this.versions.join(', ')}, or ask the platform team to allow it`));
    }
    const shape = clusterShape(cluster);
    let nodes = 0;
    let gpus = 0;
    for (const pool of shape.pools) {
      const field = `nodePools.${pool.name}`;
      nodes += pool.vms;
      const perVm = pool.gpus.reduce((n, g) => n + g.count, 0);
      gpus += perVm * pool.vms;
      if (p.maxReplicasPerPool !== undefined && pool.vms > p.maxReplicasPerPool) {
        out.push(message(`${field}.replicas`, `${pool.vms} VMs are ${where} (at most ${p.maxReplicasPerPool} per pool)`, `lower replicas/maxReplicas to ${p.maxReplicasPerPool}, or split the pool`));
      }
      if (p.maxCpuCoresPerNode !== undefined && pool.cpuCores > p.maxCpuCoresPerNode) {
        out.push(message(`${field}.cpuCores`, `${pool.cpuCores} vCPUs per VM are ${where} (at most ${p.maxCpuCoresPerNode})`, `use at most ${p.maxCpuCoresPerNode} cores per VM and more VMs`));
      }
      if (p.maxMemoryGiBPerNode !== undefined && pool.memoryGiB > p.maxMemoryGiBPerNode) {
        out.push(message(`${field}.memoryGiB`, `${pool.memoryGiB} GiB per VM are ${where} (at most ${p.maxMemoryGiBPerNode})`, `use at most ${p.maxMemoryGiBPerNode} GiB per VM and more VMs`));
      }
      if (this.images.length && pool.imageRef !== undefined && !this.images.some((re) => re.test(pool.imageRef!))) {
        out.push(message(`${field}.image`, `${showValue(pool.imageRef)} is ${where} (allowed: ${(p.allowedImages ?? []).join(', ')})`, 'boot one of the allowed images'));
      }
      for (const g of pool.gpus) {
        if (this.devices.length && !this.devices.some((re) => re.test(g.deviceName))) {
          out.push(message(`${field}.gpus`, `device ${showValue(g.deviceName)} is ${where} (allowed: ${(p.allowedGpuDevices ?? []).join(', ')})`, 'request one of the allowed devices'));
        }
      }
    }
    // Pools of whole servers run no VMs (clusterShape leaves them out of VM quota and capacity), but
    // they are the cluster's nodes and GPUs all the same: a boundary on nodes or GPUs covers them.
    for (const pool of cluster.pools) {
      if (!(pool instanceof BareMetalNodePool)) continue;
      const servers = pool.maxReplicas ?? pool.replicas ?? 1;
      nodes += servers;
      gpus += mostGpus(pool, servers);
      if (p.maxReplicasPerPool !== undefined && servers > p.maxReplicasPerPool) {
        out.push(message(`nodePools.${pool.poolName}.replicas`, `${servers} servers are ${where} (at most ${p.maxReplicasPerPool} per pool)`, `lower replicas/maxReplicas to ${p.maxReplicasPerPool}, or split the pool`));
      }
    }
    if (p.maxNodesPerCluster !== undefined && nodes > p.maxNodesPerCluster) {
      out.push(message('nodePools', `${nodes} worker machines at most are ${where} (at most ${p.maxNodesPerCluster} per cluster)`, `shrink the pools to ${p.maxNodesPerCluster} machines in total`));
    }
    if (p.maxGpusPerCluster !== undefined && gpus > p.maxGpusPerCluster) {
      out.push(message('nodePools', `${gpus} GPUs at most are ${where} (at most ${p.maxGpusPerCluster} per cluster)`, `request at most ${p.maxGpusPerCluster} devices over all pools (count × replicas)`));
    }
    return out;
  }
}

/**
 * The most GPUs `servers` of a bare-metal pool's matching hosts can carry: Metal3 may give the pool
 * any of them, so the bound takes the richest.
 */
function mostGpus(pool: BareMetalNodePool, servers: number): number {
  const perHost = pool.infrastructure.matchingHosts
    .map((h) => (h.capacity.gpus ?? []).reduce((n, g) => n + (g.count ?? 1), 0))
    .sort((a, b) => b - a);
  return perHost.slice(0, servers).reduce((n, c) => n + c, 0);
}

/**
 * Checks a cluster against every boundary that applies to it; wired as a validation of each
 * TenantCluster. @internal
 */
export function boundaryViolations(cluster: TenantCluster): string[] {
  return PlatformBoundaries.allOf(cluster).flatMap((b) => b._violations(cluster));
}

function message(field: string, problem: string, fix: string): string {
  return `${field}: ${problem}. Fix: ${fix}`;
}

function pattern(scope: IConstruct, field: string, text: string): RegExp {
  if (typeof text !== 'string' || text.length === 0) {
    throw new KmetalValidationError(scope, field, `${showValue(text)} is not a pattern`, 'write e.g. "quay.io/capk/*"');
  }
  return new RegExp(`^${text.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
