import { Chart, Testing } from 'cdk8s';
import { expectError, ipmiHost, redfishHost } from './fixtures';
import { BareMetalMachineTemplate, BareMetalPool, ImageChecksumType, MetalDiskFormat, MetalImage } from '../../src';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const DIGEST = 'a'.repeat(64);
const IMAGE = MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.4.0.raw', checksum: DIGEST, format: MetalDiskFormat.RAW });

function gpuPool(chart: Chart): BareMetalPool {
  return new BareMetalPool(chart, 'rack-a', {
    namespace: 'metal',
    hosts: [
      redfishHost(1, { labels: { 'kmetal.io/gpu': 'h100' }, capacity: { cpuCores: 96, memoryGiB: 2048, gpus: [{ model: 'nvidia-h100', count: 8 }] } }),
      redfishHost(2, { labels: { 'kmetal.io/gpu': 'h100' }, capacity: { cpuCores: 96, memoryGiB: 2048, gpus: [{ model: 'nvidia-h100', count: 8 }] } }),
      ipmiHost(3),
    ],
  });
}

/** Runs every construct validation of the app, as synth does; returns the messages. */
function validationErrors(chart: Chart): string[] {
  return chart.node.root.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${c.node.path}] ${m}`));
}

describe('BareMetalMachineTemplate, Cluster API infrastructure drawn from a pool', () => {
  const { chart } = newChart();
  const pool = gpuPool(chart);
  const workers = pool.machineTemplate(chart, 'Workers', { clusterName: 'mgmt', image: IMAGE });
  const gpu = pool.machineTemplate(chart, 'Gpu', { clusterName: 'mgmt', name: 'mgmt-gpu', image: IMAGE, hostLabels: { 'kmetal.io/gpu': 'h100' }, automatedCleaning: false, nodeReuse: true });
  const objects = chart.toJson();

  test('every object is valid against the pinned CRDs (v1beta2 templates, BareMetalHosts)', () => {
    expect(conformanceErrors(objects)).toBe('');
    expect(validationErrors(chart)).toEqual([]);
  });

  test('the host selector is the pool label: exactly this pool\'s hosts', () => {
    const t = findObject(objects, 'Metal3MachineTemplate', workers.templateName);
    expect(t.apiVersion).toBe('infrastructure.cluster.x-k8s.io/v1beta2');
    expect(t.metadata.namespace).toBe('metal');
    expect(t.spec.template.spec.hostSelector).toEqual({ matchLabels: { 'kmetal.io/pool': 'rack-a' } });
    for (const host of ofKind(objects, 'BareMetalHost')) expect(host.metadata.labels['kmetal.io/pool']).toBe('rack-a');
    expect(workers.matchingHosts.map((h) => h.hostName)).toEqual(['node-1', 'node-2', 'ipmi-3']);
  });

  test('hostLabels narrow the selector to a labelled subset, and capacity follows', () => {
    expect(findObject(objects, 'Metal3MachineTemplate', gpu.templateName).spec.template.spec.hostSelector).toEqual({ matchLabels: { 'kmetal.io/gpu': 'h100', 'kmetal.io/pool': 'rack-a' } });
    expect(gpu.matchingHosts.map((h) => h.hostName)).toEqual(['node-1', 'node-2']);
    expect(gpu.capacity).toEqual({ hostCount: 2, cpuCores: 192, memoryGiB: 4096, gpuCount: 16, gpus: [{ model: 'nvidia-h100', count: 16 }] });
    expect(workers.capacity.hostCount).toBe(3);
  });

  test('the image, cleaning mode and data template reference', () => {
    expect(findObject(objects, 'Metal3MachineTemplate', workers.templateName).spec).toEqual({
      nodeReuse: false,
      template: {
        spec: {
          automatedCleaningMode: 'metadata',
          image: { url: 'https://images.example.com/node-v1.4.0.raw', checksum: DIGEST, checksumType: 'sha256', diskFormat: 'raw' },
          dataTemplate: { name: 'mgmt-rack-a' },
          hostSelector: { matchLabels: { 'kmetal.io/pool': 'rack-a' } },
        },
      },
    });
    const g = findObject(objects, 'Metal3MachineTemplate', gpu.templateName).spec;
    expect(g.nodeReuse).toBe(true);
    expect(g.template.spec.automatedCleaningMode).toBe('disabled');
  });

  test('names: base name plus spec digest for the machine template, stable data template', () => {
    expect(workers.templateName).toMatch(/^mgmt-rack-a-[0-9a-f]{8}$/);
    expect(gpu.templateName).toMatch(/^mgmt-gpu-[0-9a-f]{8}$/);
    expect(findObject(objects, 'Metal3DataTemplate', 'mgmt-rack-a').spec).toEqual({
      clusterName: 'mgmt',
      metaData: { objectNames: [{ key: 'name', object: 'machine' }, { key: 'local-hostname', object: 'machine' }, { key: 'local_hostname', object: 'machine' }] },
    });
    expect(workers.infrastructureRef).toEqual({ apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3MachineTemplate', name: workers.templateName });
  });

  test('a different image gives a different template name (Cluster API rolls machines on a new template)', () => {
    const { chart: other } = newChart();
    const p = gpuPool(other);
    const next = p.machineTemplate(other, 'Workers', { clusterName: 'mgmt', image: MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.5.0.raw', checksum: DIGEST }) });
    const same = new BareMetalMachineTemplate(other, 'Again', { pool: p, clusterName: 'mgmt', name: 'mgmt-again', image: IMAGE });
    expect(next.templateName).not.toBe(workers.templateName);
    expect(same.templateName.slice(-8)).not.toBe(next.templateName.slice(-8));
  });
});

describe('BareMetalMachineTemplate, a selector that matches no host is an error at synth', () => {
  test('hostLabels no host carries', () => {
    const { chart } = newChart();
    const pool = gpuPool(chart);
    pool.machineTemplate(chart, 'Gpu', { clusterName: 'mgmt', image: IMAGE, hostLabels: { 'kmetal.io/gpu': 'a100' } });
    expect(validationErrors(chart)).toEqual([
      '[test/Gpu] hostLabels: the host selector {"kmetal.io/gpu":"a100","kmetal.io/pool":"rack-a"} matches none of the 3 host(s) of pool "rack-a", so machines would wait forever for a server. Fix: label some of the pool\'s hosts with these labels, or drop hostLabels',
    ]);
  });

  test('an empty pool fails app.synth(); hosts added after the template make it valid', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const pool = new BareMetalPool(chart, 'empty', { namespace: 'metal' });
    pool.machineTemplate(chart, 'T', { clusterName: 'mgmt', image: IMAGE });
    expect(() => app.synth()).toThrow(/pool: the host selector \{"kmetal.io\/pool":"empty"\} matches none of the 0 host\(s\).*Fix: add hosts to the pool/);
    pool.addHost(ipmiHost(1));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('BareMetalMachineTemplate, refused input', () => {
  test('a namespace other than the pool\'s (CAPM3 only claims hosts in its own namespace)', () => {
    const { chart } = newChart();
    const pool = gpuPool(chart);
    expectError(() => pool.machineTemplate(chart, 'T', { clusterName: 'acme', namespace: 'tenant-acme', image: IMAGE }), 'test/T', 'namespace', /only claims hosts in the Metal3Machine's own namespace/);
  });

  test('overriding the pool label, a duplicate template name, a bad cluster name', () => {
    const { chart } = newChart();
    const pool = gpuPool(chart);
    expectError(() => pool.machineTemplate(chart, 'T', { clusterName: 'mgmt', image: IMAGE, hostLabels: { 'kmetal.io/pool': 'rack-b' } }), 'test/T', 'hostLabels.kmetal.io/pool', /set by the pool/);
    pool.machineTemplate(chart, 'A', { clusterName: 'mgmt', image: IMAGE });
    expectError(() => pool.machineTemplate(chart, 'B', { clusterName: 'mgmt', image: IMAGE }), 'test/B', 'name', /machine templates named mgmt-rack-a already exist in metal/);
    expectError(() => pool.machineTemplate(chart, 'C', { clusterName: 'Mgmt', image: IMAGE }), 'test/C', 'clusterName', /not a DNS-1123 label/);
  });

  test('bare-metal images: no checksum, MD5, mismatched type, bad URL; live ISOs need no checksum', () => {
    const { chart } = newChart();
    const pool = gpuPool(chart);
    const tmpl = (id: string, image: MetalImage) => pool.machineTemplate(chart, id, { clusterName: 'mgmt', name: id.toLowerCase(), image });
    expectError(() => tmpl('A', MetalImage.fromUrl({ url: 'https://images.example.com/node.raw' })), 'test/A', 'image.checksum', /has no checksum; Ironic verifies every image/);
    expectError(() => tmpl('B', MetalImage.fromUrl({ url: 'https://images.example.com/node.raw', checksum: 'd41d8cd98f00b204e9800998ecf8427e' })), 'test/B', 'image.checksum', /MD5, which Ironic refuses/);
    expectError(() => tmpl('C', MetalImage.fromUrl({ url: 'https://images.example.com/node.raw', checksum: DIGEST, checksumType: ImageChecksumType.SHA512 })), 'test/C', 'image.checksum', /not a sha512 digest/);
    expectError(() => tmpl('D', MetalImage.fromUrl({ url: 'ftp://images.example.com/node.raw', checksum: DIGEST })), 'test/D', 'image.url', /not an http\(s\) URL/);
    const iso = tmpl('E', MetalImage.fromUrl({ url: 'https://images.example.com/live.iso', format: MetalDiskFormat.LIVE_ISO }));
    const sha512 = tmpl('F', MetalImage.fromUrl({ url: 'https://images.example.com/node.qcow2', checksum: 'B'.repeat(128) }));
    expect(iso.image).toEqual({ url: 'https://images.example.com/live.iso', checksum: '', format: 'live-iso' });
    expect(sha512.image).toEqual({ url: 'https://images.example.com/node.qcow2', checksum: 'b'.repeat(128), checksumType: 'sha512' });
    expect(conformanceErrors(ofKind(chart.toJson(), 'Metal3MachineTemplate'))).toBe('');
  });
});
