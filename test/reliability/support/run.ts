// Settings shared by the property tests: one fixed seed (printed, and overridable to replay or to
// explore), the number of platforms per property, and a one-line report per property.
import * as fc from 'fast-check';
import { PlatformSpec } from './platform-spec';

/** Seed of every property (KMETAL_PBT_SEED overrides it, e.g. to replay a CI failure or explore). */
export const SEED = Number(process.env.KMETAL_PBT_SEED ?? 20250611);

/** Generated platforms per property (KMETAL_PBT_RUNS overrides it; never below 1,000 in CI). */
export const RUNS = Number(process.env.KMETAL_PBT_RUNS ?? 1000);

/** fast-check parameters: seeded, reproducible, shrinking on failure (a failure prints seed, path and the shrunk spec). */
export function params<T>(extra: Partial<fc.Parameters<T>> = {}): fc.Parameters<T> {
  return { seed: SEED, numRuns: RUNS, maxSkipsPerRun: 10, ...extra };
}

/** What a platform exercises, for the report: shows that the checked platforms cover each feature. */
export function features(spec: PlatformSpec): string[] {
  const t = spec.tenants;
  return [
    t.length > 10 ? '11-50 tenants' : undefined,
    t.some((x) => x.clusterClass) && spec.classes.length ? 'class-based tenants' : undefined,
    t.some((x) => x.vpc?.workerSubnet) ? 'workers in VPCs' : undefined,
    spec.peerings.some((p) => p.approved) ? 'approved peerings' : undefined,
    t.some((x) => x.nodePools.some((n) => n.gpus.length)) ? 'GPUs' : undefined,
    t.some((x) => x.governance?.quota) ? 'explicit quotas' : undefined,
    t.some((x) => x.controlPlane.pin !== undefined) ? 'pinned VIPs' : undefined,
    spec.hostPools.length ? 'host pools' : undefined,
    spec.sites.length && t.some((x) => x.site) ? 'edge sites with tenants' : undefined,
    spec.sites.length && spec.classes.length && t.some((x) => x.site && x.clusterClass) ? 'class-based tenants at sites' : undefined,
    spec.sites.some((x) => x.pinned) ? 'islands pinned to site hosts' : undefined,
    spec.addons.length ? 'add-on profiles' : undefined,
    spec.boundaries ? 'boundaries' : undefined,
    spec.policy ? 'the platform policy pack' : undefined,
  ].filter((f): f is string => f !== undefined);
}

/** Counts what the platforms of a property came to, for the report. */
export class Tally {
  private readonly counts = new Map<string, number>();
  private readonly started = Date.now();
  private tenantCount = 0;
  private platforms = 0;

  public platform(tenants: number): void {
    this.platforms++;
    this.tenantCount += tenants;
  }

  public count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  public get(what: string): number {
    return this.counts.get(what) ?? 0;
  }

  /** Prints `<property>: seed S, N platforms (avg T tenants): a x, b y; Ms`. */
  public report(property: string): void {
    const main = [...this.counts.entries()].filter(([k]) => !k.startsWith('with ')).sort();
    const covered = [...this.counts.entries()].filter(([k]) => k.startsWith('with ')).sort();
    const parts = [...main, ...covered].map(([k, v]) => `${k} ${v}`).join(', ');
    const avg = this.platforms ? (this.tenantCount / this.platforms).toFixed(1) : '0';
    process.stdout.write(`[reliability] ${property}: seed ${SEED}, ${this.platforms} platforms generated (avg ${avg} tenants): ${parts}; ${((Date.now() - this.started) / 1000).toFixed(1)}s\n`);
  }
}
