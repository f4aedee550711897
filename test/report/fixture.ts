import { ApiObject, App } from 'cdk8s';
import {
  BareMetalPool, BmcCredentials, ControlPlaneVipPool, MachineImage, PlatformUnderCluster,
} from '../../src';

export const A10 = 'nvidia.com/GA102GL_A10';

/**
 * The small platform of the hand-computed figures: 2 hosts (cp-1 runs the hosted control planes,
 * w-1 the worker VMs and has 2 A10 GPUs), an 8-address VIP pool and 3 tenants:
 * - alpha v1.33.2: 2 × (4 vCPU, 8 GiB)
 * - bravo v1.33.2: autoscaled 1..3 × (2 vCPU, 4 GiB)
 * - charlie v1.34.1: 1 × (8 vCPU, 32 GiB, 2 × A10)
 * `extraVms` adds a pool of that many 8 vCPU / 16 GiB VMs to alpha (to over-commit the host).
 */
export function smallPlatform(extraVms = 0): { app: App; platform: PlatformUnderCluster } {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    allowedKubernetesMinors: ['v1.33', 'v1.34'],
    permittedPciDevices: [{ resourceName: A10, pciVendorSelector: '10DE:2236' }],
    provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
  });
  new ApiObject(platform.configs, 'metal3-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metal3' } });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['203.0.113.8/29'] });
  const pool = new BareMetalPool(platform.configs, 'rack', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
  pool.addHost({
    name: 'cp-1',
    bmc: { address: 'ipmi://192.168.20.11' },
    labels: { 'kmetal.io/role': 'control-plane' },
    capacity: { cpuCores: 16, memoryGiB: 64 },
  });
  pool.addHost({
    name: 'w-1',
    bmc: { address: 'ipmi://192.168.20.12' },
    labels: { 'kmetal.io/role': 'worker' },
    capacity: { cpuCores: 32, memoryGiB: 256, gpus: [{ model: A10, count: 2 }] },
  });
  platform.addTenantCluster('alpha', {
    version: 'v1.33.2',
    nodePools: [
      { name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 },
      ...(extraVms ? [{ name: 'burst', replicas: extraVms, cpuCores: 8, memoryGiB: 16 }] : []),
    ],
  });
  platform.addTenantCluster('bravo', { version: 'v1.33.2', nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3, cpuCores: 2, memoryGiB: 4 }] });
  platform.addTenantCluster('charlie', { version: 'v1.34.1', nodePools: [{ name: 'gpu', replicas: 1, cpuCores: 8, memoryGiB: 32, gpus: [{ deviceName: A10, count: 2 }] }] });
  return { app, platform };
}

/** What the report and the capacity policy are told about the hosts. */
export const CAPACITY = { vmHostLabels: { 'kmetal.io/role': 'worker' } };
