// A user's existing cdk8s program that installs cdk8s-kmetal from the packed tarball: a platform,
// a tenant in the user's own chart, the policy pack, conformance at synth, and a bad input that must
// come back as the library's error. Run by package-smoke.sh in a fresh folder; plain JavaScript on
// purpose (what the published package offers without this repository's TypeScript setup).
const assert = require('assert');
const fs = require('fs');
const { App, Chart } = require('cdk8s');
const k = require('cdk8s-kmetal');

const image = k.MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');
const app = new App();
const platform = new k.PlatformUnderCluster(app, 'platform', {
  releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
  defaultNodeImage: image,
});
platform.controlPlaneVipPool = new k.ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
new k.AddonProfile(platform.configs, 'cni', {
  mandatory: true,
  helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
});
const mine = new Chart(app, 'my-chart');
// No image of its own: the platform's defaults apply to a cluster declared with `platform`.
const tenant = new k.TenantCluster(mine, 'acme', { platform, version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
assert.deepStrictEqual(platform.tenants, [tenant]);
k.Policy.of(app).addPack(new k.PlatformPolicyPack());

const result = k.FluxTree.synth(app, { outdir: 'dist', appName: 'consumer', conformance: k.ConformanceChecker.default() });
console.log(k.FluxTree.formatSummary(result));
assert.ok(result.files.includes('apps/my-chart/cluster-acme.yaml'), 'the tenant of the user\'s chart is written to its default unit');
assert.ok(fs.existsSync('dist/consumer/bootstrap/under.yaml'), 'the bootstrap Kustomization is written');
assert.match(fs.readFileSync('dist/consumer/clusters/under/apps-my-chart.yaml', 'utf8'), /dependsOn:\n\s+- name: infrastructure-cluster-templates\n/,
  'the unit of the user\'s chart waits for the Cluster API providers');

let error;
try {
  new k.PlatformPolicyPack({ excludeRules: ['KM-XYZ-001'] });
} catch (e) {
  error = e;
}
assert.ok(k.isKmetalValidationError(error), `bad input gives the library's error, got ${error}`);
assert.match(error.message, /^\[<PlatformPolicyPack>\] excludeRules: .*Fix: /);
console.log('consumer.js: ok');
