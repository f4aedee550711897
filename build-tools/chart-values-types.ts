/**
 * Generates TypeScript types for the values of every Helm chart in `../shared/charts` that ships a
 * `values.schema.json`, into `src/addons/values/<chart>.ts` (plus an `index.ts`), with
 * json-schema-to-typescript. Nothing else is read and nothing is fetched.
 *
 *   npx ts-node --prefer-ts-exts --transpile-only build-tools/chart-values-types.ts           regenerate
 *   npx ts-node --prefer-ts-exts --transpile-only build-tools/chart-values-types.ts --check   fail when stale
 *
 * What the generator changes in the schemas before compiling them, and why:
 * - `required` is dropped everywhere: a values schema describes the *merged* values (chart defaults
 *   plus overrides), while `AddonProfile` users write overrides only, which are partial by nature.
 * - An object schema with neither `properties` nor `additionalProperties` is free-form in JSON
 *   Schema; it is given `additionalProperties: true` so it becomes `{ [k: string]: unknown }` rather
 *   than `{}`. Objects that declare properties keep the schema's own `additionalProperties`
 *   (absent means true), so the types are exactly as strict as Helm's own validation.
 * - Every named type is prefixed with the chart's name (`CertManager...`, `Metallb...`) so that all
 *   charts can be re-exported from one index without name clashes; the root type is `<Chart>Values`.
 *
 * The generated types use unions, intersections, index signatures and inline object types, none of
 * which jsii can represent, so they are NOT part of the jsii API (src/index.ts does not export
 * them). TypeScript users import them from `cdk8s-kmetal/lib/addons/values`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { compile } from 'json-schema-to-typescript';
import * as YAML from 'yaml';

const repoRoot = path.resolve(__dirname, '..');
const chartsDir = path.resolve(repoRoot, '..', 'shared', 'charts');
const outDir = path.join(repoRoot, 'src', 'addons', 'values');
const self = 'build-tools/chart-values-types.ts';

interface ChartInfo {
  /** Folder under ../shared/charts and chart name. */
  readonly dir: string;
  readonly chart: string;
  readonly version: string;
  readonly schemaSha256: string;
  readonly schema: any;
}

function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function camel(text: string): string {
  const p = pascal(text);
  return p[0].toLowerCase() + p.slice(1);
}

function constName(text: string): string {
  return text.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/**
 * The published chart version: SOURCE.md records it when the Chart.yaml in git carries a
 * placeholder (`0.0.0`) that the upstream release tooling overwrites.
 */
function publishedVersion(dir: string): string {
  const chartYaml = YAML.parse(fs.readFileSync(path.join(chartsDir, dir, 'Chart.yaml'), 'utf8'));
  const sourceFile = path.join(chartsDir, dir, 'SOURCE.md');
  if (fs.existsSync(sourceFile)) {
    const m = /Published chart version:\s*`([^`]+)`/.exec(fs.readFileSync(sourceFile, 'utf8'));
    if (m) return m[1];
  }
  return String(chartYaml.version);
}

/** Applies the adjustments described in the header, recursively, on a copy. */
function prepare(node: any): any {
  if (Array.isArray(node)) return node.map(prepare);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'required' && Array.isArray(v)) continue;
    // Keys whose values are schemas keyed by property name must keep their keys as they are.
    if (k === 'properties' || k === '$defs' || k === 'definitions' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, prepare(pv)]));
      continue;
    }
    out[k] = prepare(v);
  }
  const isObject = out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'));
  if (isObject && out.properties === undefined && out.patternProperties === undefined && out.additionalProperties === undefined) {
    out.additionalProperties = true;
  }
  return out;
}

function discover(): ChartInfo[] {
  const out: ChartInfo[] = [];
  for (const dir of fs.readdirSync(chartsDir).sort()) {
    const schemaFile = path.join(chartsDir, dir, 'values.schema.json');
    if (!fs.existsSync(schemaFile)) continue;
    const raw = fs.readFileSync(schemaFile);
    const chartYaml = YAML.parse(fs.readFileSync(path.join(chartsDir, dir, 'Chart.yaml'), 'utf8'));
    out.push({
      dir,
      chart: String(chartYaml.name ?? dir),
      version: publishedVersion(dir),
      schemaSha256: crypto.createHash('sha256').update(raw).digest('hex'),
      schema: JSON.parse(raw.toString('utf8')),
    });
  }
  return out;
}

async function render(info: ChartInfo): Promise<string> {
  const prefix = pascal(info.chart);
  const rootName = `${prefix}Values`;
  const schema = prepare(info.schema);
  delete schema.title;
  delete schema.$id;
  const root = schema;
  const types = await compile(schema, rootName, {
    bannerComment: '',
    additionalProperties: true,
    format: false,
    declareExternallyReferenced: true,
    unreachableDefinitions: false,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: false,
    customName: (s: any, keyNameFromDefinition: string | undefined) => {
      if (s === root) return rootName;
      if (keyNameFromDefinition) return `${prefix}${pascal(keyNameFromDefinition)}`;
      if (typeof s.title === 'string' && s.title) return `${prefix}${pascal(s.title)}`;
      return undefined;
    },
  });
  const infoConst = `${constName(info.chart)}_CHART`;
  const lines = [
    `// Generated by ${self} from ../shared/charts/${info.dir}/values.schema.json: do not edit.`,
    `// Chart ${info.chart} ${info.version}, schema sha256 ${info.schemaSha256}.`,
    '/* eslint-disable */',
    "import { HelmChartAddon } from '../helm-chart';",
    "import { ChartSchemaInfo, TypedHelmChartOptions, typedHelmChart } from '../typed-values';",
    '',
    `/** The ${info.chart} chart release the types below describe. */`,
    `export const ${infoConst}: ChartSchemaInfo = { chart: ${JSON.stringify(info.chart)}, version: ${JSON.stringify(info.version)}, schemaSha256: ${JSON.stringify(info.schemaSha256)} };`,
    '',
    '/**',
    ` * A Helm chart add-on of ${info.chart} ${info.version} with values typed by the chart's own schema.`,
    ' * The chart name and version are fixed: the types describe exactly that release.',
    ' */',
    `export function ${camel(info.chart)}Chart(options: TypedHelmChartOptions<${rootName}>): HelmChartAddon {`,
    `  return typedHelmChart(${infoConst}, options);`,
    '}',
    '',
    types.trimEnd(),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const charts = discover();
  const files = new Map<string, string>();
  for (const info of charts) files.set(`${info.chart}.ts`, await render(info));
  files.set('index.ts', [
    `// Generated by ${self}: do not edit.`,
    '// Typed values of the charts in ../shared/charts that ship a values.schema.json (TypeScript only: not part of the jsii API).',
    ...charts.map((c) => `export * from './${c.chart}';`),
    '',
  ].join('\n'));

  const stale: string[] = [];
  if (!check) fs.mkdirSync(outDir, { recursive: true });
  const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.ts')) : [];
  for (const f of existing) {
    if (!files.has(f)) {
      if (check) stale.push(`${f} (no longer generated)`);
      else fs.rmSync(path.join(outDir, f));
    }
  }
  for (const [name, text] of files) {
    const file = path.join(outDir, name);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) stale.push(name);
    else fs.writeFileSync(file, text);
  }
  if (check && stale.length) {
    console.error(`chart-values-types: stale generated files in src/addons/values: ${stale.join(', ')}; run ${self}`);
    process.exit(1);
  }
  console.log(`chart-values-types: ${charts.map((c) => `${c.chart} ${c.version}`).join(', ')}${check ? ' (up to date)' : ''}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
