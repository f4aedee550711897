import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { credentialLocations } from '../util/credentials';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel } from '../util/names';
import { checkKnownProps } from '../util/props';

/** A Helm chart an `AddonProfile` installs into every cluster it selects (a Sveltos `helmCharts` entry). */
export interface HelmChartAddon {
  /**
   * Where the chart comes from: an `https://` Helm repository (e.g. `https://charts.jetstack.io`)
   * or an `oci://` registry path without the chart name (e.g. `oci://ghcr.io/projectcapsule/charts`).
   */
  readonly repositoryUrl: string;
  /** Local name of the repository (HTTP repositories only). @default - the chart name */
  readonly repositoryName?: string;
  /** Chart name, e.g. `cert-manager`. */
  readonly chart: string;
  /**
   * The exact chart version, e.g. `v1.21.1` or `0.16.1`. Required: an unpinned chart would install
   * whatever the repository serves on the day a cluster is created, so two clusters of one fleet
   * would differ. Ranges (`^1.2`, `1.x`, `>=1`) and `latest` are refused too.
   */
  readonly version: string;
  /** Helm release name. @default - the chart name */
  readonly releaseName?: string;
  /** Namespace of the release in the tenant cluster (created when missing). @default - the release name */
  readonly releaseNamespace?: string;
  /**
   * Values for the release (plain JSON in the chart's own field names). TypeScript users get typed
   * values for charts that ship a values schema from `cdk8s-kmetal/lib/addons/values`
   * (e.g. `certManagerChart({ ... })`). Strings may use Sveltos templates (`{{ .Cluster.metadata.name }}`).
   * @default - the chart's defaults
   */
  readonly values?: { [key: string]: any };
}

// A pinned release: exact semver, optional leading "v", optional pre-release and build metadata.
const PINNED_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const REPOSITORY_URL = /^(https?|oci):\/\/[^\s/@]+(\/[^\s]*)?$/;

/** A chart entry checked and with defaults applied. @internal */
export interface ResolvedHelmChart {
  readonly repositoryUrl: string;
  readonly repositoryName: string;
  readonly chart: string;
  readonly version: string;
  readonly releaseName: string;
  readonly releaseNamespace: string;
  readonly values?: { [key: string]: any };
}

/** Every property of `HelmChartAddon` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const HELM_CHART_ADDON_KEYS: readonly string[] = ['chart', 'repositoryUrl', 'version', 'releaseName', 'releaseNamespace', 'repositoryName', 'values'];

/** Checks one chart entry; `field` is where it sits in the props (for the error message). @internal */
export function resolveHelmChart(scope: IConstruct, field: string, chart: HelmChartAddon): ResolvedHelmChart {
  if (!chart || typeof chart !== 'object') {
    throw new KmetalValidationError(scope, field, `${showValue(chart)} is not a Helm chart`, 'give { repositoryUrl, chart, version }');
  }
  checkKnownProps(scope, field, chart, HELM_CHART_ADDON_KEYS, 'HelmChartAddon');
  const url = chart.repositoryUrl;
  if (typeof url === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url)) {
    // Not quoted: the message would carry the password into CI logs.
    throw new KmetalValidationError(scope, `${field}.repositoryUrl`, 'the repository URL carries credentials (user information before "@"), which would be written into the ClusterProfile in clear text', 'remove the "user:password@" part and give Sveltos the repository credentials in a Secret');
  }
  if (typeof url !== 'string' || !REPOSITORY_URL.test(url)) {
    throw new KmetalValidationError(scope, `${field}.repositoryUrl`, `${showValue(url)} is not a Helm repository URL`, 'give an https:// repository or an oci:// registry path');
  }
  if (url.startsWith('http://')) {
    // Every tenant cluster would install whatever a machine in the path answers: no TLS, no identity.
    throw new KmetalValidationError(scope, `${field}.repositoryUrl`, `${showValue(url)} is served over plain http, so anyone on the path can change the charts every selected cluster installs`, 'serve the repository over https:// or mirror the chart to an oci:// registry');
  }
  if (typeof chart.chart !== 'string' || !/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(chart.chart)) {
    throw new KmetalValidationError(scope, `${field}.chart`, `${showValue(chart.chart)} is not a chart name`, 'give the chart name as the repository lists it, e.g. "cert-manager"');
  }
  if (chart.version === undefined || chart.version === null || chart.version === '') {
    throw new KmetalValidationError(scope, `${field}.version`, `chart ${showValue(chart.chart)} has no pinned version: every new cluster would get whatever the repository serves that day`, `pin the exact release, e.g. version: "1.2.3" (helm search repo ${chart.chart} --versions)`);
  }
  if (typeof chart.version !== 'string' || !PINNED_VERSION.test(chart.version)) {
    throw new KmetalValidationError(scope, `${field}.version`, `${showValue(chart.version)} is not a pinned chart version (ranges and "latest" float)`, 'give one exact release such as "1.2.3" or "v1.21.1"');
  }
  const releaseName = chart.releaseName ?? chart.chart;
  if (typeof releaseName !== 'string' || releaseName.length > 53 || !isDnsLabel(releaseName)) {
    throw new KmetalValidationError(scope, `${field}.releaseName`, `${showValue(releaseName)} is not a Helm release name (DNS label of at most 53 characters)`, 'use lowercase letters, digits and "-", e.g. "cert-manager"');
  }
  const releaseNamespace = chart.releaseNamespace ?? releaseName;
  if (typeof releaseNamespace !== 'string' || !isDnsLabel(releaseNamespace)) {
    throw new KmetalValidationError(scope, `${field}.releaseNamespace`, `${showValue(releaseNamespace)} is not a namespace name`, 'use a DNS label such as "cert-manager"');
  }
  const repositoryName = chart.repositoryName ?? chart.chart;
  if (typeof repositoryName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(repositoryName)) {
    throw new KmetalValidationError(scope, `${field}.repositoryName`, `${showValue(repositoryName)} is not a repository name`, 'use lowercase letters, digits and "-"');
  }
  if (chart.values !== undefined) {
    if (typeof chart.values !== 'object' || chart.values === null || Array.isArray(chart.values)) {
      throw new KmetalValidationError(scope, `${field}.values`, `${showValue(chart.values)} is not a map of chart values`, 'give the values as an object, e.g. { installCRDs: true }');
    }
    try {
      JSON.stringify(chart.values);
    } catch {
      throw new KmetalValidationError(scope, `${field}.values`, 'the values cannot be serialized (a cycle, or a BigInt)', 'give plain JSON data');
    }
    refuseCredentials(scope, `${field}.values`, chart.values);
  }
  return { repositoryUrl: url.replace(/\/+$/, ''), repositoryName, chart: chart.chart, version: chart.version, releaseName, releaseNamespace, values: chart.values };
}

/**
 * Refuses credentials in data the library writes to git in clear (chart values, add-on content):
 * the paths, never the values. @internal
 */
export function refuseCredentials(scope: IConstruct, field: string, data: unknown): void {
  const found = credentialLocations(data, field);
  if (found.length === 0) return;
  const list = found.slice(0, 5).map((f) => `${f.path} (${f.why})`).join(', ') + (found.length > 5 ? ` and ${found.length - 5} more` : '');
  throw new KmetalValidationError(scope, found[0].path, `${found.length} credential value(s) would be written to git in clear: ${list}`,
    'keep credentials out of git: put them in a Secret created outside it (ExternalSecret, SOPS) and reference it (most charts take an existingSecret value; Sveltos helmCharts take valuesFrom)');
}

/** Renders values as YAML with sorted keys, so that the same values always give the same text. @internal */
export function valuesYaml(values: { [key: string]: any }): string {
  return YAML.stringify(JSON.parse(JSON.stringify(values)), { sortMapEntries: true, lineWidth: 0 });
}

/** The Sveltos `helmCharts[]` entry of a resolved chart (upstream field names). @internal */
export function sveltosHelmChart(chart: ResolvedHelmChart): any {
  const oci = chart.repositoryUrl.startsWith('oci://');
  // Sveltos reads an OCI chart from the full artifact path, given as both URL and chart name;
  // a classic repository is added under repositoryName and the chart addressed as name/chart.
  const ociRef = `${chart.repositoryUrl}/${chart.chart}`;
  return {
    repositoryURL: oci ? ociRef : chart.repositoryUrl,
    repositoryName: chart.repositoryName,
    chartName: oci ? ociRef : `${chart.repositoryName}/${chart.chart}`,
    chartVersion: chart.version,
    releaseName: chart.releaseName,
    releaseNamespace: chart.releaseNamespace,
    helmChartAction: 'Install',
    ...(chart.values && Object.keys(chart.values).length ? { values: valuesYaml(chart.values) } : {}),
  };
}
