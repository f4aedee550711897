import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { TestWorkspace, TOKEN } from './support/fixture';
import { KmetalHost, type KmetalRun } from './support/kmetal-host';
import { BMC_PASSWORD, metal3Cluster } from './support/metal3-fixtures';
import type { StandInApiServer } from './support/stand-in-api-server';
import { BareMetalPool } from '../../src/baremetal/bare-metal-pool';

let host: KmetalHost;
let ws: TestWorkspace;
beforeAll(async () => {
  host = await KmetalHost.start();
  ws = TestWorkspace.create();
});
afterAll(async () => {
  await host?.stop();
  await ws?.dispose();
});

function checked(run: KmetalRun): KmetalRun {
  for (const secret of [TOKEN, BMC_PASSWORD]) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
  return run;
}

describe('kmetal inventory', () => {
  let server: StandInApiServer;
  let run: KmetalRun;
  let file: string;
  let inventory: any;
  beforeAll(async () => {
    const standIn = await ws.standIn('metal3', metal3Cluster);
    server = standIn.server;
    file = path.join(ws.dir, 'inventory.json');
    run = checked(await host.run(['inventory', '--kubeconfig', standIn.kubeconfig, '-o', file]));
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [TOKEN, BMC_PASSWORD]) expect(text).not.toContain(secret);
    inventory = JSON.parse(text);
  });

  test('writes the file and says what it read (exit 0)', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/inventory: 5 BareMetalHosts read, 3 loadable by BareMetalPool, 2 nodes with GPUs → \S+inventory\.json\n$/);
  });

  test('lists BareMetalHosts across namespaces and nodes, page by page, and reads no Secret', () => {
    const gets = server.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets).toEqual(expect.arrayContaining(['/apis/metal3.io/v1alpha1/baremetalhosts', '/api/v1/nodes']));
    expect(server.requests.find((r) => r.path === '/apis/metal3.io/v1alpha1/baremetalhosts')!.query).toEqual({ limit: '500' });
    expect(server.requests.some((r) => r.path.includes('secrets'))).toBe(false);
    expect(new Set(server.requests.map((r) => r.method))).toEqual(new Set(['GET']));
  });

  test('records the state of every host, and why a host is not loadable', () => {
    const status = Object.fromEntries(inventory.hostStatus.map((h: any) => [`${h.namespace}/${h.name}`, h]));
    expect(status['metal3/r12-u07']).toMatchObject({ state: 'available', operationalStatus: 'OK', poweredOn: true, inspected: true, loadable: true, node: 'worker-a', hardware: { cpuCount: 64, cpuSmt: true, ramMebibytes: 524288, manufacturer: 'Supermicro' } });
    expect(status['metal3/r12-u08']).toMatchObject({ state: 'registering', inspected: false, loadable: false, notLoadableReason: expect.stringMatching(/not inspected yet/) });
    expect(status['metal3/r12-u09']).toMatchObject({ state: 'provisioned', consumer: 'metal3/gpu-md-abcde', loadable: true, node: 'r12-u09' });
    expect(status['metal3/r12-u10']).toMatchObject({ loadable: false, notLoadableReason: expect.stringMatching(/^bmc\.credentials: no BMC credentials for this host/) });
    expect(run.stderr).toMatch(/hosts span namespaces lab, metal3/);
    expect(run.stderr).toMatch(/host metal3\/r12-u09: its BMC address carried user information \(credentials\); it was left out/);
  });

  test('turns inspected hardware and node GPUs into host entries: BMC, boot MAC, capacity', () => {
    const u07 = inventory.hosts.find((h: any) => h.name === 'r12-u07');
    expect(u07).toEqual({
      name: 'r12-u07',
      bmc: { address: 'redfish-virtualmedia://10.0.0.21/redfish/v1/Systems/1', credentialsName: 'r12-u07-bmc' },
      bootMacAddress: '0c:c4:7a:12:34:56',
      rootDeviceHints: { deviceName: '/dev/nvme0n1', minSizeGiB: 200 },
      bootMode: 'UEFI',
      online: true,
      labels: { 'kmetal.io/rack': 'r12' },
      capacity: { cpuCores: 32, memoryGiB: 512, gpus: [{ model: 'NVIDIA-A100-SXM4-80GB', count: 4 }] },
    });
    expect(inventory.hosts.find((h: any) => h.name === 'r12-u09').bmc.address).toBe('ipmi://10.0.0.23');
    expect(inventory.nodes).toEqual([
      { name: 'r12-u09', bareMetalHost: 'metal3/r12-u09', gpus: [{ resourceName: 'nvidia.com/GA102GL_A10', model: 'nvidia.com/GA102GL_A10', capacity: 2, allocatable: 2 }] },
      { name: 'worker-a', bareMetalHost: 'metal3/r12-u07', gpus: [{ resourceName: 'nvidia.com/gpu', model: 'NVIDIA-A100-SXM4-80GB', capacity: 4, allocatable: 3 }] },
    ]);
  });

  test('the file loads into a BareMetalPool as written', () => {
    const app = new App();
    const hosts = inventory.hosts.filter((h: any) => h.name.startsWith('r12-'));
    const pool = BareMetalPool.fromInventoryJson(new Chart(app, 'c'), 'gpu', { namespace: 'metal3' }, { hosts });
    expect(pool.hosts.map((h) => h.hostName)).toEqual(['r12-u07', 'r12-u09']);
    expect(pool.capacity).toMatchObject({ hostCount: 2, cpuCores: 48, memoryGiB: 768, gpuCount: 6 });
    // The whole file (its "hosts") loads too: the pool ignores the other top-level fields.
    const all = BareMetalPool.fromInventoryJson(new Chart(new App(), 'c'), 'all', { namespace: 'metal3' }, fs.readFileSync(file, 'utf8'));
    expect(all.hosts).toHaveLength(3);
  });

  test('--namespace reads one namespace; without -o the inventory goes to standard output', async () => {
    const { kubeconfig, server: s } = await ws.standIn('metal3-ns', metal3Cluster);
    const out = checked(await host.run(['inventory', '--kubeconfig', kubeconfig, '--namespace', 'lab']));
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ kind: 'KmetalInventory', version: 1, source: { context: 'stand-in', namespace: 'lab' }, hosts: [{ name: 'lab-1' }] });
    expect(s.requests.some((r) => r.path === '/apis/metal3.io/v1alpha1/namespaces/lab/baremetalhosts')).toBe(true);
  });
});
