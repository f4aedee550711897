import { JsonPatch } from 'cdk8s';
import { findings, policyPlatform } from './fixture';

// The fixture's VM hosts: 3 × 32 cores / 256 GiB, 2 cores and 8 GiB reserved per host, CPU
// overcommit 4: (3 × 30) × 4 = 360 vCPUs, 3 × 248 = 744 GiB.

describe('KM-CAP-006: rolling-update surge fits the VM hosts\' free capacity', () => {
  test('pools roll without surge by default, so a full fleet raises nothing', () => {
    const p = policyPlatform();
    // 720 GiB of 744 at steady state: no room for one more 16 GiB VM, but none is asked for.
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 45, cpuCores: 2, memoryGiB: 15.75 }] });
    expect(findings(p.app, 'KM-CAP-001')).toEqual([]);
    expect(findings(p.app, 'KM-CAP-006')).toEqual([]);
  });

  test('a surge larger than what is left is an error naming the surging pools; a smaller one passes', () => {
    const p = policyPlatform();
    // Steady state: 40 × 16.25 = 650 GiB of 744 → 94 GiB free.
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 40, cpuCores: 2, memoryGiB: 16, rollout: { maxSurge: 5 } }] });
    // 5 × 16.25 = 81.25 GiB fit the 94 free.
    expect(findings(p.app, 'KM-CAP-006')).toEqual([]);
    // A class-based cluster's surge counts the same way: 2 more 16 GiB VMs at steady state
    // (94 − 32.5 = 61.5 GiB free), and a surge of 2 (32.5 GiB): 81.25 + 32.5 = 113.75 > 61.5.
    p.platform.addTenantCluster('globex', { clusterClass: p.golden, nodePools: [{ name: 'general', replicas: 2, memoryGiB: 16, rollout: { maxSurge: 2 } }] });
    const f = findings(p.app, 'KM-CAP-006');
    expect(f.map((x) => x.message)).toEqual([
      'while they roll, 2 pool(s) with a surge create 7 VM(s) beyond their size, needing 113.8 GiB of memory (61.5 GiB free) on the 3 VM host(s) beyond every pool at its largest; largest surges: tenant-acme/acme 5 VMs, tenant-globex/globex 2 VMs',
    ]);
    expect(f[0].severity).toBe('error');
  });

  test('a strategy that leaves maxSurge out (an escape-hatch patch) gets Cluster API\'s default of 1', () => {
    const p = policyPlatform();
    const cluster = p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 45, cpuCores: 2, memoryGiB: 16 }] });
    expect(findings(p.app, 'KM-CAP-006')).toEqual([]);
    // 45 × 16.25 = 731.25 GiB of 744: 12.75 free, one more VM needs 16.25.
    cluster.nodePools[0].machineDeployment.addJsonPatch(JsonPatch.remove('/spec/rollout'));
    expect(findings(p.app, 'KM-CAP-006').map((x) => x.message)).toEqual([
      'while they roll, 1 pool(s) with a surge create 1 VM(s) beyond their size, needing 16.3 GiB of memory (12.8 GiB free) on the 3 VM host(s) beyond every pool at its largest; largest surges: tenant-acme/acme 1 VMs',
    ]);
  });

  test('pinned pools count against the hosts carrying their labels', () => {
    const p = policyPlatform();
    p.servers.addHost({ name: 'edge-1', bmc: { address: 'redfish-virtualmedia://192.168.20.60/redfish/v1/Systems/1' }, labels: { 'kmetal.io/site': 'factory-a' }, capacity: { cpuCores: 16, memoryGiB: 64 } });
    // One host at the site: 56 vCPUs, 56 GiB; 3 × 16 = 48 vCPUs at steady state, a surge of 1 needs 16 more.
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 3, cpuCores: 16, memoryGiB: 8, hostSelector: { 'kmetal.io/site': 'factory-a' }, rollout: { maxSurge: 1 } }] });
    expect(findings(p.app, 'KM-CAP-006').map((x) => x.message)).toEqual([
      'while they roll, pools pinned to kmetal.io/site=factory-a create 1 VM(s) beyond their size, needing 16 vCPUs and 8.3 GiB, but the 1 host(s) labelled so have 8 vCPUs and 31.3 GiB free; largest surges: tenant-acme/acme 1 VMs',
    ]);
  });
});
