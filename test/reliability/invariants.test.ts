// The invariant checks of property 3 are only worth their passes if they fail on broken output:
// each check is shown one valid platform's output with one defect planted, and must report it.
import { App } from 'cdk8s';
import { PeeringRequest, TenantVpc } from '../../src';
import { base } from '../bad-inputs/fixture';
import { allViolations, cidrViolations, credentialViolations, inventoryViolations, Placed, quotaViolations, vipViolations } from './support/invariants';
import { synthInMemory } from './support/synth';

/** acme and globex with VPCs (peered, approved), pools, governance; a host pool. */
function platform(): Placed[] {
  const app = new App();
  const { platform: p, planes } = base(app);
  const vpcs = ['acme', 'globex'].map((name, i) => {
    const vpc = new TenantVpc(p.tenantUnit(name), 'vpc', { planes, name, subnets: [{ name: 'workers', cidr: `10.${10 + i}.0.0/24` }, { name: 'data', cidr: `10.${20 + i}.0.0/24` }] });
    p.addTenantCluster(name, { version: 'v1.33.2', network: vpc.findSubnet('workers'), nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }] });
    return vpc;
  });
  new PeeringRequest(p.tenantUnit('acme'), 'peer-globex', { from: vpcs[0], to: vpcs[1], reason: 'event bus', approved: { by: 'netops' } });
  return synthInMemory(app).objects();
}

const clean = platform();
const copy = (): Placed[] => JSON.parse(JSON.stringify(clean));
const find = (objects: Placed[], kind: string, name: string) => objects.find((p) => p.obj.kind === kind && p.obj.metadata.name === name)!.obj;

describe('the invariant checks of property 3', () => {
  test('find nothing wrong in a valid platform', () => {
    expect(allViolations(clean)).toEqual([]);
  });

  test('report overlapping subnets of one VPC, and across an approved peering', () => {
    const inVpc = copy();
    find(inVpc, 'Subnet', 'acme-data').spec.cidrBlock = '10.10.0.128/25';
    expect(cidrViolations(inVpc).join('\n')).toMatch(/VPC under\/acme: subnets .* overlap/);
    const peered = copy();
    find(peered, 'Subnet', 'globex-data').spec.cidrBlock = '10.20.0.0/24';
    expect(cidrViolations(peered).join('\n')).toMatch(/peered VPCs under\/acme and under\/globex: acme-data \(10\.20\.0\.0\/24\) overlaps globex-data/);
  });

  test('report a peering written on one side only', () => {
    const objects = copy();
    delete find(objects, 'Vpc', 'globex').spec.vpcPeerings;
    expect(cidrViolations(objects).join('\n')).toMatch(/VPC under\/acme peers with globex, which does not peer back/);
  });

  test('report a VIP outside its pool, and a VIP used twice', () => {
    const outside = copy();
    find(outside, 'KamajiControlPlane', 'acme').spec.network.serviceAddress = '203.0.113.200';
    expect(vipViolations(outside).join('\n')).toMatch(/VIP 203\.0\.113\.200 is outside pool tenant-api/);
    const twice = copy();
    find(twice, 'KamajiControlPlane', 'acme').spec.network.serviceAddress = find(twice, 'KamajiControlPlane', 'globex').spec.network.serviceAddress;
    expect(vipViolations(twice).join('\n')).toMatch(/is used by KamajiControlPlane tenant-acme\/acme and by KamajiControlPlane tenant-globex\/globex|is used by KamajiControlPlane tenant-globex\/globex and by KamajiControlPlane tenant-acme\/acme/);
  });

  test('report a quota below what the pools ask for', () => {
    const objects = copy();
    find(objects, 'Tenant', 'acme').spec.resourceQuotas.items[0].hard['requests.cpu'] = '4';
    expect(quotaViolations(objects).join('\n')).toMatch(/Tenant acme: requests\.cpu \(millicores\) is 4000, but its namespaces \(tenant-acme\) need 11500/);
  });

  test('report Secret data, password fields and passwords in URLs', () => {
    const objects = copy();
    objects.push({ cluster: 'under', obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bmc', namespace: 'metal3' }, stringData: { password: 'x' } } });
    find(objects, 'HelmRepository', 'clastix').spec.url = 'https://ci:token@clastix.github.io/charts';
    const found = credentialViolations(objects).join('\n');
    expect(found).toMatch(/Secret metal3\/bmc carries data/);
    expect(found).toMatch(/\.password holds a credential value/);
    expect(found).toMatch(/is a URL with a password: https:\/\/ci:\*\*\*@clastix/);
  });

  test('report a boot MAC on two hosts', () => {
    const host = (name: string) => ({ cluster: 'under', obj: { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name, namespace: 'metal3' }, spec: { bootMACAddress: '0c:c4:7a:00:10:01', bmc: { address: `ipmi://192.168.20.${name.length}`, credentialsName: 'bmc' } } } });
    expect(inventoryViolations([host('metal-01'), host('metal-2')]).join('\n')).toMatch(/share boot MAC 0c:c4:7a:00:10:01/);
  });
});
