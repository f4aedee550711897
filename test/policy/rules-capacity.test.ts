import { JsonPatch } from 'cdk8s';
import { GPU, findings, policyPlatform } from './fixture';
import { BareMetalPool, ClusterInfrastructure, MetalImage } from '../../src';

// The fixture's VM hosts: 3 × 32 cores / 256 GiB; metal-1 has 2 GA102GL_A10 GPUs.
// Defaults: 2 cores and 8 GiB reserved per host, CPU overcommit 4, memory 1:
// (3 × 30) × 4 = 360 vCPUs, 3 × 248 = 744 GiB.

describe('capacity rules', () => {
  test('KM-CAP-001: all tenants\' worker VMs must fit the VM hosts, with the overcommit ratio', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 30, cpuCores: 8, memoryGiB: 16 }] });
    p.platform.addTenantCluster('globex', { clusterClass: p.golden, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 20, cpuCores: 4, memoryGiB: 16 }] });
    // 30 × 8 + 20 × 4 = 320 vCPUs fit 360; 50 × 16.25 = 812.5 GiB do not fit 744.
    const f = findings(p.app, 'KM-CAP-001');
    expect(f.map((x) => x.message)).toEqual([
      'worker VMs need 812.5 GiB of memory (guest + virt-launcher overhead), but the 3 VM host(s) offer 744 GiB ((768 GiB − 8 GiB reserved per host) × 1); largest: tenant-acme/acme 480 GiB, tenant-globex/globex 320 GiB',
    ]);
    expect(f[0].constructPath).toBe('<app>');

    // More tenants: CPU runs out too; a higher overcommit ratio would allow it.
    p.platform.addTenantCluster('initech', { version: 'v1.33.2', nodePools: [{ name: 'cpu', replicas: 10, cpuCores: 8, memoryGiB: 1 }] });
    expect(findings(p.app, 'KM-CAP-001').map((x) => x.message)).toEqual(expect.arrayContaining([
      'worker VMs need 400 vCPUs, but the 3 VM host(s) offer 360 ((96 cores − 2 reserved per host) × 4 overcommit); largest: tenant-acme/acme 240 vCPUs, tenant-globex/globex 80 vCPUs, tenant-initech/initech 80 vCPUs',
    ]));
  });

  test('KM-CAP-001: one VM must fit one eligible host, though the totals fit (memory, vCPUs, GPUs per VM)', () => {
    const p = policyPlatform();
    // 248 GiB per host after the reserve: a 300 GiB VM fits the 744 GiB in all but no host.
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'huge', replicas: 1, cpuCores: 8, memoryGiB: 300 }] });
    // metal-1 has 2 A10s: a VM asking for 3 runs nowhere.
    p.platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, cpuCores: 8, memoryGiB: 16, gpus: [{ deviceName: GPU, count: 3 }] }] });
    const f = findings(p.app, 'KM-CAP-001');
    expect(f.map((x) => x.message)).toEqual([
      'MachineDeployment tenant-acme/acme-huge: one worker VM needs 8 vCPUs, 300 GiB, but no eligible host (3) can run it: the largest, metal-1, offers 120 vCPUs and 248 GiB after the reserve and 2 × GA102GL_A10',
      `MachineDeployment tenant-globex/globex-gpu: one worker VM needs 8 vCPUs, 16 GiB and 3 × ${GPU}, but no eligible host (3) can run it: the largest, metal-1, offers 120 vCPUs and 248 GiB after the reserve and 2 × GA102GL_A10`,
    ]);
    // The finding is the pool's, not the app's.
    expect(f.map((x) => x.constructPath)).toEqual(['tenant-acme/acme/Pool-huge/MachineDeployment', 'tenant-globex/globex/Pool-gpu/MachineDeployment']);
    expect(f[0].fix).toMatch(/make the pool's VMs smaller/);
  });

  test('KM-CAP-001: servers held for tenant bare-metal pools are not VM supply (HostClaims, the pools\' own model)', () => {
    const p = policyPlatform();
    // 30 × 8 = 240 vCPUs fit 360; 30 × 16.25 = 487.5 GiB fit 744.
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 30, cpuCores: 8, memoryGiB: 16 }] });
    expect(findings(p.app, 'KM-CAP-001')).toEqual([]);
    // Four big servers for tenants: labelled tenant-metal, they add nothing to the VM hosts' supply,
    // whether or not a tenant pool claims them yet.
    const metal = new BareMetalPool(p.platform.tenantUnit('globex'), 'servers', { namespace: 'tenant-globex' });
    for (const n of [1, 2, 3, 4]) {
      metal.addHost({ name: `big-${n}`, bmc: { address: `redfish-virtualmedia://192.168.20.${70 + n}/redfish/v1/Systems/1`, credentialsName: `big-${n}-bmc` }, labels: { 'kmetal.io/role': 'tenant-metal' }, capacity: { cpuCores: 128, memoryGiB: 2048 } });
    }
    p.platform.addTenantCluster('globex', {
      version: 'v1.33.2',
      infrastructure: ClusterInfrastructure.METAL3,
      nodePools: [{ name: 'metal', replicas: 2, bareMetal: { pool: metal, image: MetalImage.fromUrl({ url: 'https://images.example.com/n.raw', checksum: 'd'.repeat(64) }) } }],
    });
    p.platform.addTenantCluster('initech', { version: 'v1.33.2', nodePools: [{ name: 'more', replicas: 20, cpuCores: 8, memoryGiB: 16 }] });
    // 50 VMs: 400 vCPUs and 812.5 GiB. The four 128-core, 2 TiB servers do not count, so the VM
    // hosts' 360 vCPUs and 744 GiB fall short; the metal tenant's pool is no VM demand either.
    const messages = findings(p.app, 'KM-CAP-001').map((x) => x.message);
    expect(messages).toEqual([
      expect.stringMatching(/^worker VMs need 400 vCPUs, but the 3 VM host\(s\) offer 360 /),
      expect.stringMatching(/^worker VMs need 812\.5 GiB of memory .* but the 3 VM host\(s\) offer 744 GiB/),
    ]);
    expect(messages.join('\n')).not.toContain('globex');
  });

  test('KM-CAP-001: pools pinned to hosts must fit the hosts carrying their labels', () => {
    const p = policyPlatform();
    p.servers.addHost({ name: 'edge-1', bmc: { address: 'redfish-virtualmedia://192.168.20.60/redfish/v1/Systems/1' }, labels: { 'kmetal.io/site': 'factory-a' }, capacity: { cpuCores: 16, memoryGiB: 64 } });
    // One 16-core host at the site: (16 − 2) × 4 = 56 vCPUs, 64 − 8 = 56 GiB.
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 3, cpuCores: 16, memoryGiB: 16, hostSelector: { 'kmetal.io/site': 'factory-a' } }] });
    // 48 vCPUs fit 56, 3 × 16.25 = 48.75 GiB fit 56: nothing. A fourth VM does not fit.
    expect(findings(p.app, 'KM-CAP-001')).toEqual([]);
    p.platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 1, cpuCores: 4, memoryGiB: 8, hostSelector: { 'kmetal.io/site': 'factory-a' } }] });
    expect(findings(p.app, 'KM-CAP-001').map((x) => x.message)).toEqual([
      'worker VMs pinned to kmetal.io/site=factory-a need 57 GiB of memory, but the 1 host(s) labelled kmetal.io/site=factory-a offer 56 GiB; largest: tenant-acme/acme 48 GiB, tenant-globex/globex 8 GiB',
    ]);
    // Labels no host carries: nothing can run there.
    p.platform.addTenantCluster('initech', { version: 'v1.33.2', nodePools: [{ name: 'x', replicas: 1, hostSelector: { 'kmetal.io/site': 'nowhere' } }] });
    expect(findings(p.app, 'KM-CAP-001').map((x) => x.message)).toEqual(expect.arrayContaining([
      'worker VMs pinned to kmetal.io/site=nowhere need 2 vCPUs, but the 0 host(s) labelled kmetal.io/site=nowhere offer 0; largest: tenant-initech/initech 2 vCPUs',
    ]));
  });

  test('KM-CAP-001: the worker VMs of tenants at an edge site run on its island, not on the under cluster\'s hosts', () => {
    const p = policyPlatform();
    const site = p.platform.addIslandSite('factory-a', { controlPlaneVips: ['10.1.0.64/27'], island: { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 4, cpuCores: 16, memoryGiB: 64 }] } });
    site.addTenantCluster('line-1', { version: 'v1.33.2', nodePools: [{ name: 'plc', replicas: 2, cpuCores: 8, memoryGiB: 16 }] });
    // Counted centrally: the island's own 4 VMs (64 vCPUs), never line-1's (which the site checks).
    const capacity = findings(p.app, 'KM-CAP-001');
    expect(capacity).toEqual([]);
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 37, cpuCores: 8, memoryGiB: 1 }] });
    // 64 + 296 = 360 vCPUs fill the 360 exactly; line-1's 16 would overflow them if they were counted.
    expect(findings(p.app, 'KM-CAP-001')).toEqual([]);
  });

  test('KM-CAP-001: only the hosts that run VMs count, and the ratios are configurable', () => {
    const cp = policyPlatform();
    cp.servers.addHost({ name: 'cp-1', bmc: { address: 'redfish-virtualmedia://192.168.20.50/redfish/v1/Systems/1' }, labels: { 'kmetal.io/role': 'control-plane' }, capacity: { cpuCores: 512, memoryGiB: 4096 } });
    cp.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 50, cpuCores: 8, memoryGiB: 1 }] });
    expect(findings(cp.app, 'KM-CAP-001')[0].message).toMatch(/^worker VMs need 400 vCPUs, but the 3 VM host\(s\) offer 360 /);

    const small = policyPlatform({ pack: { capacity: { vmHostLabels: { 'kmetal.io/pool': 'nothing' } } } });
    small.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 100, cpuCores: 8 }] });
    expect(findings(small.app, 'KM-CAP-001')).toEqual([]); // no VM host: not checked
    const generous = policyPlatform({ pack: { capacity: { cpuOvercommitRatio: 10, reservedCpuCoresPerHost: 0 } } });
    generous.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 100, cpuCores: 8, memoryGiB: 1 }] });
    expect(findings(generous.app, 'KM-CAP-001')).toEqual([]); // 800 vCPUs of 960
  });

  test('KM-CAP-002: GPUs per model, including class-based pools and devices added through escape hatches', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('vision', { clusterClass: p.golden, nodePools: [{ name: 'gpu', replicas: 2, gpus: [{ deviceName: GPU }] }] });
    expect(findings(p.app, 'KM-CAP-002')).toEqual([]);
    const llm = p.platform.addTenantCluster('llm', { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: GPU }] }] });
    expect(findings(p.app, 'KM-CAP-002').map((x) => x.message)).toEqual([
      'worker VMs request 3 GPU(s) of model GA102GL_A10 (nvidia.com/GA102GL_A10), but the VM hosts have 2; largest: tenant-vision/vision 2 GPUs, tenant-llm/llm 1 GPUs',
    ]);
    llm.nodePools[0].machineTemplate.addJsonPatch(JsonPatch.add('/spec/template/spec/virtualMachineTemplate/spec/template/spec/domain/devices/hostDevices', [{ name: 'qat', deviceName: 'intel.com/qat' }]));
    expect(findings(p.app, 'KM-CAP-002').map((x) => x.message)).toContain(
      'worker VMs request 1 × intel.com/qat, but no VM host has a GPU model matching it (host models: GA102GL_A10); largest: tenant-llm/llm 1 GPUs');
  });

  test('KM-CAP-002: gpuModels maps device names to host models', () => {
    const p = policyPlatform({ pack: { capacity: { gpuModels: { [GPU]: 'nvidia-h100' } } } });
    p.platform.addTenantCluster('vision', { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: GPU }] }] });
    expect(findings(p.app, 'KM-CAP-002')[0].message).toMatch(/1 GPU\(s\) of model nvidia-h100 .* the VM hosts have 0/);
  });

  test('KM-CAP-003: a tenant\'s GPU quota above the GPUs, and quotas that add up beyond them', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('greedy', { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: GPU }] }], governance: { quota: { gpus: { [GPU]: 4 } } } });
    expect(findings(p.app, 'KM-CAP-003').map((x) => x.message)).toEqual(['Capsule tenant "greedy" may use 4 × nvidia.com/GA102GL_A10, but the VM hosts have 2 of model GA102GL_A10']);

    const q = policyPlatform();
    for (const t of ['a', 'b']) q.platform.addTenantCluster(t, { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: GPU }] }] });
    // Derived quotas: (1 VM + 1 surge) × 1 GPU each = 4 promised, 2 exist.
    expect(findings(q.app, 'KM-CAP-003').map((x) => x.message)).toEqual(['the GPU quotas of 2 tenants add up to 4 GPU(s) of GA102GL_A10, but the VM hosts have 2 (derived quotas include a rolling-update surge VM per pool)']);
    const ok = policyPlatform({ pack: { capacity: { allowGpuQuotaOverbooking: true } } });
    for (const t of ['a', 'b']) ok.platform.addTenantCluster(t, { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: GPU }] }] });
    expect(findings(ok.app, 'KM-CAP-003')).toEqual([]);
  });
});
