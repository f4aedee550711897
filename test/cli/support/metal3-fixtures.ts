import { FLUX_GROUPS } from './fixture';
import type { StandInApiServer } from './stand-in-api-server';

/** A BMC password planted in a BMC address: it must reach no output and no inventory file. */
export const BMC_PASSWORD = 'hunter2-bmc-password';

function bareMetalHost(name: string, namespace: string, spec: any, status: any, labels: any = {}) {
  return { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name, namespace, labels }, spec, status };
}

const hardware = (cpus: number, ramMebibytes: number, pxeMac: string) => ({
  cpu: { arch: 'x86_64', model: 'AMD EPYC 7543', count: cpus, flags: ['fpu', 'ht', 'sse4_2'] },
  ramMebibytes,
  hostname: 'ignored',
  systemVendor: { manufacturer: 'Supermicro', productName: 'AS-2124GQ', serialNumber: 'S123' },
  nics: [{ name: 'eno1', mac: pxeMac, pxe: true, speedGbps: 25 }, { name: 'eno2', mac: '0c:c4:7a:00:00:99', pxe: false }],
  storage: [{ name: '/dev/nvme0n1', sizeBytes: 960 * 2 ** 30, rotational: false, model: 'Samsung PM9A3' }],
});

/**
 * What a management cluster with Metal3 holds: four hosts in `metal3` (two inspected with
 * credentials, one still registering, one without a credentials Secret), one in `lab`, and three
 * nodes (two with GPUs, linked to hosts by provider ID and by name).
 */
export function metal3Objects(): { hosts: any[]; nodes: any[] } {
  const hosts = [
    bareMetalHost('r12-u07', 'metal3',
      { online: true, bmc: { address: 'redfish-virtualmedia://10.0.0.21/redfish/v1/Systems/1', credentialsName: 'r12-u07-bmc' }, rootDeviceHints: { deviceName: '/dev/nvme0n1', minSizeGigabytes: 200 }, bootMode: 'UEFI' },
      { provisioning: { state: 'available' }, operationalStatus: 'OK', poweredOn: true, hardware: hardware(64, 524288, '0C:C4:7A:12:34:56') },
      { 'kmetal.io/pool': 'gpu', 'kmetal.io/rack': 'r12', 'kustomize.toolkit.fluxcd.io/name': 'infrastructure-configs' }),
    bareMetalHost('r12-u08', 'metal3',
      { online: true, bmc: { address: 'redfish-virtualmedia://10.0.0.22/redfish/v1/Systems/1', credentialsName: 'r12-u08-bmc' } },
      { provisioning: { state: 'registering' }, operationalStatus: 'discovered' }),
    bareMetalHost('r12-u09', 'metal3',
      { online: true, bmc: { address: `ipmi://admin:${BMC_PASSWORD}@10.0.0.23`, credentialsName: 'r12-u09-bmc' }, consumerRef: { kind: 'Metal3Machine', name: 'gpu-md-abcde', namespace: 'metal3' } },
      { provisioning: { state: 'provisioned' }, operationalStatus: 'OK', poweredOn: true, hardware: hardware(32, 262144, '0c:c4:7a:12:34:57') }),
    bareMetalHost('r12-u10', 'metal3',
      { online: false, bmc: { address: 'redfish://10.0.0.24' } },
      { provisioning: { state: 'available' }, hardware: hardware(16, 65536, '0c:c4:7a:12:34:58') }),
    bareMetalHost('lab-1', 'lab',
      { online: true, bmc: { address: 'redfish-virtualmedia://10.9.0.1', credentialsName: 'lab-1-bmc' } },
      { provisioning: { state: 'available' }, hardware: hardware(8, 32768, '0c:c4:7a:00:00:01') }),
  ];
  const nodes = [
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-a', labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } }, spec: { providerID: 'metal3://metal3/r12-u07/gpu-md-xyz' }, status: { capacity: { 'cpu': '128', 'nvidia.com/gpu': '4' }, allocatable: { 'cpu': '126', 'nvidia.com/gpu': '3' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'r12-u09' }, status: { capacity: { 'nvidia.com/GA102GL_A10': '2', 'devices.kubevirt.io/kvm': '1k' }, allocatable: { 'nvidia.com/GA102GL_A10': '2' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp-1' }, status: { capacity: { cpu: '8' } } },
  ];
  return { hosts, nodes };
}

/** A stand-in with Metal3 and Flux served, and `metal3Objects()` in it. */
export function metal3Cluster(s: StandInApiServer): void {
  s.serveBuiltins().serveGroupsFromBundle([...FLUX_GROUPS, 'metal3.io']).addNamespaces('default', 'metal3', 'lab');
  const { hosts, nodes } = metal3Objects();
  for (const o of [...hosts, ...nodes]) s.addObject(o);
}
