// Edge islands: a central kMetal platform and three factories. Every factory gets an island, a small
// management cluster created by the central platform and running its own (nested) Kamaji, MetalLB
// and KubeVirt, installed by Flux on the island. The factories' tenant clusters are declared here,
// centrally, but their control planes, etcds and worker VMs run on the island of their factory, so
// the factory keeps working when its uplink is lost.
//
// Written as one Flux tree per cluster into dist/edge-factories/:
//   clusters/under/      + tenants/..., infrastructure/...     the central (under) cluster
//   clusters/factory-x/  + sites/factory-x/...                 the island of factory x
import { App } from 'cdk8s';
import { AddonProfile, ConformanceChecker, ControlPlaneVipPool, FluxTree, MachineImage, PlatformUnderCluster, TenantClusterProps } from '../../src';

const app = new App();
const image = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu-2404-kubeadm:v1.33.2');

const platform = new PlatformUnderCluster(app, 'platform', {
  releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
  chartMirror: 'oci://registry.example.com/kmetal-charts',
  defaultNodeImage: image,
  allowedKubernetesMinors: ['v1.33', 'v1.34'],
});
// The central VIP pool: API servers of the islands themselves (their control planes run centrally)
// and of tenants that stay central.
platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'central-api', { addresses: ['203.0.113.64/27'] });

// Every cluster, islands and factory tenants alike, gets its CNI from the central Sveltos.
new AddonProfile(platform.configs, 'cni', {
  mandatory: true,
  helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system', values: { kubeProxyReplacement: false } }],
});

// A tenant that stays central (ERP does not need to run on the shop floor).
platform.addTenantCluster('erp', {
  version: 'v1.33.2',
  nodePools: [{ name: 'general', replicas: 3, cpuCores: 8, memoryGiB: 32 }],
});

/** One factory: its island (a few VMs on the under cluster's nodes at the site) and its tenants. */
interface Factory {
  readonly site: string;
  /** The factory network's range for control-plane VIPs (announced by the island's MetalLB). */
  readonly vips: string;
  /** Island worker nodes (16 cores, 64 GiB each); one is kept spare by the capacity check. */
  readonly islandNodes: number;
  readonly tenants: Array<{ name: string } & TenantClusterProps>;
}

const line = (name: string, workers: number): { name: string } & TenantClusterProps => ({
  name,
  version: 'v1.33.2',
  labels: { 'kmetal.io/tier': 'shop-floor' },
  nodePools: [{ name: 'plc', replicas: workers, cpuCores: 4, memoryGiB: 8 }],
});

const factories: Factory[] = [
  {
    site: 'factory-a',
    vips: '10.10.0.64/27',
    islandNodes: 4,
    tenants: [line('a-assembly', 2), line('a-paint', 2), {
      name: 'a-quality',
      version: 'v1.33.2',
      labels: { 'kmetal.io/tier': 'shop-floor' },
      etcd: { replicas: 3, storageGiB: 4 },
      nodePools: [{ name: 'inspect', minReplicas: 1, maxReplicas: 3, cpuCores: 4, memoryGiB: 16 }],
    }],
  },
  { site: 'factory-b', vips: '10.20.0.64/27', islandNodes: 3, tenants: [line('b-packaging', 2), line('b-logistics', 2)] },
  { site: 'factory-c', vips: '10.30.0.64/27', islandNodes: 4, tenants: [line('c-foundry', 3), line('c-machining', 2), line('c-test', 1)] },
];

for (const f of factories) {
  const site = platform.addIslandSite(f.site, {
    controlPlaneVips: [f.vips],
    vipInterfaces: ['enp1s0'],
    // The under cluster's nodes that stand in the factory carry this label: the island's VMs run there.
    hostSelector: { 'kmetal.io/site': f.site },
    island: {
      version: 'v1.33.2',
      labels: { 'kmetal.io/tier': 'island' },
      controlPlane: { replicas: 2 },
      nodePools: [{ name: 'site', replicas: f.islandNodes, cpuCores: 16, memoryGiB: 64, rootDiskGiB: 100 }],
    },
  });
  for (const { name, ...props } of f.tenants) site.addTenantCluster(name, props);
}

const result = FluxTree.synth(app, { outdir: process.env.KMETAL_OUTDIR ?? 'dist', appName: 'edge-factories', conformance: ConformanceChecker.default() });
console.log(FluxTree.formatSummary(result));
// Which objects go where: one Flux tree per cluster.
for (const cluster of result.clusters) {
  const units = result.units.filter((u) => u.cluster === cluster);
  console.log(`  ${cluster}: ${units.length} units, ${units.reduce((n, u) => n + u.objectCount, 0)} objects (bootstrap/${cluster}.yaml)`);
}
for (const site of platform.islandSites) {
  const r = site.capacityReport();
  console.log(`  ${site.siteName}: ${site.tenants.length} tenants need ${(r.required.cpuMillicores / 1000).toFixed(1)} of ${(r.available.cpuMillicores / 1000).toFixed(1)} cores, `
    + `${(r.required.memoryMiB / 1024).toFixed(1)} of ${(r.available.memoryMiB / 1024).toFixed(1)} GiB on the island`);
}
