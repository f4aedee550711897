/**
 * What `kmetal plan --json` prints (README, "Reviewing changes: `kmetal plan`", documents it). A
 * script should read `effects` and `summary`; `detail` is prose for people.
 */

/**
 * What a change does once Flux applies it, most consequential first (the order of `EFFECTS`).
 *
 * - `destroyed`: the object leaves the tree and Flux prunes it;
 * - `upgrades-control-plane`: a tenant's Kubernetes version changes (KamajiControlPlane
 *   `spec.version`, a class-based Cluster's `spec.topology.version`);
 * - `rolls-machines`: worker VMs are replaced (a MachineDeployment's machine template changes name
 *   or content, a topology version or worker class changes);
 * - `reconfigures-control-plane`: other control-plane settings change (Kamaji rolls its pods);
 * - `upgrades-component`: a platform component's chart or artifact version changes;
 * - `created`: a new object;
 * - `in-place`: other spec changes the controller applies without replacing anything (a resize);
 * - `metadata`: only labels or annotations change.
 */
export type PlanEffect =
  | 'destroyed' | 'upgrades-control-plane' | 'rolls-machines' | 'reconfigures-control-plane'
  | 'upgrades-component' | 'created' | 'in-place' | 'metadata';

export const EFFECTS: readonly PlanEffect[] = [
  'destroyed', 'upgrades-control-plane', 'rolls-machines', 'reconfigures-control-plane', 'upgrades-component', 'created', 'in-place', 'metadata',
];

/** One object that differs between the trees. */
export interface PlanChange {
  /** What it does, most consequential first; never empty. */
  readonly effects: PlanEffect[];
  /** `group/Kind [ns/]name` (`core` for the core group), as the destructive-change guard names objects. */
  readonly object: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The file in the tree that has it (the after tree's, or the before tree's for a destroyed object). */
  readonly file: string;
  /** One line for people: what changes and what it causes. */
  readonly detail: string;
  /** The fields that differ (dotted paths, at most 20), for a changed object. */
  readonly fields?: string[];
  /** Version from → to: of the control plane, or of a component's chart or artifact. */
  readonly version?: { readonly from?: string; readonly to?: string };
  /** How many worker VMs are replaced (`rolls-machines`). */
  readonly machines?: number;
  /** VMs created beyond the pools' size while they roll (their rollout strategy's `maxSurge`), when above 0. */
  readonly surgeVms?: number;
  /**
   * Worker machines whose upgrade Cluster API holds, when above 0: their pool is deferred
   * (`NodePoolRollout.deferUpgrade`) or its wave holds worker upgrades (`RolloutWave.holdWorkerUpgrades`).
   * They stay on the old version, and roll when the hold is removed.
   */
  readonly heldMachines?: number;
  /**
   * What the destructive-change guard refuses in this change unless acknowledged: a stateful object
   * deleted, or each immutable field changed. Absent when none.
   */
  readonly destructive?: Array<{
    /** The id `DestructiveChangeGuard.acknowledge()` takes, exactly. */
    readonly change: string;
    /** What is lost, or why the server refuses it. */
    readonly consequence: string;
    /** Acknowledged in the after tree's policy report (`report/policy-report.json`). */
    readonly acknowledged: boolean;
    /** The acknowledgement's reason, when acknowledged. */
    readonly reason?: string;
  }>;
  /**
   * Set on a change no file of its own makes: a Cluster whose workers roll because its ClusterClass's
   * worker template changed names that template (`group/Kind ns/name`). Not counted in
   * `summary.changes` or `summary.byEffect` (the template's change is).
   */
  readonly derivedFrom?: string;
  /** The kind has no pinned schema: plan knows nothing about what its controller does with the change. */
  readonly unknownKind?: boolean;
}

/** The changes of one tenant cluster or one platform component. */
export interface PlanGroup {
  /** The tenant's name (`tenants/<name>/`), or the component's (a HelmRelease, an OCIRepository, a unit folder). */
  readonly name: string;
  /** Every effect of its changes, most consequential first. */
  readonly effects: PlanEffect[];
  /** One line: what happens to it. */
  readonly summary: string;
  /** Worker VMs replaced. */
  readonly machines: number;
  /** Control-plane (tenant) or chart/artifact (component) version from → to, when it changes. */
  readonly version?: { readonly from?: string; readonly to?: string };
  readonly changes: PlanChange[];
}

/** What one rollout wave (`RolloutPlan`, label `kmetal.io/rollout-wave` on its Clusters) undergoes. */
export interface PlanWave {
  /** The wave's name. */
  readonly name: string;
  /** Its maintenance window, as declared (`kmetal.io/maintenance-window` on its Clusters). */
  readonly maintenanceWindow?: string;
  /** Its tenant clusters that change. */
  readonly clusters: number;
  /** Control-plane upgrades, per from → to, with how many of the wave's clusters make each. */
  readonly upgrades: Array<{ readonly from?: string; readonly to?: string; readonly clusters: number }>;
  /** Worker VMs the wave's changes replace. */
  readonly machines: number;
  /** Worker VMs whose upgrade is held (deferred pools, or the wave holds worker upgrades), when above 0. */
  readonly heldMachines?: number;
  /**
   * Set when the wave's machines roll and `at` (the plan's `--at`, default now) is outside its
   * maintenance window: Flux applies a change when it is merged, whatever the time.
   */
  readonly outsideWindow?: boolean;
}

/**
 * Capacity during the change: the VMs the rolling pools create beyond their size, against the VM
 * hosts' free capacity in the after tree's fleet report (`report/report.json`). Counted as if every
 * rolling pool rolled at once, which is what Flux applying the change starts.
 */
export interface PlanCapacity {
  /** Worker VMs replaced. */
  readonly machines: number;
  /** Pools that roll, and those of them with a surge. */
  readonly pools: number;
  readonly surgingPools: number;
  /** VMs created beyond the pools' sizes while they roll. */
  readonly surgeVms: number;
  /** The fleet report read (absent: none in the after tree, and a surge is not checked). */
  readonly report?: string;
  /** vCPUs, memory (with virt-launcher overhead) and GPUs per host model of the surge VMs of pools not pinned to hosts (pinned ones: `hostGroups`). */
  readonly surgeCpuCores?: number;
  readonly surgeMemoryGiB?: number;
  readonly surgeGpus?: Array<{ readonly model: string; readonly count: number }>;
  /** The VM hosts' headroom after every pool at its largest (the report's `vmCapacity`). */
  readonly freeCpuCores?: number;
  readonly freeMemoryGiB?: number;
  readonly freeGpus?: Array<{ readonly model: string; readonly count: number }>;
  /**
   * Surge of pools pinned to hosts by labels, per group of hosts (the report's `vmHostGroups`):
   * those VMs can land only there. The fleet-wide figures above count the other pools.
   */
  readonly hostGroups?: PlanHostGroupCapacity[];
  /** False when the surge does not fit: the plan is refused (exit 3). Absent when not checked. */
  readonly fits?: boolean;
  /** What does not fit, or was not checked. */
  readonly problems?: string[];
}

/** The surge of the pools pinned to one set of host labels, against those hosts' headroom. */
export interface PlanHostGroupCapacity {
  readonly hostLabels: { readonly [key: string]: string };
  readonly surgeVms: number;
  readonly surgeCpuCores: number;
  readonly surgeMemoryGiB: number;
  /** The labelled hosts' headroom after their pools at their largest. */
  readonly freeCpuCores: number;
  readonly freeMemoryGiB: number;
  readonly fits: boolean;
}

/** The whole plan. */
export interface PlanDocument {
  readonly command: 'plan';
  /** The before and after trees as given (a ref is shown `ref:folder`). */
  readonly before: string;
  readonly after: string;
  readonly summary: {
    /** Objects that differ (changes with `derivedFrom` excluded). */
    readonly changes: number;
    /** Changes per effect (a change with two effects counts under both). */
    readonly byEffect: { readonly [effect in PlanEffect]?: number };
    readonly tenants: number;
    readonly components: number;
    /** Worker VMs replaced in all. */
    readonly machines: number;
    /** Destructive changes, and those of them not acknowledged (they make the exit code 3). */
    readonly destructive: number;
    readonly refused: number;
    /** Files of the two trees, and those that differ (only these are parsed). */
    readonly filesCompared: number;
    readonly filesChanged: number;
    readonly durationMs: number;
  };
  /** Per tenant cluster, by name. */
  readonly tenants: PlanGroup[];
  /** Per platform component, by name. */
  readonly components: PlanGroup[];
  /** Per rollout wave of the changed tenants, by name (empty when no changed cluster is in a wave). */
  readonly waves: PlanWave[];
  /** The time maintenance windows are judged at (ISO 8601, UTC): `--at`, default now. */
  readonly at: string;
  /** Capacity during the change, when machines roll. */
  readonly capacity?: PlanCapacity;
  /** The destructive changes not acknowledged: ids to acknowledge, or to undo. */
  readonly refused: string[];
  /** `group/Kind` of the changed objects whose kind has no pinned schema. */
  readonly unknownKinds: string[];
  /** Files that differ but are not Kubernetes objects plan can read (not YAML, or a document that does not parse). */
  readonly unreadable: Array<{ readonly file: string; readonly reason: string }>;
}
