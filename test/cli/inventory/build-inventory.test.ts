import { buildInventory, nodeGpus } from '../../../src/cli/inventory/build-inventory';
import { BMC_PASSWORD, metal3Objects } from '../support/metal3-fixtures';

const SOURCE = { server: 'https://10.0.0.1:6443', context: 'mgmt', readAt: '2026-01-01T00:00:00.000Z' };

describe('buildInventory', () => {
  test('keeps inspected hosts a pool accepts, and says why the others are left out', () => {
    const { hosts, nodes } = metal3Objects();
    const built = buildInventory(hosts, nodes, SOURCE);
    expect(built.file.hosts.map((h) => h.name)).toEqual(['lab-1', 'r12-u07', 'r12-u09']);
    const reasons = Object.fromEntries(built.file.hostStatus.filter((h) => !h.loadable).map((h) => [h.name, h.notLoadableReason]));
    expect(reasons).toEqual({
      'r12-u08': expect.stringMatching(/^not inspected yet/),
      'r12-u10': expect.stringMatching(/^bmc\.credentials: no BMC credentials for this host/),
    });
    expect(JSON.stringify(built)).not.toContain(BMC_PASSWORD);
  });

  test('physical cores are half the inspected CPUs when the CPU reports SMT; memory in GiB', () => {
    const { hosts } = metal3Objects();
    const u09 = buildInventory(hosts, [], SOURCE).file.hosts.find((h) => h.name === 'r12-u09')!;
    expect(u09.capacity).toEqual({ cpuCores: 16, memoryGiB: 256 });
    hosts[2].status.hardware.cpu.flags = ['fpu'];
    expect(buildInventory(hosts, [], SOURCE).file.hosts.find((h) => h.name === 'r12-u09')!.capacity.cpuCores).toBe(32);
  });

  test('the boot MAC comes from the spec, else from the NIC Metal3 saw PXE-boot', () => {
    const { hosts } = metal3Objects();
    hosts[0].spec.bootMACAddress = 'AA:BB:CC:00:11:22';
    const file = buildInventory(hosts, [], SOURCE).file;
    expect(file.hosts.find((h) => h.name === 'r12-u07')!.bootMacAddress).toBe('aa:bb:cc:00:11:22');
    expect(file.hosts.find((h) => h.name === 'r12-u09')!.bootMacAddress).toBe('0c:c4:7a:12:34:57');
  });
});

test('nodeGpus reads GPU vendors\' extended resources only, naming generic NVIDIA GPUs by their product label', () => {
  const { nodes } = metal3Objects();
  expect(nodeGpus(nodes[0])).toEqual([{ resourceName: 'nvidia.com/gpu', model: 'NVIDIA-A100-SXM4-80GB', capacity: 4, allocatable: 3 }]);
  expect(nodeGpus(nodes[1]).map((g) => g.resourceName)).toEqual(['nvidia.com/GA102GL_A10']);
  expect(nodeGpus(nodes[2])).toEqual([]);
});
