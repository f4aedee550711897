// The fleet-wide checks of add-on profiles: which declared clusters each profile selects, and what
// follows from it (unmatched selectors, mandatory profiles that miss clusters, two profiles
// installing one release into one cluster, duplicate names, dependency cycles).
//
// Cost, with C clusters, P profiles and L labels per cluster:
// - an inverted label index is built once: O(C × L);
// - each profile's selector is evaluated from the smallest posting list of its positive terms
//   (a label pair, an `In` set or an `Exists` key), so a selector naming one tenant or one tier
//   touches only those clusters; only selectors made of negative terms alone scan all C clusters.
//   Worst case O(C × P), typical O(Σ matched clusters);
// - release conflicts are checked only among profiles that install the same
//   releaseNamespace/releaseName (a map keyed by it), by marking matched clusters per release:
//   O(Σ matched clusters of those profiles), never all pairs of profiles × clusters;
// - dependency cycles: one depth-first search, O(P + edges).
// The result is cached until the next registration (FleetRegistry.version), so the validation of
// every profile reuses one analysis per synth.
import { FleetRegistry } from '../../tenancy/governance/fleet-registry';
import { SynthWarning } from '../../tenancy/governance/synth-warnings';
import type { TenantCluster } from '../../tenancy/tenant-cluster';
import type { AddonProfile } from '../addon-profile';
import { ClusterSelector, LabelOperator } from '../cluster-selector';

export interface FleetAnalysis {
  readonly clusters: TenantCluster[];
  readonly matched: Map<AddonProfile, number[]>;
  readonly errors: Map<AddonProfile, string[]>;
  readonly warnings: Map<AddonProfile, SynthWarning[]>;
}

const CACHE = new WeakMap<FleetRegistry, { version: number; analysis: FleetAnalysis }>();

/** Evaluates selectors over declared clusters through an inverted label index. */
export class ClusterIndex {
  private readonly labels: Array<{ [key: string]: string }>;
  private readonly byPair = new Map<string, number[]>();
  private readonly byKey = new Map<string, number[]>();
  private readonly all: number[];

  constructor(clusters: TenantCluster[]) {
    this.labels = clusters.map((c) => ({ ...(c.cluster.metadata.toJson()?.labels ?? {}) }));
    this.all = clusters.map((_, i) => i);
    this.labels.forEach((labels, i) => {
      for (const [k, v] of Object.entries(labels)) {
        push(this.byPair, `${k}\u0000${v}`, i);
        push(this.byKey, k, i);
      }
    });
  }

  /** Indices of the clusters a selector matches, ascending. */
  public select(selector: ClusterSelector): number[] {
    let candidates: number[] | undefined;
    for (const t of selector._terms()) {
      let list: number[] | undefined;
      if (t.operator === LabelOperator.EXISTS) {list = this.byKey.get(t.key) ?? [];} else if (t.operator === LabelOperator.IN) {
        const values = t.values ?? [];
        list = values.length === 1 ? (this.byPair.get(`${t.key}\u0000${values[0]}`) ?? []) : mergeSorted(values.map((v) => this.byPair.get(`${t.key}\u0000${v}`) ?? []));
      }
      if (list && (!candidates || list.length < candidates.length)) candidates = list;
      if (candidates && candidates.length === 0) return [];
    }
    return (candidates ?? this.all).filter((i) => selector.matches(this.labels[i]));
  }
}

export function analyzeFleet(registry: FleetRegistry): FleetAnalysis {
  const cached = CACHE.get(registry);
  if (cached && cached.version === registry.version) return cached.analysis;

  const clusters = [...registry.clusters];
  const profiles = registry.profiles as AddonProfile[];
  const index = new ClusterIndex(clusters);
  const matched = new Map<AddonProfile, number[]>();
  const errors = new Map<AddonProfile, string[]>();
  const warnings = new Map<AddonProfile, SynthWarning[]>();
  const error = (p: AddonProfile, m: string) => (errors.get(p) ?? errors.set(p, []).get(p)!).push(m);
  const warn = (p: AddonProfile, m: string) => (warnings.get(p) ?? warnings.set(p, []).get(p)!).push({ path: p.node.path, message: m });
  const names = (idx: number[], max = 3) => idx.slice(0, max).map((i) => clusters[i].clusterName).join(', ') + (idx.length > max ? `, … (${idx.length} in all)` : '');

  const byName = new Map<string, AddonProfile>();
  for (const p of profiles) {
    const first = byName.get(p.profileName);
    if (first) error(p, `name: ClusterProfile ${p.profileName} is also declared by ${first.node.path} (ClusterProfiles are cluster-scoped). Fix: give one of them another name`);
    else byName.set(p.profileName, p);

    const hits = index.select(p.clusterSelector);
    matched.set(p, hits);
    if (p.mandatory && hits.length < clusters.length) {
      const hitSet = new Set(hits);
      const missed = clusters.map((_, i) => i).filter((i) => !hitSet.has(i));
      error(p, `clusterSelector: the mandatory profile misses ${missed.length} of the ${clusters.length} declared clusters (${names(missed)}). Fix: select every tenant cluster (ClusterSelector.allTenantClusters()), or make the profile not mandatory`);
    } else if (hits.length === 0 && p.expectClusters) {
      warn(p, `the cluster selector matches none of the ${clusters.length} tenant clusters declared in this app; if the clusters are declared elsewhere, set expectClusters: false`);
    }
  }

  // Release conflicts: for each release, mark the clusters of the first profile that installs it
  // there; a second profile hitting a marked cluster conflicts.
  const byRelease = new Map<string, AddonProfile[]>();
  for (const p of profiles) for (const r of p._releaseKeys()) push(byRelease, r, p);
  for (const [release, users] of byRelease) {
    if (users.length < 2) continue;
    const owner = new Map<number, AddonProfile>();
    for (const p of users) {
      const clash = new Map<AddonProfile, number[]>();
      for (const i of matched.get(p) ?? []) {
        const o = owner.get(i);
        if (o) push(clash, o, i);
        else owner.set(i, p);
      }
      for (const [other, idx] of clash) {
        error(p, `helmCharts: release ${release} is also installed by profile ${other.profileName} (${other.node.path}) into ${idx.length} of the same clusters (${names(idx)}). Fix: install each release from one profile, or make the selectors disjoint`);
      }
    }
  }

  // Dependency cycles (Sveltos would wait forever).
  const state = new Map<AddonProfile, 1 | 2>();
  const stack: AddonProfile[] = [];
  const visit = (p: AddonProfile): void => {
    state.set(p, 1);
    stack.push(p);
    for (const d of p.dependencies) {
      const s = state.get(d);
      if (s === 1) {
        const cycle = [...stack.slice(stack.indexOf(d)), d].map((x) => x.profileName).join(' -> ');
        error(p, `dependsOn: the profiles depend on each other in a cycle (${cycle}). Fix: remove one of the dependencies`);
      } else if (s === undefined) {visit(d);}
    }
    stack.pop();
    state.set(p, 2);
  };
  for (const p of profiles) if (!state.has(p)) visit(p);

  const analysis = { clusters, matched, errors, warnings };
  CACHE.set(registry, { version: registry.version, analysis });
  return analysis;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function mergeSorted(lists: number[][]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
