import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ControlPlaneVipPool, IslandSite, IslandSiteProps, MachineImage, PlatformUnderCluster, TenantClusterProps } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';

export const REGISTRY = 'oci://harbor.example.com/kmetal-manifests';
export const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');
export const CENTRAL_VIPS = '203.0.113.64/27';

/** 4 island nodes of 16 cores / 64 GiB: with one spare, 44.5 cores and 185 GiB for tenants. */
export const ISLAND: TenantClusterProps = { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 4, cpuCores: 16, memoryGiB: 64 }] };
/** 2 control-plane replicas, 3 etcd members, 2 workers of 4 cores / 8 GiB: 11.5 cores, 23.5 GiB. */
export const TENANT: TenantClusterProps = { version: 'v1.33.2', nodePools: [{ name: 'workers', replicas: 2, cpuCores: 4, memoryGiB: 8 }] };

export interface EdgeFixture {
  readonly app: App;
  readonly platform: PlatformUnderCluster;
  readonly centralPool: ControlPlaneVipPool;
}

/** A platform with a central VIP pool. */
export function edgePlatform(): EdgeFixture {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', { releaseManifestsRegistry: REGISTRY, defaultNodeImage: IMAGE });
  const centralPool = new ControlPlaneVipPool(platform.configs, 'CentralVips', { name: 'central-vips', addresses: [CENTRAL_VIPS] });
  platform.controlPlaneVipPool = centralPool;
  return { app, platform, centralPool };
}

/** A site `factory-<letter>` with VIPs 10.<n>.0.64/27 and the standard island. */
export function addSite(platform: PlatformUnderCluster, letter: string, props: Partial<IslandSiteProps> = {}): IslandSite {
  const n = letter.charCodeAt(0) - 96;
  return platform.addIslandSite(`factory-${letter}`, { controlPlaneVips: [`10.${n}.0.64/27`], island: ISLAND, ...props });
}

/** Runs `fn`, expects a KmetalValidationError naming the construct path, the field and a fix; returns its message. */
export function expectError(fn: () => unknown, constructPath: string, field: string, text: RegExp): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof KmetalValidationError)) {
    throw new Error(`expected a KmetalValidationError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  expect(error.message).toMatch(text);
  expect(error.constructPath).toBe(constructPath);
  expect(error.field).toBe(field);
  expect(error.message).toContain('Fix: ');
  return error.message;
}

const tempDirs: string[] = [];
/** A temp folder, removed by `cleanupTempDirs()`. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-edge-'));
  tempDirs.push(dir);
  return dir;
}
export function cleanupTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
