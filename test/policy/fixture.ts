import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ControlPlaneVipPool, MachineImage, NetworkPlanes, PlatformPolicyPack,
  PlatformPolicyPackProps, PlatformUnderCluster, Policy, PolicyFinding, PolicyReport, TenantClusterClass, TenantVpc,
} from '../../src';

export const IMAGE = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu-2404:v1.33.2');
export const GPU = 'nvidia.com/GA102GL_A10';

/** A small, complete platform: planes, VIP pool, 3 hosts (one with 2 A10 GPUs), a class, a mandatory add-on. */
export interface PolicyPlatform {
  readonly app: App;
  readonly platform: PlatformUnderCluster;
  readonly planes: NetworkPlanes;
  readonly vips: ControlPlaneVipPool;
  readonly servers: BareMetalPool;
  readonly golden: TenantClusterClass;
  /** A VPC for a tenant (one subnet `workers`). */
  vpc(tenant: string, cidr?: string): TenantVpc;
}

export function policyPlatform(options: { pack?: PlatformPolicyPackProps | false; hosts?: number; vipAddresses?: string[] } = {}): PolicyPlatform {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: IMAGE,
    allowedKubernetesMinors: ['v1.33', 'v1.34'],
    permittedPciDevices: [{ resourceName: GPU, pciVendorSelector: '10DE:2236' }],
    provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
  });
  const planes = new NetworkPlanes(platform.configs, 'planes', {
    publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['metal-1', 'metal-2', 'metal-3'] },
    managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
    tenantCidrs: ['10.0.0.0/8'],
  });
  const vips = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: options.vipAddresses ?? ['203.0.113.64/27'], planes });
  platform.controlPlaneVipPool = vips;
  new kplus.Namespace(platform.configs, 'metal3-ns', { metadata: { name: 'metal3' } });
  const servers = new BareMetalPool(platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
  const hosts = options.hosts ?? 3;
  for (let i = 1; i <= hosts; i++) {
    servers.addHost({
      name: `metal-${i}`,
      bmc: { address: `redfish-virtualmedia://192.168.20.${i}/redfish/v1/Systems/1` },
      capacity: { cpuCores: 32, memoryGiB: 256, ...(i === 1 ? { gpus: [{ model: 'GA102GL_A10', count: 2 }] } : {}) },
    });
  }
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  if (options.pack !== false) Policy.of(app).addPack(new PlatformPolicyPack(options.pack ?? {}));
  const vpc = (tenant: string, cidr = '10.10.0.0/24') => new TenantVpc(platform.tenantUnit(tenant), 'vpc', { planes, name: tenant, subnets: [{ name: 'workers', cidr }] });
  return { app, platform, planes, vips, servers, golden, vpc };
}

/** Runs the app's packs now. */
export function check(app: App): PolicyReport {
  return Policy.of(app).check();
}

/** Unsuppressed findings of one rule. */
export function findings(app: App, ruleId: string): PolicyFinding[] {
  return check(app).findingsOf(ruleId);
}

/** The rule ids of the unsuppressed findings, sorted and unique. */
export function ruleIds(report: PolicyReport): string[] {
  return [...new Set(report.findings.map((f) => f.ruleId))].sort();
}
