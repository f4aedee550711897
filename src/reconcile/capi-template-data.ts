// Cluster API's handling of inline ClusterClass patch templates, around the Go-template evaluator.
//
// Source: kubernetes-sigs/cluster-api v1.14.0 (commit 560d4acf507bc7cac34b2da449fa5cd53eaeb149),
// core/reconcilers/topology/cluster/patches/inline/json_patch_generator.go:
// - renderValueTemplate parses with template.New("tpl").Funcs(sprig.HermeticTxtFuncMap()), executes
//   against calculateTemplateData(variables), then sigs.k8s.io/yaml.Unmarshal's the output into an
//   apiextensionsv1.JSON: the rendered text is YAML (1.1, via go-yaml v2), turned into JSON.
// - calculateTemplateData json.Marshal's the variables map and json.Unmarshal's it into
//   map[string]interface{}: every number becomes a float64, whatever the variable's schema type.
// - patchIsEnabled: an empty enabledIf is enabled; otherwise the patch is enabled only when the
//   JSON of the rendered value is exactly `true` — so YAML 1.1 spellings `True`, `yes`, `on` and
//   `y` enable it too, while `"true"` (a string) and an empty output do not.

import * as YAML from 'yaml';
import { renderGoTemplateOn } from './go-template';
import { fromJson, INVALID, type GoValue } from './private/go-values';
import { isPlainYamlString } from '../gitops/private/yaml-document';

// The template data this module built, converted to Go values once: a class-based cluster renders
// every patch of its class against the same data, and converting it per template was a third of
// the template work. Only data built here is kept (nobody else holds it, so nobody changes it).
const goData = new WeakMap<object, GoValue | undefined>();

/**
 * The template data Cluster API builds from a Cluster's variables: a JSON round trip of
 * `{ ...variables, builtin }` (so numbers are float64 to the templates and unset variables are
 * absent, not null). `builtin` is what the caller knows of `.builtin` (cluster name, namespace,
 * topology version, machineDeployment class...).
 */
export function capiTemplateData(
  variables: { readonly [name: string]: unknown },
  builtin?: { readonly [name: string]: unknown },
): { [name: string]: unknown } {
  const merged: { [name: string]: unknown } = { ...variables };
  if (builtin !== undefined) merged.builtin = builtin;
  const data = JSON.parse(JSON.stringify(merged));
  goData.set(data, undefined);
  return data;
}

function goValueOf(data: unknown): GoValue {
  // tpl.Execute(w, data): a nil interface{} becomes no value at all (renderGoTemplate's rule).
  if (data === null || data === undefined) return INVALID;
  if (typeof data !== 'object' || !goData.has(data)) return fromJson(data);
  let value = goData.get(data);
  if (value === undefined) {
    value = fromJson(data);
    goData.set(data, value);
  }
  return value;
}

export type EnabledIfResult =
  | { readonly ok: true; readonly enabled: boolean }
  | { readonly ok: false; readonly error: string; readonly unsupported?: true };
export type PatchValueResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string; readonly unsupported?: true };

/** Whether Cluster API applies a patch with this `enabledIf` (patchIsEnabled). */
export function evaluateEnabledIf(enabledIf: string | undefined, data: unknown): EnabledIfResult {
  if (!enabledIf) return { ok: true, enabled: true };
  const value = renderPatchValue(enabledIf, data);
  if (!value.ok) return value;
  return { ok: true, enabled: value.value === true };
}

/** The JSON value Cluster API puts in the JSON patch for a `valueFrom.template` (renderValueTemplate). */
export function renderPatchValue(template: string, data: unknown): PatchValueResult {
  const rendered = renderGoTemplateOn(template, goValueOf(data));
  if (!rendered.ok) return rendered;
  return parseRenderedYaml(rendered.output);
}

// go-yaml v2 semantics (as sigs.k8s.io/yaml uses it): YAML 1.1 booleans, octal `0755`, `1_000`;
// timestamps stay strings and `1:20` is not sexagesimal, so those tags of the 1.1 schema are dropped.
// Only the first document counts, keys become strings, and non-finite floats fail JSON encoding.
const goYamlV2Tags = (tags: YAML.Tags): YAML.Tags =>
  tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp' && (t as { format?: string }).format !== 'TIME');

// The rendered texts of a fleet repeat ("true", "", the same pool annotation, "16Gi"...): parsed
// once each, kept as the JSON text the result is decoded from, so every caller still gets a value of
// its own. Bounded like the template cache; the first texts seen stay.
const MAX_CACHED_OUTPUTS = 4096;
const parsedOutputs = new Map<string, { readonly json: string } | { readonly error: PatchValueResult }>();

function parseRenderedYaml(text: string): PatchValueResult {
  const cached = parsedOutputs.get(text);
  if (cached !== undefined) return 'json' in cached ? { ok: true, value: JSON.parse(cached.json) } : cached.error;
  const simple = readSimpleYaml(text);
  if (simple !== undefined) return { ok: true, value: simple };
  const result = parseRenderedYamlUncached(text);
  if (parsedOutputs.size < MAX_CACHED_OUTPUTS) parsedOutputs.set(text, result.ok ? { json: JSON.stringify(result.value) } : { error: result });
  return result;
}

// `key: value`, `key:` (a nested block follows) and `- key: value` (a sequence item that is a mapping).
const SIMPLE_LINE = /^( *)(- )?([^ :"'][^:]*?):(?: (.*))?$/;
// Double-quoted with nothing to unescape: printable ASCII without '"' and '\\' reads as its content.
const QUOTED_PLAIN = /^"([\x20\x21\x23-\x5b\x5d-\x7e]*)"$/;
// A decimal integer without a leading zero (YAML 1.1 reads "0755" as octal) and well inside float64.
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;

interface SimpleLine {
  /** Column of the key. */
  readonly column: number;
  /** Whether a `- ` before the key opens a sequence item (its dash sits at `column - 2`). */
  readonly item: boolean;
  readonly key: string;
  /** The scalar after `key: `; `undefined` when a nested block follows. */
  readonly value?: string | number;
}

function simpleScalar(text: string): string | number | undefined {
  if (isPlainYamlString(text)) return text;
  const quoted = QUOTED_PLAIN.exec(text);
  if (quoted) return quoted[1];
  return PLAIN_INTEGER.test(text) ? Number(text) : undefined;
}

/**
 * The value of a block mapping of simple scalars, e.g. `metallb.io/loadBalancerIPs: 198.18.64.7`,
 * `annotations:\n  ovn.kubernetes.io/logical_switch: t0001-workers` or a pool's anti-affinity
 * (`- weight: 100` items, `"t0001"` values), read without the YAML parser; `undefined` for anything
 * else (the parser decides). Such texts embed a cluster's own address or name, so they never repeat
 * and the cache above does not help; parsing each was most of the template check of a fleet.
 *
 * Only what a YAML 1.1 parser reads exactly so is taken: keys the writer leaves plain, values that
 * are such plain strings, double-quoted strings without escapes or decimal integers; keys unique;
 * every nested block non-empty and evenly indented; sequences (at their key's column or deeper) of
 * mappings only. The differential test in test/reconcile/go-template.test.ts holds it to the parser.
 */
export function readSimpleYaml(text: string): Record<string, unknown> | undefined {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const parsed: SimpleLine[] = [];
  for (const line of lines) {
    const m = SIMPLE_LINE.exec(line);
    if (!m) return undefined;
    const [, spaces, dash, key, scalar] = m;
    if (key === '__proto__' || !isPlainYamlString(key)) return undefined;
    let value: string | number | undefined;
    if (scalar !== undefined) {
      value = simpleScalar(scalar);
      if (value === undefined) return undefined;
    }
    parsed.push({ column: spaces.length + (dash ? 2 : 0), item: dash !== undefined, key, value });
  }
  if (parsed.length === 0 || parsed[0].column !== 0 || parsed[0].item) return undefined;
  let i = 0;
  // The entries at `column`; the first one may carry the dash of the sequence item it starts.
  const mapping = (column: number, inItem: boolean): Record<string, unknown> | undefined => {
    const out: Record<string, unknown> = {};
    let first = true;
    while (i < parsed.length && parsed[i].column === column && parsed[i].item === (inItem && first)) {
      first = false;
      const { key, value } = parsed[i++];
      if (Object.prototype.hasOwnProperty.call(out, key)) return undefined;
      if (value !== undefined) {
        out[key] = value;
        continue;
      }
      // `key:` opens a nested block on the next lines (an empty value is not taken): a mapping
      // deeper, or a sequence whose dashes are at the key's column or deeper.
      const next = parsed[i];
      if (next === undefined) return undefined;
      const nested = next.item
        ? next.column - 2 >= column ? sequence(next.column) : undefined
        : next.column > column ? mapping(next.column, false) : undefined;
      if (nested === undefined) return undefined;
      out[key] = nested;
    }
    return first ? undefined : out;
  };
  // Items whose first keys are at `column` (dashes two to the left).
  const sequence = (column: number): unknown[] | undefined => {
    const out: unknown[] = [];
    while (i < parsed.length && parsed[i].item && parsed[i].column === column) {
      const item = mapping(column, true);
      if (item === undefined) return undefined;
      out.push(item);
    }
    return out;
  };
  const value = mapping(0, false);
  return value !== undefined && i === parsed.length ? value : undefined;
}

/** The rendered text parsed as go-yaml v2 does, with the `yaml` package (the reference of `readSimpleYaml`). */
export function parseRenderedYamlUncached(text: string): PatchValueResult {
  let doc: YAML.Document.Parsed;
  try {
    const docs = YAML.parseAllDocuments(text, { version: '1.1', customTags: goYamlV2Tags });
    if (!Array.isArray(docs)) return { ok: true, value: null };
    doc = docs[0];
    if (!doc) return { ok: true, value: null };
    if (doc.errors.length) return { ok: false, error: `failed to unmarshal rendered template: ${doc.errors[0].message}` };
  } catch (e) {
    return { ok: false, error: `failed to unmarshal rendered template: ${(e as Error).message}` };
  }
  let value: unknown;
  try {
    // toJS resolves aliases: an unknown anchor (`a: *x`) throws here, as go-yaml's Unmarshal fails.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, error: `failed to unmarshal rendered template: ${(e as Error).message}` };
  }
  const bad = findNonJson(value);
  if (bad) return { ok: false, error: `failed to unmarshal rendered template: ${bad}` };
  const stringKeys = (_k: string, v: unknown) => (v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [String(k), x])) : v);
  return { ok: true, value: JSON.parse(JSON.stringify(value, stringKeys)) };
}

function findNonJson(v: unknown, ancestors: unknown[] = []): string | undefined {
  if (typeof v === 'number' && !Number.isFinite(v)) return `json: unsupported value: ${v}`;
  if (typeof v === 'bigint') return 'integer beyond float64 precision (not modelled)';
  if (v === null || typeof v !== 'object') return undefined;
  if (v instanceof Uint8Array) return '!!binary values are not modelled';
  // An alias inside its own anchor (`a: &x` then `  b: *x`): go-yaml fails on it; here it is a cycle.
  if (ancestors.includes(v)) return 'anchor value contains itself';
  const children = Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v);
  ancestors.push(v);
  for (const child of children) {
    const bad = findNonJson(child, ancestors);
    if (bad !== undefined) return bad;
  }
  ancestors.pop();
  return undefined;
}
