// Bad inputs of node images: NodeImage, MachineImage and MetalImage.
import { BareMetalPool, BmcCredentials, MachineImage, MetalImage, NodeImage } from '../../../src';
import { BadInput, base } from '../fixture';

export const OS_ENTRIES: BadInput[] = [
  {
    id: 'image-latest',
    construct: 'NodeImage',
    title: 'an image version "latest"',
    declare: (app) => new NodeImage(app, 'worker-image', { version: 'latest', containerDisk: 'registry.example.com/kmetal/ubuntu-2404:{version}' }),
    path: 'worker-image',
    field: 'version',
    message: /"latest" names a different image over time, so nothing would roll when it changes/,
    fix: /give a real version such as "v1\.4\.0"/,
  },
  {
    id: 'image-version-not-in-reference',
    construct: 'NodeImage',
    title: 'an image reference that does not carry the image version',
    declare: (app) => new NodeImage(app, 'worker-image', { version: 'v1.33.2', containerDisk: 'registry.example.com/kmetal/ubuntu-2404:v1.0.0' }),
    path: 'worker-image',
    field: 'containerDisk',
    message: /does not carry the image version "v1\.33\.2", so changing the version would not change what nodes boot/,
    fix: /write \{version\} where the version goes/,
  },
  {
    id: 'image-two-sources',
    construct: 'NodeImage',
    title: 'two sources for one VM disk',
    declare: (app) => new NodeImage(app, 'worker-image', { version: 'v1.33.2', containerDisk: 'registry.example.com/kmetal/ubuntu:{version}', diskImageUrl: 'https://images.example.com/ubuntu-{version}.qcow2' }),
    path: 'worker-image',
    field: 'diskImageUrl',
    message: /containerDisk and diskImageUrl are both given/,
    fix: /exactly one source/,
  },
  {
    id: 'image-datavolume-size',
    construct: 'MachineImage',
    title: 'a DataVolume image without a disk size',
    declare: (app) => base(app).platform.addTenantCluster('acme', {
      version: 'v1.33.2',
      nodePools: [{ name: 'general', image: MachineImage.dataVolume({ url: 'https://images.example.com/ubuntu-2404-v1.33.0.qcow2' }) }],
    }),
    path: 'tenant-acme/acme/Pool-general',
    field: 'rootDiskGiB',
    message: /a DataVolume image needs a disk size/,
    fix: /set rootDiskGiB on the node pool or defaultSizeGiB on the image/,
  },
  {
    id: 'metal-image-checksum',
    construct: 'MetalImage',
    title: 'a bare-metal image without a checksum',
    declare: (app) => {
      const platform = base(app).platform;
      const pool = new BareMetalPool(platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
      pool.addHost({ name: 'metal-01', bmc: { address: 'ipmi://192.168.20.11' }, capacity: { cpuCores: 64, memoryGiB: 512 } });
      pool.machineTemplate(platform.clusterTemplates, 'acme-metal', { clusterName: 'acme', image: MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.4.0.raw' }) });
    },
    path: 'platform-cluster-templates/acme-metal',
    field: 'image.checksum',
    message: /the bare-metal image "https:\/\/images\.example\.com\/node-v1\.4\.0\.raw" has no checksum; Ironic verifies every image it writes to disk/,
    fix: /SHA-256 digest or the URL of its checksum file/,
  },
];
