// The smallest useful kMetal platform output: a golden cluster class, one tenant cluster built from
// it and one declared object by object, written as a Flux tree into dist/quickstart/.
import { App } from 'cdk8s';
import { FluxTree, GitOpsUnit, HelmChartRepository, MachineImage, TenantCluster, TenantClusterClass } from '../../src';

const app = new App();

const sources = new GitOpsUnit(app, 'sources', { path: 'infrastructure/sources' });
const clastix = new HelmChartRepository(sources, 'clastix', { url: 'https://clastix.github.io/charts' });

const classes = new GitOpsUnit(app, 'classes', { path: 'infrastructure/classes', dependsOn: [sources] });
const golden = new TenantClusterClass(classes, 'golden', {
  defaultVersion: 'v1.33.2',
  defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
});

// A tenant from the golden class: one Cluster object.
const acme = new GitOpsUnit(app, 'acme', { path: 'tenants/acme', dependsOn: [classes] });
new TenantCluster(acme, 'acme', {
  clusterClass: golden,
  labels: { 'kmetal.io/tier': 'standard' },
  etcd: { chartRepository: clastix },
  nodePools: [{ name: 'general', replicas: 3, cpuCores: 4, memoryGiB: 8 }],
});

// A tenant declared without a class, with a GPU pool and a fixed API VIP.
const vision = new GitOpsUnit(app, 'vision', { path: 'tenants/vision', dependsOn: [sources] });
new TenantCluster(vision, 'vision', {
  version: 'v1.33.2',
  labels: { 'kmetal.io/tier': 'gpu' },
  controlPlane: { endpointAddress: '192.0.2.20' },
  etcd: { chartRepository: clastix },
  defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
  nodePools: [
    { name: 'system', replicas: 2 },
    { name: 'a10', replicas: 2, cpuCores: 16, memoryGiB: 64, gpus: [{ deviceName: 'nvidia.com/GA102GL_A10' }] },
  ],
});

const result = FluxTree.synth(app, { outdir: process.env.KMETAL_OUTDIR ?? 'dist', appName: 'quickstart' });
console.log(FluxTree.formatSummary(result));
