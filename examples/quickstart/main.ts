// The smallest useful kMetal platform: the under cluster's components and one tenant cluster,
// written as a Flux tree into dist/quickstart/.
import { App } from 'cdk8s';
import { AddonProfile, ConformanceChecker, ControlPlaneVipPool, FluxTree, MachineImage, PlatformPolicyPack, PlatformUnderCluster, Policy } from '../../src';

const app = new App();

const platform = new PlatformUnderCluster(app, 'platform', {
  // KubeVirt, CDI and the Metal3 operator publish release manifests, not charts: Flux pulls them as
  // OCI artifacts from your registry (see README, "Release manifests").
  releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
  defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
});

// Each tenant's API server is a LoadBalancer Service: MetalLB hands out its VIP from this pool (a
// range of the network the under cluster's nodes are on) and announces it.
platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });

// Every tenant cluster needs a CNI: a mandatory add-on profile installs it (Sveltos).
new AddonProfile(platform.configs, 'cni', {
  mandatory: true,
  helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
});

platform.addTenantCluster('acme', {
  version: 'v1.33.2',
  nodePools: [{ name: 'general', replicas: 3, cpuCores: 4, memoryGiB: 8 }],
});

// The platform's policy rules run at synth: an unsafe platform fails before anything is written, and
// stateful objects (namespaces, clusters, etcd) are protected from Flux pruning.
Policy.of(app).addPack(new PlatformPolicyPack());

const result = FluxTree.synth(app, { outdir: process.env.KMETAL_OUTDIR ?? 'dist', appName: 'quickstart', conformance: ConformanceChecker.default() });
console.log(`${platform.tenants.length} tenant; ${FluxTree.formatSummary(result)}`);
