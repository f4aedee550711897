import { expectError, platform } from './fixture';
import { ControlPlaneVipPool, PolicyRouteAction, StaticRoutePolicy, TenantVpc } from '../../src';
import { conformanceErrors, findObject, ofKind } from '../support/platform';

describe('TenantVpc, emitted objects', () => {
  const { chart, planes } = platform();
  const vpc = new TenantVpc(chart, 'acme', {
    planes,
    subnets: [
      { name: 'workers', cidr: '10.0.0.0/24', excludeIps: ['10.0.0.200..10.0.0.254'] },
      { name: 'db', cidr: '10.0.1.0/24', gateway: '10.0.1.254' },
    ],
    egressAddress: '203.0.113.10',
    loadBalancerAddresses: ['203.0.113.200/30'],
    staticRoutes: [{ cidr: '172.31.0.0/16', nextHopIp: '10.0.0.250' }],
    policyRoutes: [{ priority: 1000, match: 'ip4.src == 10.0.1.0/24', action: PolicyRouteAction.REROUTE, nextHopIp: '10.0.0.250' }],
  });
  const objects = chart.toJson();

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('one Kube-OVN Vpc, external, with the user routes after the isolation policies', () => {
    const spec = findObject(objects, 'Vpc', 'acme').spec;
    expect(spec.enableExternal).toBe(true);
    expect(spec.staticRoutes).toEqual([{ cidr: '172.31.0.0/16', nextHopIP: '10.0.0.250', policy: 'policyDst' }]);
    expect(spec.policyRoutes.at(-1)).toEqual({ priority: 1000, match: 'ip4.src == 10.0.1.0/24', action: 'reroute', nextHopIP: '10.0.0.250' });
    expect(spec.namespaces).toBeUndefined();
  });

  test('subnets are named <vpc>-<subnet>, bound to the VPC, gateway defaulted and excluded first', () => {
    expect(findObject(objects, 'Subnet', 'acme-workers').spec).toEqual({
      vpc: 'acme', cidrBlock: '10.0.0.0/24', protocol: 'IPv4', gateway: '10.0.0.1', excludeIps: ['10.0.0.1', '10.0.0.200..10.0.0.254'],
    });
    expect(findObject(objects, 'Subnet', 'acme-db').spec).toMatchObject({ gateway: '10.0.1.254', excludeIps: ['10.0.1.254'] });
    expect(vpc.subnets.map((s) => s.subnetName)).toEqual(['acme-workers', 'acme-db']);
  });

  test('no subnet is a default subnet (that would pull control-plane pods into the VPC)', () => {
    for (const s of ofKind(objects, 'Subnet')) expect(s.spec.default).toBeUndefined();
  });

  test('egress: one OVN EIP on the public subnet and one OVN SNAT rule per subnet', () => {
    expect(findObject(objects, 'OvnEip', 'acme-egress').spec).toEqual({ externalSubnet: 'external', type: 'nat', v4Ip: '203.0.113.10' });
    expect(findObject(objects, 'OvnSnatRule', 'acme-workers-snat').spec).toEqual({ ovnEip: 'acme-egress', vpcSubnet: 'acme-workers' });
    expect(findObject(objects, 'OvnSnatRule', 'acme-db-snat').spec).toEqual({ ovnEip: 'acme-egress', vpcSubnet: 'acme-db' });
    expect(ofKind(objects, 'VpcNatGateway')).toEqual([]);
  });

  test('load-balancer pool: one OVN EIP per address, named after it and labelled for the tenant', () => {
    const eips = ofKind(objects, 'OvnEip').filter((o) => o.metadata.labels['kmetal.io/eip-use'] === 'load-balancer');
    expect(eips.map((e) => [e.metadata.name, e.spec.v4Ip])).toEqual([
      ['acme-lb-203-0-113-200', '203.0.113.200'], ['acme-lb-203-0-113-201', '203.0.113.201'],
      ['acme-lb-203-0-113-202', '203.0.113.202'], ['acme-lb-203-0-113-203', '203.0.113.203'],
    ]);
    for (const e of eips) expect(e.metadata.labels['kmetal.io/tenant-vpc']).toBe('acme');
  });

  test('pinned public addresses are excluded from Kube-OVN dynamic allocation on the public subnet', () => {
    expect(findObject(objects, 'Subnet', 'external').spec.excludeIps).toEqual([
      '203.0.113.1', '203.0.113.2..203.0.113.10', '203.0.113.64..203.0.113.95', '203.0.113.200..203.0.113.203',
    ]);
  });

  test('isolation: management plane and the VIP pools are dropped at the VPC router', () => {
    const routes = findObject(objects, 'Vpc', 'acme').spec.policyRoutes;
    expect(routes.slice(0, 2)).toEqual([
      { priority: 31400, match: 'ip4.dst == {10.16.0.0/16, 10.96.0.0/12, 100.64.0.0/16, 192.168.10.0/24}', action: 'drop' },
      { priority: 31300, match: 'ip4.dst == 203.0.113.64/27', action: 'drop' },
    ]);
  });
});

describe('TenantVpc, overlapping ranges', () => {
  test('two VPCs may use the same ranges (no peering, no error)', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }] });
    new TenantVpc(chart, 'globex', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/16' }] });
    const objects = chart.toJson();
    expect(ofKind(objects, 'Subnet').map((s) => [s.metadata.name, s.spec.cidrBlock])).toEqual([
      ['external', '203.0.113.0/24'], ['acme-workers', '10.0.0.0/24'], ['globex-workers', '10.0.0.0/16'],
    ]);
    expect(conformanceErrors(objects)).toBe('');
  });

  test('overlap inside one VPC is refused on the new subnet, naming the other', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }, { name: 'db', cidr: '10.0.2.0/24' }] });
    const message = expectError(() => vpc.addSubnet({ name: 'big', cidr: '10.0.0.0/22' }), 'test/acme/Subnet-big', 'cidr', /10.0.0.0\/22 overlaps subnet "(workers|db)" .* of the same VPC/);
    expect(message).toContain('test/acme/Subnet-');
  });

  test('a subnet right next to another is fine', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'a', cidr: '10.0.0.0/24' }, { name: 'c', cidr: '10.0.2.0/24' }] });
    expect(vpc.addSubnet({ name: 'b', cidr: '10.0.1.0/24' }).cidr).toBe('10.0.1.0/24');
  });
});

describe('TenantVpc, planes', () => {
  test('a subnet on the management plane is refused', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.16.8.0/24' }] }), 'test/acme/Subnet-workers', 'cidr',
      /10.16.8.0\/24 lies on the management plane: it overlaps the under cluster's pod network \(Kube-OVN ovn-default/);
  });

  test('a subnet on the public plane is refused', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'dmz', cidr: '203.0.113.128/25' }] }), 'test/acme/Subnet-dmz', 'cidr',
      /lies on the public plane: it overlaps the public plane's underlay subnet "external"/);
  });

  test('a subnet on a VIP pool declared later is refused at synth', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '198.51.100.0/24' }] });
    new ControlPlaneVipPool(chart, 'more-vips', { planes, addresses: ['198.51.100.16/28'], bgp: {} }); // BGP: VIPs off the public segment are routed
    expectError(() => chart.toJson(), 'test/acme/Subnet-workers', 'cidr', /lies on the public plane: it overlaps control-plane VIP pool "more-vips" 198.51.100.16\/28/);
  });

  test('a subnet outside the declared tenant plane is refused', () => {
    const { chart, planes } = platform({ tenantCidrs: ['10.0.0.0/8'] });
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '172.16.0.0/24' }] }), 'test/acme/Subnet-workers', 'cidr', /is outside the tenant plane \(10.0.0.0\/8\)/);
  });
});

describe('TenantVpc, bad input is refused with the construct path, field and fix', () => {
  test('invalid CIDR', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/33' }] }), 'test/acme/Subnet-workers', 'cidr', /"10.0.0.0\/33" is not a network in CIDR notation/);
  });

  test('CIDR with host bits', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.7/24' }] }), 'test/acme/Subnet-workers', 'cidr', /has host bits set/);
  });

  test('gateway outside the subnet', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24', gateway: '10.0.1.1' }] }), 'test/acme/Subnet-workers', 'gateway', /not a usable address of 10.0.0.0\/24/);
  });

  test('gateway on the broadcast address', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24', gateway: '10.0.0.255' }] }), 'test/acme/Subnet-workers', 'gateway', /not a usable address/);
  });

  test('excluded range outside the subnet', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24', excludeIps: ['10.0.0.250..10.0.1.5'] }] }), 'test/acme/Subnet-workers', 'excludeIps[0]', /not an address or range inside 10.0.0.0\/24/);
  });

  test('duplicate subnet name', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }, { name: 'workers', cidr: '10.0.1.0/24' }] }), 'test/acme', 'subnets[1].name', /already has a subnet named "workers"/);
  });

  test('Kube-OVN subnet names are cluster-wide: "a-b" + "c" clashes with "a" + "b-c"', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'a-b', { planes, subnets: [{ name: 'c', cidr: '10.0.0.0/24' }] });
    expectError(() => new TenantVpc(chart, 'a', { planes, subnets: [{ name: 'b-c', cidr: '10.0.0.0/24' }] }), 'test/a/Subnet-b-c', 'name', /"a-b-c" is already taken by test\/a-b\/Subnet-c/);
  });

  test('two VPCs with one name', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'one', { planes, name: 'acme' });
    expectError(() => new TenantVpc(chart, 'two', { planes, name: 'acme' }), 'test/two', 'name', /a VPC named "acme" is already declared at test\/one/);
  });

  test('egress address outside the public network', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, egressAddress: '198.51.100.7' }), 'test/acme', 'egressAddress', /not an address of the public network 203.0.113.0\/24/);
  });

  test('load-balancer pool on another tenant\'s pool', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'acme', { planes, loadBalancerAddresses: ['203.0.113.200/29'] });
    new TenantVpc(chart, 'globex', { planes, loadBalancerAddresses: ['203.0.113.204-203.0.113.210'] });
    expectError(() => chart.toJson(), 'test/globex', 'loadBalancerAddresses[0]', /the load-balancer addresses 203.0.113.204-203.0.113.210 of VPC "globex" overlaps the load-balancer addresses 203.0.113.200\/29 of VPC "acme"/);
  });

  test('load-balancer pool on the VIP pool', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'acme', { planes, loadBalancerAddresses: ['203.0.113.90/31'] });
    expectError(() => chart.toJson(), 'test/acme', 'loadBalancerAddresses[0]', /overlaps control-plane VIP pool "tenant-vips"/);
  });

  test('egress address on the public gateway', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'acme', { planes, egressAddress: '203.0.113.1' });
    expectError(() => chart.toJson(), 'test/acme', 'egressAddress', /overlaps the public gateway 203.0.113.1/);
  });

  test('public addresses on a sealed VPC', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, external: false, loadBalancerAddresses: ['203.0.113.200/30'] }), 'test/acme', 'loadBalancerAddresses', /public addresses need an external VPC/);
  });

  test('policy route in the isolation priorities', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes });
    expectError(() => vpc.addPolicyRoute({ priority: 31400, match: 'ip4.dst == 10.16.0.0/16', action: PolicyRouteAction.ALLOW }), 'test/acme', 'policyRoutes[0].priority', /not a priority in 0..31299/);
  });

  test('reroute without next hop', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes });
    expectError(() => vpc.addPolicyRoute({ priority: 10, match: 'ip4.dst == 0.0.0.0/0', action: PolicyRouteAction.REROUTE }), 'test/acme', 'policyRoutes[0].nextHopIp', /not a next hop address/);
  });

  test('static route with a next hop of the other family', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes });
    expectError(() => vpc.addStaticRoute({ cidr: '0.0.0.0/0', nextHopIp: 'fd00::1', policy: StaticRoutePolicy.SOURCE }), 'test/acme', 'staticRoutes[0].nextHopIp', /not an IPv4 address/);
  });

  test('VPC name too long', () => {
    const { chart, planes } = platform();
    expectError(() => new TenantVpc(chart, 'acme', { planes, name: 'a'.repeat(31) }), 'test/acme', 'name', /31 characters/);
  });
});

describe('TenantVpc, sealed and imported', () => {
  test('external: false emits only the Vpc and its subnets (no EIP, no SNAT)', () => {
    const { chart, planes } = platform();
    new TenantVpc(chart, 'acme', { planes, external: false, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }] });
    const objects = chart.toJson().filter((o) => o.metadata.labels?.['kmetal.io/tenant-vpc'] === 'acme');
    expect(objects.map((o) => o.kind)).toEqual(['Vpc', 'Subnet']);
    expect(objects[0].spec.enableExternal).toBeUndefined();
  });

  test('fromVpcName names a VPC outside the app and emits nothing', () => {
    const { chart } = platform();
    const before = chart.toJson().length;
    const imported = TenantVpc.fromVpcName(chart, 'Shared', 'shared-services');
    expect(imported.vpcName).toBe('shared-services');
    expect(chart.toJson().length).toBe(before);
  });
});
