/**
 * The benchmark's fleet: the reference platform scaled to N tenants. Every tenant has its own Flux
 * unit, a TenantVpc (the same overlapping 10.10.0.0/24: VPCs are isolated), a TenantCluster from
 * the one golden class on that VPC's subnet, governance, add-on labels and a control-plane VIP;
 * every tenth tenant has a GPU pool. Bare-metal hosts are scaled so the platform policy pack's
 * capacity rules pass, and the pack is attached: building and writing the fleet runs every check a
 * real platform runs.
 */
import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ClusterLifecycleEvent, ControlPlaneVipPool, EventHook, HookAction, NetworkPlanes,
  NodeImage, PlatformPolicyPack, PlatformUnderCluster, Policy, TenantClusterClass, TenantVpc,
} from '../lib';

const GPU = 'nvidia.com/GA100_A100_PCIE_80GB';
// Sizing of a host (cores, GiB, GPUs per GPU host) and of the tenants' pools.
const HOST = { cpuCores: 64, memoryGiB: 512, gpus: 4 };
const STANDARD_POOL = { replicas: 2, cpuCores: 4, memoryGiB: 16 };
const GPU_POOL = { replicas: 1, cpuCores: 16, memoryGiB: 128, gpus: 2 };
// Tenants per host the fleet plans for, well inside the policy pack's default overcommit (4 vCPU per
// core, memory 1:1) including each pool's surge VM: 64 cores × 4 / (3 VMs × 4 vCPU) ≈ 21 tenants;
// a GPU tenant's quota holds 4 GPUs (a surge VM's 2 included), a host's 4.
const STANDARD_TENANTS_PER_HOST = 8;
const GPU_TENANTS_PER_HOST = 1;

/** Builds the fleet's construct tree (nothing is synthesized yet). */
export function buildFleet(tenants: number, options: { classVersion?: string } = {}): { app: App; platform: PlatformUnderCluster } {
  const app = new App();
  const image = new NodeImage(app, 'worker-image', {
    name: 'ubuntu-2404-kubeadm',
    version: 'v1.33.2',
    containerDisk: 'registry.example.com/kmetal/ubuntu-2404-kubeadm:{version}',
  });
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: image,
    permittedPciDevices: [{ resourceName: GPU, pciVendorSelector: '10DE:20B5' }],
    // Ironic for the hosts below (the reconcile check refuses hosts nothing can provision).
    provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
  });
  const planes = new NetworkPlanes(platform.configs, 'planes', {
    publicPlane: { nic: 'eno2', cidr: '198.18.0.0/16', gatewayNodes: ['metal-0001', 'metal-0002', 'metal-0003'] },
    managementPlane: { nodeCidrs: ['192.168.0.0/20'], extraCidrs: ['192.168.64.0/20'] },
    tenantCidrs: ['10.0.0.0/8'],
  });
  // One API VIP per tenant: 16,384 addresses, far more than 5,000 tenants.
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['198.18.64.0/18'], planes, interfaces: ['eno2'] });

  const gpuTenants = Math.ceil(tenants / 10);
  const standardHosts = Math.ceil((tenants - gpuTenants) / STANDARD_TENANTS_PER_HOST);
  const gpuHosts = Math.ceil(gpuTenants / GPU_TENANTS_PER_HOST);
  new kplus.Namespace(platform.configs, 'metal3-namespace', { metadata: { name: 'metal3' } });
  const servers = new BareMetalPool(platform.configs, 'servers', {
    namespace: 'metal3',
    defaultCredentials: BmcCredentials.fromSecret('bmc-{host}'),
  });
  // metal-0001..0003 host the tenants' control planes; the rest run worker VMs.
  const hostCount = 3 + standardHosts + gpuHosts;
  for (let i = 1; i <= hostCount; i++) {
    const gpu = i > 3 + standardHosts;
    const [high, low] = [Math.floor(i / 256), i % 256];
    servers.addHost({
      name: `metal-${String(i).padStart(4, '0')}`,
      bmc: { address: `redfish-virtualmedia://192.168.${64 + high}.${low}/redfish/v1/Systems/1` },
      bootMacAddress: `0c:c4:7a:00:${hex(high)}:${hex(low)}`,
      rootDeviceHints: { minSizeGiB: 400 },
      labels: { 'kmetal.io/role': i <= 3 ? 'control-plane' : 'worker' },
      capacity: { cpuCores: HOST.cpuCores, memoryGiB: HOST.memoryGiB, ...(gpu ? { gpus: [{ model: GPU, count: HOST.gpus }] } : {}) },
    });
  }

  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', {
    // The plan benchmark bumps it: every tenant's control plane upgrades and its workers roll.
    defaultVersion: options.classVersion ?? 'v1.33.2',
    defaultImage: image,
    workerClasses: [{ name: 'worker', cpuCores: STANDARD_POOL.cpuCores, memoryGiB: STANDARD_POOL.memoryGiB }],
  });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  new EventHook(platform.configs, 'billing', {
    event: ClusterLifecycleEvent.CREATED,
    action: HookAction.webhook({ url: 'https://billing.example.com/hooks/cluster-created', bearerTokenSecret: { name: 'billing-token', key: 'token' } }),
  });

  const width = Math.max(4, String(tenants).length);
  for (let i = 0; i < tenants; i++) {
    const name = `t${String(i).padStart(width, '0')}`;
    const gpuTenant = i % 10 === 0;
    const vpc = new TenantVpc(platform.tenantUnit(name), 'vpc', {
      planes,
      name,
      external: true,
      subnets: [{ name: 'workers', cidr: '10.10.0.0/24' }],
    });
    platform.addTenantCluster(name, {
      clusterClass: golden,
      labels: { 'kmetal.io/tier': gpuTenant ? 'gpu' : 'standard', 'kmetal.io/billing-account': `ba-${i}` },
      network: vpc.findSubnet('workers'),
      nodePools: gpuTenant
        ? [{ name: 'gpu', replicas: GPU_POOL.replicas, cpuCores: GPU_POOL.cpuCores, memoryGiB: GPU_POOL.memoryGiB, gpus: [{ deviceName: GPU, count: GPU_POOL.gpus }] }]
        : [{ name: 'general', replicas: STANDARD_POOL.replicas }],
    });
  }

  Policy.of(app).addPack(new PlatformPolicyPack({ capacity: { vmHostLabels: { 'kmetal.io/role': 'worker' } } }));
  return { app, platform };
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
