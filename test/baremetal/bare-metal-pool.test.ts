import { Chart } from 'cdk8s';
import { catchValidation, expectError, ipmiHost, redfishHost } from './fixtures';
import { BareMetalHost, BareMetalPool, BmcCredentials, BootMode } from '../../src';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

describe('BareMetalPool, emitted hosts', () => {
  const { chart } = newChart();
  const pool = new BareMetalPool(chart, 'rack-a', {
    namespace: 'metal',
    labels: { 'kmetal.io/site': 'fra1' },
    hosts: [
      redfishHost(1, {
        bootMode: BootMode.UEFI_SECURE_BOOT,
        rootDeviceHints: { deviceName: '/dev/disk/by-path/pci-0000:00:1f.2-ata-1', minSizeGiB: 400, rotational: false },
        labels: { 'kmetal.io/gpu': 'a100' },
        capacity: { cpuCores: 64, memoryGiB: 1024, gpus: [{ model: 'nvidia-a100-80gb', count: 4 }, { model: 'nvidia-l4' }] },
        description: 'rack A, unit 7',
      }),
      { ...ipmiHost(2), online: false, bmc: { address: 'ipmi://10.20.0.2', credentialsName: 'ipmi-2-bmc', disableCertificateVerification: true } },
    ],
  });
  pool.addHost(redfishHost(3, { bootMacAddress: '0C-C4-7A-AB-CD-EF', bmc: { address: 'redfish://10.10.0.3/redfish/v1/Systems/1', credentialsName: 'node-3-bmc' } }));
  const objects = chart.toJson();

  test('every object is valid against the pinned BareMetalHost CRD', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('one BareMetalHost per server, in the order added, in the pool namespace', () => {
    expect(ofKind(objects, 'BareMetalHost').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['metal/node-1', 'metal/ipmi-2', 'metal/node-3']);
    expect(objects).toHaveLength(3);
  });

  test('the host spec carries BMC reference, boot settings, root device hints and the online flag', () => {
    expect(findObject(objects, 'BareMetalHost', 'node-1').spec).toEqual({
      online: true,
      bmc: { address: 'redfish-virtualmedia://10.10.0.1/redfish/v1/Systems/1', credentialsName: 'node-1-bmc' },
      bootMode: 'UEFISecureBoot',
      rootDeviceHints: { deviceName: '/dev/disk/by-path/pci-0000:00:1f.2-ata-1', minSizeGigabytes: 400, rotational: false },
      description: 'rack A, unit 7',
    });
    expect(findObject(objects, 'BareMetalHost', 'ipmi-2').spec).toEqual({
      online: false,
      bmc: { address: 'ipmi://10.20.0.2', credentialsName: 'ipmi-2-bmc', disableCertificateVerification: true },
      bootMACAddress: '0c:c4:7a:00:00:02',
    });
  });

  test('boot MACs are normalized to lowercase colon form', () => {
    expect(findObject(objects, 'BareMetalHost', 'node-3').spec.bootMACAddress).toBe('0c:c4:7a:ab:cd:ef');
    expect(pool.findHost('node-3')!.bootMacAddress).toBe('0c:c4:7a:ab:cd:ef');
  });

  test('every host carries the pool label, the pool labels and its own', () => {
    expect(findObject(objects, 'BareMetalHost', 'node-1').metadata.labels).toEqual({ 'kmetal.io/pool': 'rack-a', 'kmetal.io/site': 'fra1', 'kmetal.io/gpu': 'a100' });
    expect(findObject(objects, 'BareMetalHost', 'ipmi-2').metadata.labels).toEqual({ 'kmetal.io/pool': 'rack-a', 'kmetal.io/site': 'fra1' });
    expect(pool.hostSelector).toEqual({ 'kmetal.io/pool': 'rack-a' });
  });

  test('capacity: per host (GPU counts filled in, sorted) and summed over the pool', () => {
    expect(pool.findHost('node-1')!.capacity).toEqual({ cpuCores: 64, memoryGiB: 1024, gpus: [{ model: 'nvidia-a100-80gb', count: 4 }, { model: 'nvidia-l4', count: 1 }] });
    expect(pool.capacity).toEqual({
      hostCount: 3,
      cpuCores: 160,
      memoryGiB: 1792,
      gpuCount: 5,
      gpus: [{ model: 'nvidia-a100-80gb', count: 4 }, { model: 'nvidia-l4', count: 1 }],
    });
    expect(pool.selectHosts({ 'kmetal.io/gpu': 'a100' }).map((h) => h.hostName)).toEqual(['node-1']);
  });

  test('escape hatch: the BareMetalHost ApiObject of a host', () => {
    pool.findHost('ipmi-2')!.apiObject.addJsonPatch();
    expect(pool.findHost('ipmi-2')!.apiObject.kind).toBe('BareMetalHost');
  });
});

describe('BareMetalPool, inventories', () => {
  const inventory = {
    hosts: [
      { name: 'gpu-01', bmc: { address: 'idrac-virtualmedia://10.30.0.1/redfish/v1/Systems/System.Embedded.1', credentialsName: 'gpu-01-bmc' }, capacity: { cpuCores: 96, memoryGiB: 2048, gpus: [{ model: 'nvidia-h100', count: 8 }] }, bootMode: 'UEFI' },
      { name: 'gpu-02', bmc: { address: 'ipmi://10.30.0.2' }, bootMacAddress: 'b8:ca:3a:00:00:02', capacity: { cpuCores: 96, memoryGiB: 2048 }, labels: { 'kmetal.io/rack': 'r12' } },
    ],
  };

  test('from JSON text or parsed data, hosts without credentials use the pool default', () => {
    for (const input of [JSON.stringify(inventory), inventory, inventory.hosts]) {
      const { chart } = newChart();
      const pool = BareMetalPool.fromInventoryJson(chart, 'gpu', { namespace: 'metal', defaultCredentials: BmcCredentials.fromSecret('{host}-bmc') }, input);
      const objects = chart.toJson();
      expect(conformanceErrors(objects)).toBe('');
      expect(pool.hosts.map((h) => h.credentialsSecretName)).toEqual(['gpu-01-bmc', 'gpu-02-bmc']);
      expect(findObject(objects, 'BareMetalHost', 'gpu-01').spec.bootMode).toBe('UEFI');
      expect(pool.capacity.gpus).toEqual([{ model: 'nvidia-h100', count: 8 }]);
    }
  });

  test('unknown fields are refused, with the spelling the pool expects', () => {
    const { chart } = newChart();
    const pool = new BareMetalPool(chart, 'p', { namespace: 'metal' });
    expectError(() => pool.addInventory([{ ...redfishHost(1), bootMACAddress: '0c:c4:7a:00:00:01' }]), 'test/p', 'inventory.hosts[0].bootMACAddress', /not a field of a host entry.*Fix: write "bootMacAddress"/);
    expectError(() => pool.addInventory([{ ...redfishHost(1), capacity: { cores: 4, memoryGiB: 8 } }]), 'test/p', 'inventory.hosts[0].capacity.cores', /Fix: use only cpuCores, memoryGiB, gpus/);
    expectError(() => pool.addInventory('{"hosts": ['), 'test/p', 'inventory', /not valid JSON/);
    expectError(() => pool.addInventory({ servers: [] }), 'test/p', 'inventory', /has no list of hosts/);
  });
});

describe('BareMetalPool, hosts added late and after errors', () => {
  test('a host that fails validation leaves nothing behind: the same name, MAC and BMC can be added fixed', () => {
    const { chart } = newChart();
    const pool = new BareMetalPool(chart, 'p', { namespace: 'metal' });
    catchValidation(() => pool.addHost(ipmiHost(1, { bootMacAddress: 'not-a-mac' })));
    expect(pool.hosts).toHaveLength(0);
    expect(pool.node.tryFindChild('ipmi-1')).toBeUndefined();
    pool.addHost(ipmiHost(1));
    expect(ofKind(chart.toJson(), 'BareMetalHost')).toHaveLength(1);
  });

  test('two apps do not share the registry of MACs and BMCs', () => {
    for (let i = 0; i < 2; i++) {
      const { chart } = newChart();
      new BareMetalPool(chart, 'p', { namespace: 'metal', hosts: [ipmiHost(1)] });
      expect(chart.toJson()).toHaveLength(1);
    }
  });
});

describe('BareMetalPool, refused input (errors name the construct path, the field and the fix)', () => {
  const setup = () => {
    const { app, chart } = newChart();
    const pool = new BareMetalPool(chart, 'rack-a', { namespace: 'metal', hosts: [ipmiHost(1), redfishHost(2)] });
    return { app, chart, pool };
  };

  test('malformed and non-NIC MAC addresses', () => {
    const { pool } = setup();
    expectError(() => pool.addHost(ipmiHost(5, { bootMacAddress: '0c:c4:7a:00:00' })), 'test/rack-a/ipmi-5', 'bootMacAddress', /"0c:c4:7a:00:00" is not a MAC address/);
    expectError(() => pool.addHost(ipmiHost(5, { bootMacAddress: '0c:c4:7a:00:00:zz' })), 'test/rack-a/ipmi-5', 'bootMacAddress', /not a MAC address/);
    expectError(() => pool.addHost(ipmiHost(5, { bootMacAddress: 'ff:ff:ff:ff:ff:ff' })), 'test/rack-a/ipmi-5', 'bootMacAddress', /multicast\/broadcast address/);
    expectError(() => pool.addHost(ipmiHost(5, { bootMacAddress: '00:00:00:00:00:00' })), 'test/rack-a/ipmi-5', 'bootMacAddress', /placeholder/);
  });

  test('malformed or unsupported BMC address', () => {
    const { pool } = setup();
    expectError(() => pool.addHost(redfishHost(5, { bmc: { address: 'ilo4://10.0.0.5', credentialsName: 'x' } })), 'test/rack-a/node-5', 'bmc.address', /scheme "ilo4".*not one Metal3 accepts/);
    expectError(() => pool.addHost(redfishHost(5, { bmc: { address: '10.0.0.5', credentialsName: 'x' } })), 'test/rack-a/node-5', 'bmc.address', /not a BMC address with a scheme/);
  });

  test('a driver that boots over the network without the boot MAC', () => {
    const { pool } = setup();
    expectError(() => pool.addHost(redfishHost(5, { bmc: { address: 'redfish://10.10.0.5', credentialsName: 'x' } })), 'test/rack-a/node-5', 'bootMacAddress', /BMC driver redfish .* needs the boot NIC's MAC.*Fix: set bootMacAddress, or use a virtual-media scheme/);
  });

  test('duplicate MAC across the whole app: another pool in another chart, written differently', () => {
    const { app, pool } = setup();
    const other = new BareMetalPool(new Chart(app, 'site-b'), 'rack-b', { namespace: 'metal-b' });
    const e = expectError(() => other.addHost(ipmiHost(7, { bootMacAddress: '0C-C4-7A-00-00-01' })), 'site-b/rack-b/ipmi-7', 'bootMacAddress', /0c:c4:7a:00:00:01 is already the boot MAC of host "ipmi-1" \(test\/rack-a\/ipmi-1\)/);
    expect(e.fix).toMatch(/copied line/);
    expect(pool.hosts).toHaveLength(2);
  });

  test('duplicate BMC across the whole app, however the address is spelled', () => {
    const { app } = setup();
    const other = new BareMetalPool(new Chart(app, 'site-b'), 'rack-b', { namespace: 'metal-b' });
    expectError(() => other.addHost(redfishHost(9, { bmc: { address: 'redfish-virtualmedia://10.10.0.2:443/redfish/v1/Systems/1/', credentialsName: 'x' } })), 'site-b/rack-b/node-9', 'bmc.address', /reaches the same BMC as host "node-2" \(test\/rack-a\/node-2\)/);
    expectError(() => other.addHost(ipmiHost(9, { bmc: { address: 'ipmi://10.20.0.1:623', credentialsName: 'x' } })), 'site-b/rack-b/ipmi-9', 'bmc.address', /same BMC as host "ipmi-1"/);
    // Another Redfish system behind the same BMC is another server.
    other.addHost(redfishHost(9, { bmc: { address: 'redfish-virtualmedia://10.10.0.2/redfish/v1/Systems/2', credentialsName: 'x' } }));
  });

  test('duplicate host names: in the pool, and across pools of a namespace', () => {
    const { chart, pool } = setup();
    expectError(() => pool.addHost(ipmiHost(1, { bootMacAddress: '0c:c4:7a:00:00:99', bmc: { address: 'ipmi://10.20.0.99', credentialsName: 'x' } })), 'test/rack-a', 'hosts[2].name', /already has a host named "ipmi-1"/);
    const sibling = new BareMetalPool(chart, 'rack-b', { namespace: 'metal' });
    expectError(() => sibling.addHost(redfishHost(2, { bmc: { address: 'redfish-virtualmedia://10.10.9.9', credentialsName: 'x' } })), 'test/rack-b/node-2', 'name', /a BareMetalHost metal\/node-2 is already declared \(test\/rack-a\/node-2\)/);
    // The same name in another namespace is another object.
    new BareMetalPool(chart, 'rack-c', { namespace: 'metal-c', hosts: [redfishHost(2, { bmc: { address: 'redfish-virtualmedia://10.10.9.9', credentialsName: 'x' } })] });
  });

  test('duplicate pool names in a namespace (their hosts would share the selector label)', () => {
    const { chart } = setup();
    expectError(() => new BareMetalPool(chart, 'again', { name: 'rack-a', namespace: 'metal' }), 'test/again', 'name', /a pool named "rack-a" already exists in namespace metal/);
  });

  test('host details Metal3 would refuse', () => {
    const { pool } = setup();
    expectError(() => pool.addHost(ipmiHost(5, { bootMode: BootMode.UEFI_SECURE_BOOT })), 'test/rack-a/ipmi-5', 'bootMode', /ipmi cannot switch secure boot/);
    expectError(() => pool.addHost(ipmiHost(5, { rootDeviceHints: { deviceName: 'sda' } })), 'test/rack-a/ipmi-5', 'rootDeviceHints.deviceName', /not a \/dev\/<name>/);
    expectError(() => pool.addHost(ipmiHost(5, { rootDeviceHints: { deviceName: '/dev/disk/by-id/wwn-0x5000' } })), 'test/rack-a/ipmi-5', 'rootDeviceHints.deviceName', /by-path/);
    expectError(() => pool.addHost(ipmiHost(5, { rootDeviceHints: { hctl: '0:0:0' } })), 'test/rack-a/ipmi-5', 'rootDeviceHints.hctl', /SCSI address/);
    expectError(() => pool.addHost(ipmiHost(5, { name: '123e4567-e89b-12d3-a456-426614174000' })), 'test/rack-a/123e4567-e89b-12d3-a456-426614174000', 'name', /UUID/);
    expectError(() => pool.addHost(ipmiHost(5, { name: 'Node_5' })), 'test/rack-a', 'hosts[2].name', /not a DNS-1123 label/);
    expectError(() => pool.addHost(ipmiHost(5, { capacity: { cpuCores: 0, memoryGiB: 8 } })), 'test/rack-a/ipmi-5', 'capacity.cpuCores', /whole number of at least 1/);
    expectError(() => pool.addHost(ipmiHost(5, { capacity: { cpuCores: 8, memoryGiB: 8, gpus: [{ model: 'l4' }, { model: 'l4' }] } })), 'test/rack-a/ipmi-5', 'capacity.gpus[1].model', /listed twice/);
    expectError(() => pool.addHost(ipmiHost(5, { labels: { 'kmetal.io/pool': 'other' } })), 'test/rack-a/ipmi-5', 'labels.kmetal.io/pool', /set by the pool/);
    expectError(() => pool.addHost(ipmiHost(5, { labels: { 'bad key!': 'x' } })), 'test/rack-a/ipmi-5', 'labels.bad key!', /not a valid Kubernetes label/);
  });

  test('a host without credentials, or with two kinds of reference', () => {
    const { pool } = setup();
    expectError(() => pool.addHost(ipmiHost(5, { bmc: { address: 'ipmi://10.20.0.5' } })), 'test/rack-a/ipmi-5', 'bmc.credentials', /no BMC credentials.*Fix: .*defaultCredentials/);
    expectError(() => pool.addHost(ipmiHost(5, { bmc: { address: 'ipmi://10.20.0.5', credentialsName: 'a', credentials: BmcCredentials.fromSecret('b') } })), 'test/rack-a/ipmi-5', 'bmc.credentialsName', /both/);
  });

  test('hosts are created inside their pool; a label key ending in "token" is only a label', () => {
    const { chart, pool } = setup();
    expectError(() => new BareMetalHost(chart, 'stray', { ...ipmiHost(9), pool }), 'test/stray', 'pool', /created inside its pool.*Fix: use pool.addHost/);
    expect(pool.addHost(ipmiHost(9, { labels: { 'example.com/join-token': 'none' } })).labels['example.com/join-token']).toBe('none');
  });

  test('pool name and namespace are DNS labels', () => {
    const { chart } = newChart();
    expectError(() => new BareMetalPool(chart, 'RackA', { namespace: 'metal' }), 'test/RackA', 'name', /not a DNS-1123 label.*Fix: use e.g. "racka"/);
    expectError(() => new BareMetalPool(chart, 'p', { namespace: 'Metal' }), 'test/p', 'namespace', /not a DNS-1123 label/);
  });
});
