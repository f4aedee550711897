import { Chart } from 'cdk8s';
import {
  BareMetalPool, CpuArchitecture, ImageChecksumType, KubernetesDistribution, MetalDiskFormat, NodeImage, NodeImageProps, TenantCluster,
} from '../../src';
import { expectError, ipmiHost } from '../baremetal/fixtures';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const KAIROS = {
  baseImage: 'ubuntu:24.04',
  kairosVersion: 'v3.6.0',
  kubernetesDistribution: KubernetesDistribution.K3S,
  kubernetesVersion: 'v1.33.2+k3s1',
  extraLayers: ['quay.io/kairos/community-bundles:kubevirt_latest@sha256:' + 'c'.repeat(64)],
  publishTo: { registry: 'registry.example.com', repository: 'platform/kairos-node', credentialsSecretName: 'registry-push' },
  artifactServer: { url: 'http://images.example.com/kairos/', uploadUrl: 'http://kairos-operator-nginx.kairos.svc' },
};

function image(chart: Chart, props: Partial<NodeImageProps>, id = 'worker'): NodeImage {
  return new NodeImage(chart, id, { version: 'v1.4.0', ...props });
}

describe('NodeImage built with Kairos', () => {
  const { chart } = newChart();
  const node = image(chart, { kairos: KAIROS, namespace: 'kairos-builds', vmDiskGiB: 40 });
  const objects = chart.toJson();

  test('emits one OSArtifact, valid against the pinned CRD', () => {
    expect(objects.map((o) => o.kind)).toEqual(['OSArtifact']);
    expect(conformanceErrors(objects)).toBe('');
    expect(node.osArtifact).toBeDefined();
  });

  test('the OSArtifact builds the version from the base image, Kairos and Kubernetes, pushes it, and makes a raw cloud image', () => {
    const a = findObject(objects, 'OSArtifact', 'worker-v1-4-0');
    expect(a.apiVersion).toBe('build.kairos.io/v1alpha2');
    expect(a.metadata).toEqual({ name: 'worker-v1-4-0', namespace: 'kairos-builds', labels: { 'kmetal.io/node-image': 'worker' }, annotations: { 'kmetal.io/node-image-version': 'v1.4.0' } });
    expect(a.spec.image).toEqual({
      buildOptions: { version: 'v3.6.0', baseImage: 'ubuntu:24.04', kubernetesDistro: 'k3s', kubernetesVersion: 'v1.33.2+k3s1' },
      buildImage: { registry: 'registry.example.com', repository: 'platform/kairos-node', tag: 'v1.4.0' },
      push: true,
      imageCredentialsSecretRef: { name: 'registry-push' },
    });
    expect(a.spec.artifacts).toEqual({ arch: 'amd64', cloudImage: true, bundles: KAIROS.extraLayers });
    expect(node.osImage).toBe('registry.example.com/platform/kairos-node:v1.4.0');
  });

  test('an exporter publishes the raw image and its sha256sum to the artifact server', () => {
    const [exporter] = findObject(objects, 'OSArtifact', 'worker-v1-4-0').spec.exporters;
    const container = exporter.template.spec.containers[0];
    expect(container.image).toBe('curlimages/curl:8.11.1');
    expect(container.env).toEqual([{ name: 'UPLOAD_URL', value: 'http://kairos-operator-nginx.kairos.svc' }]);
    expect(container.volumeMounts).toEqual([{ name: 'artifacts', mountPath: '/artifacts', readOnly: true }]);
    expect(container.args[0]).toContain('sha256sum worker-v1-4-0.raw > /tmp/worker-v1-4-0.raw.sha256');
    expect(container.args[0]).toContain('curl -fsS -T worker-v1-4-0.raw "$UPLOAD_URL/worker-v1-4-0.raw"');
    expect(container.args[0]).toContain('curl -fsS -T /tmp/worker-v1-4-0.raw.sha256 "$UPLOAD_URL/worker-v1-4-0.raw.sha256"');
  });

  test('the metal side: disk URL, checksum file, sha256, raw', () => {
    expect(node.metal).toEqual({
      url: 'http://images.example.com/kairos/worker-v1-4-0.raw',
      checksum: 'http://images.example.com/kairos/worker-v1-4-0.raw.sha256',
      checksumType: 'sha256',
      format: 'raw',
    });
    expect(node.bindToBareMetal(chart)).toBe(node.metal);
  });

  test('the VM side: CDI imports the same raw disk (no containerDisk repository given)', () => {
    const disk = node.bindToVirtualMachine(chart, { volumeName: 'rootdisk' });
    expect(node.imageRef).toBe('http://images.example.com/kairos/worker-v1-4-0.raw');
    expect(node.containerDiskImage).toBeUndefined();
    expect(disk.volume).toEqual({ name: 'rootdisk', dataVolume: { name: 'rootdisk' } });
    expect(disk.dataVolumeTemplate.spec.source).toEqual({ http: { url: 'http://images.example.com/kairos/worker-v1-4-0.raw' } });
    expect(disk.dataVolumeTemplate.spec.storage.resources.requests.storage).toBe('40Gi');
  });
});

describe('NodeImage built with Kairos, variants', () => {
  test('a containerDisk repository: VMs boot <repository>:<version>', () => {
    const { chart } = newChart();
    const node = image(chart, { kairos: { ...KAIROS, containerDiskRepository: 'registry.example.com/platform/node-disk' } });
    expect(node.containerDiskImage).toBe('registry.example.com/platform/node-disk:v1.4.0');
    expect(node.bindToVirtualMachine(chart, { volumeName: 'rootdisk' }).volume).toEqual({ name: 'rootdisk', containerDisk: { image: 'registry.example.com/platform/node-disk:v1.4.0' } });
  });

  test('a prebuilt Kairos image on arm64: only the disk image is made', () => {
    const { chart } = newChart();
    image(chart, { kairos: { prebuiltImage: 'quay.io/kairos/ubuntu:24.04-standard-arm64-generic-v3.6.0-k3sv1.33.2-k3s1', architecture: CpuArchitecture.ARM64, artifactServer: { url: 'https://images.example.com' } } });
    const a = findObject(chart.toJson(), 'OSArtifact', 'worker-v1-4-0');
    expect(a.spec.image).toEqual({ ref: 'quay.io/kairos/ubuntu:24.04-standard-arm64-generic-v3.6.0-k3sv1.33.2-k3s1' });
    expect(a.spec.artifacts).toEqual({ arch: 'arm64', cloudImage: true });
    expect(conformanceErrors(chart.toJson())).toBe('');
  });

  test('refused: unpinned or latest images, both or neither source, build-only options on a prebuilt image', () => {
    const { chart } = newChart();
    expectError(() => image(chart, { kairos: { ...KAIROS, baseImage: 'ubuntu' } }, 'a'), 'test/a', 'kairos.baseImage', /not pinned \(no tag or digest\)/);
    expectError(() => image(chart, { kairos: { ...KAIROS, baseImage: 'ubuntu:latest' } }, 'b'), 'test/b', 'kairos.baseImage', /not pinned \(tag "latest"\).*allowMutableTag: true/);
    expectError(() => image(chart, { kairos: { ...KAIROS, extraLayers: ['quay.io/kairos/bundle'] } }, 'c'), 'test/c', 'kairos.extraLayers[0]', /not pinned/);
    expectError(() => image(chart, { kairos: { ...KAIROS, prebuiltImage: 'quay.io/kairos/ubuntu:v3.6.0' } }, 'd'), 'test/d', 'kairos.baseImage', /both baseImage and prebuiltImage/);
    expectError(() => image(chart, { kairos: { prebuiltImage: 'quay.io/kairos/ubuntu:v3.6.0', kubernetesVersion: 'v1.33.2' } }, 'e'), 'test/e', 'kairos.kubernetesVersion', /only applies when the image is built/);
    expectError(() => image(chart, { kairos: { ...KAIROS, kairosVersion: '3.6' } }, 'f'), 'test/f', 'kairos.kairosVersion', /not a Kairos release/);
    expectError(() => image(chart, { kairos: { ...KAIROS, kubernetesDistribution: undefined } }, 'g'), 'test/g', 'kairos.kubernetesVersion', /without a distribution/);
    expectError(() => image(chart, { kairos: { ...KAIROS, artifactServer: { url: 'images.example.com' } } }, 'h'), 'test/h', 'kairos.artifactServer.url', /not an http\(s\) base URL/);
    expectError(() => image(chart, { kairos: { ...KAIROS, containerDiskRepository: 'quay.io/x/disk:v1' } }, 'i'), 'test/i', 'kairos.containerDiskRepository', /without tag or digest/);
  });

  test('mutable references are accepted only when opted in', () => {
    const { chart } = newChart();
    const node = image(chart, { version: 'latest', allowMutableTag: true, kairos: { ...KAIROS, baseImage: 'ubuntu:latest' } });
    expect(node.osArtifactName).toBe('worker-latest');
    expectError(() => image(chart, { version: 'latest', kairos: KAIROS }, 'x'), 'test/x', 'version', /"latest" names a different image over time/);
  });

  test('an image without a bare-metal side, or without a VM disk, says so where it is used', () => {
    const { chart } = newChart();
    const noServer = image(chart, { kairos: { ...KAIROS, artifactServer: undefined } });
    expectError(() => noServer.bindToVirtualMachine(chart, { volumeName: 'rootdisk' }), 'test', 'image', /has no disk for VMs/);
    expectError(() => noServer.bindToBareMetal(chart), 'test', 'image', /has no bare-metal image.*Fix: set metal/);
  });
});

describe('NodeImage from existing images', () => {
  test('a containerDisk repository is tagged with the version; {version} works in tags and beside digests', () => {
    const { chart } = newChart();
    expect(image(chart, { containerDisk: 'quay.io/acme/node-disk' }, 'a').containerDiskImage).toBe('quay.io/acme/node-disk:v1.4.0');
    expect(image(chart, { containerDisk: 'quay.io/acme/node-disk:ubuntu-{version}' }, 'b').containerDiskImage).toBe('quay.io/acme/node-disk:ubuntu-v1.4.0');
    expect(image(chart, { containerDisk: `quay.io/acme/node-disk@sha256:${'d'.repeat(64)}` }, 'c').containerDiskImage).toBe(`quay.io/acme/node-disk:v1.4.0@sha256:${'d'.repeat(64)}`);
    expect(chart.toJson()).toEqual([]);
  });

  test('a reference or URL that does not carry the version is refused (bumping it would change nothing)', () => {
    const { chart } = newChart();
    expectError(() => image(chart, { containerDisk: 'quay.io/acme/node-disk:v1.3.0' }, 'a'), 'test/a', 'containerDisk', /does not carry the image version "v1.4.0".*Fix: write \{version\}/);
    expectError(() => image(chart, { diskImageUrl: 'https://images.example.com/node.qcow2' }, 'b'), 'test/b', 'diskImageUrl', /does not carry the image version/);
    expectError(() => image(chart, { containerDisk: 'quay.io/acme/node-disk', metal: { url: 'https://images.example.com/node.raw', checksum: 'e'.repeat(64) } }, 'c'), 'test/c', 'metal.url', /does not carry the image version/);
  });

  test('CDI sources: an HTTP disk, a registry disk, a DataSource', () => {
    const { chart } = newChart();
    const http = image(chart, { diskImageUrl: 'https://images.example.com/node-{version}.qcow2', vmDiskGiB: 30 }, 'http');
    const reg = image(chart, { registryDiskImage: 'quay.io/containerdisks/ubuntu', vmDiskGiB: 30 }, 'reg');
    const ds = image(chart, { dataSource: { name: 'ubuntu-2404-{version}', namespace: 'os-images' } }, 'ds');
    const bind = (i: NodeImage) => i.bindToVirtualMachine(chart, { volumeName: 'rootdisk', storageClassName: 'fast' }).dataVolumeTemplate.spec;
    expect(bind(http).source).toEqual({ http: { url: 'https://images.example.com/node-v1.4.0.qcow2' } });
    expect(bind(reg).source).toEqual({ registry: { url: 'docker://quay.io/containerdisks/ubuntu:v1.4.0' } });
    expect(bind(ds)).toEqual({ sourceRef: { kind: 'DataSource', name: 'ubuntu-2404-v1.4.0', namespace: 'os-images' }, storage: { storageClassName: 'fast' } });
    expect(ds.imageRef).toBe('DataSource/os-images/ubuntu-2404-v1.4.0');
    // In a node pool, each binding is valid inside the KubevirtMachineTemplate schema.
    new TenantCluster(chart, 'acme', { version: 'v1.33.2', nodePools: [{ name: 'a', image: http }, { name: 'b', image: reg }, { name: 'c', image: ds }] });
    expect(conformanceErrors(ofKind(chart.toJson(), 'KubevirtMachineTemplate'))).toBe('');
  });

  test('metal images: {version} in URL and checksum URL; a metal image needs a checksum', () => {
    const { chart } = newChart();
    const node = image(chart, { containerDisk: 'quay.io/acme/node-disk', metal: { url: 'https://images.example.com/node-{version}.qcow2', checksum: 'https://images.example.com/node-{version}.qcow2.sha512', checksumType: ImageChecksumType.SHA512, format: MetalDiskFormat.QCOW2 } });
    expect(node.metal).toEqual({ url: 'https://images.example.com/node-v1.4.0.qcow2', checksum: 'https://images.example.com/node-v1.4.0.qcow2.sha512', checksumType: 'sha512', format: 'qcow2' });
    expectError(() => image(chart, { metal: { url: 'https://images.example.com/node-{version}.raw' } }, 'a'), 'test/a', 'metal.checksum', /has no checksum/);
    const metalOnly = image(chart, { metal: { url: 'https://images.example.com/node-{version}.raw', checksum: 'f'.repeat(64) } }, 'b');
    expect(metalOnly.imageRef).toBe('https://images.example.com/node-v1.4.0.raw');
  });

  test('refused: no source, two sources, bad versions and sizes', () => {
    const { chart } = newChart();
    expectError(() => image(chart, {}, 'a'), 'test/a', 'kairos', /the image has no source/);
    expectError(() => image(chart, { containerDisk: 'quay.io/a/b', diskImageUrl: 'https://x/{version}' }, 'b'), 'test/b', 'diskImageUrl', /containerDisk and diskImageUrl are both given/);
    expectError(() => image(chart, { version: 'v1.4.0 final', containerDisk: 'quay.io/a/b' }, 'c'), 'test/c', 'version', /not an image version/);
    expectError(() => image(chart, { containerDisk: 'quay.io/a/b', vmDiskGiB: 0 }, 'd'), 'test/d', 'vmDiskGiB', /not a disk size/);
  });
});

/** An app with one NodeImage used by a VM node pool and a bare-metal machine template. */
function platform(version: string): { vmTemplate: any; metalTemplate: any; objects: any[] } {
  const { chart } = newChart();
  const node = new NodeImage(chart, 'worker', { version, kairos: KAIROS, vmDiskGiB: 40 });
  new TenantCluster(chart, 'acme', { version: 'v1.33.2', nodePools: [{ name: 'workers', image: node, replicas: 2 }] });
  const pool = new BareMetalPool(chart, 'rack-a', { namespace: 'metal', hosts: [ipmiHost(1), ipmiHost(2)] });
  pool.machineTemplate(chart, 'Mgmt', { clusterName: 'mgmt', image: node });
  const objects = chart.toJson();
  return { vmTemplate: ofKind(objects, 'KubevirtMachineTemplate')[0], metalTemplate: ofKind(objects, 'Metal3MachineTemplate')[0], objects };
}

describe('NodeImage, one version rolls every consumer', () => {
  const v14 = platform('v1.4.0');
  const v15 = platform('v1.5.0');

  test('the VM pool and the bare-metal template boot the image, and both are valid', () => {
    const disk = v14.vmTemplate.spec.template.spec.virtualMachineTemplate.spec.dataVolumeTemplates[0];
    expect(disk.spec.source).toEqual({ http: { url: 'http://images.example.com/kairos/worker-v1-4-0.raw' } });
    expect(v14.metalTemplate.spec.template.spec.image.url).toBe('http://images.example.com/kairos/worker-v1-4-0.raw');
    expect(conformanceErrors([v14.vmTemplate, v14.metalTemplate, ...ofKind(v14.objects, 'OSArtifact'), ...ofKind(v14.objects, 'BareMetalHost')])).toBe('');
  });

  test('changing the version renames the KubevirtMachineTemplate and the Metal3MachineTemplate, with the new image in both', () => {
    expect(v15.vmTemplate.metadata.name).not.toBe(v14.vmTemplate.metadata.name);
    expect(v15.vmTemplate.metadata.name).toMatch(/^acme-workers-[0-9a-f]{8}$/);
    expect(v15.metalTemplate.metadata.name).not.toBe(v14.metalTemplate.metadata.name);
    expect(v15.metalTemplate.spec.template.spec.image).toEqual({
      url: 'http://images.example.com/kairos/worker-v1-5-0.raw',
      checksum: 'http://images.example.com/kairos/worker-v1-5-0.raw.sha256',
      checksumType: 'sha256',
      diskFormat: 'raw',
    });
    // The MachineDeployment follows the new template name.
    const md = ofKind(v15.objects, 'MachineDeployment')[0];
    expect(md.spec.template.spec.infrastructureRef.name).toBe(v15.vmTemplate.metadata.name);
    // And a new OSArtifact builds the new version.
    expect(ofKind(v15.objects, 'OSArtifact').map((o) => o.metadata.name)).toEqual(['worker-v1-5-0']);
  });

  test('the same version synthesizes the same output (deterministic)', () => {
    expect(platform('v1.4.0').objects).toEqual(v14.objects);
  });
});
