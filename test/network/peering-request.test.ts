import { expectError, Platform, platform } from './fixture';
import { PeeringRequest, PeeringStatus, TenantVpc } from '../../src';
import { conformanceErrors, findObject } from '../support/platform';

function twoVpcs(globexCidr = '172.31.0.0/16'): Platform & { acme: TenantVpc; globex: TenantVpc } {
  const p = platform();
  const acme = new TenantVpc(p.chart, 'acme', { planes: p.planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }, { name: 'db', cidr: '10.0.1.0/24' }] });
  const globex = new TenantVpc(p.chart, 'globex', { planes: p.planes, subnets: [{ name: 'workers', cidr: globexCidr }] });
  return { ...p, acme, globex };
}

describe('PeeringRequest, pending', () => {
  const { app, chart, acme, globex } = twoVpcs();
  const request = new PeeringRequest(chart, 'AcmeToGlobex', { from: acme, to: globex, reason: 'acme CI pulls from the globex artifact cache' });
  const objects = chart.toJson();

  test('nothing is peered and no route is added while the request waits for approval', () => {
    for (const name of ['acme', 'globex']) {
      const spec = findObject(objects, 'Vpc', name).spec;
      expect(spec.vpcPeerings).toBeUndefined();
      expect(spec.staticRoutes).toBeUndefined();
    }
    expect(request.status).toBe(PeeringStatus.PENDING);
    expect(request.resolvedLinkCidr).toBeUndefined();
  });

  test('the pending request is visible on both VPCs, not silently dropped', () => {
    expect(findObject(objects, 'Vpc', 'acme').metadata.annotations).toEqual({ 'kmetal.io/pending-peerings': 'globex' });
    expect(findObject(objects, 'Vpc', 'globex').metadata.annotations).toEqual({ 'kmetal.io/pending-peerings': 'acme' });
  });

  test('pendingIn lists the pending requests of the app', () => {
    expect(PeeringRequest.pendingIn(app)).toEqual([request]);
    expect(PeeringRequest.pendingIn(acme)).toEqual([request]);
  });
});

describe('PeeringRequest, approved', () => {
  const { app, chart, acme, globex } = twoVpcs();
  const request = new PeeringRequest(chart, 'AcmeToGlobex', { from: acme, to: globex, reason: 'acme CI pulls from the globex artifact cache' });
  request.approve({ by: 'netops@example.com', ticket: 'CHG-1234' });
  const objects = chart.toJson();
  const link = request.resolvedLinkCidr!;
  const [a, b, c, d] = link.split('/')[0].split('.').map(Number);
  const ip = (offset: number) => `${a}.${b}.${c}.${d + offset}`;

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('the link is a /30 of the peering link block', () => {
    expect(link).toMatch(/^169\.254\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\/30$/);
    expect(d % 4).toBe(0);
  });

  test('both VPCs carry the peering, each with its end of the link', () => {
    expect(findObject(objects, 'Vpc', 'acme').spec.vpcPeerings).toEqual([{ remoteVpc: 'globex', localConnectIP: `${ip(1)}/30` }]);
    expect(findObject(objects, 'Vpc', 'globex').spec.vpcPeerings).toEqual([{ remoteVpc: 'acme', localConnectIP: `${ip(2)}/30` }]);
  });

  test('both VPCs route every subnet of the other side through the link', () => {
    expect(findObject(objects, 'Vpc', 'acme').spec.staticRoutes).toEqual([{ cidr: '172.31.0.0/16', nextHopIP: ip(2), policy: 'policyDst' }]);
    expect(findObject(objects, 'Vpc', 'globex').spec.staticRoutes).toEqual([
      { cidr: '10.0.0.0/24', nextHopIP: ip(1), policy: 'policyDst' },
      { cidr: '10.0.1.0/24', nextHopIP: ip(1), policy: 'policyDst' },
    ]);
  });

  test('approved requests are neither pending nor annotated', () => {
    expect(request.status).toBe(PeeringStatus.APPROVED);
    expect(request.approval).toEqual({ by: 'netops@example.com', ticket: 'CHG-1234' });
    expect(PeeringRequest.pendingIn(app)).toEqual([]);
    expect(findObject(objects, 'Vpc', 'acme').metadata.annotations ?? {}).toEqual({});
  });

  test('the link derives from the VPC names, not from declaration order', () => {
    const other = twoVpcs();
    const third = new TenantVpc(other.chart, 'initech', { planes: other.planes, subnets: [{ name: 'w', cidr: '192.0.2.0/24' }] });
    new PeeringRequest(other.chart, 'First', { from: third, to: other.acme, reason: 'x', approved: { by: 'ops' } });
    const again = new PeeringRequest(other.chart, 'AcmeToGlobex', { from: other.acme, to: other.globex, reason: 'x', approved: { by: 'ops' } });
    other.chart.toJson();
    expect(again.resolvedLinkCidr).toBe(link);
  });
});

describe('PeeringRequest, overlap', () => {
  test('overlap between peered VPCs is refused at synth, naming both subnets', () => {
    const { chart, acme, globex } = twoVpcs('10.0.1.128/25');
    new PeeringRequest(chart, 'AcmeToGlobex', { from: acme, to: globex, reason: 'shared cache', approved: { by: 'ops' } });
    expectError(() => chart.toJson(), 'test/AcmeToGlobex', 'to',
      /subnet "acme-db" 10.0.1.0\/24 of VPC "acme" overlaps subnet "globex-workers" 10.0.1.128\/25 of VPC "globex"; peered VPCs must not share addresses/);
  });

  test('the same overlap is fine while the request is pending', () => {
    const { chart, acme, globex } = twoVpcs('10.0.1.128/25');
    new PeeringRequest(chart, 'AcmeToGlobex', { from: acme, to: globex, reason: 'shared cache' });
    expect(conformanceErrors(chart.toJson())).toBe('');
  });

  test('a pinned link on a subnet of either side is refused', () => {
    const { chart, acme, globex } = twoVpcs();
    new PeeringRequest(chart, 'AcmeToGlobex', { from: acme, to: globex, reason: 'x', approved: { by: 'ops' }, linkCidr: '10.0.1.4/30' });
    expectError(() => chart.toJson(), 'test/AcmeToGlobex', 'linkCidr', /overlaps the peering link 10.0.1.4\/30/);
  });

  test('a pinned link is used as given', () => {
    const { chart, acme, globex } = twoVpcs();
    const r = new PeeringRequest(chart, 'AcmeToGlobex', { from: acme, to: globex, reason: 'x', approved: { by: 'ops' }, linkCidr: '169.254.200.0/30' });
    const objects = chart.toJson();
    expect(r.resolvedLinkCidr).toBe('169.254.200.0/30');
    expect(findObject(objects, 'Vpc', 'acme').spec.vpcPeerings).toEqual([{ remoteVpc: 'globex', localConnectIP: '169.254.200.1/30' }]);
  });
});

describe('PeeringRequest, bad input is refused with the construct path, field and fix', () => {
  test('peering to a VPC that does not exist in the app', () => {
    const { chart, acme } = twoVpcs();
    const outside = TenantVpc.fromVpcName(chart, 'Shared', 'shared-services');
    expectError(() => new PeeringRequest(chart, 'ToShared', { from: acme, to: outside, reason: 'x' }), 'test/ToShared', 'to',
      /VPC "shared-services" does not exist in this app; a peering is written on both VPCs/);
  });

  test('peering to a VPC of another app', () => {
    const { chart, acme } = twoVpcs();
    const other = twoVpcs();
    expectError(() => new PeeringRequest(chart, 'ToOther', { from: acme, to: other.globex, reason: 'x' }), 'test/ToOther', 'to', /does not exist in this app \(it is declared in another one\)/);
  });

  test('peering a VPC with itself', () => {
    const { chart, acme } = twoVpcs();
    expectError(() => new PeeringRequest(chart, 'Self', { from: acme, to: acme, reason: 'x' }), 'test/Self', 'to', /cannot peer with itself/);
  });

  test('a second request for the same pair, in either direction', () => {
    const { chart, acme, globex } = twoVpcs();
    new PeeringRequest(chart, 'One', { from: acme, to: globex, reason: 'x' });
    expectError(() => new PeeringRequest(chart, 'Two', { from: globex, to: acme, reason: 'y' }), 'test/Two', 'to', /already have a peering request: test\/One/);
  });

  test('no reason', () => {
    const { chart, acme, globex } = twoVpcs();
    expectError(() => new PeeringRequest(chart, 'One', { from: acme, to: globex, reason: ' ' }), 'test/One', 'reason', /gives no reason/);
  });

  test('approval without an approver', () => {
    const { chart, acme, globex } = twoVpcs();
    const r = new PeeringRequest(chart, 'One', { from: acme, to: globex, reason: 'x' });
    expectError(() => r.approve({ by: '' }), 'test/One', 'approved.by', /names no approver/);
  });

  test('link that is not a /30', () => {
    const { chart, acme, globex } = twoVpcs();
    expectError(() => new PeeringRequest(chart, 'One', { from: acme, to: globex, reason: 'x', linkCidr: '169.254.0.0/29' }), 'test/One', 'linkCidr', /not an IPv4 \/30/);
  });

  test('two requests pinning one link', () => {
    const { chart, planes, acme, globex } = twoVpcs();
    const initech = new TenantVpc(chart, 'initech', { planes, subnets: [{ name: 'w', cidr: '192.0.2.0/24' }] });
    new PeeringRequest(chart, 'One', { from: acme, to: globex, reason: 'x', approved: { by: 'ops' }, linkCidr: '169.254.64.0/30' });
    new PeeringRequest(chart, 'Two', { from: initech, to: globex, reason: 'x', approved: { by: 'ops' }, linkCidr: '169.254.64.0/30' });
    expectError(() => chart.toJson(), 'test/Two', 'linkCidr', /169.254.64.0\/30 is pinned by two peerings: test\/One and test\/Two/);
  });
});
