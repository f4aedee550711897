/**
 * Builds the schema bundle the conformance checker ships with (`imports/schemas/<group>.json`) from the
 * pinned upstream API schemas in `../shared/crds`:
 * - CRD YAML files: every `CustomResourceDefinition` document, each version's `openAPIV3Schema` kept
 *   whole except its `description` fields (they make up most of the bytes and validate nothing);
 * - KubeVirt and CDI, which publish OpenAPI v2 documents instead of CRDs: see `schema-bundle-swagger.ts`.
 *
 * Output is minified JSON with sorted keys, so regenerating from the same inputs is byte-identical
 * (the import task's `--check` compares files).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { kindsFromSwagger } from './schema-bundle-swagger';
import type { BundledKind, BundledVersion, JsonSchema, SchemaBundle } from '../src/conformance/bundle-model';

export type { SchemaBundle } from '../src/conformance/bundle-model';

/** Schema keywords whose value is a map of property name to schema. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', 'dependencies'];
/** Schema keywords whose value is a schema or an array of schemas. */
const SCHEMA_KEYWORDS = ['items', 'additionalProperties', 'additionalItems', 'not', 'allOf', 'anyOf', 'oneOf'];

/**
 * Copies a schema without its `description` fields. The walk follows schema keywords only, so a
 * property named `description`, or a `default`/`enum` value holding such a key, is kept as it is.
 */
export function stripDescriptions(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'description') continue;
    if (SCHEMA_MAP_KEYWORDS.includes(keyword) && isPlainObject(value)) {
      const map: JsonSchema = {};
      for (const [name, sub] of Object.entries(value)) map[name] = isPlainObject(sub) ? stripDescriptions(sub as JsonSchema) : sub;
      out[keyword] = map;
    } else if (SCHEMA_KEYWORDS.includes(keyword)) {
      if (Array.isArray(value)) out[keyword] = value.map((s) => (isPlainObject(s) ? stripDescriptions(s) : s));
      else out[keyword] = isPlainObject(value) ? stripDescriptions(value) : value;
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

/** Deep copy with object keys sorted (arrays keep their order), for byte-stable JSON. */
export function sortKeysDeep(value: any): any {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isPlainObject(value)) return value;
  const out: any = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kinds of every `CustomResourceDefinition` document in one YAML file. */
function kindsFromCrdFile(file: string, source: string): BundledKind[] {
  const kinds: BundledKind[] = [];
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const crd = doc.toJS({ maxAliasCount: -1 });
    if (!isPlainObject(crd) || crd.kind !== 'CustomResourceDefinition') continue;
    const spec = crd.spec ?? {};
    const versions: BundledVersion[] = (spec.versions ?? []).map((v: any) => {
      const schema = v.schema?.openAPIV3Schema ?? spec.validation?.openAPIV3Schema;
      return {
        name: String(v.name),
        served: v.served !== false,
        storage: v.storage === true,
        deprecated: v.deprecated === true,
        statusSubresource: (v.subresources ?? spec.subresources)?.status !== undefined,
        ...(v.deprecationWarning ? { deprecationWarning: String(v.deprecationWarning) } : {}),
        ...(schema ? { schema: stripDescriptions(schema) } : {}),
      };
    });
    kinds.push({
      group: String(spec.group),
      kind: String(spec.names?.kind),
      plural: String(spec.names?.plural),
      scope: spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
      source,
      versions,
    });
  }
  return kinds;
}

/**
 * Reads every folder of `sharedCrdsDir` (CRD YAML files, or a `swagger.json` for projects that
 * publish OpenAPI v2 only) and returns the bundle, grouped by API group, sorted.
 *
 * @param sharedCrdsDir the pinned schemas, normally `<repo>/../shared/crds`
 */
export function buildSchemaBundle(sharedCrdsDir: string): SchemaBundle {
  const byGroup = new Map<string, Map<string, BundledKind>>();
  const add = (k: BundledKind) => {
    const kinds = byGroup.get(k.group) ?? new Map<string, BundledKind>();
    byGroup.set(k.group, kinds);
    const existing = kinds.get(k.kind);
    // Two folders defining the same kind would make the bundle depend on folder order: refuse.
    if (existing) throw new Error(`${k.group}/${k.kind} is defined both in ${existing.source} and in ${k.source}`);
    kinds.set(k.kind, k);
  };

  for (const folder of fs.readdirSync(sharedCrdsDir).sort()) {
    const dir = path.join(sharedCrdsDir, folder);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, file);
      if (/\.ya?ml$/.test(file)) kindsFromCrdFile(full, folder).forEach(add);
      else if (file === 'swagger.json') kindsFromSwagger(JSON.parse(fs.readFileSync(full, 'utf8')), folder).forEach(add);
    }
  }

  return {
    groups: [...byGroup.keys()].sort().map((group) => ({
      group,
      // Plain code-unit order, not localeCompare: the output must not depend on the machine's locale.
      kinds: [...byGroup.get(group)!.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)),
    })),
  };
}

/**
 * Builds the bundle and writes one minified, key-sorted `<group>.json` per API group into `outDir`
 * (created if missing; other files there are left alone).
 *
 * @returns the paths of the files written, sorted
 */
export function writeSchemaBundle(sharedCrdsDir: string, outDir: string): string[] {
  const bundle = buildSchemaBundle(sharedCrdsDir);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const group of bundle.groups) {
    const file = path.join(outDir, `${group.group}.json`);
    fs.writeFileSync(file, JSON.stringify(sortKeysDeep(group)) + '\n');
    written.push(file);
  }
  return written;
}
