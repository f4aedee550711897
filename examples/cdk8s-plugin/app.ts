// A plain cdk8s app (no Flux tree): `cdk8s synth` writes its manifests into dist/ and then runs the
// cdk8s-kmetal validation plugin declared in cdk8s.yaml over them. Run it from this folder:
//
//   npx cdk8s synth                             fails (exit code 2): KM-TEN-002 on the lab cluster
//   KMETAL_EXAMPLE_FIXED=1 npx cdk8s synth      passes
//
// (Named app.ts, not main.ts: `npx projen synth:examples` writes Flux trees; this example is for the CLI.)
import { App, Chart } from 'cdk8s';
import { AddonProfile, MachineImage, PruneProtection, TenantCluster } from '../../src';

const app = new App();
const chart = new Chart(app, 'tenants');
// Every tenant cluster gets the CNI (policy rule KM-TEN-006 wants mandatory add-ons).
new AddonProfile(chart, 'cni', {
  mandatory: true,
  helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
});
const image = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

new TenantCluster(chart, 'acme', {
  version: 'v1.33.2',
  defaultImage: image,
  nodePools: [{ name: 'general', replicas: 3, cpuCores: 4, memoryGiB: 8 }],
});

// The deliberate violation: one API server makes every drain of an under-cluster node an outage of
// the lab's API (policy rule KM-TEN-002). KMETAL_EXAMPLE_FIXED=1 gives it two.
new TenantCluster(chart, 'lab', {
  version: 'v1.33.2',
  defaultImage: image,
  controlPlane: { replicas: process.env.KMETAL_EXAMPLE_FIXED ? 2 : 1 },
  nodePools: [{ name: 'general', replicas: 1 }],
});

// Stateful objects (clusters, etcd, namespaces) must not be pruned by Flux when they leave git (KM-DATA-001).
PruneProtection.applyTo(app);

app.synth();
