import { Construct } from 'constructs';
import { FleetRegistry } from './governance/fleet-registry';
import { KubernetesVersion } from './kubernetes-version';
import { MAINTENANCE_WINDOW_SYNTAX, parseMaintenanceWindow } from './maintenance-window';
import { RolloutGate, sameFluxCluster } from './rollout-gate';
import type { TenantCluster } from './tenant-cluster';
import type { TenantClusterClass } from './tenant-cluster-class';
import { GitOpsUnit } from '../gitops/gitops-unit';
import { _checkMachineImage, _imageReleaseProblem, IMachineImage } from '../os/machine-image';
import { KmetalValidationError, showValue } from '../util/errors';
import { isLabel, validateDnsLabel } from '../util/names';
import { checkKnownProps } from '../util/props';

/** The label every cluster of a wave carries (`kmetal plan` groups changes by it). */
export const ROLLOUT_WAVE_LABEL = 'kmetal.io/rollout-wave';
/** The annotation carrying a wave's maintenance window on its clusters. */
export const MAINTENANCE_WINDOW_ANNOTATION = 'kmetal.io/maintenance-window';

/** One wave of a `RolloutPlan`. */
export interface RolloutWave {
  /** Wave name, a DNS label (e.g. `canary`); written on its clusters as `kmetal.io/rollout-wave`. */
  readonly name: string;
  /**
   * The clusters of the wave: those whose labels include all of these. A cluster belongs to the
   * first wave that selects it.
   * @default - every cluster of the class no earlier wave selected (only the last wave may omit it)
   */
  readonly clusterLabels?: { [key: string]: string };
  /**
   * The Kubernetes release the wave's clusters run, unless a cluster pins its own `version`.
   * Promoting a wave is changing this line.
   * @default - the class's `defaultVersion`
   */
  readonly version?: string;
  /**
   * The worker image the wave's clusters boot, unless a cluster pins its own `defaultImage`.
   * @default - the class's `defaultImage`
   */
  readonly image?: IMachineImage;
  /**
   * When changes to the wave's clusters may roll machines, in UTC: `<days> HH:MM-HH:MM UTC` with days
   * `daily`, `Sat`, `Tue-Thu` or `Mon,Wed,Fri-Sun` (e.g. `Sat 02:00-06:00 UTC`; `daily 22:00-02:00 UTC`
   * runs past midnight). Flux cannot hold a change until a time, so this is not enforced in the
   * cluster; `kmetal plan` flags a change that rolls the wave's machines outside it (`--at`, default now).
   * @default - none
   */
  readonly maintenanceWindow?: string;
  /**
   * How many worker pools of each of the wave's clusters upgrade at once, once its control plane
   * has (Cluster API's `topology.cluster.x-k8s.io/upgrade-concurrency` on the Cluster). Every pool
   * surges by its own `rollout.maxSurge`, so on bare metal more than one at a time needs the room
   * of all of them together.
   * @default - one pool at a time (Cluster API's default)
   */
  readonly upgradeConcurrency?: number;
  /**
   * Upgrade only the control planes of the wave's clusters: their worker pools stay on the
   * release (and image) they run until this is removed (Cluster API's
   * `topology.cluster.x-k8s.io/hold-upgrade-sequence` on each cluster's first pool, which holds that
   * pool and every one after it). Lets a wave's control planes go in one window and its workers in
   * a later one; `kmetal plan` shows the held pools. Kubernetes allows kubelets up to three minors
   * behind the API server, so promote the workers before the control planes move on again.
   * @default false
   */
  readonly holdWorkerUpgrades?: boolean;
}

/** Props of `RolloutPlan`. */
export interface RolloutPlanProps {
  /** The class whose clusters roll in waves. One plan per class. */
  readonly clusterClass: TenantClusterClass;
  /** The waves, in the order changes go out (e.g. canary, standard, gpu). */
  readonly waves: RolloutWave[];
  /**
   * Whether a wave's clusters wait for the previous wave's to be healthy: each wave but the last gets
   * a Flux Kustomization (`rollout-<class>-<wave>`, folder `rollout/<namespace>/<class>/<wave>`) that
   * health-checks its Clusters (Available, topology reconciled, workers up to date), and the units of
   * the next wave's clusters depend on it. A promotion then reaches wave n+1 only once wave n is
   * healthy; while a wave is unhealthy, the next waves' units apply no change at all. A unit holding
   * clusters of two waves is refused (it would wait for itself).
   * @default true
   */
  readonly gateOnPreviousWave?: boolean;
}

/** Every property of `RolloutPlanProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const ROLLOUT_PLAN_PROPS_KEYS: readonly string[] = ['clusterClass', 'waves', 'gateOnPreviousWave'];
/** Every property of `RolloutWave`. */
export const ROLLOUT_WAVE_KEYS: readonly string[] = ['name', 'clusterLabels', 'version', 'image', 'maintenanceWindow', 'upgradeConcurrency', 'holdWorkerUpgrades'];

/**
 * Fleet changes in waves: the clusters of a class are split by labels into ordered waves, and
 * each wave runs its own Kubernetes release and worker image until it is promoted. Changing the
 * class's `defaultVersion` no longer upgrades every cluster at once: only clusters in no wave
 * follow it, and a wave follows it only when it pins no version of its own.
 *
 * Promotion is a one-line change (`version` of the next wave); `kmetal plan` shows it per wave
 * ("wave standard: 28 clusters v1.33.2 → v1.34.1"). The plan checks at synth that the waves are
 * ordered: no wave runs a newer release than a wave before it, so a release reaches the canary
 * first. Clusters that pin their own `version` or `defaultImage` keep them.
 */
export class RolloutPlan extends Construct {
  /** The plan of a class, if it has one. */
  public static of(clusterClass: TenantClusterClass): RolloutPlan | undefined {
    return clusterClass._rolloutPlan;
  }

  /** The class whose clusters the plan rolls. */
  public readonly clusterClass: TenantClusterClass;
  /** The waves, in order. */
  public readonly waves: RolloutWave[];
  /** Whether each wave waits for the previous one's clusters to be healthy. */
  public readonly gateOnPreviousWave: boolean;
  private readonly gates = new Map<string, RolloutGate>();
  private unitWaves?: { version: number; byUnit: Map<GitOpsUnit, { cluster: TenantCluster; index: number }> };

  constructor(scope: Construct, id: string, props: RolloutPlanProps) {
    super(scope, id);
    checkKnownProps(this, '', props, ROLLOUT_PLAN_PROPS_KEYS, 'RolloutPlanProps');
    const cc = props?.clusterClass;
    if (!cc || typeof (cc as any)._topologyFor !== 'function') {
      throw new KmetalValidationError(this, 'clusterClass', `${showValue(cc)} is not a TenantClusterClass`, 'pass the TenantClusterClass whose clusters roll in these waves');
    }
    if (cc._rolloutPlan) {
      throw new KmetalValidationError(this, 'clusterClass', `class "${cc.className}" already rolls by ${cc._rolloutPlan.node.path}`, 'declare one RolloutPlan per class, with all its waves');
    }
    if (!Array.isArray(props.waves) || props.waves.length === 0) {
      throw new KmetalValidationError(this, 'waves', `${showValue(props.waves)} is not a list of waves`, 'give the waves in order, e.g. [{ name: "canary", clusterLabels: { "kmetal.io/tier": "canary" } }, { name: "standard" }]');
    }
    const names = new Set<string>();
    props.waves.forEach((w, i) => {
      const field = `waves[${i}]`;
      checkKnownProps(this, field, w, ROLLOUT_WAVE_KEYS, 'RolloutWave');
      validateDnsLabel(this, `${field}.name`, w.name, 63);
      if (names.has(w.name)) throw new KmetalValidationError(this, `${field}.name`, `wave ${showValue(w.name)} is declared twice`, 'give every wave its own name');
      names.add(w.name);
      if (w.clusterLabels === undefined) {
        if (i !== props.waves.length - 1) {
          throw new KmetalValidationError(this, `${field}.clusterLabels`, `wave "${w.name}" selects every cluster left, so the waves after it would get none`, 'give the wave clusterLabels, or make it the last wave');
        }
      } else {
        if (typeof w.clusterLabels !== 'object' || w.clusterLabels === null || Object.keys(w.clusterLabels).length === 0) {
          throw new KmetalValidationError(this, `${field}.clusterLabels`, `${showValue(w.clusterLabels)} selects no clusters by label`, 'give at least one label, e.g. { "kmetal.io/tier": "canary" }, or leave it out on the last wave');
        }
        for (const [k, v] of Object.entries(w.clusterLabels)) {
          if (!isLabel(k, v)) throw new KmetalValidationError(this, `${field}.clusterLabels.${k}`, `${showValue(k)}=${showValue(v)} is not a valid Kubernetes label`, 'use keys like "kmetal.io/tier" and values of at most 63 alphanumerics, "-", "_" or "."');
        }
      }
      if (w.version !== undefined) KubernetesVersion._validate(this, `${field}.version`, w.version);
      if (w.image !== undefined) _checkMachineImage(this, `${field}.image`, w.image);
      if (w.maintenanceWindow !== undefined) {
        const parsed = typeof w.maintenanceWindow === 'string' ? parseMaintenanceWindow(w.maintenanceWindow) : 'it is not a string';
        if (typeof parsed === 'string') {
          throw new KmetalValidationError(this, `${field}.maintenanceWindow`, `${showValue(w.maintenanceWindow)} is not a window: ${parsed}`, `write it ${MAINTENANCE_WINDOW_SYNTAX}`);
        }
      }
      // The Cluster webhook parses the annotation with strconv.Atoi and refuses values below 1.
      if (w.upgradeConcurrency !== undefined && (typeof w.upgradeConcurrency !== 'number' || !Number.isInteger(w.upgradeConcurrency) || w.upgradeConcurrency < 1)) {
        throw new KmetalValidationError(this, `${field}.upgradeConcurrency`, `${showValue(w.upgradeConcurrency)} is not a number of pools (Cluster API takes a whole number of at least 1)`, 'give e.g. 2, or leave it out to upgrade one pool at a time');
      }
      if (w.holdWorkerUpgrades !== undefined && typeof w.holdWorkerUpgrades !== 'boolean') {
        throw new KmetalValidationError(this, `${field}.holdWorkerUpgrades`, `${showValue(w.holdWorkerUpgrades)} is not true or false`, 'give a boolean');
      }
    });
    this.clusterClass = cc;
    this.waves = props.waves.map((w) => ({ ...w, ...(w.clusterLabels ? { clusterLabels: { ...w.clusterLabels } } : {}) }));
    cc._rolloutPlan = this;
    if (props.gateOnPreviousWave !== undefined && typeof props.gateOnPreviousWave !== 'boolean') {
      throw new KmetalValidationError(this, 'gateOnPreviousWave', `${showValue(props.gateOnPreviousWave)} is not true or false`, 'give a boolean');
    }
    this.gateOnPreviousWave = props.gateOnPreviousWave ?? true;
    if (this.gateOnPreviousWave) {
      // Gates are units of their own at the app's root: inside the class's unit, every unit that
      // depends on that unit (all tenants) would also depend on the gates.
      const fluxCluster = GitOpsUnit.tryOf(this)?.cluster;
      for (const w of this.waves.slice(0, -1)) {
        this.gates.set(w.name, new RolloutGate(this.node.root as Construct, `RolloutGate-${this.node.addr}-${w.name}`, this, w, fluxCluster));
      }
    }
    // Versions can change after construction (the class's defaultVersion, a promotion through the
    // escape hatch), so the order is checked on the values that are written.
    this.node.addValidation({ validate: () => this.orderProblems() });
  }

  /** The wave a cluster of the class belongs to, if any. */
  public waveOf(cluster: TenantCluster): RolloutWave | undefined {
    return this.waves.find((w) => w.clusterLabels === undefined || Object.entries(w.clusterLabels).every(([k, v]) => cluster.labels[k] === v));
  }

  /** The Flux unit that health-checks a wave's clusters (the next wave waits for it); none for the last wave or without gating. */
  public gateAfter(waveName: string): GitOpsUnit | undefined {
    return this.gates.get(waveName);
  }

  /**
   * Makes a cluster's unit wait for the gate of the wave before its own (the construct dependency
   * becomes the unit's Flux `dependsOn`). Called by the cluster's validation, so membership is read at
   * synth; returns what is wrong. @internal
   */
  public _attachToGate(cluster: TenantCluster): string[] {
    const wave = this.waveOf(cluster);
    const index = wave ? this.waves.indexOf(wave) : -1;
    if (index <= 0) return [];
    const gate = this.gates.get(this.waves[index - 1].name);
    const unit = GitOpsUnit.tryOf(cluster);
    if (!gate || !unit || !sameFluxCluster(cluster, gate)) return [];
    const earlier = this.earliestWaveIn(cluster, unit);
    if (earlier && earlier.index < index) {
      return [`[${cluster.node.path}] rollout wave: clusters of waves "${this.waves[earlier.index].name}" (${earlier.cluster.node.path}) and "${wave!.name}" share unit "${unit.kustomizationName}", which would wait for the health of a cluster it applies itself. Fix: give each wave's clusters their own units (one per tenant, e.g. PlatformUnderCluster.tenantUnit()), or set gateOnPreviousWave: false`];
    }
    cluster.node.addDependency(gate);
    return [];
  }

  /** The earliest wave of the class's clusters in a unit, computed once per synth for all units. */
  private earliestWaveIn(cluster: TenantCluster, unit: GitOpsUnit): { cluster: TenantCluster; index: number } | undefined {
    const registry = FleetRegistry.of(cluster);
    if (this.unitWaves?.version !== registry.version) {
      const byUnit = new Map<GitOpsUnit, { cluster: TenantCluster; index: number }>();
      for (const c of registry.clusters) {
        if (c.clusterClass !== this.clusterClass) continue;
        const w = this.waveOf(c);
        const u = w ? GitOpsUnit.tryOf(c) : undefined;
        if (!u) continue;
        const index = this.waves.indexOf(w!);
        const known = byUnit.get(u);
        if (!known || index < known.index) byUnit.set(u, { cluster: c, index });
      }
      this.unitWaves = { version: registry.version, byUnit };
    }
    return this.unitWaves.byUnit.get(unit);
  }

  /** The release a wave's clusters run (its own, else the class's current `defaultVersion`). */
  public versionOf(wave: RolloutWave): KubernetesVersion {
    return KubernetesVersion.of(wave.version ?? this.clusterClass.defaultVersion);
  }

  /** The image a wave's clusters boot (its own, else the class's current `defaultImage`). */
  public imageOf(wave: RolloutWave): IMachineImage {
    return wave.image ?? this.clusterClass.defaultImage;
  }

  private orderProblems(): string[] {
    const out: string[] = [];
    // A wave pins version and image together: promoting the version alone would roll nodes onto
    // an image built for the old minor.
    this.waves.forEach((w, i) => {
      const image = this.imageOf(w);
      const p = _imageReleaseProblem(image.imageRef, image.kubernetesVersion, this.versionOf(w).text, `wave "${w.name}"`);
      if (p) out.push(`[${this.node.path}] waves[${i}].${w.image ? 'image' : 'version'}: ${p.problem}. Fix: ${p.fix.replace('roll the image with the version', 'set the wave\'s image with its version')}`);
    });
    for (let i = 1; i < this.waves.length; i++) {
      const before = this.versionOf(this.waves[i - 1]);
      const after = this.versionOf(this.waves[i]);
      if (compareVersions(after, before) > 0) {
        out.push(`[${this.node.path}] waves[${i}].version: wave "${this.waves[i].name}" runs ${after.text}, newer than ${before.text} of wave "${this.waves[i - 1].name}" before it, so the release would skip the earlier wave. Fix: promote the waves in order (set wave "${this.waves[i - 1].name}" to ${after.text} first)`);
      }
    }
    return out;
  }
}

function compareVersions(a: KubernetesVersion, b: KubernetesVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
