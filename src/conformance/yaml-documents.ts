import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/** One document of a YAML stream. */
export interface YamlDocument {
  /** Zero-based position in the stream. */
  readonly documentIndex: number;
  /** The parsed value (`undefined` for an empty document). */
  readonly value: unknown;
  /** Why the document could not be parsed (duplicate keys, bad indentation, ...). */
  readonly error?: string;
}

/**
 * Splits a YAML stream into documents. Parsed as YAML 1.2 (the `yaml` package's default); keys must
 * be unique, as in Kubernetes' strict decoding.
 */
export function parseYamlDocuments(text: string): YamlDocument[] {
  return YAML.parseAllDocuments(text).map((doc, documentIndex) => {
    if (doc.errors.length > 0) return { documentIndex, value: undefined, error: doc.errors.map((e) => e.message).join('; ') };
    try {
      return { documentIndex, value: doc.toJS({ maxAliasCount: 1000 }) };
    } catch (e) {
      return { documentIndex, value: undefined, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** kustomize's own configuration: not Kubernetes objects. */
const KUSTOMIZE_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Every `*.yaml`/`*.yml` manifest under `dir`, recursively, sorted; skips hidden folders and kustomize files. */
export function findManifestFiles(dir: string): string[] {
  const files: string[] = [];
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') visit(full);
      } else if (/\.ya?ml$/.test(entry.name) && !KUSTOMIZE_FILES.has(entry.name)) {
        files.push(full);
      }
    }
  };
  visit(dir);
  return files;
}
