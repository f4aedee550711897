// An example of a platform team's own tests, as README shows them. In your project, import from
// 'cdk8s-kmetal' and 'cdk8s-kmetal/lib/policy/testing' instead of the source folders.
import { ApiObject, App } from 'cdk8s';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ControlPlaneVipPool, MachineImage, NetworkPlanes, PlatformPolicyPack,
  PlatformSnapshot, PlatformUnderCluster, Policy, TenantClusterClass, TenantVpc,
} from '../../src';
import { kmetalMatchers } from '../../src/policy/testing';

expect.extend(kmetalMatchers);
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeConformant(): R;
      toPassPolicy(severity?: string): R;
      toHavePolicyFinding(ruleId: string): R;
    }
  }
}

/** The platform, as the platform team's program declares it (usually imported from src/). */
function buildPlatform(options: { labTenant?: boolean } = {}): App {
  const app = new App();
  const image = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu-2404-kubeadm:v1.33.2');
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: image,
    allowedKubernetesMinors: ['v1.33', 'v1.34'],
    provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
  });
  new ApiObject(platform.configs, 'metal3-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metal3' } });
  const planes = new NetworkPlanes(platform.configs, 'planes', {
    publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['metal-1', 'metal-2', 'metal-3'] },
    managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
    tenantCidrs: ['10.0.0.0/8'],
  });
  platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['203.0.113.64/27'], planes });
  const servers = new BareMetalPool(platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
  for (let i = 1; i <= 3; i++) {
    servers.addHost({ name: `metal-${i}`, bmc: { address: `redfish-virtualmedia://192.168.20.${i}/redfish/v1/Systems/1` }, capacity: { cpuCores: 64, memoryGiB: 512 } });
  }
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: image });
  new AddonProfile(platform.configs, 'cni', {
    mandatory: true,
    helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' }],
  });
  for (const name of ['acme', 'globex']) {
    const vpc = new TenantVpc(platform.tenantUnit(name), 'vpc', { planes, name, subnets: [{ name: 'workers', cidr: '10.10.0.0/24' }] });
    platform.addTenantCluster(name, { clusterClass: golden, network: vpc.findSubnet('workers'), nodePools: [{ name: 'general', replicas: 2 }] });
  }
  if (options.labTenant) {
    platform.addTenantCluster('lab', { clusterClass: golden, controlPlane: { replicas: 1 } });
  }
  Policy.of(app).addPack(new PlatformPolicyPack());
  return app;
}

describe('our platform', () => {
  test('passes the platform policy', () => {
    expect(buildPlatform()).toPassPolicy();
  });

  test('every object conforms to the pinned CRDs', () => {
    expect(buildPlatform()).toBeConformant();
  });

  test('tenant acme, file by file', () => {
    expect(PlatformSnapshot.tenant(buildPlatform(), 'acme')).toMatchSnapshot();
  });

  test('the Flux layout of the platform', () => {
    expect(Object.keys(PlatformSnapshot.files(buildPlatform())).filter((f) => !f.startsWith('infrastructure/'))).toMatchSnapshot();
  });

  test('a lab tenant with one API server is refused, unless suppressed with a reason', () => {
    const app = buildPlatform({ labTenant: true });
    expect(app).toHavePolicyFinding('KM-TEN-002');
    expect(() => PlatformSnapshot.files(app)).toThrow(/KM-TEN-002 error \[tenant-lab\/lab\/Cluster\]/);

    Policy.suppress(app.node.findChild('tenant-lab'), 'KM-TEN-002', 'lab tenant, recreated nightly');
    expect(app).toPassPolicy();
  });
});
