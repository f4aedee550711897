/**
 * The benchmark's fleet: a platform with N tenants, each a TenantCluster from one class with a
 * node pool and add-on labels, on the reference under cluster. Used by all three measured paths so
 * they emit the same objects.
 */
import { App } from 'cdk8s';
import { MachineImage, PlatformUnderCluster, TenantClusterClass } from '../lib';

/** Builds the fleet's construct tree (nothing is synthesized yet). */
export function buildFleet(tenants: number): { app: App; platform: PlatformUnderCluster } {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    permittedPciDevices: [{ resourceName: 'nvidia.com/GA102GL_A10', pciVendorSelector: '10DE:2236' }],
  });
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', {
    defaultVersion: 'v1.33.2',
    defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
  });
  const width = String(tenants).length;
  for (let i = 0; i < tenants; i++) {
    const name = `t${String(i).padStart(width, '0')}`;
    platform.addTenantCluster(name, {
      clusterClass: golden,
      labels: { 'kmetal.io/tier': i % 10 === 0 ? 'gpu' : 'standard', 'kmetal.io/addons': 'default' },
      nodePools: i % 10 === 0
        ? [{ name: 'gpu', replicas: 1, cpuCores: 8, memoryGiB: 32, gpus: [{ deviceName: 'nvidia.com/GA102GL_A10' }] }]
        : [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }],
    });
  }
  return { app, platform };
}
