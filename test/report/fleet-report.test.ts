import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { A10, CAPACITY, smallPlatform } from './fixture';
import { FleetReport, FluxTree, PlatformPolicyPack, Policy } from '../../src';

describe('FleetReport figures of 3 tenants on 2 hosts, computed by hand', () => {
  const { platform } = smallPlatform();
  const report = FleetReport.of(platform, { capacity: CAPACITY, charts: false });
  const d = report.data;
  const tenant = (name: string) => d.tenants.find((t) => t.name === name)!;

  test('per tenant: class, version, control plane, datastore, pools, VIP, quota', () => {
    expect(d.tenants.map((t) => t.name)).toEqual(['alpha', 'bravo', 'charlie']);
    const alpha = tenant('alpha');
    expect(alpha.clusterClass).toBeUndefined();
    expect(alpha.kubernetesVersion).toBe('v1.33.2');
    expect(alpha.controlPlane).toMatchObject({ replicas: 2, konnectivity: true, apiServerCpuRequest: '250m', apiServerMemoryRequest: '512Mi', footprintCpuCores: 2, footprintMemoryGiB: 4 });
    expect(alpha.dataStore).toEqual({ name: 'alpha-etcd', driver: 'etcd', dedicated: true, etcdMembers: 3, etcdStorageGiB: 8, footprintCpuCores: 1.5, footprintMemoryGiB: 3 });
    expect(alpha.nodePools[0]).toMatchObject({ name: 'general', vms: 2, autoscaled: false, cpuCoresPerVm: 4, memoryGiBPerVm: 8, cpuCores: 8, memoryGiB: 16 });
    // Quota derived with one surge VM per pool and one surge API server: (2+1)×4 + (2+1)×1 + 3×0.5 cores.
    expect(alpha.governance).toMatchObject({ tenantName: 'alpha', cpuCores: 16.5, virtualMachines: 3 });
    expect(alpha.endpointAddress).toMatch(/^203\.0\.113\.(8|9|1[0-5])$/);
    expect(alpha.vipPool).toBe('tenant-api');
    expect(alpha.podCidr).toBe('10.244.0.0/16');

    expect(tenant('bravo').nodePools[0]).toMatchObject({ vms: 3, autoscaled: true, minReplicas: 1, maxReplicas: 3, cpuCores: 6, memoryGiB: 12 });
    const charlie = tenant('charlie');
    expect(charlie.kubernetesMinor).toBe('v1.34');
    expect(charlie.workerGpus).toEqual([{ name: A10, count: 2 }]);
    expect(charlie.nodePools[0].gpusPerVm).toEqual([{ name: A10, count: 2 }]);
  });

  test('VM hosts: (32 − 2) × 4 = 120 vCPU and 256 − 8 = 248 GiB against 22 vCPU and 61.5 GiB', () => {
    // Demand: alpha 2×4, bravo 3×2, charlie 1×8 vCPU; memory (guest + 0.25 GiB) 2×8.25 + 3×4.25 + 32.25.
    expect(d.vmCapacity).toMatchObject({
      hostCount: 1,
      physicalCpuCores: 32,
      cpuCapacity: 120,
      cpuAllocated: 22,
      cpuHeadroom: 98,
      cpuUsedPercent: 18.3,
      physicalMemoryGiB: 256,
      memoryCapacityGiB: 248,
      memoryAllocatedGiB: 61.5,
      memoryHeadroomGiB: 186.5,
      memoryUsedPercent: 24.8,
    });
    expect(d.vmCapacity.gpus).toEqual([{ model: A10, devices: [A10], capacity: 2, allocated: 2, headroom: 0 }]);
    expect(d.summary).toMatchObject({ tenants: 3, workerVms: 6, workerCpuCores: 22, workerMemoryGiB: 60, workerGpus: 2, hosts: 2, fits: true });
  });

  test('control-plane host: 16 − 2 cores and 64 − 8 GiB against 3 × (2 API servers + 3 etcd members)', () => {
    expect(d.controlPlaneCapacity).toMatchObject({
      hostCount: 1, cpuCapacity: 14, cpuAllocated: 10.5, cpuHeadroom: 3.5, memoryCapacityGiB: 56, memoryAllocatedGiB: 21, memoryHeadroomGiB: 35,
    });
  });

  test('the pool reports its hosts, roles and (as the only pool) the whole allocation', () => {
    expect(d.bareMetalPools).toHaveLength(1);
    const rack = d.bareMetalPools[0];
    expect(rack).toMatchObject({ name: 'rack', namespace: 'metal3', hostCount: 2, cpuCores: 48, memoryGiB: 320, gpus: [{ name: A10, count: 2 }] });
    expect(rack.hosts.map((h) => [h.name, h.runsVms, h.runsControlPlanes])).toEqual([['cp-1', false, true], ['w-1', true, false]]);
    expect(rack.vms).toEqual(d.vmCapacity);
    expect(rack.controlPlanes).toEqual(d.controlPlaneCapacity);
  });

  test('VIP pool: 3 of 8 addresses used', () => {
    expect(d.vipPools).toHaveLength(1);
    expect(d.vipPools[0]).toMatchObject({ name: 'tenant-api', capacity: 8, used: 3, free: 5, usedPercent: 37.5 });
    expect(d.vipPools[0].allocations.map((a) => a.tenantName)).toEqual(['alpha', 'bravo', 'charlie']);
  });

  test('Kubernetes versions: two releases on two minors, skew 1', () => {
    const k = d.kubernetesVersions;
    expect(k.versions.map((v) => [v.version, v.tenantCount])).toEqual([['v1.33.2', 2], ['v1.34.1', 1]]);
    expect(k.minors.map((v) => [v.version, v.tenants])).toEqual([['v1.33', ['alpha', 'bravo']], ['v1.34', ['charlie']]]);
    expect(k).toMatchObject({ oldestMinor: 'v1.33', newestMinor: 'v1.34', minorSkew: 1, outsideAllowed: [] });
  });

  test('savings: 9 dedicated machines sized as each tenant\'s workers against 1 shared node', () => {
    // Dedicated: 3 × (4 + 2 + 8) vCPU, 3 × (8 + 4 + 32) GiB; hosted: 3 × 3.5 cores, 3 × 7 GiB.
    expect(d.savings).toEqual({
      tenantCount: 3,
      dedicatedMachinesPerTenant: 3,
      dedicatedMachines: 9,
      dedicatedCpuCores: 42,
      dedicatedMemoryGiB: 132,
      hostedNodes: 1,
      hostedCpuCores: 10.5,
      hostedMemoryGiB: 21,
      savedMachines: 8,
      savedCpuCores: 31.5,
      savedMemoryGiB: 111,
      savedMachinesPercent: 88.9,
      savedCpuPercent: 75,
      savedMemoryPercent: 84.1,
    });
    expect(d.assumptions.join('\n')).toMatch(/3 dedicated control-plane machines per tenant/);
  });

  test('a set machine size and count replace the workers\' size in the savings', () => {
    const r = FleetReport.of(platform, {
      capacity: CAPACITY,
      charts: false,
      dedicatedControlPlaneMachinesPerTenant: 5,
      dedicatedControlPlaneMachine: { cpuCores: 2, memoryGiB: 8 },
    });
    expect(r.data.savings).toMatchObject({ dedicatedMachines: 15, dedicatedCpuCores: 30, dedicatedMemoryGiB: 120, savedMachines: 14 });
  });

  test('the JSON is the data, and the Markdown has the tables', () => {
    expect(report.toJson()).toEqual(JSON.parse(JSON.stringify(d)));
    expect(report.toJson()).toMatchObject({ schema: 'cdk8s-kmetal/fleet-report', schemaVersion: 1 });
    const md = report.toMarkdown();
    expect(md).toContain('| Machines / nodes | 9 | 1 | 8 | 88.9 % |');
    expect(md).toContain('| all VM hosts | CPU (vCPU) | 120 | 22 | 98 | 18.3 % |');
    expect(md).toMatch(/\| alpha \| – \| v1\.33\.2 \| 2 × API server \(requests 250m \/ 512Mi\) \| dedicated etcd × 3 \|/);
  });

  test('bad options are refused', () => {
    expect(() => FleetReport.of(platform, { capacity: { cpuOvercommitRatio: 0 } })).toThrow(/cpuOvercommitRatio 0 is not a usable number/);
  });
});

describe('an over-committed pool', () => {
  test('shows negative headroom in the report and a KM-CAP-001 policy finding', () => {
    // 20 more VMs of 8 vCPU: 22 + 160 = 182 vCPU on 120.
    const { app, platform } = smallPlatform(20);
    Policy.of(app).addPack(new PlatformPolicyPack({ capacity: CAPACITY }));
    const policy = Policy.of(app).check();
    expect(policy.findingsOf('KM-CAP-001').map((f) => f.message).join('\n')).toMatch(/worker VMs need 182 vCPUs, but the 1 VM host\(s\) offer 120/);

    const d = FleetReport.of(platform, { capacity: CAPACITY, charts: false }).data;
    expect(d.vmCapacity).toMatchObject({ cpuAllocated: 182, cpuHeadroom: -62, cpuUsedPercent: 151.7 });
    expect(d.bareMetalPools[0].vms.cpuHeadroom).toBe(-62);
    expect(d.summary.fits).toBe(false);
    expect(d.policy.ran).toBe(true);
    expect(d.policy.findings.some((f) => f.ruleId === 'KM-CAP-001' && f.severity === 'error')).toBe(true);
    expect(FleetReport.of(platform, { capacity: CAPACITY, charts: false }).toMarkdown()).toContain('| all VM hosts | CPU (vCPU) | 120 | 182 | -62 | 151.7 % |');
  });

  test('a synth that fails leaves the app folder byte-identical, the fleet and policy reports included', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-report-'));
    const synth = (extraVms: number) => {
      const { app, platform } = smallPlatform(extraVms);
      Policy.of(app).addPack(new PlatformPolicyPack({ capacity: CAPACITY })).writeReportTo(path.join(out, 'small', 'report'));
      // The fixture's other findings are not what this test is about.
      Policy.suppress(app, 'KM-CAP-003', 'GPU quotas are not under test here');
      Policy.suppress(app, 'KM-CAP-005', 'one control-plane host: losing a host is not under test here');
      Policy.suppress(app, 'KM-TEN-006', 'mandatory add-ons are not under test here');
      FleetReport.writeAtSynth(platform, path.join(out, 'small', 'report'), { capacity: CAPACITY });
      return FluxTree.synth(app, { outdir: out, appName: 'small', reconcile: false });
    };
    const folder = () => {
      const files: Record<string, string> = {};
      const visit = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, e.name);
          if (e.isDirectory()) visit(full);
          else files[path.relative(out, full)] = fs.readFileSync(full, 'utf8');
        }
      };
      visit(out);
      return files;
    };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      synth(0);
      const before = folder();
      expect(Object.keys(before)).toEqual(expect.arrayContaining(['small/report/report.json', 'small/report/policy-report.json', 'small/.kmetal-tree.json']));
      expect(() => synth(20)).toThrow(/KM-CAP-001/);
      expect(folder()).toEqual(before);
    } finally {
      warn.mockRestore();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('FleetReport.writeFor still writes the report of a failing fleet on request', () => {
    const { app, platform } = smallPlatform(20);
    Policy.of(app).addPack(new PlatformPolicyPack({ capacity: CAPACITY }));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-report-'));
    try {
      expect(() => FluxTree.synth(app, { outdir: out, appName: 'small' })).toThrow(/KM-CAP-001/);
      FleetReport.writeFor(platform, path.join(out, 'report'), { capacity: CAPACITY, charts: false });
      const json = JSON.parse(fs.readFileSync(path.join(out, 'report', 'report.json'), 'utf8'));
      expect(json.vmCapacity.cpuHeadroom).toBe(-62);
      expect(json.policy.findings.map((f: any) => f.ruleId)).toContain('KM-CAP-001');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('writing', () => {
  test('the report is written next to a Flux tree that preserves it, byte for byte the same on every run', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-report-'));
    const run = () => {
      const { app, platform } = smallPlatform();
      FleetReport.writeAtSynth(platform, path.join(out, 'small', 'report'), { capacity: CAPACITY });
      FluxTree.synth(app, { outdir: out, appName: 'small' });
      const dir = path.join(out, 'small', 'report');
      return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    };
    try {
      const first = run();
      expect(Object.keys(first)).toEqual(['README.md', 'capacity.svg', 'kubernetes-versions.svg', 'report.json', 'savings.svg', 'vip-pools.svg']);
      expect(run()).toEqual(first);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
