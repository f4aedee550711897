// Bad inputs of the network: NetworkPlanes, TenantVpc, TenantSubnet, ControlPlaneVipPool and
// PeeringRequest.
import { App } from 'cdk8s';
import { ControlPlaneVipPool, MachineImage, PeeringRequest, TenantClusterClass, TenantSubnetOptions, TenantVpc, TenantVpcProps } from '../../../src';
import { BadInput, base, Base, IMAGE } from '../fixture';

/** The base platform with a VPC "acme" (in the tenant's unit) carrying the given subnets. */
function vpc(app: App, subnets: TenantSubnetOptions[], props: Partial<TenantVpcProps> = {}): Base & { vpc: TenantVpc } {
  const b = base(app);
  return { ...b, vpc: new TenantVpc(b.platform.tenantUnit('acme'), 'vpc', { planes: b.planes, name: 'acme', subnets, ...props }) };
}

/** Two tenants, acme and globex, with one VPC each, acme asking to peer with globex. */
function peering(app: App, acmeCidr: string, globexCidr: string, approved: boolean): void {
  const b = base(app);
  const acme = new TenantVpc(b.platform.tenantUnit('acme'), 'vpc', { planes: b.planes, name: 'acme', subnets: [{ name: 'workers', cidr: acmeCidr }] });
  const globex = new TenantVpc(b.platform.tenantUnit('globex'), 'vpc', { planes: b.planes, name: 'globex', subnets: [{ name: 'workers', cidr: globexCidr }] });
  new PeeringRequest(b.platform.tenantUnit('acme'), 'peer-globex', { from: acme, to: globex, reason: 'acme consumes the globex event bus', ...(approved ? { approved: { by: 'netops@example.com', ticket: 'CHG-1' } } : {}) });
}

export const NETWORK_ENTRIES: BadInput[] = [
  {
    id: 'planes-public-host-bits',
    construct: 'NetworkPlanes',
    title: 'a public network with host bits set',
    declare: (app) => base(app, {}, { publicPlane: { nic: 'eno2', cidr: '203.0.113.7/24', gatewayNodes: ['metal-01'] } }),
    path: 'platform-configs/planes',
    field: 'publicPlane.cidr',
    message: /"203\.0\.113\.7\/24" is not a network in CIDR notation \(or has host bits set\)/,
    fix: /network address and prefix/,
  },
  {
    id: 'planes-public-on-management',
    construct: 'NetworkPlanes',
    title: 'the public plane on the management network',
    declare: (app) => base(app, {}, { publicPlane: { nic: 'eno2', cidr: '192.168.10.0/24', gatewayNodes: ['metal-01'] } }),
    path: 'platform-configs/planes',
    field: 'publicPlane.cidr',
    message: /192\.168\.10\.0\/24 overlaps the under cluster's node network 192\.168\.10\.0\/24/,
    fix: /give the public plane its own range/,
  },
  {
    id: 'planes-nic',
    construct: 'NetworkPlanes',
    title: 'a NIC name Linux cannot have',
    declare: (app) => base(app, {}, { publicPlane: { nic: 'bond0.204-uplink', cidr: '203.0.113.0/24', gatewayNodes: ['metal-01'] } }),
    path: 'platform-configs/planes',
    field: 'publicPlane.nic',
    message: /"bond0\.204-uplink" is not a Linux interface name/,
    fix: /at most 15 characters/,
  },
  {
    id: 'planes-vlan',
    construct: 'NetworkPlanes',
    title: 'a VLAN id out of range',
    declare: (app) => base(app, {}, { publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['metal-01'], vlanId: 4095 } }),
    path: 'platform-configs/planes',
    field: 'publicPlane.vlanId',
    message: /4095 is not a VLAN id/,
    fix: /1\.\.4094, or 0 for an untagged network/,
  },
  {
    id: 'subnet-host-bits',
    construct: 'TenantSubnet',
    title: 'a subnet CIDR with host bits set',
    declare: (app) => vpc(app, [{ name: 'workers', cidr: '10.1.2.3/24' }]),
    path: 'tenant-acme/vpc/Subnet-workers',
    field: 'cidr',
    message: /"10\.1\.2\.3\/24" is not a network in CIDR notation \(or has host bits set\)/,
    fix: /"10\.0\.0\.0\/24"/,
  },
  {
    id: 'subnet-overlap',
    construct: 'TenantSubnet',
    title: 'two subnets of one VPC that overlap',
    declare: (app) => vpc(app, [{ name: 'workers', cidr: '10.1.0.0/16' }, { name: 'data', cidr: '10.1.20.0/24' }]),
    path: 'tenant-acme/vpc/Subnet-data',
    field: 'cidr',
    message: /10\.1\.20\.0\/24 overlaps subnet "workers" \(10\.1\.0\.0\/16, tenant-acme\/vpc\/Subnet-workers\) of the same VPC/,
    fix: /ranges may repeat in other VPCs, not in one/,
  },
  {
    id: 'subnet-on-management',
    construct: 'TenantSubnet',
    title: 'a tenant subnet on the under cluster\'s pod network',
    declare: (app) => vpc(app, [{ name: 'workers', cidr: '10.16.4.0/24' }]),
    path: 'tenant-acme/vpc/Subnet-workers',
    field: 'cidr',
    message: /10\.16\.4\.0\/24 lies on the management plane: it overlaps the under cluster's pod network/,
    fix: /tenant subnets must stay off the management plane/,
  },
  {
    id: 'subnet-outside-tenant-plane',
    construct: 'TenantSubnet',
    title: 'a tenant subnet outside the tenant ranges',
    declare: (app) => vpc(app, [{ name: 'workers', cidr: '172.20.0.0/24' }]),
    path: 'tenant-acme/vpc/Subnet-workers',
    field: 'cidr',
    message: /172\.20\.0\.0\/24 is outside the tenant plane \(10\.0\.0\.0\/8\)/,
    fix: /pick a range inside 10\.0\.0\.0\/8/,
  },
  {
    id: 'vpc-name-twice',
    construct: 'TenantVpc',
    title: 'two VPCs with one name',
    declare: (app) => {
      const b = vpc(app, [{ name: 'workers', cidr: '10.1.0.0/24' }]);
      new TenantVpc(b.platform.tenantUnit('globex'), 'vpc', { planes: b.planes, name: 'acme' });
    },
    path: 'tenant-globex/vpc',
    field: 'name',
    message: /a VPC named "acme" is already declared at tenant-acme\/vpc \(Kube-OVN VPCs are cluster-wide\)/,
    fix: /its own name/,
  },
  {
    id: 'vpc-lb-overlap',
    construct: 'TenantVpc',
    title: 'load-balancer addresses listed twice',
    declare: (app) => vpc(app, [], { loadBalancerAddresses: ['203.0.113.16/30', '203.0.113.18'] }),
    path: 'tenant-acme/vpc',
    field: 'loadBalancerAddresses[1]',
    message: /"203\.0\.113\.18" overlaps loadBalancerAddresses\[0\] "203\.0\.113\.16\/30"/,
    fix: /list every address once/,
  },
  {
    id: 'vpc-egress-outside',
    construct: 'TenantVpc',
    title: 'an egress address outside the public network',
    declare: (app) => vpc(app, [], { egressAddress: '198.51.100.10' }),
    path: 'tenant-acme/vpc',
    field: 'egressAddress',
    message: /"198\.51\.100\.10" is not an address of the public network 203\.0\.113\.0\/24/,
    fix: /pick a free address inside 203\.0\.113\.0\/24/,
  },
  {
    id: 'vpc-sealed-with-workers',
    construct: 'TenantVpc',
    title: 'workers in a sealed VPC, cut off from their control plane',
    declare: (app) => {
      const b = vpc(app, [{ name: 'workers', cidr: '10.1.0.0/24' }], { external: false });
      b.platform.addTenantCluster('acme', { version: 'v1.33.2', network: b.vpc.findSubnet('workers'), nodePools: [{ name: 'general' }] });
    },
    path: 'tenant-acme/vpc',
    field: 'external',
    message: /the VPC is sealed \(external: false\), but cluster "acme" \(tenant-acme\/acme\) has workers in it/,
    fix: /drop external: false/,
  },
  {
    id: 'vip-pool-address',
    construct: 'ControlPlaneVipPool',
    title: 'a VIP pool address that is neither a CIDR nor a range',
    declare: (app) => new ControlPlaneVipPool(base(app).platform.configs, 'more-vips', { addresses: ['203.0.113.200..203.0.113.210'] }),
    path: 'platform-configs/more-vips',
    field: 'addresses[0]',
    message: /"203\.0\.113\.200\.\.203\.0\.113\.210" is neither a CIDR nor an address range/,
    fix: /"203\.0\.113\.64-203\.0\.113\.95"/,
  },
  {
    id: 'vip-pool-exhausted',
    construct: 'ControlPlaneVipPool',
    title: 'more tenants than VIPs (capacity overrun)',
    declare: (app) => {
      const { platform, planes } = base(app);
      platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'small', { addresses: ['203.0.113.128/31'], planes });
      for (const name of ['acme', 'globex', 'initech']) platform.addTenantCluster(name, { version: 'v1.33.2' });
    },
    path: 'platform-configs/small',
    field: 'addresses',
    message: /VIP pool "small" holds 2 address\(es\) but 3 tenants need one: .*no address is left for "initech"/,
    fix: /add addresses to the pool/,
  },
  {
    id: 'vip-pinned-twice',
    construct: 'ControlPlaneVipPool',
    title: 'one VIP pinned by two tenants',
    declare: (app) => {
      const { platform } = base(app);
      platform.addTenantCluster('acme', { version: 'v1.33.2', controlPlane: { endpointAddress: '203.0.113.70' } });
      platform.addTenantCluster('globex', { version: 'v1.33.2', controlPlane: { endpointAddress: '203.0.113.70' } });
    },
    path: 'tenant-globex/globex',
    field: 'controlPlane.endpointAddress',
    message: /VIP 203\.0\.113\.70 of pool "tenant-api" is pinned by two tenants: "acme" \(tenant-acme\/acme\) and "globex" \(tenant-globex\/globex\)/,
    fix: /give each tenant its own VIP/,
  },
  {
    id: 'vip-pinned-outside-pool',
    construct: 'TenantCluster',
    title: 'a pinned VIP outside the pool',
    declare: (app) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', controlPlane: { endpointAddress: '203.0.113.10' } }),
    path: 'tenant-acme/acme',
    field: 'controlPlane.endpointAddress',
    message: /"203\.0\.113\.10" is not in the VIP pool "tenant-api" \(203\.0\.113\.64\/27\)/,
    fix: /pick a free address inside 203\.0\.113\.64\/27/,
  },
  {
    id: 'vip-pool-on-management',
    construct: 'ControlPlaneVipPool',
    title: 'control-plane VIPs on the management network',
    declare: (app) => {
      const { platform, planes } = base(app);
      new ControlPlaneVipPool(platform.configs, 'mgmt-vips', { addresses: ['192.168.10.200/29'], planes });
    },
    path: 'platform-configs/mgmt-vips',
    field: 'addresses',
    message: /192\.168\.10\.200\/29 lies on the management plane/,
    fix: /take them from the public network/,
  },
  {
    id: 'vip-pool-overlaps-reserved',
    construct: 'ControlPlaneVipPool',
    title: 'a VIP pool over addresses the public plane reserves',
    declare: (app) => {
      const { platform, planes } = base(app);
      new ControlPlaneVipPool(platform.configs, 'low-vips', { addresses: ['203.0.113.0/29'], planes });
    },
    path: 'platform-configs/low-vips',
    field: 'addresses',
    message: /control-plane VIP pool "low-vips" 203\.0\.113\.0\/29 overlaps the network address of 203\.0\.113\.0\/24/,
    fix: /addresses of the public network nobody else holds/,
  },
  {
    id: 'peering-overlap',
    construct: 'PeeringRequest',
    title: 'an approved peering of VPCs whose subnets overlap',
    declare: (app) => peering(app, '10.10.0.0/24', '10.10.0.0/24', true),
    path: 'tenant-acme/peer-globex',
    field: 'to',
    message: /subnet "acme-workers" 10\.10\.0\.0\/24 of VPC "acme" overlaps subnet "globex-workers" 10\.10\.0\.0\/24 of VPC "globex"/,
    fix: /renumber one of the subnets, or withdraw the peering request/,
  },
  {
    id: 'peering-dangling',
    construct: 'PeeringRequest',
    title: 'a peering with a VPC that is not declared in the app',
    declare: (app) => {
      const b = vpc(app, [{ name: 'workers', cidr: '10.1.0.0/24' }]);
      new PeeringRequest(b.platform.tenantUnit('acme'), 'peer-legacy', { from: b.vpc, to: TenantVpc.fromVpcName(b.platform.tenantUnit('acme'), 'legacy', 'legacy-vpc'), reason: 'legacy database' });
    },
    path: 'tenant-acme/peer-legacy',
    field: 'to',
    message: /VPC "legacy-vpc" does not exist in this app; a peering is written on both VPCs/,
    fix: /declare the remote VPC as a TenantVpc in this app/,
  },
  {
    id: 'peering-no-reason',
    construct: 'PeeringRequest',
    title: 'a peering request that gives no reason',
    declare: (app) => {
      const b = vpc(app, [{ name: 'workers', cidr: '10.1.0.0/24' }]);
      const globex = new TenantVpc(b.platform.tenantUnit('globex'), 'vpc', { planes: b.planes, name: 'globex' });
      new PeeringRequest(b.platform.tenantUnit('acme'), 'peer-globex', { from: b.vpc, to: globex, reason: ' ' });
    },
    path: 'tenant-acme/peer-globex',
    field: 'reason',
    message: /" " gives no reason/,
    fix: /say why the tenant needs the peering/,
  },
  {
    id: 'peering-no-approver',
    construct: 'PeeringRequest',
    title: 'an approval that names no approver',
    declare: (app) => {
      const b = vpc(app, [{ name: 'workers', cidr: '10.1.0.0/24' }]);
      const globex = new TenantVpc(b.platform.tenantUnit('globex'), 'vpc', { planes: b.planes, name: 'globex' });
      new PeeringRequest(b.platform.tenantUnit('acme'), 'peer-globex', { from: b.vpc, to: globex, reason: 'event bus', approved: { by: '' } });
    },
    path: 'tenant-acme/peer-globex',
    field: 'approved.by',
    message: /"" names no approver/,
    fix: /say who approved it/,
  },
  // Networks a tenant cluster cannot work with.
  {
    id: 'tenant-service-cidr-too-large',
    construct: 'TenantCluster',
    title: 'a service network larger than kube-apiserver accepts (/12 for IPv4)',
    declare: (app) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', serviceCidr: '10.64.0.0/10' }),
    path: 'tenant-acme/acme',
    field: 'serviceCidr',
    message: /10\.64\.0\.0\/10 holds more than 2\^20 addresses, which kube-apiserver refuses/,
    fix: /use a \/12 or smaller range/,
  },
  {
    id: 'tenant-pod-cidr-on-vip-pool',
    construct: 'TenantCluster',
    title: 'a pod network covering the control-plane VIPs (pods could not reach their API server)',
    declare: (app) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', podCidr: '203.0.113.0/24' }),
    path: 'tenant-acme/acme',
    field: 'podCidr',
    message: /203\.0\.113\.0\/24 overlaps the control-plane VIP pool "tenant-api" \(203\.0\.113\.64\/27\)/,
    fix: /a pod range outside every network its nodes and control plane use/,
  },
  {
    id: 'tenant-pod-cidr-on-management',
    construct: 'TenantCluster',
    title: 'a pod network covering the management plane',
    declare: (app) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', podCidr: '192.168.0.0/16' }),
    path: 'tenant-acme/acme',
    field: 'podCidr',
    message: /192\.168\.0\.0\/16 overlaps the management plane \(the under cluster's node network 192\.168\.10\.0\/24\)/,
    fix: /a pod range outside every network/,
  },
  {
    id: 'tenant-pod-cidr-on-own-subnet',
    construct: 'TenantCluster',
    title: 'a pod network covering the subnet the tenant\'s own workers are on',
    declare: (app) => {
      const { vpc: v, platform } = vpc(app, [{ name: 'workers', cidr: '10.244.8.0/24' }]);
      platform.addTenantCluster('acme', { version: 'v1.33.2', network: v.findSubnet('workers') });
    },
    path: 'tenant-acme/acme',
    field: 'podCidr',
    message: /10\.244\.0\.0\/16 overlaps the workers' subnet tenant-acme\/vpc\/Subnet-workers \(10\.244\.8\.0\/24\)/,
    fix: /a pod range outside every network/,
  },
  {
    id: 'tenant-pod-cidr-on-class-worker-subnet',
    construct: 'TenantCluster',
    title: 'a pod network covering the subnet a class-based cluster\'s workerSubnet variable names',
    declare: (app) => {
      const { vpc: v, platform } = vpc(app, [{ name: 'workers', cidr: '10.244.8.0/24' }]);
      const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE) });
      platform.addTenantCluster('acme', { clusterClass: golden, variables: { workerSubnet: v.findSubnet('workers')!.subnetName }, nodePools: [{ name: 'general' }] });
    },
    path: 'tenant-acme/acme',
    field: 'podCidr',
    message: /10\.244\.0\.0\/16 overlaps the workers' subnet tenant-acme\/vpc\/Subnet-workers \(10\.244\.8\.0\/24, named by variables\.workerSubnet\)/,
    fix: /a pod range outside every network/,
  },
  {
    id: 'vpc-planes-as-text',
    construct: 'TenantVpc',
    title: 'the network planes given by name (JavaScript, or a cast), not as the NetworkPlanes construct',
    declare: (app) => { const b = base(app); new TenantVpc(b.platform.tenantUnit('acme'), 'vpc', { planes: 'planes' as any, name: 'acme' }); },
    path: 'tenant-acme/vpc',
    field: 'planes',
    message: /a string \(not shown\) is not a NetworkPlanes/,
    fix: /give a NetworkPlanes made by the library/,
  },
  {
    id: 'vpc-unknown-prop',
    construct: 'TenantVpc',
    title: 'a misspelt VPC prop',
    declare: (app) => vpc(app, [], { subnet: [{ name: 'workers', cidr: '10.1.0.0/24' }] } as any),
    path: 'tenant-acme/vpc',
    field: 'subnet',
    message: /"subnet" is not a property of TenantVpcProps/,
    fix: /did you mean "subnets"\?/,
  },
  {
    id: 'vip-pool-outside-public-network',
    construct: 'ControlPlaneVipPool',
    title: 'a VIP pool outside the public network it is announced on by ARP',
    declare: (app) => {
      const b = base(app);
      new ControlPlaneVipPool(b.platform.configs, 'far-vips', { addresses: ['198.51.100.0/28'], planes: b.planes });
    },
    path: 'platform-configs/far-vips',
    field: 'addresses',
    message: /198\.51\.100\.0\/28 is outside the public network 203\.0\.113\.0\/24 the pool is announced on/,
    fix: /take the VIPs from 203\.0\.113\.0\/24, or announce them over BGP/,
  },
];

/** A pending peering (refused by no one: reported instead), for catalog.test.ts. */
export function pendingPeering(app: App): void {
  peering(app, '10.10.0.0/24', '10.10.0.0/24', false);
}
