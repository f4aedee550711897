// README "From npm install to a committed Flux tree", step 2: a tenant cluster in the user's own
// chart must come out as addTenantCluster() would make it (the platform's node image, VIP pool and
// etcd chart source; its Flux unit waits for the Cluster API providers), or be refused, never
// silently different.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { AddonProfile, ControlPlaneVipPool, FluxTree, isKmetalValidationError, MachineImage, PlatformUnderCluster, TenantCluster } from '../../src';
import { cleanupTempDirs, tempDir } from '../gitops/fixture';

afterEach(() => cleanupTempDirs());

const IMAGE = 'quay.io/capk/ubuntu-2404-container-disk:v1.33.0';

function platformApp(options: { chartMirror?: string } = {}) {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk(IMAGE),
    chartMirror: options.chartMirror,
  });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  return { app, platform };
}

/** Every object of one unit folder (the writer puts one object in each file). */
function readUnit(outdir: string, folder: string): any[] {
  const dir = path.join(outdir, 'kmetal', folder);
  return fs.readdirSync(dir).filter((f) => f !== 'kustomization.yaml').sort()
    .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON()));
}

function errorOf(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('a TenantCluster declared in the user\'s own chart with `platform`', () => {
  test('takes the platform\'s node image, VIP and etcd source, is registered, and its unit waits for the cluster templates; the tree reconciles', () => {
    const { app, platform } = platformApp({ chartMirror: 'oci://harbor.example.com/charts' });
    const mine = new Chart(app, 'my-chart');
    const own = new TenantCluster(mine, 'acme', { platform, version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }] });
    const reference = platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }] });

    expect(platform.tenants).toEqual([own, reference]);
    expect(own.defaultImage).toBe(platform.defaultNodeImage);
    expect(own.controlPlaneVipPool).toBe(platform.controlPlaneVipPool);

    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'kmetal' });
    expect(result.reconcileFindings.filter((f) => f.severity === 'error')).toEqual([]);

    const objects = readUnit(outdir, 'apps/my-chart');
    const globex = readUnit(outdir, 'tenants/globex');
    const pick = (objs: any[], kind: string) => objs.find((o) => o.kind === kind);
    // The same shape as the platform's own tenant, names aside.
    expect(pick(objects, 'KubevirtMachineTemplate').spec.template.spec.virtualMachineTemplate.spec.template.spec.volumes)
      .toEqual(pick(globex, 'KubevirtMachineTemplate').spec.template.spec.virtualMachineTemplate.spec.template.spec.volumes);
    expect(pick(objects, 'KamajiControlPlane').spec.network.serviceAddress).toBe(own.endpointAddress);
    expect(own.endpointAddress).toMatch(/^192\.0\.2\./);
    expect(pick(objects, 'HelmRelease').spec.chartRef ?? pick(objects, 'HelmRelease').spec.chart)
      .toEqual(pick(globex, 'HelmRelease').spec.chartRef ?? pick(globex, 'HelmRelease').spec.chart);

    const kustomization = YAML.parse(fs.readFileSync(path.join(outdir, 'kmetal', 'clusters/under/apps-my-chart.yaml'), 'utf8'));
    expect(kustomization.spec.dependsOn).toEqual([{ name: platform.clusterTemplates.kustomizationName }]);
  });

  test('registerTenantCluster() after `platform` has no further effect', () => {
    const { app, platform } = platformApp();
    const own = new TenantCluster(new Chart(app, 'mine'), 'acme', { platform, version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }] });
    platform.registerTenantCluster(own);
    expect(platform.tenants).toEqual([own]);
  });
});

describe('registerTenantCluster() of a cluster built without the platform', () => {
  test('refused when its control plane would miss the platform\'s VIP pool', () => {
    const { app, platform } = platformApp();
    const cluster = new TenantCluster(new Chart(app, 'mine'), 'acme', { version: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE), nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }] });
    const error = errorOf(() => platform.registerTenantCluster(cluster));
    expect(isKmetalValidationError(error)).toBe(true);
    expect(error.message).toMatch(/^\[mine\/acme\] controlPlane\.vipPool: the cluster was declared without the platform's VIP pool "tenant-api".*Fix: declare the cluster with the platform in its props \(new TenantCluster\(scope, id, \{ platform, \.\.\. \}\)\).*or set controlPlane\.vipPool/);
    expect(platform.tenants).toEqual([]);
  });

  test('refused when its etcd chart would come from a source the platform does not declare (chart mirror)', () => {
    const { app, platform } = platformApp({ chartMirror: 'oci://harbor.example.com/charts' });
    const cluster = new TenantCluster(new Chart(app, 'mine'), 'acme', {
      version: 'v1.33.2',
      defaultImage: MachineImage.containerDisk(IMAGE),
      controlPlane: { vipPool: platform.controlPlaneVipPool },
      nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }],
    });
    expect(() => platform.registerTenantCluster(cluster)).toThrow(/^\[mine\/acme\] etcd\.chartRepository: the cluster's etcd chart comes from HelmRepository flux-system\/clastix, which the platform does not declare/);
  });

  test('accepted when it chose its own VIP pool, and its unit then waits for the cluster templates', () => {
    const { app, platform } = platformApp();
    const mine = new Chart(app, 'mine');
    const cluster = new TenantCluster(mine, 'acme', {
      version: 'v1.33.2',
      defaultImage: MachineImage.containerDisk(IMAGE),
      controlPlane: { vipPool: platform.controlPlaneVipPool },
      nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }],
    });
    platform.registerTenantCluster(cluster);
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'kmetal' });
    const kustomization = YAML.parse(fs.readFileSync(path.join(outdir, 'kmetal', 'clusters/under/apps-mine.yaml'), 'utf8'));
    expect(kustomization.spec.dependsOn).toEqual([{ name: platform.clusterTemplates.kustomizationName }]);
  });

  test('a cluster that took another platform\'s defaults is refused', () => {
    const a = platformApp();
    const b = new PlatformUnderCluster(a.app, 'other', { clusterName: 'other', releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests' });
    const cluster = new TenantCluster(new Chart(a.app, 'mine'), 'acme', { platform: a.platform, version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }] });
    expect(() => b.registerTenantCluster(cluster)).toThrow(/^\[mine\/acme\] platform: the cluster took the defaults of platform platform and cannot be registered with other/);
  });
});
