import * as fs from 'fs';
import * as path from 'path';
import { findManifestFiles, parseYamlDocuments } from '../../conformance/yaml-documents';

/** An object of a previous synthesis. */
export interface PreviousObject {
  readonly json: any;
  readonly file: string;
}

// How objects are named and compared is the destructive-change classification's.
export { groupKind, identityOf } from './destructive-change';

const KIND_LINE = /^kind:\s*["']?([A-Za-z0-9]+)/m;

/** What was read: the objects parsed, and those known unchanged without parsing. */
export interface PreviousOutput {
  readonly objects: PreviousObject[];
  /** Identities of objects whose file is byte-identical to their current rendering. */
  readonly unchanged: Set<string>;
}

/**
 * Reads the objects of a previous output folder. YAML parsing is what costs, so a file is parsed
 * only when it mentions one of `kinds` on a top-level `kind:` line and its text differs from every
 * current object's rendering (`unchangedTexts`: text → identity); in a synthesis that changes
 * nothing, nothing is parsed.
 */
export function readPreviousOutput(
  dir: string, kinds: Set<string>, unchangedTexts: Map<string, string>, otherKinds: Set<string> = new Set(),
): PreviousOutput {
  const out: PreviousObject[] = [];
  const unchanged = new Set<string>();
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return { objects: out, unchanged };
  // FluxTree names files `<kind>-<name>.yaml` (or `<kind>.<group>-...`): a file named after a kind
  // that is not watched is not read at all. Other layouts (app.synth) are read.
  const watchedPrefixes = new Set([...kinds].map((k) => k.toLowerCase()));
  const skippedPrefixes = new Set([...otherKinds].map((k) => k.toLowerCase()).filter((k) => !watchedPrefixes.has(k)));
  for (const file of findManifestFiles(dir)) {
    const prefix = /^([a-z0-9]+)[-.]/.exec(path.basename(file))?.[1];
    if (prefix !== undefined && skippedPrefixes.has(prefix)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const same = unchangedTexts.get(text);
    if (same !== undefined) {
      unchanged.add(same);
      continue;
    }
    let relevant = false;
    for (const line of text.match(new RegExp(KIND_LINE.source, 'gm')) ?? []) {
      const m = KIND_LINE.exec(line);
      if (m && kinds.has(m[1])) {
        relevant = true;
        break;
      }
    }
    if (!relevant) continue;
    for (const doc of parseYamlDocuments(text)) {
      const v: any = doc.value;
      if (v && typeof v === 'object' && typeof v.kind === 'string' && kinds.has(v.kind)) out.push({ json: v, file });
    }
  }
  return { objects: out, unchanged };
}
