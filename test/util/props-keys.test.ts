// The run-time props checks (src/util/props.ts) refuse keys that are not in a props interface's
// key list. Those lists are written by hand next to each interface; this test compares each list
// with the interface's properties as jsii compiled them into the assembly (.jsii at the repository
// root, written by `npx jsii` / the projen compile step), so a new prop cannot be forgotten in its
// list (it would be refused) and a removed one cannot linger.
import * as fs from 'fs';
import * as path from 'path';
import { ADDON_PROFILE_PROPS_KEYS } from '../../src/addons/addon-profile';
import { HELM_CHART_ADDON_KEYS } from '../../src/addons/helm-chart';
import { HOOK_WEBHOOK_OPTIONS_KEYS } from '../../src/addons/hook-action';
import { BARE_METAL_HOST_SPEC_KEYS, BMC_SPEC_KEYS, ROOT_DEVICE_HINTS_KEYS } from '../../src/baremetal/bare-metal-host';
import { BARE_METAL_POOL_PROPS_KEYS } from '../../src/baremetal/bare-metal-pool';
import { HOST_PROVISIONING_OPTIONS_KEYS } from '../../src/baremetal/host-provisioning';
import { JOIN_TOKEN_STORE_OPTIONS_KEYS } from '../../src/baremetal/host-user-data';
import { PROVISIONING_NETWORK_PROPS_KEYS } from '../../src/baremetal/provisioning-network';
import { HARDWARE_RAID_VOLUME_KEYS, RAID_CONFIG_KEYS, SOFTWARE_RAID_VOLUME_KEYS } from '../../src/baremetal/raid';
import { CONTROL_PLANE_VIP_POOL_PROPS_KEYS } from '../../src/network/control-plane-vip-pool';
import { TENANT_SUBNET_OPTIONS_KEYS, TENANT_VPC_PROPS_KEYS } from '../../src/network/tenant-vpc';
import { PERMITTED_PCI_DEVICE_KEYS, PLATFORM_UNDER_CLUSTER_PROPS_KEYS } from '../../src/platform/platform-under-cluster';
import { CLUSTER_AUTOSCALER_OPTIONS_KEYS } from '../../src/tenancy/cluster-autoscaler';
import { CONTAINER_RESOURCES_KEYS, CONTROL_PLANE_OPTIONS_KEYS } from '../../src/tenancy/control-plane';
import { DATASTORE_BACKUP_OPTIONS_KEYS } from '../../src/tenancy/datastore-backup';
import { BARE_METAL_NODE_POOL_OPTIONS_KEYS, GPU_REQUEST_KEYS, NODE_POOL_HEALTH_CHECK_KEYS, NODE_POOL_OPTIONS_KEYS, NODE_POOL_ROLLOUT_KEYS, NODE_TAINT_KEYS } from '../../src/tenancy/node-pool-resolver';
import { NODE_POOL_PLACEMENT_KEYS } from '../../src/tenancy/placement';
import { ROLLOUT_PLAN_PROPS_KEYS, ROLLOUT_WAVE_KEYS } from '../../src/tenancy/rollout-plan';
import { TENANT_CLOUD_PROVIDER_OPTIONS_KEYS } from '../../src/tenancy/tenant-cloud-provider';
import { DEDICATED_ETCD_OPTIONS_KEYS, TENANT_CLUSTER_PROPS_KEYS } from '../../src/tenancy/tenant-cluster';
import { TENANT_CLUSTER_CLASS_PROPS_KEYS, WORKER_CLASS_OPTIONS_KEYS } from '../../src/tenancy/tenant-cluster-class';
import { TENANT_GOVERNANCE_OPTIONS_KEYS, TENANT_GOVERNANCE_PROPS_KEYS } from '../../src/tenancy/tenant-governance';
import { INFRA_STORAGE_CLASS_OPTIONS_KEYS, TENANT_CLUSTER_STORAGE_OPTIONS_KEYS, TENANT_STORAGE_CLASS_OPTIONS_KEYS, TENANT_STORAGE_OPTIONS_KEYS } from '../../src/tenancy/tenant-storage';

const ASSEMBLY = path.join(__dirname, '..', '..', '.jsii');

const LISTS: Array<[string, readonly string[]]> = [
  ['TenantClusterProps', TENANT_CLUSTER_PROPS_KEYS],
  ['DedicatedEtcdOptions', DEDICATED_ETCD_OPTIONS_KEYS],
  ['NodePoolOptions', NODE_POOL_OPTIONS_KEYS],
  ['GpuRequest', GPU_REQUEST_KEYS],
  ['NodeTaint', NODE_TAINT_KEYS],
  ['NodePoolHealthCheck', NODE_POOL_HEALTH_CHECK_KEYS],
  ['NodePoolPlacement', NODE_POOL_PLACEMENT_KEYS],
  ['NodePoolRollout', NODE_POOL_ROLLOUT_KEYS],
  ['BareMetalNodePoolOptions', BARE_METAL_NODE_POOL_OPTIONS_KEYS],
  ['ControlPlaneOptions', CONTROL_PLANE_OPTIONS_KEYS],
  ['ContainerResources', CONTAINER_RESOURCES_KEYS],
  ['TenantClusterClassProps', TENANT_CLUSTER_CLASS_PROPS_KEYS],
  ['WorkerClassOptions', WORKER_CLASS_OPTIONS_KEYS],
  ['PlatformUnderClusterProps', PLATFORM_UNDER_CLUSTER_PROPS_KEYS],
  ['PermittedPciDevice', PERMITTED_PCI_DEVICE_KEYS],
  ['TenantVpcProps', TENANT_VPC_PROPS_KEYS],
  ['TenantSubnetOptions', TENANT_SUBNET_OPTIONS_KEYS],
  ['BareMetalPoolProps', BARE_METAL_POOL_PROPS_KEYS],
  ['BareMetalHostSpec', BARE_METAL_HOST_SPEC_KEYS],
  ['BmcSpec', BMC_SPEC_KEYS],
  ['RootDeviceHints', ROOT_DEVICE_HINTS_KEYS],
  ['HostProvisioningOptions', HOST_PROVISIONING_OPTIONS_KEYS],
  ['JoinTokenStoreOptions', JOIN_TOKEN_STORE_OPTIONS_KEYS],
  ['RaidConfig', RAID_CONFIG_KEYS],
  ['HardwareRaidVolume', HARDWARE_RAID_VOLUME_KEYS],
  ['SoftwareRaidVolume', SOFTWARE_RAID_VOLUME_KEYS],
  ['AddonProfileProps', ADDON_PROFILE_PROPS_KEYS],
  ['HelmChartAddon', HELM_CHART_ADDON_KEYS],
  ['ProvisioningNetworkProps', PROVISIONING_NETWORK_PROPS_KEYS],
  ['ControlPlaneVipPoolProps', CONTROL_PLANE_VIP_POOL_PROPS_KEYS],
  ['TenantGovernanceOptions', TENANT_GOVERNANCE_OPTIONS_KEYS],
  ['TenantGovernanceProps', TENANT_GOVERNANCE_PROPS_KEYS],
  ['RolloutPlanProps', ROLLOUT_PLAN_PROPS_KEYS],
  ['RolloutWave', ROLLOUT_WAVE_KEYS],
  ['HookWebhookOptions', HOOK_WEBHOOK_OPTIONS_KEYS],
  ['ClusterAutoscalerOptions', CLUSTER_AUTOSCALER_OPTIONS_KEYS],
  ['DatastoreBackupOptions', DATASTORE_BACKUP_OPTIONS_KEYS],
  ['TenantCloudProviderOptions', TENANT_CLOUD_PROVIDER_OPTIONS_KEYS],
  ['TenantStorageOptions', TENANT_STORAGE_OPTIONS_KEYS],
  ['TenantStorageClassOptions', TENANT_STORAGE_CLASS_OPTIONS_KEYS],
  ['InfraStorageClassOptions', INFRA_STORAGE_CLASS_OPTIONS_KEYS],
  ['TenantClusterStorageOptions', TENANT_CLUSTER_STORAGE_OPTIONS_KEYS],
];

/** The properties of an interface of the assembly, with those of the interfaces it extends. */
function jsiiKeys(types: any, fqn: string): string[] {
  const type = types[fqn];
  if (!type) throw new Error(`${fqn} is not in the jsii assembly (run npx jsii)`);
  const own = (type.properties ?? []).map((p: any) => p.name);
  return [...own, ...(type.interfaces ?? []).flatMap((parent: string) => jsiiKeys(types, parent))];
}

describe('props key lists', () => {
  const assembly = JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8'));

  test.each(LISTS)('the key list of %s is the interface\'s properties in the jsii assembly', (name, keys) => {
    expect([...keys].sort()).toEqual([...new Set(jsiiKeys(assembly.types, `${assembly.name}.${name}`))].sort());
  });
});
