import { addSite, CENTRAL_VIPS, edgePlatform, ISLAND, TENANT } from './fixture';
import { ExternalDataStore, DataStoreDriver, GitOpsUnit, HelmChartRepository, TenantCluster } from '../../src';
import { conformanceErrors, findObject, ofKind } from '../support/platform';

function inRange(ip: string, base: string, size: number): boolean {
  const last = (a: string) => Number(a.split('.')[3]);
  return ip.split('.').slice(0, 3).join('.') === base.split('.').slice(0, 3).join('.') && last(ip) >= last(base) && last(ip) < last(base) + size;
}

describe('IslandSite: the island cluster and what it runs', () => {
  const { platform } = edgePlatform();
  const site = addSite(platform, 'a');
  site.addTenantCluster('line-1', TENANT);
  const islandObjects = [site.sources, site.controllers, site.configs].flatMap((u) => u.toJson());
  const central = platform.tenantUnit('island-factory-a').toJson();

  test('the island is a tenant cluster of the platform, on the central VIP pool, labelled with its site', () => {
    expect(site.islandCluster.clusterName).toBe('island-factory-a');
    expect(platform.tenants).toContain(site.islandCluster);
    const cluster = findObject(central, 'Cluster', 'island-factory-a');
    expect(cluster.metadata.labels['kmetal.io/island-site']).toBe('factory-a');
    const cp = findObject(central, 'KamajiControlPlane', 'island-factory-a');
    // The island's control plane runs on the central cluster itself (no external placement), spread across its hosts.
    expect(cp.spec.deployment.externalClusterReference).toBeUndefined();
    expect(cp.spec.deployment.topologySpreadConstraints).toHaveLength(1);
    expect(inRange(cp.spec.network.serviceAddress, CENTRAL_VIPS.split('/')[0], 32)).toBe(true);
    expect(findObject(central, 'KubevirtCluster', 'island-factory-a').spec).toEqual({});
  });

  test('the island runs cert-manager, MetalLB, Kamaji, KubeVirt and CDI at the platform\'s versions, and no Cluster API', () => {
    expect(site.components.map((c) => c.component)).toEqual(['cert-manager', 'metallb', 'kamaji', 'kubevirt', 'cdi']);
    for (const c of ['cert-manager', 'metallb', 'kamaji']) {
      const version = platform.components.find((x) => x.component === c)!;
      expect(findObject(islandObjects, 'HelmRelease', c).spec.chart.spec.version).toBe(version.chartVersion);
    }
    expect(findObject(islandObjects, 'HelmRelease', 'kamaji').spec.dependsOn).toEqual([{ name: 'cert-manager', namespace: 'flux-system' }]);
    expect(ofKind(islandObjects, 'Kustomization').map((k) => k.metadata.name).sort()).toEqual(['cdi', 'kubevirt']);
    expect(islandObjects.filter((o) => /cluster\.x-k8s\.io/.test(o.apiVersion))).toEqual([]);
    expect(findObject(islandObjects, 'KubeVirt', 'kubevirt').spec.configuration.developerConfiguration).toEqual({ featureGates: [] });
  });

  test('the site\'s VIP pool is a MetalLB pool on the island, never on the under cluster', () => {
    const pool = findObject(islandObjects, 'IPAddressPool', 'factory-a-vips');
    expect(pool.spec).toEqual({ addresses: ['10.1.0.64/27'], autoAssign: false });
    expect(findObject(islandObjects, 'L2Advertisement', 'factory-a-vips').spec.ipAddressPools).toEqual(['factory-a-vips']);
    expect(ofKind(platform.configs.toJson(), 'IPAddressPool').map((p) => p.metadata.name)).toEqual(['central-vips']);
  });

  test('the Kamaji provider on the under cluster gets the external-cluster feature gates', () => {
    const provider = findObject(platform.configs.toJson(), 'ControlPlaneProvider', 'kamaji');
    expect(provider.spec.manager.featureGates).toEqual({ ExternalClusterReference: true, ExternalClusterReferenceCrossNamespace: true });
    const { platform: plain } = edgePlatform();
    expect(findObject(plain.configs.toJson(), 'ControlPlaneProvider', 'kamaji').spec.manager).toBeUndefined();
  });

  test('a Sveltos profile on the under cluster copies the island kubeconfig into the key CAPK reads', () => {
    const profile = findObject(central, 'ClusterProfile', 'island-factory-a-infra-kubeconfig');
    expect(profile.spec.clusterSelector).toEqual({ matchLabels: { 'kmetal.io/island-site': 'factory-a' } });
    expect(profile.spec.templateResourceRefs).toEqual([{ identifier: 'IslandKubeconfig', resource: { apiVersion: 'v1', kind: 'Secret', name: 'island-factory-a-kubeconfig', namespace: 'tenant-island-factory-a' } }]);
    expect(profile.spec.policyRefs).toEqual([{ kind: 'ConfigMap', name: 'island-factory-a-infra-kubeconfig', namespace: 'tenant-island-factory-a', deploymentType: 'Local' }]);
    const template = findObject(central, 'ConfigMap', 'island-factory-a-infra-kubeconfig');
    expect(template.metadata.annotations).toEqual({ 'projectsveltos.io/template': 'true' });
    expect(template.data['secret.yaml']).toContain('name: island-factory-a-infra-kubeconfig\n');
    expect(template.data['secret.yaml']).toContain('kubeconfig: {{ (getResource "IslandKubeconfig").data.value }}');
    expect(site.infraKubeconfigProfile.name).toBe('island-factory-a-infra-kubeconfig');
  });

  test('every object is valid against the pinned CRDs', () => {
    expect(conformanceErrors([...islandObjects, ...central])).toBe('');
  });
});

describe('a tenant cluster placed at a site', () => {
  const { platform } = edgePlatform();
  const site = addSite(platform, 'a');
  const tenant = site.addTenantCluster('line-1', TENANT);
  const central = platform.tenantUnit('line-1').toJson();
  const island = site.tenantUnit('line-1').toJson();

  test('its KamajiControlPlane is deployed on the island through the island kubeconfig', () => {
    const cp = findObject(central, 'KamajiControlPlane', 'line-1');
    expect(cp.spec.deployment.externalClusterReference).toEqual({
      deploymentNamespace: 'tenant-line-1',
      kubeconfigSecretName: 'island-factory-a-kubeconfig',
      kubeconfigSecretKey: 'value',
      kubeconfigSecretNamespace: 'tenant-island-factory-a',
    });
    expect(tenant.sitePlacement?.controlPlaneKubeconfig).toEqual(site.controlPlaneKubeconfig);
    expect(tenant.site).toBe(site);
  });

  test('its workers are created on the island\'s KubeVirt, in its namespace there', () => {
    const kc = findObject(central, 'KubevirtCluster', 'line-1');
    expect(kc.spec.infraClusterSecretRef).toEqual({ apiVersion: 'v1', kind: 'Secret', name: 'island-factory-a-infra-kubeconfig', namespace: 'tenant-island-factory-a' });
    const template = ofKind(central, 'KubevirtMachineTemplate')[0];
    expect(template.spec.template.spec.virtualMachineTemplate.metadata.namespace).toBe('tenant-line-1');
    expect(findObject(island, 'Namespace', 'tenant-line-1').metadata.labels).toEqual({ 'kmetal.io/tenant-cluster': 'line-1', 'kmetal.io/island-site': 'factory-a' });
  });

  test('its dedicated etcd and DataStore are on the island, and dataStoreName refers to it', () => {
    expect(ofKind(central, 'DataStore')).toEqual([]);
    expect(ofKind(central, 'HelmRelease')).toEqual([]);
    const ds = findObject(island, 'DataStore', 'line-1-etcd');
    expect(ds.spec.endpoints[0]).toBe('line-1-etcd-0.line-1-etcd.tenant-line-1.svc.cluster.local:2379');
    const hr = findObject(island, 'HelmRelease', 'line-1-etcd');
    expect(hr.metadata.namespace).toBe('tenant-line-1');
    // The chart comes from the island's own source (same name as the central one, in the island's tree).
    expect(hr.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'clastix', namespace: 'flux-system' });
    expect(findObject(site.sources.toJson(), 'HelmRepository', 'clastix')).toBeDefined();
    expect(findObject(central, 'KamajiControlPlane', 'line-1').spec.dataStoreName).toBe('line-1-etcd');
    expect(tenant.dataStore.dataStoreName).toBe('line-1-etcd');
  });

  test('its VIP comes from the site\'s pool and is announced by the island\'s MetalLB', () => {
    const cp = findObject(central, 'KamajiControlPlane', 'line-1');
    expect(inRange(cp.spec.network.serviceAddress, '10.1.0.64', 32)).toBe(true);
    expect(cp.spec.network.serviceAnnotations['metallb.io/address-pool']).toBe('factory-a-vips');
    expect(tenant.endpointAddress).toBe(cp.spec.network.serviceAddress);
    expect(site.vipPool.allocations.map((a) => a.tenantName)).toEqual(['line-1']);
  });

  test('a pinned endpointAddress inside the site\'s pool is kept', () => {
    const t = site.addTenantCluster('line-2', { ...TENANT, controlPlane: { endpointAddress: '10.1.0.70' } });
    expect(t.endpointAddress).toBe('10.1.0.70');
  });

  test('the tenant\'s CAPI objects stay central, after the island\'s', () => {
    expect(ofKind(central, 'Cluster').map((c) => c.metadata.name)).toEqual(['line-1']);
    expect(platform.tenantUnit('line-1').unitDependencies).toContain(platform.tenantUnit('island-factory-a'));
    expect(site.tenants).toEqual([tenant, expect.any(TenantCluster)]);
  });

  test('the objects are valid against the pinned CRDs', () => {
    expect(conformanceErrors([...central, ...island])).toBe('');
  });
});

describe('other ways to place a cluster', () => {
  test('platform.addTenantCluster with site does not hand the central pool or etcd source to it', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const t = platform.addTenantCluster('line-1', { ...TENANT, site });
    expect(t.sitePlacement?.vipPool).toBe(site.vipPool);
    expect(findObject(platform.tenantUnit('line-1').toJson(), 'KamajiControlPlane', 'line-1').spec.network.serviceAnnotations['metallb.io/address-pool']).toBe('factory-a-vips');
  });

  test('a TenantCluster constructed with site in the user\'s own unit of the under cluster', () => {
    const { app, platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const unit = new GitOpsUnit(app, 'mine', { path: 'tenants/mine', cluster: 'under' });
    const t = new TenantCluster(unit, 'mine', { ...TENANT, defaultImage: platform.defaultNodeImage, site });
    expect(site.tenants).toEqual([t]);
    expect(findObject(unit.toJson(), 'KamajiControlPlane', 'mine').spec.deployment.externalClusterReference.kubeconfigSecretName).toBe('island-factory-a-kubeconfig');
  });

  test('a datastore declared in the site\'s tree replaces the dedicated etcd', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    const ds = new ExternalDataStore(site.tenantUnit('line-1'), 'pg', {
      name: 'factory-a-pg',
      driver: DataStoreDriver.POSTGRESQL,
      endpoints: ['pg.db.svc:5432'],
      username: { name: 'pg', namespace: 'db', key: 'user' },
      password: { name: 'pg', namespace: 'db', key: 'password' },
    });
    const t = site.addTenantCluster('line-1', { ...TENANT, dataStore: ds });
    expect(t.dataStore).toBe(ds);
    const island = site.tenantUnit('line-1').toJson();
    expect(ofKind(island, 'HelmRelease')).toEqual([]);
    expect(findObject(platform.tenantUnit('line-1').toJson(), 'KamajiControlPlane', 'line-1').spec.dataStoreName).toBe('factory-a-pg');
  });

  test('an etcd chart source named by reference is used on the island as given', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a');
    site.addTenantCluster('line-1', { ...TENANT, etcd: { replicas: 1, chartRepository: HelmChartRepository.fromName('site-mirror') } });
    const hr = findObject(site.tenantUnit('line-1').toJson(), 'HelmRelease', 'line-1-etcd');
    expect(hr.spec.chart.spec.sourceRef.name).toBe('site-mirror');
    expect(hr.spec.values.replicas).toBe(1);
  });

  test('an island cluster declared elsewhere is adopted and labelled', () => {
    const { platform } = edgePlatform();
    const island = platform.addTenantCluster('edge-mgmt', ISLAND);
    const site = platform.addIslandSite('factory-a', { controlPlaneVips: ['10.1.0.64/27'], islandCluster: island });
    site.addTenantCluster('line-1', TENANT);
    expect(site.islandCluster).toBe(island);
    expect(findObject(platform.tenantUnit('edge-mgmt').toJson(), 'Cluster', 'edge-mgmt').metadata.labels['kmetal.io/island-site']).toBe('factory-a');
    expect(findObject(platform.tenantUnit('line-1').toJson(), 'KubevirtCluster', 'line-1').spec.infraClusterSecretRef.name).toBe('edge-mgmt-infra-kubeconfig');
  });

  test('site devices are passed through by the island\'s KubeVirt and may be used by its tenants', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a', { permittedPciDevices: [{ resourceName: 'nvidia.com/TU104GL_T4', pciVendorSelector: '10de:1eb8' }] });
    site.addTenantCluster('vision', { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, cpuCores: 8, memoryGiB: 16, gpus: [{ deviceName: 'nvidia.com/TU104GL_T4' }] }] });
    const kv = findObject(site.configs.toJson(), 'KubeVirt', 'kubevirt');
    expect(kv.spec.configuration.permittedHostDevices.pciHostDevices).toEqual([{ pciVendorSelector: '10DE:1EB8', resourceName: 'nvidia.com/TU104GL_T4' }]);
    expect(site.node.validate()).toEqual([]);
  });
});
