// Regression tests for the bugs the reliability properties found, one named test each, written as
// the smallest program that showed the bug (the property's shrunk counterexample, read back as code).
import { App } from 'cdk8s';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ControlPlaneVipPool, GitOpsUnit, HelmChartRepository, MachineImage,
  PlatformPolicyPack, Policy, TenantClusterClass, TenantVpc, isKmetalValidationError,
} from '../../src';
import { base, IMAGE } from '../bad-inputs/fixture';
import { allViolations, vipViolations } from './support/invariants';
import { PlatformSpec } from './support/platform-spec';
import { attempt, libraryErrorProblem, synthInMemory } from './support/synth';

/** Runs `fn` and returns what it threw (fails when it threw nothing). */
function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

/** The library's error, naming `path` and `field`, with a fix. */
function expectLibraryError(e: any, path: string, field: string): void {
  expect(isKmetalValidationError(e)).toBe(true);
  expect({ path: e.constructPath, field: e.field }).toEqual({ path, field });
  expect(e.message).toContain('. Fix: ');
}

describe('regressions found by the reliability properties', () => {
  test('property 1: a tenant declared twice is refused by the platform, not by constructs ("There is already a Construct with name")', () => {
    const { platform } = base(new App());
    platform.addTenantCluster('acme', { version: 'v1.33.2' });
    const e = thrown(() => platform.addTenantCluster('acme', { version: 'v1.33.2' }));
    expectLibraryError(e, 'platform', 'tenants.acme.name');
    expect(e.message).toMatch(/tenant "acme" is declared twice: tenant-acme\/acme already exists/);
  });

  test('property 1: a tenant named "constructor" (a valid DNS label, but a built-in property name) is refused with a fix, not a TypeError', () => {
    const { platform } = base(new App());
    const e = thrown(() => platform.addTenantCluster('constructor', { version: 'v1.33.2' }));
    expectLibraryError(e, 'platform', 'tenants.constructor.id');
    expect(e.fix).toContain('addTenantCluster("tenant-constructor", { name: "constructor" })');
    // The fix works: the name is fine, only the construct id was not.
    expect(platform.addTenantCluster('tenant-constructor', { name: 'constructor', version: 'v1.33.2' }).clusterName).toBe('constructor');
  });

  test('property 1: a host named "constructor" is refused for what it is, not as "already has a host named"', () => {
    const pool = new BareMetalPool(base(new App()).platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
    const e = thrown(() => pool.addHost({ name: 'constructor', bmc: { address: 'ipmi://192.168.20.11' }, capacity: { cpuCores: 64, memoryGiB: 512 } }));
    expectLibraryError(e, 'platform-configs/servers', 'hosts[0].name');
    expect(e.message).toMatch(/cannot be a host name here/);
  });

  test('property 1: load-balancer addresses listed twice in one VPC are refused, not a constructs error (two OvnEips of one name)', () => {
    const { platform, planes } = base(new App());
    const e = thrown(() => new TenantVpc(platform.tenantUnit('acme'), 'vpc', { planes, name: 'acme', loadBalancerAddresses: ['203.0.113.28/31', '203.0.113.29'] }));
    expectLibraryError(e, 'tenant-acme/vpc', 'loadBalancerAddresses[1]');
    expect(e.message).toMatch(/"203\.0\.113\.29" overlaps loadBalancerAddresses\[0\] "203\.0\.113\.28\/31"/);
  });

  test('property 1: a Helm repository URL with credentials is refused without quoting them (add-on charts and chart repositories)', () => {
    const app = new App();
    const { platform } = base(app);
    const e = thrown(() => new AddonProfile(platform.configs, 'cni', { helmCharts: [{ repositoryUrl: 'https://ci:Canary-Pa55@charts.example.com', chart: 'cilium', version: '1.18.2' }] }));
    expectLibraryError(e, 'platform-configs/cni', 'helmCharts[0].repositoryUrl');
    expect(e.message).not.toContain('Canary-Pa55');
    // Same rule for a Flux HelmRepository, oci:// included (it used to check http(s) URLs only, and after quoting them).
    ['oci://robot:Canary-Pa55@harbor.example.com/charts', 'https://ci:Canary Pa55@charts.example.com'].forEach((url, i) => {
      const f = thrown(() => new HelmChartRepository(platform.sources, `repo-${i}`, { url }));
      expectLibraryError(f, `platform-sources/repo-${i}`, 'url');
      expect(f.message).not.toContain('Pa55');
    });
  });

  test('property 1: credentials in the chart mirror or release-manifest registry are refused, never written into the Flux sources', () => {
    for (const field of ['chartMirror', 'releaseManifestsRegistry'] as const) {
      const e = thrown(() => base(new App(), { [field]: 'oci://robot:Canary-Pa55@harbor.example.com/kmetal' }));
      expectLibraryError(e, 'platform', field);
      expect(e.message).not.toContain('Canary-Pa55');
    }
  });

  test('property 1: a VIP pool problem is the pool\'s own error whatever the construct order, not cdk8s\' "Failed serializing construct"', () => {
    // Tenant units first, the pool in a unit after them, class-based clusters: the tenants' quota
    // validation serialized their Cluster (whose VIP comes from the exhausted pool) before the
    // pool's own validation ran, and cdk8s wrapped the pool's error in a plain Error.
    const app = new App();
    const { platform } = base(app);
    const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE) });
    for (const name of ['acme', 'globex']) platform.tenantUnit(name);
    const late = new GitOpsUnit(app, 'vip-pools', { path: 'infrastructure/vip-pools' });
    platform.controlPlaneVipPool = new ControlPlaneVipPool(late, 'tiny', { addresses: ['203.0.113.200/32'] });
    for (const name of ['acme', 'globex']) platform.addTenantCluster(name, { clusterClass: golden, nodePools: [{ name: 'general' }] });
    const e = thrown(() => synthInMemory(app));
    expectLibraryError(e, 'vip-pools/tiny', 'addresses');
    expect(e.message).toMatch(/VIP pool "tiny" holds 1 address\(es\) but 2 tenants need one/);
  });

  test('property 1 (as generated): the shrunk counterexample of the construct-order bug gives a library error', () => {
    const spec: PlatformSpec = {
      layout: { tenantUnitsFirst: true, poolsInOwnUnit: true },
      under: { permittedGpus: [], metal3: false, releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests' },
      planes: { publicCidr: '203.0.113.0/24', nic: 'eno2', gatewayNodes: ['metal-01'], reserved: [[2, 9]], nodeCidrs: ['192.168.10.0/24'] },
      vipPools: [{ name: 'a', ranges: [{ offset: 64, prefix: 32 }], joinPlanes: false, l2: false }],
      image: { kind: 'containerDisk', ref: IMAGE },
      classes: [{ name: 'golden', version: { kind: 'allowed', minor: 0, patch: 0 }, workerClasses: [{ name: 'worker' }] }],
      hostPools: [],
      sites: [],
      tenants: ['a', 'acme'].map((name) => ({ name, version: { kind: 'default', minor: 0, patch: 0 }, clusterClass: { idx: 0 }, tier: 'standard', controlPlane: {}, nodePools: [] })),
      peerings: [],
      addons: [],
      hooks: [],
    };
    const outcome = attempt(spec);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(libraryErrorProblem(outcome.error, outcome.app)).toBeUndefined();
  });

  test('generators: two cluster classes in the default namespace share its Namespace object (it used to be emitted twice, refusing the platform)', () => {
    const app = new App();
    const { platform } = base(app);
    for (const name of ['golden', 'gpu']) new TenantClusterClass(platform.clusterTemplates, name, { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE) });
    const objects = synthInMemory(app).objects().map((p) => p.obj);
    expect(objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'kmetal-classes')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'ClusterClass').map((o) => o.metadata.namespace)).toEqual(['kmetal-classes', 'kmetal-classes']);
  });

  // KNOWN BUG, not fixed here (src/edge is a colleague's): a site's VIP range is checked against
  // the under cluster's default VIP pool only (SiteRegistry.vipOverlap), so a range overlapping
  // another pool of the under cluster hands the same VIPs out twice. test.failing passes while the
  // bug is there; when it is fixed, make this an ordinary test.
  test.failing('property 3: a site VIP range over a second under-cluster pool is refused, so no VIP is handed out twice', () => {
    const app = new App();
    const { platform, planes } = base(app);
    const second = new ControlPlaneVipPool(platform.configs, 'tenant-api-b', { addresses: ['203.0.113.96/30'], planes });
    const site = platform.addIslandSite('factory-a', { controlPlaneVips: ['203.0.113.96/30'], island: { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 4, cpuCores: 32, memoryGiB: 128 }] } });
    for (const n of ['a', 'b']) platform.addTenantCluster(`central-${n}`, { version: 'v1.33.2', controlPlane: { vipPool: second } });
    for (const n of ['a', 'b']) site.addTenantCluster(`site-${n}`, { version: 'v1.33.2' });
    let objects;
    try {
      objects = synthInMemory(app).objects();
    } catch (e: any) {
      expect(isKmetalValidationError(e)).toBe(true);
      expect(e.message).toMatch(/factory-a.*controlPlaneVips|controlPlaneVips.*factory-a/s);
      return;
    }
    expect(vipViolations(objects)).toEqual([]);
    expect(allViolations(objects)).toEqual([]);
  });

  // The policy module refused its own bad input with plain Errors (excludeRules, suppression reasons,
  // guardrails, capacity options, ...): no construct path or field to read.
  test('property 1: bad policy input is refused with the library\'s validation error', () => {
    const app = new App();
    const { platform } = base(app);
    const cluster = platform.addTenantCluster('acme', { version: 'v1.33.2' });
    expect(isKmetalValidationError(thrown(() => new PlatformPolicyPack({ excludeRules: ['KM-NET-999'] })))).toBe(true);
    expect(isKmetalValidationError(thrown(() => Policy.suppress(cluster, 'KM-TEN-002', 'lab')))).toBe(true);
  });

  // KM-SEC-001 read ExternalSecret.spec.data[].secretKey (the NAME of a key in the target Secret)
  // as a credential value, so the pack refused the BMC credentials the library itself recommends.
  test('generators: the platform policy pack accepts BMC credentials from an ExternalSecret', () => {
    const app = new App();
    const { platform } = base(app);
    const pool = new BareMetalPool(platform.configs, 'servers', {
      namespace: 'metal3',
      defaultCredentials: BmcCredentials.fromExternalSecret({ storeName: 'vault', remoteKey: 'bmc/{host}' }),
    });
    pool.addHost({ name: 'metal-01', bmc: { address: 'ipmi://192.168.20.11' }, capacity: { cpuCores: 64, memoryGiB: 512 } });
    Policy.of(app).addPack(new PlatformPolicyPack());
    expect(Policy.of(app).check().errors.filter((f) => f.ruleId === 'KM-SEC-001').map((f) => f.message)).toEqual([]);
  });
});
