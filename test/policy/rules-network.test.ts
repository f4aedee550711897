import { ApiObject, JsonPatch } from 'cdk8s';
import { check, findings, policyPlatform } from './fixture';
import { PeeringRequest } from '../../src';

function twoTenants() {
  const p = policyPlatform();
  const acme = p.vpc('acme', '10.20.0.0/24');
  const globex = p.vpc('globex', '10.30.0.0/24');
  const a = p.platform.addTenantCluster('acme', { version: 'v1.33.2', network: acme.findSubnet('workers'), nodePools: [{ name: 'general' }] });
  const g = p.platform.addTenantCluster('globex', { version: 'v1.33.2', network: globex.findSubnet('workers'), nodePools: [{ name: 'general' }] });
  return { ...p, acme, globex, a, g };
}

describe('network rules', () => {
  test('KM-NET-001: a subnet added through an escape hatch that overlaps its VPC', () => {
    const p = twoTenants();
    new ApiObject(p.platform.tenantUnit('acme'), 'extra', {
      apiVersion: 'kubeovn.io/v1',
      kind: 'Subnet',
      metadata: { name: 'acme-extra' },
      spec: { vpc: 'acme', cidrBlock: '10.20.0.128/25', protocol: 'IPv4' },
    });
    const f = findings(p.app, 'KM-NET-001');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/subnet acme-extra \(10.20.0.128\/25\) overlaps subnet acme-workers \(10.20.0.0\/24\) of the same VPC "acme"/);
    expect(f[0].object).toEqual({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', name: 'acme-extra' });
    expect(f[0].constructPath).toBe('tenant-acme/extra');
    // Other VPCs may reuse the range.
    expect(findings(policyPlatform().app, 'KM-NET-001')).toEqual([]);
  });

  test('KM-NET-002: peered VPCs whose subnets overlap (a patched subnet), and the link', () => {
    const p = twoTenants();
    new PeeringRequest(p.platform.tenantUnit('acme'), 'peer', { from: p.acme, to: p.globex, reason: 'shared event bus', approved: { by: 'netops' } });
    expect(findings(p.app, 'KM-NET-002')).toEqual([]);
    p.globex.findSubnet('workers')!.subnet.addJsonPatch(JsonPatch.replace('/spec/cidrBlock', '10.20.0.0/23'));
    const f = findings(p.app, 'KM-NET-002');
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/subnet (globex|acme)-workers .* overlaps subnet (acme|globex)-workers .*, and the two VPCs are peered/)]);
    // The /30 link between the routers counts too.
    const link = p.acme.peerings[0].resolvedLinkCidr!;
    p.acme.findSubnet('workers')!.subnet.addJsonPatch(JsonPatch.replace('/spec/cidrBlock', link.replace(/\/30$/, '/24').replace(/\.\d+\/24$/, '.0/24')));
    expect(findings(p.app, 'KM-NET-002').some((x) => /peering link/.test(x.message))).toBe(true);
  });

  test('KM-NET-003: a tenant subnet moved onto the management plane', () => {
    const p = twoTenants();
    p.acme.findSubnet('workers')!.subnet.addJsonPatch(JsonPatch.replace('/spec/cidrBlock', '192.168.10.0/25'));
    const f = findings(p.app, 'KM-NET-003');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/tenant subnet acme-workers \(192.168.10.0\/25\) of VPC "acme" overlaps the management plane \(192.168.10.0\/24\)/);
  });

  test('KM-NET-003: a tenant subnet on a VIP pool of the public plane', () => {
    const p = twoTenants();
    p.acme.findSubnet('workers')!.subnet.addJsonPatch(JsonPatch.replace('/spec/cidrBlock', '203.0.113.64/28'));
    expect(findings(p.app, 'KM-NET-003')[0].message).toMatch(/overlaps the public plane/);
  });

  test('KM-NET-004: overlapping VIP pools, and two control planes on one VIP', () => {
    const p = twoTenants();
    new ApiObject(p.platform.configs, 'other-pool', {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'other', namespace: 'metallb-system' },
      spec: { addresses: ['203.0.113.80-203.0.113.90'] },
    });
    const vip = p.a.endpointAddress!;
    p.g.controlPlane!.addJsonPatch(JsonPatch.replace('/spec/network/serviceAddress', vip));
    const messages = findings(p.app, 'KM-NET-004').map((f) => f.message);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/VIP pool other: 203.0.113.80-203.0.113.90 overlaps pool tenant-api/),
      expect.stringMatching(new RegExp(`KamajiControlPlane tenant-globex/globex uses VIP ${vip.replace(/\./g, '\\.')}, which KamajiControlPlane tenant-acme/acme uses too`)),
    ]));
  });

  test('KM-NET-005 and KM-NET-006: an exhausted pool fails, a nearly full one warns', () => {
    const full = policyPlatform({ vipAddresses: ['203.0.113.64/31'] });
    for (const t of ['a', 'b']) full.platform.addTenantCluster(t, { clusterClass: full.golden });
    const warn = check(full.app);
    expect(warn.findingsOf('KM-NET-005')).toEqual([]);
    expect(warn.findingsOf('KM-NET-006')[0]).toMatchObject({ severity: 'warning', message: 'VIP pool "tenant-api" has 0 of 2 address(es) left (100% used)' });

    full.platform.addTenantCluster('c', { clusterClass: full.golden });
    const report = check(full.app);
    expect(report.findingsOf('KM-NET-005')[0].message).toBe('VIP pool "tenant-api" (203.0.113.64/31) holds 2 address(es) for 3 tenants');
    // The objects needing a VIP cannot be rendered either, and the report says so.
    expect(report.findingsOf('KM-POL-004')[0].message).toMatch(/cannot be rendered/);
  });
});
