// Bad inputs of edge sites (IslandSite): VIP ranges, capacity, tenants that cannot run there.
import { App } from 'cdk8s';
import { IslandSite, IslandSiteProps, TenantVpc } from '../../../src';
import { BadInput, base, Base } from '../fixture';

const ISLAND: IslandSiteProps['island'] = { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 3, cpuCores: 16, memoryGiB: 64, rootDiskGiB: 100 }] };

function site(app: App, props: Partial<IslandSiteProps> = {}): Base & { site: IslandSite } {
  const b = base(app);
  return { ...b, site: b.platform.addIslandSite('factory-a', { controlPlaneVips: ['10.10.0.64/27'], island: ISLAND, ...props }) };
}

export const EDGE_ENTRIES: BadInput[] = [
  {
    id: 'site-vip-range',
    construct: 'IslandSite',
    title: 'a site VIP range that is neither a CIDR nor a range',
    declare: (app) => site(app, { controlPlaneVips: ['10.10.0.64..10.10.0.95'] }),
    path: 'platform/factory-a',
    field: 'controlPlaneVips[0]',
    message: /"10\.10\.0\.64\.\.10\.10\.0\.95" is neither a CIDR nor an address range/,
    fix: /"10\.20\.0\.64\/27"/,
  },
  {
    id: 'site-vip-overlap',
    construct: 'IslandSite',
    title: 'a site VIP range over the under cluster\'s VIP pool',
    declare: (app) => site(app, { controlPlaneVips: ['203.0.113.80/28'] }),
    path: 'platform/factory-a',
    field: 'controlPlaneVips',
    message: /VIP range 203\.0\.113\.64\/27 of the under cluster "under" \(pool "tenant-api"\) overlaps 203\.0\.113\.80\/28 of site "factory-a"/,
    fix: /give every site its own VIP range/,
  },
  {
    id: 'site-capacity',
    construct: 'IslandSite',
    title: 'more tenant clusters than the island holds (capacity overrun)',
    declare: (app) => {
      const { site: s } = site(app, { island: { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 2, cpuCores: 8, memoryGiB: 32 }] } });
      s.addTenantCluster('a-assembly', { version: 'v1.33.2', nodePools: [{ name: 'plc', replicas: 4, cpuCores: 4, memoryGiB: 8 }] });
    },
    path: 'platform/factory-a',
    field: 'capacity',
    message: /the island "island-factory-a" of site "factory-a" cannot hold what is placed on it: 1 cluster\(s\) need 19\.5 cores/,
    fix: /add island nodes \(or larger ones\) to the island's pools, move a tenant cluster to another site/,
  },
  {
    id: 'site-tenant-foreign-network',
    construct: 'IslandSite',
    title: 'workers at a site on a network of the under cluster (a reference the island cannot follow)',
    declare: (app) => {
      const { platform, planes, site: s } = site(app);
      const vpc = new TenantVpc(platform.tenantUnit('a-assembly'), 'vpc', { planes, name: 'a-assembly', subnets: [{ name: 'workers', cidr: '10.1.0.0/24' }] });
      s.addTenantCluster('a-assembly', { version: 'v1.33.2', network: vpc.findSubnet('workers'), nodePools: [{ name: 'plc' }] });
    },
    path: 'tenant-a-assembly/a-assembly',
    field: 'network',
    message: /the network tenant-a-assembly\/vpc\/Subnet-workers is applied to the under cluster "under", not to the island of site "factory-a"/,
    fix: /drop the network: workers at a site use the island's pod network/,
  },
];
