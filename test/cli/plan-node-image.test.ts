import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { memoryIo } from './support/memory-io';
import { removeFolder } from './support/tree-builder';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ControlPlaneVipPool, FluxTree, HostProvisioning, HostUserData, NodeImage, PlatformUnderCluster,
  TenantClusterClass,
} from '../../src';
import { runKmetal } from '../../src/cli/main';

// One Kairos NodeImage for the tenants' worker VMs (containerDisk) and the under cluster's worker
// servers (raw disk image): `kmetal plan` must show a version bump rolling both.

function platformAt(version: string, outdir: string): string {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    allowedKubernetesMinors: ['v1.33'],
    provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
    kairosOperator: true,
  });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['192.0.2.64/27'] });
  new kplus.Namespace(platform.configs, 'kairos-ns', { metadata: { name: 'kairos-builds' } });
  const image = new NodeImage(platform.configs, 'node', {
    version,
    namespace: 'kairos-builds',
    kairos: {
      baseImage: 'ubuntu:24.04',
      kairosVersion: 'v3.6.0',
      artifactServer: { url: 'https://images.example.com/kairos' },
      containerDiskRepository: 'registry.example.com/kmetal/node-disk',
    },
  });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: image });
  platform.addTenantCluster('acme', { clusterClass: golden, nodePools: [{ name: 'general', replicas: 2 }] });
  new kplus.Namespace(platform.configs, 'metal3-ns', { metadata: { name: 'metal3' } });
  const servers = new BareMetalPool(platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}'), labels: { 'kmetal.io/role': 'worker' } });
  const provisioning = HostProvisioning.joinUnderCluster({ image, controlPlaneEndpoint: '192.168.10.5', userData: HostUserData.fromSecret() });
  for (const n of [4, 5]) {
    servers.addHost({ name: `metal-0${n}`, bmc: { address: `redfish-virtualmedia://192.168.20.${n}/redfish/v1/Systems/1` }, capacity: { cpuCores: 64, memoryGiB: 512 }, provisioning });
  }
  FluxTree.synth(app, { outdir, appName: 'app' });
  return path.join(outdir, 'app');
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-plan-image-'));
});
afterAll(() => removeFolder(tmp));

test('a NodeImage version bump rolls the worker VMs and re-images the worker servers', async () => {
  const before = platformAt('v1.4.0', path.join(tmp, 'a'));
  const after = platformAt('v1.5.0', path.join(tmp, 'b'));
  const json = memoryIo();
  expect(await runKmetal(['plan', before, after, '--json'], json)).toBe(1);
  const doc = JSON.parse(json.out());
  const changes = [...doc.tenants, ...doc.components].flatMap((g: any) => g.changes);

  // The VMs: the class's worker machine template takes the new containerDisk, so acme's workers roll.
  const acme = doc.tenants.find((t: any) => t.name === 'acme');
  expect(acme.effects).toEqual(['rolls-machines']);
  expect(acme.machines).toBe(2);
  const cluster = acme.changes.find((c: any) => c.kind === 'Cluster');
  expect(cluster.detail).toBe('variables workerImage (read only by the worker templates of class golden: general rolls, the control plane is untouched)');
  expect(doc.summary.byEffect['reconfigures-control-plane']).toBeUndefined();

  // The servers: each BareMetalHost gets the new raw image; Metal3 deprovisions and provisions it again.
  const hosts = changes.filter((c: any) => c.kind === 'BareMetalHost');
  expect(hosts.map((c: any) => c.name).sort()).toEqual(['metal-04', 'metal-05']);
  for (const h of hosts) {
    expect(h.effects).toEqual(['rolls-machines']);
    expect(h.machines).toBe(1);
    expect(h.detail).toBe('server re-imaged: https://images.example.com/kairos/node-v1-4-0.raw → https://images.example.com/kairos/node-v1-5-0.raw (Metal3 deprovisions, cleans and provisions it again; its workloads go with it)');
  }
  // The image is built once per version: the new OSArtifact appears, the old one leaves.
  const artifacts = changes.filter((c: any) => c.kind === 'OSArtifact').map((c: any) => `${c.name} ${c.effects[0]}`).sort();
  expect(artifacts).toEqual(['node-v1-4-0 destroyed', 'node-v1-5-0 created']);

  const text = memoryIo();
  await runKmetal(['plan', before, after], text);
  expect(text.out()).toMatch(/acme: rolls 2 worker machines/);
  // The two re-imaged servers count as machines of the platform's configs unit.
  expect(text.out()).toMatch(/infrastructure\/configs: rolls 2 worker machines/);
});
