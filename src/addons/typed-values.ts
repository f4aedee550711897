// TypeScript-only helpers behind the generated chart value types in ./values (generics are not
// representable in jsii, so nothing here is exported from src/index.ts).
import { HelmChartAddon } from './helm-chart';

/** The chart release a generated values type describes. */
export interface ChartSchemaInfo {
  /** Chart name. */
  readonly chart: string;
  /** The release the schema came from. */
  readonly version: string;
  /** sha256 of the values.schema.json the types were generated from. */
  readonly schemaSha256: string;
}

/** Options of a typed chart: as `HelmChartAddon`, without chart and version (fixed by the types), with typed values. */
export interface TypedHelmChartOptions<V> {
  /** As `HelmChartAddon.repositoryUrl`. */
  readonly repositoryUrl: string;
  /** As `HelmChartAddon.repositoryName`. @default - the chart name */
  readonly repositoryName?: string;
  /** As `HelmChartAddon.releaseName`. @default - the chart name */
  readonly releaseName?: string;
  /** As `HelmChartAddon.releaseNamespace`. @default - the release name */
  readonly releaseNamespace?: string;
  /** Chart values, typed by the chart's values.schema.json. @default - the chart's defaults */
  readonly values?: V;
}

/** A `HelmChartAddon` for a chart whose values were typed from its schema. */
export function typedHelmChart<V>(info: ChartSchemaInfo, options: TypedHelmChartOptions<V>): HelmChartAddon {
  return {
    repositoryUrl: options.repositoryUrl,
    repositoryName: options.repositoryName,
    chart: info.chart,
    version: info.version,
    releaseName: options.releaseName,
    releaseNamespace: options.releaseNamespace,
    values: options.values as unknown as { [key: string]: any } | undefined,
  };
}
