import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { expectError, ipmiHost, redfishHost } from './fixtures';
import {
  BareMetalPool, BmcCredentials, FluxTree, HostProvisioning, HostProvisioningOptions, HostUserData, JOIN_TOKEN_MARKER, MetalImage, NodeImage,
  PlatformUnderCluster, RaidLevel, ReconcileChecker, ReconcileSeverity,
} from '../../src';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const KAIROS = {
  baseImage: 'ubuntu:24.04',
  kairosVersion: 'v3.6.0',
  extraLayers: ['registry.example.com/kmetal/provider-kubeadm:v4.9.8-amd64'],
  artifactServer: { url: 'https://images.example.com/kairos' },
  containerDiskRepository: 'registry.example.com/kmetal/node-disk',
};

function workerProvisioning(image: NodeImage | MetalImage, extra: Partial<HostProvisioningOptions> = {}): HostProvisioning {
  return HostProvisioning.joinUnderCluster({
    image,
    controlPlaneEndpoint: '192.168.10.5',
    userData: HostUserData.fromSecret(),
    ...extra,
  });
}

function pool(chart: Chart, id = 'servers'): BareMetalPool {
  return new BareMetalPool(chart, id, { namespace: 'metal3', labels: { 'kmetal.io/role': 'worker' } });
}

/** The parsed cloud-config of a host (the token marker made a YAML string). */
function cloudConfig(template: string): any {
  expect(template.startsWith('#cloud-config\n')).toBe(true);
  return YAML.parse(template.split(JOIN_TOKEN_MARKER).join('"TOKEN"'));
}

describe('a worker server gets the image and the labels it needs', () => {
  const { chart } = newChart();
  const image = new NodeImage(chart, 'node', { version: 'v1.33.2', kairos: KAIROS });
  const servers = pool(chart);
  const host = servers.addHost(redfishHost(4, { labels: { 'kmetal.io/gpu': 'a100' }, provisioning: workerProvisioning(image, { nodeLabels: { 'kmetal.io/rack': 'r12' } }) }));
  const objects = chart.toJson();
  const bmh = findObject(objects, 'BareMetalHost', 'node-4');

  test('BareMetalHost spec.image is the NodeImage\'s raw disk image, verified by its sha256 file', () => {
    expect(bmh.spec.image).toEqual({
      url: 'https://images.example.com/kairos/node-v1-33-2.raw',
      checksum: 'https://images.example.com/kairos/node-v1-33-2.raw.sha256',
      checksumType: 'sha256',
      format: 'raw',
    });
    expect(host.image).toBe(image.metal);
    expect(conformanceErrors(objects)).toBe('');
  });

  test('the same NodeImage is the VMs\' containerDisk: one pipeline for both', () => {
    expect(image.containerDiskImage).toBe('registry.example.com/kmetal/node-disk:v1.33.2');
    expect(ofKind(objects, 'OSArtifact')).toHaveLength(1);
  });

  test('user data is a Secret reference the reconcile check knows is made outside the tree', () => {
    expect(bmh.spec.userData).toEqual({ name: 'node-4-user-data', namespace: 'metal3' });
    expect(bmh.metadata.annotations['reconcile.kmetal.io/out-of-band']).toBe('Secret/node-4-bmc,Secret/node-4-user-data');
    // Nothing in the tree holds the cloud-config or a token.
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toContain('cluster_token');
  });

  test('node labels: the host\'s labels (pool label included) and the provisioning\'s, sorted', () => {
    expect(host.nodeLabels).toEqual({ 'kmetal.io/gpu': 'a100', 'kmetal.io/pool': 'servers', 'kmetal.io/rack': 'r12', 'kmetal.io/role': 'worker' });
  });

  test('the Kairos cloud-config joins the under cluster as a worker named after the host, with those labels as kubelet --node-labels', () => {
    const config = cloudConfig(host.cloudConfigTemplate!);
    expect(config.hostname).toBe('node-4');
    expect(config.cluster).toEqual({
      cluster_token: 'TOKEN',
      control_plane_host: '192.168.10.5:6443',
      role: 'worker',
      config: expect.any(String),
    });
    expect(YAML.parse(config.cluster.config)).toEqual({
      joinConfiguration: { nodeRegistration: { kubeletExtraArgs: [{ name: 'node-labels', value: 'kmetal.io/gpu=a100,kmetal.io/pool=servers,kmetal.io/rack=r12,kmetal.io/role=worker' }] } },
    });
  });

  test('a host without provisioning stays in the pool: no image, no user data', () => {
    const { chart: c } = newChart();
    const h = pool(c).addHost(redfishHost(1));
    const spec = findObject(c.toJson(), 'BareMetalHost', 'node-1').spec;
    expect(spec.image).toBeUndefined();
    expect(spec.userData).toBeUndefined();
    expect(h.nodeLabels).toBeUndefined();
  });
});

describe('user data rendered by external-secrets', () => {
  const { chart } = newChart();
  const image = MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.raw', checksum: 'a'.repeat(64) });
  const host = pool(chart).addHost(redfishHost(5, {
    provisioning: workerProvisioning(image, { userData: HostUserData.fromExternalSecret({ storeName: 'vault', remoteKey: 'kmetal/join', property: 'value' }), controlPlaneEndpoint: 'api.platform.example.com:7443' }),
  }));
  const objects = chart.toJson();

  test('an ExternalSecret per host writes the Secret: the cloud-config template from git, the token from the store', () => {
    const es = findObject(objects, 'ExternalSecret', 'node-5-user-data');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'kmetal/join', property: 'value' } }]);
    expect(es.spec.target.template.engineVersion).toBe('v2');
    expect(es.spec.target.template.metadata.labels).toEqual({ 'environment.metal3.io': 'baremetal' });
    const userData: string = es.spec.target.template.data.userData;
    expect(userData).toBe(host.cloudConfigTemplate);
    expect(userData).toContain('cluster_token: {{ .token | toJson }}');
    expect(userData).toContain('control_plane_host: api.platform.example.com:7443');
    expect(host.userDataExternalSecret).toBeDefined();
  });

  test('the BareMetalHost lists only the BMC Secret as out-of-band (the ExternalSecret makes the user data)', () => {
    const bmh = findObject(objects, 'BareMetalHost', 'node-5');
    expect(bmh.metadata.annotations['reconcile.kmetal.io/out-of-band']).toBe('Secret/node-5-bmc');
    expect(bmh.spec.userData).toEqual({ name: 'node-5-user-data', namespace: 'metal3' });
  });
});

describe('provisioning, bad inputs', () => {
  const image = MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.raw', checksum: 'a'.repeat(64) });

  test('a label kubelet refuses in --node-labels (the server would never join)', () => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(redfishHost(1, { provisioning: workerProvisioning(image, { nodeLabels: { 'node-role.kubernetes.io/worker': '' } }) })),
      'test/servers/node-1', 'provisioning.nodeLabels.node-role.kubernetes.io/worker', /kubelet refuses/);
  });

  test('a host label kubelet refuses is reported as the host\'s label', () => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(redfishHost(1, { labels: { 'kubernetes.io/role': 'worker' }, provisioning: workerProvisioning(image) })),
      'test/servers/node-1', 'labels.kubernetes.io/role', /kubelet refuses/);
  });

  test('an endpoint that is not host[:port]', () => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(redfishHost(1, { provisioning: workerProvisioning(image, { controlPlaneEndpoint: 'https://10.0.0.1:6443' }) })),
      'test/servers/node-1', 'provisioning.controlPlaneEndpoint', /is not a host or host:port/);
    const { chart: c2 } = newChart();
    expectError(() => pool(c2).addHost(redfishHost(1, { provisioning: workerProvisioning(image, { controlPlaneEndpoint: '10.0.0.1:70000' }) })),
      'test/servers/node-1', 'provisioning.controlPlaneEndpoint', /not a TCP port/);
  });

  test('a user data Secret name without {host}, or a token given as text', () => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(redfishHost(1, { provisioning: workerProvisioning(image, { userData: HostUserData.fromSecret('user-data') }) })),
      'test/servers/node-1', 'provisioning.userData.secretName', /with \{host\} in it/);
    const { chart: c2 } = newChart();
    const err = expectError(() => pool(c2).addHost(redfishHost(1, { provisioning: workerProvisioning(image, { userData: 'K10abc::server:secret' as any }) })),
      'test/servers/node-1', 'provisioning.userData', /is not a HostUserData/);
    expect(err.message).not.toContain('K10abc');
  });

  test('a NodeImage without a bare-metal image', () => {
    const { chart } = newChart();
    const vmOnly = new NodeImage(chart, 'vm-only', { version: 'v1.0.0', containerDisk: 'registry.example.com/node:{version}' });
    expectError(() => pool(chart).addHost(redfishHost(1, { provisioning: workerProvisioning(vmOnly) })), 'test/servers/node-1', 'image', /has no bare-metal image/);
  });

  test('a provisioned host kept powered off', () => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(redfishHost(1, { online: false, provisioning: workerProvisioning(image) })), 'test/servers/node-1', 'online', /provisions only hosts that are online/);
  });

  test('a misspelt option', () => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(redfishHost(1, { provisioning: HostProvisioning.joinUnderCluster({ image, controlPlaneEndpoint: '10.0.0.1', userData: HostUserData.fromSecret(), nodelabels: {} } as any) })),
      'test/servers/node-1', 'provisioning.nodelabels', /not a property of HostProvisioningOptions/);
  });
});

describe('the inception control plane: externally provisioned', () => {
  test('Metal3 manages only its power: externallyProvisioned, no image, no user data', () => {
    const { chart } = newChart();
    const host = pool(chart).addHost(redfishHost(1, { externallyProvisioned: true }));
    const objects = chart.toJson();
    const spec = findObject(objects, 'BareMetalHost', 'node-1').spec;
    expect(spec.externallyProvisioned).toBe(true);
    expect(spec.image).toBeUndefined();
    expect(host.externallyProvisioned).toBe(true);
    expect(conformanceErrors(objects)).toBe('');
  });

  test('with provisioning, RAID or BIOS settings it is refused: Metal3 would never apply them', () => {
    const { chart } = newChart();
    const servers = pool(chart);
    const image = MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.raw', checksum: 'a'.repeat(64) });
    expectError(() => servers.addHost(redfishHost(1, { externallyProvisioned: true, provisioning: workerProvisioning(image) })), 'test/servers/node-1', 'provisioning', /never provisions it/);
    expectError(() => servers.addHost(redfishHost(2, { externallyProvisioned: true, raid: { softwareVolumes: [{ level: RaidLevel.RAID1 }] } })), 'test/servers/node-2', 'raid', /never prepares it/);
  });
});

describe('RAID as code, checked against the BMC driver and Ironic', () => {
  test('hardware RAID on a Redfish host is emitted as BareMetalHost spec.raid and passes the CRD', () => {
    const { chart } = newChart();
    pool(chart).addHost(redfishHost(1, {
      raid: { hardwareVolumes: [{ level: RaidLevel.RAID1, name: 'os', sizeGiB: 400, numberOfPhysicalDisks: 2 }, { level: RaidLevel.RAID5, name: 'data', controller: 'RAID.Integrated.1-1', physicalDisks: ['d1', 'd2', 'd3'] }] },
    }));
    const objects = chart.toJson();
    expect(findObject(objects, 'BareMetalHost', 'node-1').spec.raid).toEqual({
      hardwareRAIDVolumes: [
        { level: '1', name: 'os', sizeGibibytes: 400, numberOfPhysicalDisks: 2 },
        { level: '5', name: 'data', numberOfPhysicalDisks: 3, controller: 'RAID.Integrated.1-1', physicalDisks: ['d1', 'd2', 'd3'] },
      ],
    });
    expect(conformanceErrors(objects)).toBe('');
  });

  test('software RAID works with any driver (the Ironic agent builds it)', () => {
    const { chart } = newChart();
    pool(chart).addHost(ipmiHost(2, { raid: { softwareVolumes: [{ level: RaidLevel.RAID1, physicalDiskNames: ['/dev/sda', '/dev/sdb'] }, { level: RaidLevel.RAID0 }] } }));
    const objects = chart.toJson();
    expect(findObject(objects, 'BareMetalHost', 'ipmi-2').spec.raid).toEqual({
      softwareRAIDVolumes: [{ level: '1', physicalDisks: [{ deviceName: '/dev/sda' }, { deviceName: '/dev/sdb' }] }, { level: '0' }],
    });
    expect(conformanceErrors(objects)).toBe('');
  });

  const cases: Array<[string, () => any, string, string, RegExp]> = [
    ['hardware RAID through IPMI (no RAID interface)', () => ipmiHost(2, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID1 }] } }), 'ipmi-2', 'raid.hardwareVolumes', /ipmi cannot configure hardware RAID/],
    ['RAID 2, in the CRD enum but built by no Ironic driver', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID2 }] } }), 'node-1', 'raid.hardwareVolumes[0].level', /not built by Ironic's Redfish RAID interface/],
    ['RAID 1 over three disks', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID1, numberOfPhysicalDisks: 3 }] } }), 'node-1', 'raid.hardwareVolumes[0].numberOfPhysicalDisks', /needs exactly 2 disks, not 3/],
    ['RAID 6 over three disks', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID6, controller: 'c', physicalDisks: ['a', 'b', 'c'] }] } }), 'node-1', 'raid.hardwareVolumes[0].numberOfPhysicalDisks', /needs at least 4 disks, not 3/],
    ['RAID 10 over five disks', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID10, numberOfPhysicalDisks: 5 }] } }), 'node-1', 'raid.hardwareVolumes[0].numberOfPhysicalDisks', /an even number/],
    ['physicalDisks without a controller', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID1, physicalDisks: ['a', 'b'] }] } }), 'node-1', 'raid.hardwareVolumes[0].controller', /without the controller/],
    ['a disk count that contradicts the disks named', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID5, controller: 'c', numberOfPhysicalDisks: 4, physicalDisks: ['a', 'b', 'c'] }] } }), 'node-1', 'raid.hardwareVolumes[0].numberOfPhysicalDisks', /4 disks are asked for but 3/],
    ['two volumes of one name', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID1, name: 'os' }, { level: RaidLevel.RAID0, name: 'os' }] } }), 'node-1', 'raid.hardwareVolumes[1].name', /also the name of volume 0/],
    ['hardware and software RAID together', () => redfishHost(1, { raid: { hardwareVolumes: [{ level: RaidLevel.RAID1 }], softwareVolumes: [{ level: RaidLevel.RAID1 }] } }), 'node-1', 'raid.softwareVolumes', /both given/],
    ['a first software volume that is not RAID 1', () => redfishHost(1, { raid: { softwareVolumes: [{ level: RaidLevel.RAID0 }] } }), 'node-1', 'raid.softwareVolumes[0].level', /must be RAID1/],
    ['software RAID 5', () => redfishHost(1, { raid: { softwareVolumes: [{ level: RaidLevel.RAID1 }, { level: RaidLevel.RAID5 }] } }), 'node-1', 'raid.softwareVolumes[1].level', /levels 0, 1 and 1\+0/],
    ['three software volumes', () => redfishHost(1, { raid: { softwareVolumes: [{ level: RaidLevel.RAID1 }, { level: RaidLevel.RAID1 }, { level: RaidLevel.RAID0 }] } }), 'node-1', 'raid.softwareVolumes', /one or two/],
    ['a software volume over one disk', () => redfishHost(1, { raid: { softwareVolumes: [{ level: RaidLevel.RAID1, physicalDiskNames: ['/dev/sda'] }] } }), 'node-1', 'raid.softwareVolumes[0].physicalDiskNames', /fewer than two disks/],
  ];
  test.each(cases)('refused: %s', (_, spec, name, field, text) => {
    const { chart } = newChart();
    expectError(() => pool(chart).addHost(spec()), `test/servers/${name}`, field, text);
  });
});

describe('BIOS settings as code (HostFirmwareSettings)', () => {
  test('a HostFirmwareSettings named after the host, valid against the pinned CRD', () => {
    const { chart } = newChart();
    const host = pool(chart).addHost(redfishHost(1, { firmwareSettings: { SriovGlobalEnable: 'Enabled', ProcVirtualization: 'Enabled', NetworkBootRetryCount: 20 as any } }));
    const objects = chart.toJson();
    const hfs = findObject(objects, 'HostFirmwareSettings', 'node-1');
    expect(hfs.metadata.namespace).toBe('metal3');
    expect(hfs.spec.settings).toEqual({ NetworkBootRetryCount: '20', ProcVirtualization: 'Enabled', SriovGlobalEnable: 'Enabled' });
    expect(host.hostFirmwareSettings).toBeDefined();
    expect(conformanceErrors(objects)).toBe('');
  });

  test('refused through IPMI (no BIOS interface), and a BIOS password is never written', () => {
    const { chart } = newChart();
    const servers = pool(chart);
    expectError(() => servers.addHost(ipmiHost(2, { firmwareSettings: { ProcVirtualization: 'Enabled' } })), 'test/servers/ipmi-2', 'firmwareSettings', /cannot change BIOS settings/);
    const err = expectError(() => servers.addHost(redfishHost(3, { firmwareSettings: { AdminPassword: 'hunter2' } })), 'test/servers/node-3', 'firmwareSettings.AdminPassword', /given as plain text/);
    expect(err.message).not.toContain('hunter2');
    // A name that looks like a secret, without a credential-like value, is refused by the settings check.
    const named = expectError(() => servers.addHost(redfishHost(4, { firmwareSettings: { SecretBootToggle: 'Enabled' } })), 'test/servers/node-4', 'firmwareSettings.SecretBootToggle', /BIOS password/);
    expect(named.message).not.toContain('Enabled');
  });
});

describe('the under cluster\'s servers reconcile', () => {
  function synthesize(kairosOperator: boolean): ReturnType<typeof ReconcileChecker.checkDirectory> {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-host-provisioning-'));
    try {
      const app = new App();
      const platform = new PlatformUnderCluster(app, 'platform', {
        releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
        provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
        kairosOperator,
      });
      new kplus.Namespace(platform.configs, 'metal3-ns', { metadata: { name: 'metal3' } });
      new kplus.Namespace(platform.configs, 'kairos-ns', { metadata: { name: 'kairos-builds' } });
      const image = new NodeImage(platform.configs, 'node', { version: 'v1.33.2', namespace: 'kairos-builds', kairos: KAIROS });
      const servers = new BareMetalPool(platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
      servers.addHost({ ...redfishHost(4), bmc: { address: 'redfish-virtualmedia://10.10.0.4/redfish/v1/Systems/1' }, provisioning: workerProvisioning(image), firmwareSettings: { ProcVirtualization: 'Enabled' } });
      FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
      return ReconcileChecker.checkDirectory(path.join(outdir, 'app'));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  test('a provisioned host\'s image, user data and firmware settings are found by the reconcile check; the Kairos operator builds the image', () => {
    const findings = synthesize(true);
    expect(findings.filter((f) => f.severity !== ReconcileSeverity.INFO)).toEqual([]);
    expect(findings.filter((f) => f.kind === 'BareMetalHost').map((f) => f.target).sort()).toEqual(['Secret metal3/bmc-node-4', 'Secret metal3/node-4-user-data']);
  });

  test('an OSArtifact on a cluster without the Kairos operator is an error: no image is ever built', () => {
    const errors = synthesize(false).filter((f) => f.severity === ReconcileSeverity.ERROR);
    expect(errors.map((f) => `${f.kind} ${f.target}`)).toEqual(['OSArtifact kairos-operator']);
    expect(errors[0].fix).toContain('kairosOperator: true');
  });
});
