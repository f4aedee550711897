import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { AddonProfile, ControlPlaneVipPool, MachineImage, PlatformUnderCluster } from '../../src';

export const IMAGE = 'quay.io/capk/ubuntu-2404-container-disk:v1.33.0';

/** A small platform (as test/platform/tenant-in-own-chart.test.ts builds it). */
export function day2Platform(): { app: App; platform: PlatformUnderCluster } {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk(IMAGE),
  });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  return { app, platform };
}

/** Every object of one unit folder of a written tree. */
export function readUnit(outdir: string, folder: string): any[] {
  const dir = path.join(outdir, 'kmetal', folder);
  return fs.readdirSync(dir).filter((f) => f !== 'kustomization.yaml').sort()
    .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON()));
}

/** Every file's text under a folder. */
export function allText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out.join('\n');
}

export function errorOf(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
