import { ApiObject, App, Chart } from 'cdk8s';
import { cleanupTempDirs, tempDir } from './fixture';
import { FluxTree, GitOpsUnit, isKmetalValidationError, MachineImage, PlatformUnderCluster, TenantCluster } from '../../src';

afterEach(() => cleanupTempDirs());

function platformApp() {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
  });
  platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }] });
  return { app, platform };
}

const FIX = 'Fix: declare every construct before FluxTree.synth, which a program calls last; or build the app anew and synthesize it again';

describe('declarations after FluxTree.synth are refused, not silently missing', () => {
  test('a tenant added after synth: KmetalValidationError naming the platform, the tenant and the fix', () => {
    const { app, platform } = platformApp();
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'kmetal', reconcile: false });
    let error: any;
    try {
      platform.addTenantCluster('late', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }] });
    } catch (e) {
      error = e;
    }
    expect(isKmetalValidationError(error)).toBe(true);
    expect(error.message).toBe(`[platform] late declaration: tenant cluster "late" is declared after FluxTree.synth wrote ${outdir}/kmetal, so the tree that was written (and every check that ran) does not have it. ${FIX}`);
  });

  test('registering a tenant cluster after synth is refused too', () => {
    const { app, platform } = platformApp();
    const chart = new Chart(app, 'mine');
    const cluster = new TenantCluster(chart, 'globex', { version: 'v1.33.2', defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'), nodePools: [{ name: 'general', replicas: 1, cpuCores: 2, memoryGiB: 4 }] });
    FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal', reconcile: false });
    expect(() => platform.registerTenantCluster(cluster)).toThrow(/^\[platform\] late declaration: the registration of tenant cluster "mine\/globex" is declared after FluxTree.synth wrote/);
  });

  test('any construct added anywhere in the app after synth names its own path', () => {
    const app = new App();
    const unit = new GitOpsUnit(app, 'apps', { path: 'apps' });
    new ApiObject(unit, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal' });
    expect(() => new ApiObject(unit, 'late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'apps' } }))
      .toThrow(/^\[apps\] late declaration: ApiObject "apps\/late" is declared after FluxTree.synth wrote .*Fix: declare every construct before FluxTree.synth/);
    expect(() => new Chart(app, 'late-chart')).toThrow(/^\[<app>\] late declaration: Chart "late-chart" is declared after/);
  });

  test('synthesizing the same app again still works; a failed synth does not seal the app', () => {
    const app = new App();
    const unit = new GitOpsUnit(app, 'apps', { path: 'apps' });
    new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'missing' } });
    const outdir = tempDir();
    expect(() => FluxTree.synth(app, { outdir, appName: 'kmetal' })).toThrow(/missing-namespace/);
    new ApiObject(unit, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'missing' } });
    const first = FluxTree.synth(app, { outdir, appName: 'kmetal' });
    const second = FluxTree.synth(app, { outdir, appName: 'kmetal' });
    expect(second.files).toEqual(first.files);
    expect(second.filesWritten).toBe(0);
  });
});
