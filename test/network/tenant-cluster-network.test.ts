import { expectError, platform } from './fixture';
import { MachineImage, TenantCluster, TenantVpc } from '../../src';
import { conformanceErrors, findObject, ofKind } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

describe('TenantCluster on a TenantVpc with a VIP from the pool (end to end)', () => {
  const { chart, planes, pool } = platform();
  const vpc = new TenantVpc(chart, 'AcmeVpc', { planes, name: 'acme', subnets: [{ name: 'workers', cidr: '10.0.0.0/22' }] });
  const cluster = new TenantCluster(chart, 'Acme', {
    name: 'acme',
    version: 'v1.33.2',
    defaultImage: IMAGE,
    controlPlane: { vipPool: pool },
    nodePools: [{ name: 'general', replicas: 3, network: vpc.findSubnet('workers') }],
  });
  // A second tenant with its own VPC reusing the same range, and a pinned VIP.
  const other = new TenantVpc(chart, 'GlobexVpc', { planes, name: 'globex', subnets: [{ name: 'workers', cidr: '10.0.0.0/22' }] });
  new TenantCluster(chart, 'Globex', {
    name: 'globex',
    version: 'v1.33.2',
    defaultImage: IMAGE,
    controlPlane: { vipPool: pool, endpointAddress: '203.0.113.70' },
    nodePools: [{ name: 'general', network: other.findSubnet('workers') }],
  });
  const objects = chart.toJson();
  const vip = cluster.endpointAddress!;

  test('every object of the platform, the VPCs and the clusters is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('the cluster got a VIP from the pool, and Kamaji asks MetalLB for exactly that one', () => {
    expect(pool.allocations.map((a) => a.tenantName)).toEqual(['acme', 'globex']);
    expect(vip).toMatch(/^203\.0\.113\.(6[4-9]|[7-8]\d|9[0-5])$/);
    expect(vip).not.toBe('203.0.113.70');
    const kcp = findObject(objects, 'KamajiControlPlane', 'acme');
    expect(kcp.spec.network).toMatchObject({
      serviceType: 'LoadBalancer',
      serviceAddress: vip,
      serviceAnnotations: { 'metallb.io/address-pool': 'tenant-vips', 'metallb.io/loadBalancerIPs': vip },
    });
    expect(findObject(objects, 'KamajiControlPlane', 'globex').spec.network.serviceAddress).toBe('203.0.113.70');
  });

  test('the worker VMs land on the VPC subnet through the Kube-OVN logical switch annotation', () => {
    const template = ofKind(objects, 'KubevirtMachineTemplate').find((t) => t.metadata.namespace === 'tenant-acme');
    const vm = template.spec.template.spec.virtualMachineTemplate.spec.template;
    expect(vm.metadata.annotations).toEqual({ 'ovn.kubernetes.io/logical_switch': 'acme-workers' });
    expect(cluster.nodePools[0].network.description).toBe('tenant VPC "acme" subnet "workers" (10.0.0.0/22)');
  });

  test('the node pool connected its cluster: the tenant namespace may use the VPC', () => {
    expect(vpc.clusters).toEqual([cluster]);
    expect(findObject(objects, 'Vpc', 'acme').spec.namespaces).toEqual(['tenant-acme']);
  });

  test('private control-plane path: own VIP allowed above the management and VIP-pool drops', () => {
    const routes = findObject(objects, 'Vpc', 'acme').spec.policyRoutes;
    expect(routes).toEqual([
      { priority: 31500, match: `ip4.dst == ${vip}`, action: 'allow' },
      { priority: 31400, match: 'ip4.dst == {10.16.0.0/16, 10.96.0.0/12, 100.64.0.0/16, 192.168.10.0/24}', action: 'drop' },
      { priority: 31300, match: 'ip4.dst == 203.0.113.64/27', action: 'drop' },
    ]);
    // The other tenant's VPC opens its own VIP only.
    expect(findObject(objects, 'Vpc', 'globex').spec.policyRoutes[0]).toEqual({ priority: 31500, match: 'ip4.dst == 203.0.113.70', action: 'allow' });
  });

  test('the path leaves through the tenant\'s own EIP: the workers\' subnet is SNATed on the VPC router', () => {
    expect(findObject(objects, 'Vpc', 'acme').spec.enableExternal).toBe(true);
    expect(findObject(objects, 'OvnSnatRule', 'acme-workers-snat').spec).toEqual({ ovnEip: 'acme-egress', vpcSubnet: 'acme-workers' });
  });

  test('the hosted control plane stays on the management plane: no subnet binds the tenant namespace', () => {
    for (const s of ofKind(objects, 'Subnet')) {
      expect(s.spec.namespaces ?? []).not.toContain('tenant-acme');
      expect(s.spec.default).toBeUndefined();
    }
  });
});

describe('TenantCluster on a TenantVpc, refused combinations', () => {
  test('a cluster without a known VIP cannot get a private path', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }] });
    new TenantCluster(chart, 'Acme', { name: 'acme', version: 'v1.33.2', defaultImage: IMAGE, nodePools: [{ name: 'general', network: vpc.findSubnet('workers') }] });
    expectError(() => chart.toJson(), 'test/acme', 'clusters', /cluster "acme" \(test\/Acme\) has no known control-plane VIP/);
  });

  test('workers in a sealed VPC could never reach their control plane', () => {
    const { chart, planes, pool } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, external: false, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }] });
    new TenantCluster(chart, 'Acme', { name: 'acme', version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { vipPool: pool }, nodePools: [{ name: 'general', network: vpc.findSubnet('workers') }] });
    expectError(() => chart.toJson(), 'test/acme', 'external', /the VPC is sealed \(external: false\), but cluster "acme"/);
  });

  test('binding the control-plane namespace to a subnet is refused (it would pull the control plane into the VPC)', () => {
    const { chart, planes, pool } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24', namespaces: ['tenant-acme'] }] });
    new TenantCluster(chart, 'Acme', { name: 'acme', version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { vipPool: pool }, nodePools: [{ name: 'general', network: vpc.findSubnet('workers') }] });
    expectError(() => chart.toJson(), 'test/acme/Subnet-workers', 'namespaces', /binds namespace "tenant-acme", where the hosted control plane of cluster "acme" runs/);
  });

  test('a fixed VIP on the management plane is refused', () => {
    const { chart, planes } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }] });
    new TenantCluster(chart, 'Acme', { name: 'acme', version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { endpointAddress: '192.168.10.50' }, nodePools: [{ name: 'general', network: vpc.findSubnet('workers') }] });
    expectError(() => chart.toJson(), 'test/acme', 'clusters', /the control-plane VIP 192.168.10.50 of cluster "acme" lies on the management plane/);
  });

  test('a cluster can be connected explicitly (e.g. when built from a class)', () => {
    const { chart, planes, pool } = platform();
    const vpc = new TenantVpc(chart, 'acme', { planes, subnets: [{ name: 'workers', cidr: '10.0.0.0/24' }] });
    const cluster = new TenantCluster(chart, 'Acme', { name: 'acme', version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { vipPool: pool } });
    vpc.connectCluster(cluster);
    vpc.connectCluster(cluster);
    const objects = chart.toJson();
    expect(findObject(objects, 'Vpc', 'acme').spec.namespaces).toEqual(['tenant-acme']);
    expect(findObject(objects, 'Vpc', 'acme').spec.policyRoutes[0]).toEqual({ priority: 31500, match: `ip4.dst == ${cluster.endpointAddress}`, action: 'allow' });
    expect(conformanceErrors(objects)).toBe('');
  });
});

describe('TenantCluster with a VIP pool, input errors at construction', () => {
  test('a pinned VIP outside the cluster\'s pool names the cluster and the field', () => {
    const { chart, pool } = platform();
    expectError(() => new TenantCluster(chart, 'Acme', { name: 'acme', version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { vipPool: pool, endpointAddress: '203.0.113.150' } }),
      'test/Acme', 'controlPlane.endpointAddress', /"203.0.113.150" is not in the VIP pool "tenant-vips" \(203.0.113.64\/27\)/);
  });
});
