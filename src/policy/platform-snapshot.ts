import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { FluxTree } from '../gitops/flux-tree';
import { KmetalValidationError } from '../util/errors';

/** Options of `PlatformSnapshot`. */
export interface PlatformSnapshotOptions {
  /** App name in the tree (`clusters/<cluster>` Kustomizations reference it). @default 'snapshot' */
  readonly appName?: string;
  /**
   * Only files under these folders of the tree, e.g. `['tenants/acme']`.
   * @default - every file
   */
  readonly folders?: string[];
}

/**
 * Snapshots of a platform for users' jest tests: the Flux tree exactly as `FluxTree.synth` writes
 * it (validations and policy packs run, as in a real synthesis), as a map from file path to YAML,
 * written to a temporary folder that is removed again.
 *
 * ```ts
 * test('acme tenant', () => {
 *   expect(PlatformSnapshot.tenant(app, 'acme')).toMatchSnapshot();
 * });
 * ```
 *
 * One snapshot entry per file keeps reviews readable: a change to one tenant shows as a change to
 * that tenant's files.
 */
export class PlatformSnapshot {
  /**
   * Every file of the app's Flux tree (or of `folders`), by path inside the app folder.
   *
   * @param app the app
   * @param options app name and folders
   */
  public static files(app: App, options: PlatformSnapshotOptions = {}): { [path: string]: string } {
    const appName = options.appName ?? 'snapshot';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-snapshot-'));
    try {
      const result = FluxTree.synth(app, { appName, outdir: dir, repoPath: `./dist/${appName}` });
      const folders = (options.folders ?? []).map((f) => f.replace(/\/+$/, ''));
      const out: { [path: string]: string } = {};
      for (const file of result.files) {
        if (folders.length && !folders.some((f) => file === f || file.startsWith(`${f}/`))) continue;
        out[file] = fs.readFileSync(path.join(result.outputDir, file), 'utf8');
      }
      return out;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * The files of one tenant's unit (`tenants/<name>/`), as `PlatformUnderCluster.addTenantCluster` lays them out.
   *
   * @param app the app
   * @param tenantName the tenant (its unit folder name)
   * @param options app name
   */
  public static tenant(app: App, tenantName: string, options: PlatformSnapshotOptions = {}): { [path: string]: string } {
    const files = PlatformSnapshot.files(app, { ...options, folders: [`tenants/${tenantName}`] });
    if (Object.keys(files).length === 0) {
      throw new KmetalValidationError(app, 'PlatformSnapshot.tenant tenantName', `the tree has no folder tenants/${tenantName}`, 'give the name of a tenant of the app (its unit folder under tenants/)');
    }
    return files;
  }

  private constructor() {}
}
