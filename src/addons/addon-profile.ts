import { ApiObject, Chart, Lazy, Yaml } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ClusterSelector } from './cluster-selector';
import { HelmChartAddon, refuseCredentials, resolveHelmChart, ResolvedHelmChart, sveltosHelmChart } from './helm-chart';
import { ClusterProfile } from '../imports/config.projectsveltos.io';
import { FleetRegistry } from '../tenancy/governance/fleet-registry';
import { SynthWarnings } from '../tenancy/governance/synth-warnings';
import type { TenantCluster } from '../tenancy/tenant-cluster';
import { secretValueKeys } from '../util/credentials';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkEnum, checkKnownProps } from '../util/props';
import { analyzeFleet } from './private/fleet-analysis';

/** How Sveltos keeps a profile's add-ons in the clusters. */
export enum AddonSyncMode {
  /** Deploy once, when a cluster first matches; later changes are not applied. */
  ONE_TIME = 'OneTime',
  /** Deploy, and apply every later change of the profile. */
  CONTINUOUS = 'Continuous',
  /** As CONTINUOUS, and also repair changes made in the cluster (drift). */
  CONTINUOUS_WITH_DRIFT_DETECTION = 'ContinuousWithDriftDetection',
  /** Change nothing; report what would change. */
  DRY_RUN = 'DryRun',
}

/** Options of content (manifests or a cdk8s chart) a profile deploys. */
export interface AddonContentOptions {
  /**
   * Store the content in a Secret (type `addons.projectsveltos.io/cluster-profile`, which Sveltos
   * requires) instead of a ConfigMap: for content that carries credentials.
   * @default false
   */
  readonly secret?: boolean;
}

/** Every property of `AddonProfileProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const ADDON_PROFILE_PROPS_KEYS: readonly string[] = ['name', 'clusterSelector', 'helmCharts', 'syncMode', 'dependsOn', 'mandatory', 'tier', 'contentNamespace', 'expectClusters'];

/** Props of `AddonProfile`. */
export interface AddonProfileProps {
  /** Name of the ClusterProfile (cluster-scoped, unique in the app). @default - the construct id */
  readonly name?: string;
  /**
   * The clusters the add-ons go to, by the labels on their Cluster objects.
   * @default ClusterSelector.allTenantClusters()
   */
  readonly clusterSelector?: ClusterSelector;
  /** Helm charts to install (more with `addHelmChart()`). @default - none */
  readonly helmCharts?: HelmChartAddon[];
  /** How the add-ons are kept in the clusters. @default AddonSyncMode.CONTINUOUS_WITH_DRIFT_DETECTION */
  readonly syncMode?: AddonSyncMode;
  /** Profiles whose add-ons must be deployed in a cluster first (more with `addDependency()`). @default - none */
  readonly dependsOn?: AddonProfile[];
  /**
   * The platform's required add-ons (CNI, CSI, monitoring): the profile must select every declared
   * tenant cluster (an error otherwise), is labelled `kmetal.io/mandatory-addon=true`, wins
   * conflicts with other profiles (tier 50), and is never withdrawn from a cluster whose labels
   * change (`stopMatchingBehavior: LeavePolicies`): removing a CNI would break the cluster.
   * @default false
   */
  readonly mandatory?: boolean;
  /** Sveltos tier: when two profiles manage one resource, the lower tier wins. @default - 50 when mandatory, else Sveltos' 100 */
  readonly tier?: number;
  /** Namespace on the under cluster of the ConfigMaps/Secrets holding the profile's content. @default 'projectsveltos' */
  readonly contentNamespace?: string;
  /**
   * Warn when the selector matches none of the clusters declared in this app. Turn off for
   * profiles meant for clusters declared elsewhere.
   * @default true
   */
  readonly expectClusters?: boolean;
}

interface ContentEntry {
  readonly name: string;
  readonly objectName: string;
  readonly secret: boolean;
  readonly render: () => string;
  readonly object: ApiObject;
}

const MANDATORY_LABEL = 'kmetal.io/mandatory-addon';
// Kubernetes keeps a ConfigMap or Secret under 1 MiB (etcd's request limit).
const MAX_CONTENT_BYTES = 1024 * 1024;

/**
 * Add-ons for a fleet: a Sveltos `ClusterProfile` that selects tenant clusters by the labels
 * `TenantCluster` puts on its Cluster object, and installs Helm charts (pinned versions only), raw
 * manifests and cdk8s charts into each of them, kept in sync with drift detection by default.
 *
 * Content written with cdk8s is first-class: `addChart()` takes a cdk8s `Chart` (of its own
 * `App`, so that its objects do not land on the under cluster), synthesizes it at synth time into
 * deterministic YAML in a ConfigMap (or Secret), and references it from the profile's `policyRefs`.
 *
 * Fleet checks at synth (validations, see `SynthWarnings` for the warning): a selector that matches
 * no declared cluster is a warning; a mandatory profile missing a cluster, two profiles installing
 * the same release into the same cluster, duplicate profile names and dependency cycles are errors.
 */
export class AddonProfile extends Construct {
  /** Name of the ClusterProfile. */
  public readonly profileName: string;
  /** The clusters the profile selects. */
  public readonly clusterSelector: ClusterSelector;
  /** Whether the platform marks these add-ons required. */
  public readonly mandatory: boolean;
  /** How the add-ons are kept in the clusters. */
  public readonly syncMode: AddonSyncMode;
  /** Whether a selector matching no declared cluster is worth a warning. */
  public readonly expectClusters: boolean;
  /** Namespace of the content ConfigMaps/Secrets. */
  public readonly contentNamespace: string;
  /** The Sveltos ClusterProfile (escape hatch). */
  public readonly clusterProfile: ApiObject;

  private readonly charts: ResolvedHelmChart[] = [];
  private readonly contents: ContentEntry[] = [];
  private readonly deps: AddonProfile[] = [];
  private readonly tier?: number;

  constructor(scope: Construct, id: string, props: AddonProfileProps = {}) {
    super(scope, id);
    checkKnownProps(this, '', props, ADDON_PROFILE_PROPS_KEYS, 'AddonProfileProps');
    this.profileName = validateDnsLabel(this, 'name', props.name ?? id);
    this.mandatory = props.mandatory ?? false;
    this.syncMode = checkEnum(this, 'syncMode', props.syncMode ?? AddonSyncMode.CONTINUOUS_WITH_DRIFT_DETECTION, AddonSyncMode, 'add-on sync mode');
    if (!Object.values(AddonSyncMode).includes(this.syncMode)) {
      throw new KmetalValidationError(this, 'syncMode', `${showValue(this.syncMode)} is not a sync mode`, 'use an AddonSyncMode value');
    }
    this.expectClusters = props.expectClusters ?? true;
    this.contentNamespace = validateDnsLabel(this, 'contentNamespace', props.contentNamespace ?? 'projectsveltos');
    this.clusterSelector = props.clusterSelector ?? ClusterSelector.allTenantClusters();
    const selector = this.clusterSelector._toLabelSelector(this, 'clusterSelector');
    this.tier = props.tier ?? (this.mandatory ? 50 : undefined);
    if (this.tier !== undefined && (!Number.isInteger(this.tier) || this.tier < 1)) {
      throw new KmetalValidationError(this, 'tier', `${showValue(this.tier)} is not a tier`, 'give a whole number of at least 1 (lower wins)');
    }

    this.clusterProfile = new ApiObject(this, 'Resource', {
      ...ClusterProfile.GVK,
      metadata: {
        name: this.profileName,
        labels: { 'kmetal.io/addon-profile': this.profileName, ...(this.mandatory ? { [MANDATORY_LABEL]: 'true' } : {}) },
      },
      // Upstream JSON produced at synth, so that charts, content and dependencies added later are in.
      spec: Lazy.any({ produce: () => this.profileSpec(selector) }),
    });

    for (const c of props.helmCharts ?? []) this.addHelmChart(c);
    for (const d of props.dependsOn ?? []) this.addDependency(d);

    FleetRegistry.of(this).registerProfile(this);
    this.node.addValidation({ validate: () => this.validateProfile() });
    SynthWarnings._registerSource(this, () => analyzeFleet(FleetRegistry.of(this)).warnings.get(this) ?? []);
  }

  /**
   * Installs a Helm chart into every selected cluster. The version must be pinned.
   */
  public addHelmChart(chart: HelmChartAddon): void {
    const field = `helmCharts[${this.charts.length}]`;
    const resolved = resolveHelmChart(this, field, chart);
    const clash = this.charts.find((c) => c.releaseName === resolved.releaseName && c.releaseNamespace === resolved.releaseNamespace);
    if (clash) {
      throw new KmetalValidationError(this, field, `release ${resolved.releaseNamespace}/${resolved.releaseName} is already installed by this profile (chart ${clash.chart})`, 'give the second release another releaseName or releaseNamespace');
    }
    this.charts.push(resolved);
    FleetRegistry.of(this).touch();
  }

  /**
   * Deploys raw manifests (objects in upstream field names) into every selected cluster, through
   * a ConfigMap (or Secret) the profile references.
   *
   * @param name name of the content (a DNS label; the ConfigMap is `<profile>-<name>`)
   * @param manifests the objects
   * @returns the ConfigMap or Secret
   */
  public addManifests(name: string, manifests: Array<{ [key: string]: any }>, options: AddonContentOptions = {}): ApiObject {
    if (!Array.isArray(manifests) || manifests.length === 0) {
      throw new KmetalValidationError(this, `content.${name}`, 'no manifests given', 'pass at least one object');
    }
    manifests.forEach((m, i) => {
      if (!m || typeof m !== 'object' || typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') {
        throw new KmetalValidationError(this, `content.${name}[${i}]`, `${showValue(m)} is not a Kubernetes object`, 'give apiVersion, kind and metadata.name');
      }
    });
    const copy = JSON.parse(JSON.stringify(manifests));
    copy.forEach((m: any, i: number) => refuseContentCredentials(this, `content.${name}[${i}]`, m));
    return this.addContent(name, () => Yaml.stringify(...copy), options);
  }

  /**
   * Deploys the objects of a cdk8s chart into every selected cluster: the chart is synthesized at
   * synth time (so constructs added to it later are included) into YAML held by a ConfigMap (or
   * Secret) that the profile references.
   *
   * The chart must belong to another `App` than the profile: in the same app its objects would
   * also be synthesized for the under cluster.
   *
   * @param name name of the content (a DNS label; the ConfigMap is `<profile>-<name>`)
   * @param chart the cdk8s chart
   * @returns the ConfigMap or Secret
   */
  public addChart(name: string, chart: Chart, options: AddonContentOptions = {}): ApiObject {
    if (!chart || !Chart.isChart(chart)) {
      throw new KmetalValidationError(this, `content.${name}`, `${showValue(String(chart))} is not a cdk8s Chart`, 'pass a Chart (e.g. new Chart(new App(), "monitoring"))');
    }
    if (chart.node.root === this.node.root) {
      throw new KmetalValidationError(this, `content.${name}`, `chart ${chart.node.path} belongs to the same App as the profile, so its objects would also be applied to the under cluster`, 'create the add-on chart in its own App: new Chart(new App(), "addons")');
    }
    return this.addContent(name, () => {
      const objects = chart.toJson();
      if (objects.length === 0) {
        throw new KmetalValidationError(this, `content.${name}`, `chart ${chart.node.path || chart.node.id} has no objects`, 'add constructs to the chart, or drop the content');
      }
      objects.forEach((m: any, i: number) => refuseContentCredentials(this, `content.${name}[${i}]`, m));
      return Yaml.stringify(...objects);
    }, options);
  }

  /** Deploys this profile's add-ons into a cluster only once those of `profiles` are deployed there. */
  public addDependency(...profiles: AddonProfile[]): void {
    for (const p of profiles) {
      if (!(p instanceof AddonProfile)) {
        throw new KmetalValidationError(this, 'dependsOn', `${showValue(String(p))} is not an AddonProfile`, 'pass AddonProfile constructs');
      }
      if (p === this) throw new KmetalValidationError(this, 'dependsOn', 'a profile cannot depend on itself', 'drop the dependency');
      if (!this.deps.includes(p)) this.deps.push(p);
    }
    FleetRegistry.of(this).touch();
  }

  /** The profiles this one depends on. */
  public get dependencies(): AddonProfile[] {
    return [...this.deps];
  }

  /** The tenant clusters declared in this app that the profile selects (evaluated now). */
  public get selectedClusters(): TenantCluster[] {
    const analysis = analyzeFleet(FleetRegistry.of(this));
    return (analysis.matched.get(this) ?? []).map((i) => analysis.clusters[i]);
  }

  /** `namespace/release` of every chart, for the fleet's conflict check. @internal */
  public _releaseKeys(): string[] {
    return this.charts.map((c) => `${c.releaseNamespace}/${c.releaseName}`);
  }

  private addContent(name: string, render: () => string, options: AddonContentOptions): ApiObject {
    validateDnsLabel(this, `content.${name}`, name);
    if (this.contents.some((c) => c.name === name)) {
      throw new KmetalValidationError(this, `content.${name}`, `the profile already has content named ${showValue(name)}`, 'give each content its own name');
    }
    const objectName = `${this.profileName}-${name}`;
    if (objectName.length > 253) {
      throw new KmetalValidationError(this, `content.${name}`, `${objectName} is longer than 253 characters`, 'shorten the profile or content name');
    }
    const secret = options.secret ?? false;
    const key = `${name}.yaml`;
    const metadata = { name: objectName, namespace: this.contentNamespace, labels: { 'kmetal.io/addon-profile': this.profileName } };
    const object = secret
      ? new ApiObject(this, `Content-${name}`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        // Sveltos only deploys Secrets of this type (it keeps ordinary Secrets from being sprayed over the fleet).
        type: 'addons.projectsveltos.io/cluster-profile',
        data: Lazy.any({ produce: () => ({ [key]: Buffer.from(render(), 'utf8').toString('base64') }) }),
      })
      : new ApiObject(this, `Content-${name}`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        data: Lazy.any({ produce: () => ({ [key]: render() }) }),
      });
    this.clusterProfile.node.addDependency(object);
    this.contents.push({ name, objectName, secret, render, object });
    return object;
  }

  private profileSpec(selector: any): any {
    const deps = this.deps.map((d) => d.profileName);
    return {
      clusterSelector: selector,
      syncMode: this.syncMode,
      ...(this.tier !== undefined ? { tier: this.tier } : {}),
      ...(this.mandatory ? { stopMatchingBehavior: 'LeavePolicies' } : {}),
      ...(deps.length ? { dependsOn: [...new Set(deps)].sort() } : {}),
      ...(this.charts.length ? { helmCharts: this.charts.map(sveltosHelmChart) } : {}),
      ...(this.contents.length ? {
        policyRefs: this.contents.map((c) => ({ kind: c.secret ? 'Secret' : 'ConfigMap', name: c.objectName, namespace: this.contentNamespace })),
      } : {}),
    };
  }

  private validateProfile(): string[] {
    const analysis = analyzeFleet(FleetRegistry.of(this));
    const out = [...(analysis.errors.get(this) ?? [])];
    if (!this.charts.length && !this.contents.length) {
      out.push('helmCharts: the profile deploys nothing. Fix: add a Helm chart, manifests or a cdk8s chart, or remove the profile');
    }
    for (const c of this.contents) {
      let text: string;
      try {
        text = c.render();
      } catch (e: any) {
        out.push(e?.message ?? String(e));
        continue;
      }
      const bytes = Buffer.byteLength(text, 'utf8') * (c.secret ? 4 / 3 : 1);
      if (bytes > MAX_CONTENT_BYTES) {
        out.push(`content.${c.name}: ${Math.ceil(bytes / 1024)} KiB do not fit in one ${c.secret ? 'Secret' : 'ConfigMap'} (1 MiB). Fix: split the content into several addManifests()/addChart() calls`);
      }
    }
    SynthWarnings._print(this, analysis.warnings.get(this) ?? []);
    return out;
  }
}

/**
 * Content goes to git in a ConfigMap (or a Secret, which git holds in clear just the same): a Secret
 * with values, or a credential anywhere in an object, is refused where it is added.
 */
function refuseContentCredentials(scope: IConstruct, field: string, manifest: any): void {
  const keys = secretValueKeys(manifest);
  if (keys.length) {
    throw new KmetalValidationError(scope, field, `Secret ${manifest.metadata?.name} carries ${keys.length} value(s) (keys: ${keys.join(', ')}), which would be written to git in clear inside the add-on's content`,
      'ship an ExternalSecret (or a SOPS-encrypted Secret) that makes the Secret in the tenant cluster instead');
  }
  const { metadata: _metadata, ...rest } = manifest ?? {};
  refuseCredentials(scope, field, rest);
}
