import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { addSite, cleanupTempDirs, edgePlatform, expectError, IMAGE, ISLAND, tempDir, TENANT } from './fixture';
import {
  ConformanceChecker, DataStoreDriver, ExternalDataStore, FluxTree, GitOpsUnit, HelmChartRepository, INodeNetwork, NodeNetwork, NodeNetworkBinding,
  TenantCluster, TenantClusterClass,
} from '../../src';
import { KmetalValidationError } from '../../src/util/errors';

afterAll(() => cleanupTempDirs());

/** Every object of a written tree. */
function allObjects(dir: string): any[] {
  const out: any[] = [];
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name !== 'kustomization.yaml') out.push(...YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).map((doc) => doc.toJS()));
    }
  };
  visit(dir);
  return out;
}

/** A network declared in the app (like a TenantVpc subnet), living in whatever unit it is put in. */
class DeclaredNetwork extends Construct implements INodeNetwork {
  public bindNodePool(): NodeNetworkBinding {
    return { podAnnotations: { 'ovn.kubernetes.io/logical_switch': 'plant' }, description: 'kube-ovn subnet plant' };
  }
}

describe('a tenant at a site uses only what the site has', () => {
  test('not the under cluster\'s VIP pool', () => {
    const { platform, centralPool } = edgePlatform();
    const site = addSite(platform, 'a');
    expectError(() => site.addTenantCluster('line-1', { ...TENANT, controlPlane: { vipPool: centralPool } }),
      'tenant-line-1/line-1', 'controlPlane.vipPool', /the under cluster's VIP pool "central-vips"; a control plane at site "factory-a" is exposed by the island's MetalLB.*Fix: drop controlPlane.vipPool/);
  });

  test('not another site\'s VIP pool', () => {
    const { platform } = edgePlatform();
    const a = addSite(platform, 'a');
    const b = addSite(platform, 'b');
    expectError(() => a.addTenantCluster('line-1', { ...TENANT, controlPlane: { vipPool: b.vipPool } }),
      'tenant-line-1/line-1', 'controlPlane.vipPool', /the VIP pool of site "factory-b".*or place the cluster at site "factory-b"/);
  });

  test('not another MetalLB pool by name, nor an address outside the site\'s pool', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    expectError(() => site.addTenantCluster('line-1', { ...TENANT, controlPlane: { addressPool: 'central-vips' } }),
      'tenant-line-1/line-1', 'controlPlane.addressPool', /"central-vips" is not a pool of the island of site "factory-a"/);
    expectError(() => site.addTenantCluster('line-2', { ...TENANT, controlPlane: { endpointAddress: '203.0.113.70' } }),
      'tenant-line-2/line-2', 'controlPlane.endpointAddress', /not in the VIP pool "factory-a-vips"/);
  });

  test('not another site\'s hosts: devices of another site, or of none', () => {
    const { platform } = edgePlatform();
    const a = addSite(platform, 'a');
    addSite(platform, 'b', { permittedPciDevices: [{ resourceName: 'nvidia.com/TU104GL_T4', pciVendorSelector: '10DE:1EB8' }] });
    const gpuPool = (device: string) => ({ version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: device }] }] });
    expectError(() => a.addTenantCluster('vision', gpuPool('nvidia.com/TU104GL_T4')),
      'tenant-vision/vision', 'nodePools.gpu.gpus.deviceName', /"nvidia.com\/TU104GL_T4" is hardware of site "factory-b", not of site "factory-a".*Fix: place the cluster at site "factory-b"/);
    expectError(() => a.addTenantCluster('vision2', gpuPool('nvidia.com/GA100')),
      'tenant-vision2/vision2', 'nodePools.gpu.gpus.deviceName', /not a device the island of site "factory-a" passes through.*\(none declared\)/);
  });

  test('a pool added after placement is checked at synth', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const t = site.addTenantCluster('line-1', TENANT);
    expect(t.node.validate()).toEqual([]);
    t.addNodePool({ name: 'gpu', replicas: 1, gpus: [{ deviceName: 'nvidia.com/GA100' }] });
    expect(t.node.validate()).toEqual([expect.stringMatching(/^nodePools\.gpu\.gpus\.deviceName: "nvidia.com\/GA100" is not a device the island of site "factory-a" passes through\..*Fix: /)]);
  });

  test('not a network of the under cluster (a network referenced by name is taken to be on the island)', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const vpc = new DeclaredNetwork(platform.tenantUnit('line-1'), 'vpc');
    expectError(() => site.addTenantCluster('line-1', { ...TENANT, network: vpc }),
      'tenant-line-1/line-1', 'network', /the network tenant-line-1\/vpc is applied to the under cluster "under", not to the island of site "factory-a"/);
    expectError(() => site.addTenantCluster('line-2', { version: 'v1.33.2', nodePools: [{ name: 'w', network: vpc }] }),
      'tenant-line-2/line-2', 'nodePools.w.network', /applied to the under cluster "under"/);
    const ok = site.addTenantCluster('line-3', { ...TENANT, network: NodeNetwork.multus('plant/shopfloor') });
    expect(ok.node.validate()).toEqual([]);
    const onSite = site.addTenantCluster('line-4', { ...TENANT, network: new DeclaredNetwork(site.tenantUnit('line-4'), 'vpc') });
    expect(onSite.node.validate()).toEqual([]);
  });

  test('not a datastore or an etcd chart source of the under cluster', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const pg = new ExternalDataStore(platform.configs, 'pg', {
      name: 'central-pg',
      driver: DataStoreDriver.POSTGRESQL,
      endpoints: ['pg.db.svc:5432'],
      username: { name: 'pg', namespace: 'db', key: 'user' },
      password: { name: 'pg', namespace: 'db', key: 'password' },
    });
    expectError(() => site.addTenantCluster('line-1', { ...TENANT, dataStore: pg }),
      'tenant-line-1/line-1', 'dataStore', /the datastore platform-configs\/pg is applied to the under cluster "under".*Fix: drop dataStore/);
    const repo = new HelmChartRepository(platform.sources, 'central-charts', { url: 'https://charts.example.com' });
    expectError(() => site.addTenantCluster('line-2', { ...TENANT, etcd: { chartRepository: repo } }),
      'tenant-line-2/line-2', 'etcd.chartRepository', /applied to the under cluster "under"/);
  });

  test('a class-based cluster at a site: the class patches the island in, the cluster is one Cluster with topology', () => {
    const { app, platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE, workerClasses: [{ name: 'worker', cpuCores: 4, memoryGiB: 8 }] });
    const line = site.addTenantCluster('line-1', { clusterClass: golden, nodePools: [{ name: 'plc', replicas: 2 }] });
    const out = FluxTree.synth(app, { outdir: tempDir(), appName: 'edge', conformance: ConformanceChecker.default() });
    const objects = allObjects(out.outputDir);

    const cluster = objects.find((o) => o.kind === 'Cluster' && o.metadata.name === 'line-1');
    const vars = Object.fromEntries(cluster.spec.topology.variables.map((v: any) => [v.name, v.value]));
    expect(vars.siteControlPlane).toEqual({
      deploymentNamespace: line.sitePlacement!.controlPlaneNamespace,
      kubeconfigSecretKey: 'value',
      kubeconfigSecretName: 'island-factory-a-kubeconfig',
      kubeconfigSecretNamespace: 'tenant-island-factory-a',
    });
    expect(vars.siteInfraClusterSecret).toEqual({ name: 'island-factory-a-infra-kubeconfig', namespace: 'tenant-island-factory-a' });
    // The control plane's VIP comes from the site's pool, its datastore is the site's etcd.
    expect(vars.controlPlaneAddressPool).toBe('factory-a-vips');
    expect(vars.dataStoreName).toBe(line.dataStore.dataStoreName);
    expect(objects.some((o) => o.kind === 'DataStore' && o.metadata.name === line.dataStore.dataStoreName && out.files.some((f) => f.startsWith('sites/factory-a/')))).toBe(true);

    // The class carries the patches that put the control plane and the VMs on the island.
    const cc = objects.find((o) => o.kind === 'ClusterClass');
    const patch = (name: string) => cc.spec.patches.find((p: any) => p.name === name);
    // Into the template's deployment, which keeps the API servers' spread.
    expect(patch('site-control-plane').definitions[0].jsonPatches[0]).toMatchObject({ op: 'add', path: '/spec/template/spec/deployment/externalClusterReference' });
    expect(patch('site-control-plane').definitions[0].jsonPatches[0].valueFrom.template).toContain('kubeconfigSecretName:');
    expect(objects.find((o) => o.kind === 'KamajiControlPlaneTemplate').spec.template.spec.deployment.topologySpreadConstraints).toHaveLength(1);
    expect(patch('site-infra-cluster').definitions[0]).toMatchObject({
      selector: { kind: 'KubevirtClusterTemplate', matchResources: { infrastructureCluster: true } },
      jsonPatches: [{ op: 'add', path: '/spec/template/spec/infraClusterSecretRef' }],
    });
    // The island is sized for it: 2 workers of 4 cores / 8 GiB, 2 API servers, 3 etcd members.
    expect(site.capacityReport().workers).toEqual({ cpuMillicores: 8000, memoryMiB: 2 * (8 * 1024 + 256) });
  });

  test('the site variables are the placement\'s to set', () => {
    const { platform } = edgePlatform();
    const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
    expectError(() => platform.addTenantCluster('sneaky', { clusterClass: golden, variables: { siteInfraClusterSecret: { name: 'x', namespace: 'y' } } }),
      'tenant-sneaky/sneaky', 'variables.siteInfraClusterSecret', /set by the cluster's placement at a site/);
  });

  test('names and namespaces are unique on the island, and off the island\'s own namespaces', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    site.addTenantCluster('line-1', TENANT);
    expectError(() => site.addTenantCluster('line-1b', { ...TENANT, name: 'line-1', namespace: 'elsewhere' }),
      'tenant-line-1/line-1b', 'name', /site "factory-a" already runs a cluster named "line-1"/);
    expectError(() => site.addTenantCluster('line-2', { ...TENANT, namespace: 'kamaji-system' }),
      'tenant-line-2/line-2', 'namespace', /"kamaji-system" is already used on the island of site "factory-a"/);
    expectError(() => site.addTenantCluster('line-3', { ...TENANT, site: addSite(platform, 'b') }),
      'platform/factory-a', 'tenants.line-3.site', /names another site/);
  });
});

describe('the island kubeconfig reference exists where the tenant is applied', () => {
  test('a tenant applied to another management cluster cannot use the island\'s kubeconfig', () => {
    const { app, platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const other = new GitOpsUnit(app, 'other', { path: 'tenants/other', cluster: 'mgmt-2' });
    expectError(() => new TenantCluster(other, 'x', { ...TENANT, defaultImage: IMAGE, site }),
      'other/x', 'site', /Cluster API objects go to cluster "mgmt-2", but the kubeconfig of the island "island-factory-a" \(Secret tenant-island-factory-a\/island-factory-a-kubeconfig\) is written on the under cluster "under"/);
  });

  test('a tenant of another app cannot use the site', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const unit = new GitOpsUnit(new App(), 'u', { path: 'tenants/x', cluster: 'under' });
    expectError(() => new TenantCluster(unit, 'x', { ...TENANT, defaultImage: IMAGE, site }), 'u/x', 'site', /declared in another app/);
  });

  test('an adopted island cluster must be on the platform\'s cluster, in the app, on no site, and of one site only', () => {
    const { app, platform } = edgePlatform();
    const vips = ['10.1.0.64/27'];
    const foreign = new TenantCluster(new GitOpsUnit(new App(), 'u', { path: 'tenants/x' }), 'x', { ...ISLAND, defaultImage: IMAGE });
    expectError(() => platform.addIslandSite('s1', { controlPlaneVips: vips, islandCluster: foreign }), 'platform/s1', 'islandCluster', /declared in another app/);
    const elsewhere = new TenantCluster(new GitOpsUnit(app, 'mgmt2', { path: 'tenants/m2', cluster: 'mgmt-2' }), 'm2', { ...ISLAND, defaultImage: IMAGE });
    expectError(() => platform.addIslandSite('s2', { controlPlaneVips: vips, islandCluster: elsewhere }), 'platform/s2', 'islandCluster', /applied to cluster "mgmt-2", not to the platform's "under"/);
    const a = addSite(platform, 'a');
    const placed = a.addTenantCluster('line-1', TENANT);
    expectError(() => platform.addIslandSite('s3', { controlPlaneVips: vips, islandCluster: placed }), 'platform/s3', 'islandCluster', /itself placed at site "factory-a"/);
    expectError(() => platform.addIslandSite('s4', { controlPlaneVips: ['10.9.0.64/27'], islandCluster: a.islandCluster }), 'platform/s4', 'islandCluster', /already the island of site "factory-a"/);
    expectError(() => platform.addIslandSite('s5', { controlPlaneVips: vips, islandCluster: a.islandCluster, island: ISLAND }), 'platform/s5', 'islandCluster', /both island and islandCluster/);
  });

  test('the site creates its island only from a shape, and never at a site', () => {
    const { platform } = edgePlatform();
    expectError(() => platform.addIslandSite('s1', { controlPlaneVips: ['10.1.0.64/27'] }), 'platform/s1', 'island', /no island cluster given/);
    const a = addSite(platform, 'a');
    expectError(() => platform.addIslandSite('s2', { controlPlaneVips: ['10.2.0.64/27'], island: { ...ISLAND, site: a } }), 'platform/s2', 'island.site', /itself placed at a site/);
  });
});

describe('site input', () => {
  test('names: DNS labels of at most 23, unique, never an under cluster\'s', () => {
    const { platform } = edgePlatform();
    expectError(() => platform.addIslandSite('Factory A', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND }), 'platform/Factory A', 'name', /not a DNS-1123 label/);
    expectError(() => platform.addIslandSite('factory-with-a-long-name', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND }), 'platform/factory-with-a-long-name', 'name', /leaves 23/);
    expectError(() => platform.addIslandSite('under', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND }), 'platform/under', 'name', /name of an under cluster's Flux tree/);
    addSite(platform, 'a');
    expectError(() => platform.addIslandSite('again', { name: 'factory-a', controlPlaneVips: ['10.2.0.64/27'], island: ISLAND }), 'platform/again', 'name', /site "factory-a" is already declared \(platform\/factory-a\)/);
  });

  test('VIPs, devices, values and capacity figures', () => {
    const { platform } = edgePlatform();
    expectError(() => platform.addIslandSite('s1', { controlPlaneVips: [], island: ISLAND }), 'platform/s1', 'controlPlaneVips', /holds no address/);
    expectError(() => platform.addIslandSite('s2', { controlPlaneVips: ['10.1.0.300/27'], island: ISLAND }), 'platform/s2', 'controlPlaneVips[0]', /neither a CIDR nor an address range/);
    expectError(() => platform.addIslandSite('s3', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND, permittedPciDevices: [{ resourceName: 'nvidia.com/T4', pciVendorSelector: '10de' }] }),
      'platform/s3', 'permittedPciDevices[0].pciVendorSelector', /not a PCI vendor:device id/);
    expectError(() => platform.addIslandSite('s4', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND, values: { capsule: {} } }), 'platform/s4', 'values.capsule', /not a component the island runs/);
    expectError(() => platform.addIslandSite('s5', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND, capacity: { spareNodes: -1 } }), 'platform/s5', 'capacity.spareNodes', /not a number of nodes/);
    expectError(() => platform.addIslandSite('s6', { controlPlaneVips: ['10.1.0.64/27'], island: ISLAND, capacity: { etcdMember: { cpuMillicores: 500, memoryMiB: Number.NaN } } }),
      'platform/s6', 'capacity.etcdMember.memoryMiB', /not an amount/);
  });

  test('VIP ranges of sites and the under cluster never overlap (checked at synth)', () => {
    const { app, platform } = edgePlatform();
    addSite(platform, 'a');
    addSite(platform, 'b', { controlPlaneVips: ['10.1.0.80-10.1.0.90'] });
    let error: unknown;
    try {
      FluxTree.synth(app, { outdir: tempDir(), appName: 'edge' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KmetalValidationError);
    expect((error as Error).message).toMatch(/\[platform\/factory-a\] controlPlaneVips: VIP range 10\.1\.0\.64\/27 of site "factory-a" \(pool "factory-a-vips"\) overlaps 10\.1\.0\.80-10\.1\.0\.90 of site "factory-b".*Fix: give every site its own VIP range/);

    const central = edgePlatform();
    const site = addSite(central.platform, 'c', { controlPlaneVips: ['203.0.113.90/32'] });
    expect(site.node.validate()).toEqual([expect.stringMatching(/VIP range 203\.0\.113\.64\/27 of the under cluster "under" \(pool "central-vips"\) overlaps 203\.0\.113\.90\/32 of site "factory-c"/)]);
  });
});

describe('the island runs on the site\'s hosts', () => {
  const SITE = { 'kmetal.io/site': 'factory-a' };

  test('hostSelector pins every pool of a created island, and only the island', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a', {
      hostSelector: SITE,
      island: { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 3, cpuCores: 16, memoryGiB: 64 }, { name: 'gpu', replicas: 1, cpuCores: 16, memoryGiB: 64, hostSelector: { 'kmetal.io/gpu': 'a100' } }] },
    });
    const line = site.addTenantCluster('line-1', TENANT);
    expect(site.hostSelector).toEqual(SITE);
    expect(site.islandCluster.nodePools.map((p) => [p.poolName, p.hostSelector])).toEqual([['site', SITE], ['gpu', { 'kmetal.io/gpu': 'a100', ...SITE }]]);
    // Tenants at the site run on the island's KubeVirt: nothing of theirs is pinned on the under cluster.
    expect(line.nodePools.map((p) => p.hostSelector)).toEqual([{}]);
    expect(site.node.validate()).toEqual([]);
  });

  test('a pool contradicting the site, a bad label, an adopted island whose pools are not pinned', () => {
    const { platform } = edgePlatform();
    expectError(() => addSite(platform, 'a', { hostSelector: SITE, island: { version: 'v1.33.2', nodePools: [{ name: 'site', hostSelector: { 'kmetal.io/site': 'factory-b' } }] } }),
      'platform/factory-a', 'island.nodePools.site.hostSelector.kmetal.io/site', /"factory-b" contradicts the site's hostSelector "factory-a"/);
    expectError(() => addSite(platform, 'b', { hostSelector: { 'kmetal.io/site': 'factory b' } }), 'platform/factory-b', 'hostSelector.kmetal.io/site', /not a valid Kubernetes label/);

    const island = platform.addTenantCluster('island-c', { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 4, cpuCores: 16, memoryGiB: 64 }] });
    const site = platform.addIslandSite('factory-c', { controlPlaneVips: ['10.3.0.64/27'], islandCluster: island, hostSelector: { 'kmetal.io/site': 'factory-c' } });
    expect(site.node.validate()).toEqual([
      expect.stringMatching(/^hostSelector: the island's pool "site" \(tenant-island-c\/island-c\/Pool-site\) is not pinned to the site's hosts \(kmetal\.io\/site=factory-c\).*Fix: give the pool hostSelector \{"kmetal\.io\/site":"factory-c"\}$/),
    ]);
  });
});
