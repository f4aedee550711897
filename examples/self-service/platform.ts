// The platform of the self-service example, shared by examples/self-service/main.ts and the tests:
// what the platform team declares once (under cluster, network planes, golden class, boundaries,
// what tenants may choose from). Tenant teams add clusters through files in tenants/.
import { App } from 'cdk8s';
import {
  AddonProfile, ControlPlaneVipPool, MachineImage, NetworkPlanes, PlatformBoundaries, PlatformUnderCluster, TenantClusterClass, TenantRequestsOptions,
} from '../../src';

export const GPU = 'nvidia.com/GA100_A100_PCIE_80GB';

/** The platform of the example, and the options its requests are loaded with. */
export function selfServicePlatform(app: App): { platform: PlatformUnderCluster; options: TenantRequestsOptions } {
  const image = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.34.1');
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: image,
    allowedKubernetesMinors: ['v1.33', 'v1.34'],
    permittedPciDevices: [{ resourceName: GPU, pciVendorSelector: '10DE:20B5' }],
  });
  const planes = new NetworkPlanes(platform.configs, 'planes', {
    publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['metal-01', 'metal-02', 'metal-03'] },
    managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
    tenantCidrs: ['10.0.0.0/8'],
  });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['203.0.113.64/26'], planes, interfaces: ['eno2'] });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', {
    defaultVersion: 'v1.34.1',
    defaultImage: image,
    workerClasses: [{ name: 'worker', cpuCores: 4, memoryGiB: 16 }],
  });
  // What no tenant may exceed, whatever it asks for (checked by the constructs, on every cluster).
  new PlatformBoundaries(app, 'boundaries', {
    allowedKubernetesVersions: ['v1.33', 'v1.34'],
    maxReplicasPerPool: 10,
    maxNodesPerCluster: 20,
    maxGpusPerCluster: 4,
    allowedGpuDevices: ['nvidia.com/*'],
  });
  const options: TenantRequestsOptions = {
    clusterClass: golden,
    kubernetesReleases: ['v1.33.2', 'v1.34.1'],
    sizes: [
      { name: 'small', controlPlaneReplicas: 2, etcdReplicas: 3, etcdStorageGiB: 8 },
      { name: 'large', controlPlaneReplicas: 3, etcdReplicas: 3, etcdStorageGiB: 32 },
    ],
    nodeClasses: [
      { name: 'standard', cpuCores: 4, memoryGiB: 16 },
      { name: 'memory', cpuCores: 8, memoryGiB: 64 },
      { name: 'gpu-a100', cpuCores: 16, memoryGiB: 128, gpuDeviceName: GPU, maxGpusPerNode: 2 },
    ],
    addonCatalog: [
      { name: 'monitoring', helmCharts: [{ repositoryUrl: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '77.0.0', releaseNamespace: 'monitoring' }] },
      { name: 'ingress', helmCharts: [{ repositoryUrl: 'https://kubernetes.github.io/ingress-nginx', chart: 'ingress-nginx', version: '4.13.2', releaseNamespace: 'ingress-nginx' }] },
      { name: 'cert-manager', helmCharts: [{ repositoryUrl: 'https://charts.jetstack.io', chart: 'cert-manager', version: 'v1.18.2', releaseNamespace: 'cert-manager', values: { crds: { enabled: true } } }] },
    ],
    teams: [
      { name: 'shop', quota: { cpuCores: 120, memoryGiB: 480 }, loadBalancerAddresses: ['203.0.113.128/29'] },
      { name: 'vision', quota: { gpus: { [GPU]: 4 } }, loadBalancerAddresses: ['203.0.113.136/30'] },
      { name: 'data', loadBalancerAddresses: ['203.0.113.140/30'] },
    ],
    vpc: { planes },
  };
  return { platform, options };
}
