// Every IslandSite of an app, so that a site can tell "another site's pool" from "the under
// cluster's pool", and so that app-wide rules (unique site names, one site per island cluster,
// disjoint VIP ranges) are checked once, in time linear in the number of sites. Internal.
import { IConstruct } from 'constructs';
import { ControlPlaneVipPool } from '../../network/control-plane-vip-pool';
import type { TenantCluster } from '../../tenancy/tenant-cluster';
import { AddressRange, findOverlaps } from '../../util/cidr';
import type { IslandSite } from '../island-site';

interface OwnedRange {
  readonly range: AddressRange;
  /** `site "factory-a"` or `the under cluster "under"`. */
  readonly owner: string;
  readonly pool: ControlPlaneVipPool;
}

export class SiteRegistry {
  /** The registry of the app `scope` belongs to. */
  public static of(scope: IConstruct): SiteRegistry {
    const root = scope.node.root;
    let registry = REGISTRIES.get(root);
    if (!registry) {
      registry = new SiteRegistry();
      REGISTRIES.set(root, registry);
    }
    return registry;
  }

  public readonly sitesByName = new Map<string, IslandSite>();
  public readonly sitesByIsland = new Map<TenantCluster, IslandSite>();
  public readonly sitesByPool = new Map<unknown, IslandSite>();
  /** Flux cluster names of the platforms that declared sites (their own trees). */
  public readonly platformClusters = new Map<string, unknown>();
  private deviceIndex?: { readonly size: number; readonly byDevice: Map<string, IslandSite[]> };

  /** Registers a site; true for the app's first (which runs the app-wide checks at synth). */
  public register(site: IslandSite): boolean {
    this.sitesByName.set(site.siteName, site);
    this.sitesByIsland.set(site.islandCluster, site);
    this.sitesByPool.set(site.vipPool, site);
    this.platformClusters.set(site.platform.clusterName, site.platform);
    return this.sitesByName.size === 1;
  }

  /** The sites whose islands pass a device through (an index built once per set of sites). */
  public sitesWithDevice(deviceName: string): IslandSite[] {
    if (this.deviceIndex?.size !== this.sitesByName.size) {
      const byDevice = new Map<string, IslandSite[]>();
      for (const site of this.sitesByName.values()) {
        for (const d of site.permittedDevices) byDevice.set(d, [...(byDevice.get(d) ?? []), site]);
      }
      this.deviceIndex = { size: this.sitesByName.size, byDevice };
    }
    return this.deviceIndex.byDevice.get(deviceName) ?? [];
  }

  /** The owner of a Flux cluster name, for messages: a site, an under cluster, or just the name. */
  public describeCluster(cluster: string | undefined): string {
    if (cluster === undefined) return 'the writer\'s default cluster';
    if (this.sitesByName.has(cluster)) return `site "${cluster}"`;
    if (this.platformClusters.has(cluster)) return `the under cluster "${cluster}"`;
    return `cluster "${cluster}"`;
  }

  /**
   * The first two VIP ranges that overlap, across every site's pool and the under clusters' own
   * pools (the central cluster routes to every site's VIPs, so they must be distinct), or undefined.
   * One sweep over the sorted ranges.
   */
  public vipOverlap(): string | undefined {
    const ranges: OwnedRange[] = [];
    const platforms = new Set<ControlPlaneVipPool>();
    for (const site of this.sitesByName.values()) {
      for (const range of site.vipPool._ranges) ranges.push({ range, owner: `site "${site.siteName}"`, pool: site.vipPool });
      const central = site.platform.controlPlaneVipPool;
      if (central instanceof ControlPlaneVipPool && !platforms.has(central)) {
        platforms.add(central);
        for (const range of central._ranges) ranges.push({ range, owner: `the under cluster "${site.platform.clusterName}"`, pool: central });
      }
    }
    const first = findOverlaps(ranges, (r) => r.range)[0];
    return first
      ? `VIP range ${first[0].range.text} of ${first[0].owner} (pool "${first[0].pool.poolName}") overlaps ${first[1].range.text} of ${first[1].owner} (pool "${first[1].pool.poolName}")`
      : undefined;
  }
}

const REGISTRIES = new WeakMap<IConstruct, SiteRegistry>();
