import { Construct } from 'constructs';
import { expectError, PLANES, platform } from './fixture';
import { ControlPlaneVipPool, NetworkPlanes } from '../../src';
import { conformanceErrors, findObject, newChart } from '../support/platform';

/** A stand-in tenant: anything a pool can register (TenantCluster in real programs). */
type Pins = { [name: string]: string };

function tenants(scope: Construct, pool: ControlPlaneVipPool, names: string[], pinned: Pins = {}): { [name: string]: Construct } {
  const out: { [name: string]: Construct } = {};
  for (const name of names) {
    out[name] = new Construct(scope, `tenant-${name}`);
    pool.registerTenant(out[name], name, pinned[name]);
  }
  return out;
}

function vipsOf(pool: ControlPlaneVipPool): { [name: string]: string } {
  return Object.fromEntries(pool.allocations.map((a) => [a.tenantName, a.address]));
}

describe('ControlPlaneVipPool, emitted objects', () => {
  const { chart } = newChart();
  new ControlPlaneVipPool(chart, 'Vips', {
    name: 'tenant-vips',
    addresses: ['203.0.113.64/27', '203.0.113.100-203.0.113.110'],
    interfaces: ['br-public'],
    bgp: { peers: ['tor-a', 'tor-b'], communities: ['65000:100'], localPref: 200 },
  });
  const objects = chart.toJson();

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('an IPAddressPool never auto-assigned: only control planes that name it get its addresses', () => {
    const pool = findObject(objects, 'IPAddressPool', 'tenant-vips');
    expect(pool.metadata.namespace).toBe('metallb-system');
    expect(pool.spec).toEqual({ addresses: ['203.0.113.64/27', '203.0.113.100-203.0.113.110'], autoAssign: false });
  });

  test('L2 advertisement on the given interfaces, BGP advertisement to the given peers', () => {
    expect(findObject(objects, 'L2Advertisement', 'tenant-vips').spec).toEqual({ ipAddressPools: ['tenant-vips'], interfaces: ['br-public'] });
    expect(findObject(objects, 'BGPAdvertisement', 'tenant-vips').spec).toEqual({
      ipAddressPools: ['tenant-vips'], peers: ['tor-a', 'tor-b'], communities: ['65000:100'], localPref: 200,
    });
  });

  test('L2 can be turned off (BGP only)', () => {
    const { chart: c } = newChart();
    new ControlPlaneVipPool(c, 'vips', { addresses: ['203.0.113.64/27'], l2Advertisement: false, bgp: {} });
    expect(c.toJson().map((o) => o.kind)).toEqual(['IPAddressPool', 'BGPAdvertisement']);
  });
});

describe('ControlPlaneVipPool, allocation', () => {
  const names = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

  test('one VIP per tenant, inside the pool, all different', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/28'] });
    const t = tenants(chart, pool, names);
    const vips = Object.values(vipsOf(pool));
    expect(new Set(vips).size).toBe(names.length);
    for (const v of vips) expect(Number(v.split('.')[3])).toBeGreaterThanOrEqual(64);
    for (const v of vips) expect(Number(v.split('.')[3])).toBeLessThan(80);
    expect(pool.addressOf(t.acme)).toBe(vipsOf(pool).acme);
  });

  test('independent of declaration order', () => {
    const a = newChart();
    const poolA = new ControlPlaneVipPool(a.chart, 'vips', { addresses: ['203.0.113.64/28'] });
    tenants(a.chart, poolA, names);
    const b = newChart();
    const poolB = new ControlPlaneVipPool(b.chart, 'vips', { addresses: ['203.0.113.64/28'] });
    tenants(b.chart, poolB, [...names].reverse());
    expect(vipsOf(poolB)).toEqual(vipsOf(poolA));
  });

  test('adding a tenant does not move the existing tenants\' VIPs', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.0/24'] });
    tenants(chart, pool, names);
    const before = vipsOf(pool);
    tenants(chart, pool, ['aardvark', 'mid-tenant', 'zulu']);
    const after = vipsOf(pool);
    for (const name of names) expect(after[name]).toBe(before[name]);
  });

  test('pinned addresses are honoured and never handed to another tenant', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/30'] });
    tenants(chart, pool, ['a', 'b', 'c'], { c: '203.0.113.64', b: '203.0.113.65' });
    const allocations = pool.allocations;
    expect(allocations.filter((x) => x.pinned).map((x) => [x.tenantName, x.address])).toEqual([['b', '203.0.113.65'], ['c', '203.0.113.64']]);
    expect(['203.0.113.66', '203.0.113.67']).toContain(vipsOf(pool).a);
  });

  test('the pool fills up completely before it is exhausted', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/29'] });
    tenants(chart, pool, ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']);
    expect(new Set(Object.values(vipsOf(pool))).size).toBe(8);
  });

  test('VIP allocation is O(n log n): 5,000 tenants in a /16 well under a second', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['10.200.0.0/16'] });
    for (let i = 0; i < 5000; i++) pool.registerTenant(new Construct(chart, `t${i}`), `tenant-${i}`);
    const start = performance.now();
    expect(pool.allocations.length).toBe(5000);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('ControlPlaneVipPool, errors name the tenants involved', () => {
  test('VIP outside its pool', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/28'] });
    const tenant = new Construct(chart, 'acme');
    expectError(() => pool.registerTenant(tenant, 'acme', '203.0.113.90'), 'test/acme', 'controlPlane.endpointAddress', /"203.0.113.90" is not in the VIP pool "vips" \(203.0.113.64\/28\)/);
  });

  test('pool exhausted', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/31'] });
    tenants(chart, pool, ['acme', 'globex', 'initech'], { initech: '203.0.113.65' });
    const message = expectError(() => pool.allocations, 'test/vips', 'addresses', /VIP pool "vips" holds 2 address\(es\) but 3 tenants need one/);
    expect(message).toContain('"acme" (test/tenant-acme), "initech" (test/tenant-initech) fit; no address is left for "globex" (test/tenant-globex)');
  });

  test('pool exhausted surfaces at synth', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/32'] });
    tenants(chart, pool, ['acme', 'globex']);
    expectError(() => chart.toJson(), 'test/vips', 'addresses', /no address is left for "globex"/);
  });

  test('duplicate VIP', () => {
    const { chart } = newChart();
    const pool = new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/28'] });
    tenants(chart, pool, ['acme', 'globex'], { acme: '203.0.113.70', globex: '203.0.113.70' });
    expectError(() => chart.toJson(), 'test/tenant-globex', 'controlPlane.endpointAddress',
      /VIP 203.0.113.70 of pool "vips" is pinned by two tenants: "acme" \(test\/tenant-acme\) and "globex" \(test\/tenant-globex\)/);
  });

  test('pool on the management plane', () => {
    const { chart } = newChart();
    const planes = new NetworkPlanes(chart, 'Planes', PLANES);
    expectError(() => new ControlPlaneVipPool(chart, 'vips', { planes, addresses: ['192.168.10.200-192.168.10.220'] }), 'test/vips', 'addresses',
      /192.168.10.200-192.168.10.220 lies on the management plane \(the under cluster's node network 192.168.10.0\/24\)/);
  });

  test('two pools sharing addresses', () => {
    const { chart, planes } = platform();
    new ControlPlaneVipPool(chart, 'more', { planes, addresses: ['203.0.113.90-203.0.113.99'] });
    expectError(() => chart.toJson(), 'test/more', 'addresses', /control-plane VIP pool "more" 203.0.113.90-203.0.113.99 overlaps control-plane VIP pool "tenant-vips" 203.0.113.64\/27/);
  });

  test('pool over the public network address', () => {
    const { chart } = newChart();
    const planes = new NetworkPlanes(chart, 'Planes', PLANES);
    new ControlPlaneVipPool(chart, 'vips', { planes, addresses: ['203.0.113.0/28'] });
    expectError(() => chart.toJson(), 'test/vips', 'addresses', /overlaps the (network address of 203.0.113.0\/24|public gateway)/);
  });

  test('not an address range', () => {
    const { chart } = newChart();
    expectError(() => new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/27', 'lots'] }), 'test/vips', 'addresses[1]', /"lots" is neither a CIDR nor an address range/);
  });

  test('mixed address families', () => {
    const { chart } = newChart();
    expectError(() => new ControlPlaneVipPool(chart, 'vips', { addresses: ['203.0.113.64/27', 'fd00::/120'] }), 'test/vips', 'addresses', /mixes IPv4 and IPv6/);
  });
});
