import { expectError, PLANES, platform } from './fixture';
import { NetworkPlane, NetworkPlanes } from '../../src';
import { conformanceErrors, findObject, newChart } from '../support/platform';

describe('NetworkPlanes, emitted objects', () => {
  const { chart } = platform();
  const objects = chart.toJson();

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('the public plane is a Kube-OVN underlay: ProviderNetwork, Vlan and Subnet wired together', () => {
    expect(findObject(objects, 'ProviderNetwork', 'public').spec).toEqual({ defaultInterface: 'bond0.204' });
    expect(findObject(objects, 'Vlan', 'public-vlan204').spec).toEqual({ id: 204, provider: 'public' });
    const subnet = findObject(objects, 'Subnet', 'external');
    expect(subnet.spec).toMatchObject({ cidrBlock: '203.0.113.0/24', gateway: '203.0.113.1', protocol: 'IPv4', vlan: 'public-vlan204' });
  });

  test('the public subnet keeps reserved addresses and the VIP pool out of Kube-OVN dynamic allocation, gateway first', () => {
    const subnet = findObject(objects, 'Subnet', 'external');
    expect(subnet.spec.excludeIps).toEqual(['203.0.113.1', '203.0.113.2..203.0.113.9', '203.0.113.64..203.0.113.95']);
  });

  test('the external gateway config names the public subnet as every VPC\'s external switch', () => {
    const cm = findObject(objects, 'ConfigMap', 'ovn-external-gw-config');
    expect(cm.metadata.namespace).toBe('kube-system');
    expect(cm.data).toEqual({
      'enable-external-gw': 'true',
      'external-gw-switch': 'external',
      'external-gw-nodes': 'node-1,node-2,node-3',
      'external-gw-nic': 'bond0.204',
      'external-gw-addr': '203.0.113.1/24',
      'type': 'centralized',
    });
  });

  test('the external gateway config can be left to the Kube-OVN installation', () => {
    const { chart: c } = newChart();
    new NetworkPlanes(c, 'Planes', { ...PLANES, publicPlane: { ...PLANES.publicPlane, externalGatewayConfig: false } });
    expect(c.toJson().map((o) => o.kind)).toEqual(['ProviderNetwork', 'Vlan', 'Subnet']);
  });
});

describe('NetworkPlanes, which range is on which plane', () => {
  const { planes } = platform({ tenantCidrs: ['10.0.0.0/8', '172.16.0.0/12'] });

  test('management: node network, ovn-default, join and Service networks (Kube-OVN defaults)', () => {
    expect(planes.managementCidrs).toEqual(['192.168.10.0/24', '10.16.0.0/16', '100.64.0.0/16', '10.96.0.0/12']);
    expect(planes.planeOf('192.168.10.128/25')).toBe(NetworkPlane.MANAGEMENT);
    expect(planes.planeOf('10.16.5.0/24')).toBe(NetworkPlane.MANAGEMENT);
    expect(planes.planeOf('10.100.0.0/16')).toBe(NetworkPlane.MANAGEMENT);
  });

  test('public: the underlay subnet and the VIP pools', () => {
    expect(planes.planeOf('203.0.113.0/28')).toBe(NetworkPlane.PUBLIC);
  });

  test('tenant: inside the tenant ranges; unassigned outside them', () => {
    expect(planes.planeOf('10.0.0.0/16')).toBe(NetworkPlane.TENANT);
    expect(planes.planeOf('172.20.0.0/16')).toBe(NetworkPlane.TENANT);
    expect(planes.planeOf('198.51.100.0/24')).toBe(NetworkPlane.UNASSIGNED);
  });

  test('a range touching management and tenant space is management (the plane that must never be reached)', () => {
    expect(planes.planeOf('10.0.0.0/8')).toBe(NetworkPlane.MANAGEMENT);
  });
});

describe('NetworkPlanes, bad input is refused with the construct path, field and fix', () => {
  const make = (props: any) => () => new NetworkPlanes(newChart().chart, 'Planes', props);

  test('invalid public CIDR', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, cidr: '203.0.113.0/33' } }), 'test/Planes', 'publicPlane.cidr', /"203.0.113.0\/33" is not a network in CIDR notation/);
  });

  test('host bits set in a management CIDR', () => {
    expectError(make({ ...PLANES, managementPlane: { nodeCidrs: ['192.168.10.1/24'] } }), 'test/Planes', 'managementPlane.nodeCidrs[0]', /not a network in CIDR notation \(or has host bits set\)/);
  });

  test('public plane on the management plane', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, cidr: '192.168.10.0/25' } }), 'test/Planes', 'publicPlane.cidr', /overlaps the under cluster's node network 192.168.10.0\/24/);
  });

  test('invalid tenant range', () => {
    expectError(make({ ...PLANES, tenantCidrs: ['10.0.0.0/8', 'ten-slash-eight'] }), 'test/Planes', 'tenantCidrs[1]', /"ten-slash-eight" is not a network/);
  });

  test('gateway outside the public network', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, gateway: '198.51.100.1' } }), 'test/Planes', 'publicPlane.gateway', /not a usable address of 203.0.113.0\/24/);
  });

  test('provider network name too long for the OVS bridge', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, providerNetworkName: 'public-network' } }), 'test/Planes', 'publicPlane.providerNetworkName', /leaves 12/);
  });

  test('VLAN id out of range', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, vlanId: 4095 } }), 'test/Planes', 'publicPlane.vlanId', /not a VLAN id/);
  });

  test('no gateway nodes', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, gatewayNodes: [] } }), 'test/Planes', 'publicPlane.gatewayNodes', /not a list of node names/);
  });

  test('peering link block that is not IPv4', () => {
    expectError(make({ ...PLANES, peeringLinkCidr: 'fd00::/64' }), 'test/Planes', 'peeringLinkCidr', /cannot hold IPv4 \/30 links/);
  });

  test('reserved address outside the public network', () => {
    expectError(make({ ...PLANES, publicPlane: { ...PLANES.publicPlane, reservedAddresses: ['198.51.100.5'] } }), 'test/Planes', 'publicPlane.reservedAddresses[0]', /not an address or range inside 203.0.113.0\/24/);
  });
});
