// The fleet report the reference platform carries in dist/reference-platform/report (written by
// examples/reference-platform/main.ts at synth; `npx projen synth:examples reference-platform`).
import * as fs from 'fs';
import * as path from 'path';
import { Resvg } from '@resvg/resvg-js';

const dir = path.join(__dirname, '..', '..', 'dist', 'reference-platform', 'report');
const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));

describe('reference platform fleet report', () => {
  test('carries report.json, README.md, the four charts, the policy report and the worker servers\' cloud-configs (user-data/)', () => {
    expect(fs.readdirSync(dir).sort()).toEqual([
      'README.md', 'capacity.svg', 'kubernetes-versions.svg', 'policy-report.json', 'policy-report.md', 'report.json', 'savings.svg', 'user-data', 'vip-pools.svg',
    ]);
  });

  test('the launch article\'s figure: 30 tenants, 90 dedicated control-plane machines become 3 shared nodes', () => {
    expect(report.savings).toMatchObject({
      tenantCount: 30,
      dedicatedMachines: 90,
      hostedNodes: 3,
      savedMachines: 87,
      // 87 machines of the golden class's worker size (4 vCPU, 16 GiB) and llm's 3 of the default
      // size (2 vCPU, 4 GiB: it has no VM workers), against 30 × (2 API servers + 3 etcd members).
      dedicatedCpuCores: 354,
      dedicatedMemoryGiB: 1404,
      hostedCpuCores: 105,
      hostedMemoryGiB: 210,
    });
  });

  test('the 7 worker hosts carry every VM; a quarter of the 8 A100s are taken', () => {
    // 28 tenants × 2 × 4 vCPU + 1 GPU tenant (vision) × 1 × 16 vCPU = 240, plus acme's autoscaled pool
    // counted at its maximum (4, 2 more VMs: + 8) = 248, on 7 × (64 − 2) × 4 = 1736. llm runs on
    // its own two servers (metal-11/12), which are not VM hosts.
    // Memory: 28 × 2 × (16 + 0.25 virt-launcher) + 1 × (128 + 0.25) + 2 × 16.25 = 1070.75 GiB.
    expect(report.vmCapacity).toMatchObject({
      hostCount: 7, cpuCapacity: 1736, cpuAllocated: 248, memoryCapacityGiB: 3528, memoryAllocatedGiB: 1070.75,
    });
    expect(report.vmCapacity.gpus).toEqual([expect.objectContaining({ capacity: 8, allocated: 2, headroom: 6 })]);
    expect(report.vipPools[0]).toMatchObject({ name: 'tenant-api', capacity: 64, used: 30, free: 34 });
    expect(report.kubernetesVersions).toMatchObject({ minorSkew: 0, oldestMinor: 'v1.33', newestMinor: 'v1.33' });
  });

  test('llm\'s pool of whole servers holds metal-11 and metal-12 (HostClaims), which are neither VM nor control-plane hosts', () => {
    expect(report.tenantMetalPools).toEqual([{
      cluster: 'tenant-llm/llm',
      pool: 'a100',
      bareMetalPool: 'tenant-llm/llm-trainers',
      hostsWanted: 2,
      hostsMatching: 2,
      hosts: ['metal-11', 'metal-12'],
      shortfall: 0,
      cpuCores: 128,
      memoryGiB: 2048,
      gpus: [{ name: 'nvidia.com/GA100_A100_PCIE_80GB', count: 16 }],
    }]);
    const trainers = report.bareMetalPools.find((p: any) => p.name === 'llm-trainers');
    expect(trainers.hosts.map((h: any) => [h.name, h.runsVms, h.runsControlPlanes, h.tenantPool])).toEqual([
      ['metal-11', false, false, 'tenant-llm/llm a100'],
      ['metal-12', false, false, 'tenant-llm/llm a100'],
    ]);
  });

  test.each(['capacity.svg', 'vip-pools.svg', 'kubernetes-versions.svg', 'savings.svg'])('%s rasterizes', (file) => {
    const svg = fs.readFileSync(path.join(dir, file), 'utf8');
    const [, w, h] = /^<svg width="(\d+)" height="(\d+)"/.exec(svg)!;
    const image = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
    expect([image.width, image.height]).toEqual([Number(w), Number(h)]);
  });
});
