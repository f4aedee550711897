import * as fs from 'fs';
import * as path from 'path';
import { BUILTIN_KINDS, type BuiltinKind } from './builtin-kinds';
import type { BundledGroup, BundledKind, BundledVersion } from './bundle-model';

/** What an `apiVersion` + `kind` resolves to. */
export type KindResolution =
  | { readonly status: 'custom'; readonly kind: BundledKind; readonly version: BundledVersion }
  | { readonly status: 'builtin'; readonly builtin: BuiltinKind }
  | { readonly status: 'unknown-kind'; readonly message: string }
  | { readonly status: 'version-not-served'; readonly message: string };

/** The bundle shipped with the package: `<packageRoot>/imports/schemas`, from both `lib/conformance` and `src/conformance`. */
export function shippedBundleDir(): string {
  return path.join(__dirname, '..', '..', 'imports', 'schemas');
}

const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Splits `group/version` (core: `v1`) into its parts. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * Reads the schema bundle one API group file at a time, on first use, and keeps what it read.
 * Internal.
 */
export class SchemaStore {
  private readonly groupFiles: Set<string>;
  private readonly groups = new Map<string, Map<string, BundledKind>>();

  /** @param bundleDir a folder of `<group>.json` files written by `build-tools/schema-bundle.ts` */
  constructor(public readonly bundleDir: string) {
    if (!fs.existsSync(bundleDir) || !fs.statSync(bundleDir).isDirectory()) {
      throw new Error(`conformance: schema bundle not found at ${bundleDir} (generate it with \`npx projen import\`)`);
    }
    this.groupFiles = new Set(fs.readdirSync(bundleDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)));
  }

  /** The kinds of a group, or `undefined` when the bundle has no such group. */
  public group(group: string): Map<string, BundledKind> | undefined {
    if (!GROUP_NAME.test(group) || !this.groupFiles.has(group)) return undefined;
    let kinds = this.groups.get(group);
    if (!kinds) {
      const content: BundledGroup = JSON.parse(fs.readFileSync(path.join(this.bundleDir, `${group}.json`), 'utf8'));
      kinds = new Map(content.kinds.map((k) => [k.kind, k]));
      this.groups.set(group, kinds);
    }
    return kinds;
  }

  /** Resolves an `apiVersion` and `kind` against the bundle, then the built-in kinds. */
  public resolve(apiVersion: string, kind: string): KindResolution {
    const { group, version } = splitApiVersion(apiVersion);
    const builtinGroup = BUILTIN_KINDS[group];
    if (builtinGroup) {
      const builtin = builtinGroup[kind];
      if (!builtin) {
        return { status: 'unknown-kind', message: `${apiVersion} has no kind ${kind} (known in ${group || 'the core group'}: ${Object.keys(builtinGroup).sort().join(', ')})` };
      }
      if (!builtin.versions.includes(version)) {
        return { status: 'version-not-served', message: `${kind} is not served as ${apiVersion}; use ${builtin.versions.map((v) => (group ? `${group}/${v}` : v)).join(' or ')}` };
      }
      return { status: 'builtin', builtin };
    }

    const kinds = this.group(group);
    if (!kinds) {
      return { status: 'unknown-kind', message: `no CRD of API group "${group}" is known to the checker, so ${kind} cannot be validated (is the apiVersion mistyped?)` };
    }
    const custom = kinds.get(kind);
    if (!custom) {
      return { status: 'unknown-kind', message: `API group ${group} has no kind ${kind} (known: ${[...kinds.keys()].join(', ')})` };
    }
    const match = custom.versions.find((v) => v.name === version);
    if (!match || !match.served) {
      // Listed for the message only: resolving runs per object checked.
      const served = custom.versions.filter((v) => v.served).map((v) => `${group}/${v.name}`);
      return { status: 'version-not-served', message: `${kind} is not served as ${apiVersion} by the pinned ${custom.source} CRD; served: ${served.join(', ') || 'none'}` };
    }
    return { status: 'custom', kind: custom, version: match };
  }
}
