import { IConstruct } from 'constructs';
import type { TenantCluster } from '../tenant-cluster';

/**
 * What the fleet-wide checks need to find without walking the construct tree: every TenantCluster,
 * every AddonProfile and the PlatformBoundaries of each scope, per app (construct root).
 *
 * Constructs register themselves when they are created, so a check that runs at synth time sees
 * everything declared, in any order. `version` changes on every registration, so an analysis that
 * depends only on registrations can be cached until the next one.
 *
 * @internal
 */
export class FleetRegistry {
  /** The registry of the app a construct belongs to. */
  public static of(scope: IConstruct): FleetRegistry {
    const root = scope.node.root;
    let registry = REGISTRIES.get(root);
    if (!registry) {
      registry = new FleetRegistry();
      REGISTRIES.set(root, registry);
    }
    return registry;
  }

  /** Every TenantCluster, in declaration order. */
  public readonly clusters: TenantCluster[] = [];
  /** Every AddonProfile (typed loosely: tenancy must not depend on addons). */
  public readonly profiles: IConstruct[] = [];
  /** PlatformBoundaries by the scope they were declared in. */
  public readonly boundaries = new Map<IConstruct, IConstruct>();
  /** Warnings already written to the console (each is printed once per app). */
  public readonly printedWarnings = new Set<string>();
  /** Constructs that can report warnings, with the function computing them. */
  public readonly warningSources = new Map<IConstruct, () => Array<{ path: string; message: string }>>();

  private generation = 0;
  private readonly names = new Map<string, IConstruct>();

  private constructor() {}

  /** Changes whenever something registers or a registered construct reports a change. */
  public get version(): number {
    return this.generation;
  }

  public registerCluster(cluster: TenantCluster): void {
    this.clusters.push(cluster);
    this.touch();
  }

  public registerProfile(profile: IConstruct): void {
    this.profiles.push(profile);
    this.touch();
  }

  /**
   * Claims the name of a cluster-scoped object for a construct; returns the construct that
   * claimed it first when it is taken.
   */
  public claimName(kind: string, name: string, owner: IConstruct): IConstruct | undefined {
    const key = `${kind}/${name}`;
    const existing = this.names.get(key);
    if (existing && existing !== owner) return existing;
    this.names.set(key, owner);
    return undefined;
  }

  /** Marks cached analyses stale. */
  public touch(): void {
    this.generation++;
  }
}

const REGISTRIES = new WeakMap<IConstruct, FleetRegistry>();
