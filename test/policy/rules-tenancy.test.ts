import { ApiObject, JsonPatch } from 'cdk8s';
import { check, findings, policyPlatform } from './fixture';
import {
  AddonProfile, AdmissionGuardrails, ClusterSelector, DataStoreDriver, ExternalDataStore, PlatformPolicyPack, Policy, TenantCluster, TenantGuardrails,
} from '../../src';

describe('tenancy rules', () => {
  test('KM-TEN-001: versions outside the platform\'s allowed set, on every object that carries one', () => {
    const p = policyPlatform();
    const a = p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general' }] });
    const b = p.platform.addTenantCluster('globex', { clusterClass: p.golden });
    expect(findings(p.app, 'KM-TEN-001')).toEqual([]);
    // The platform allows v1.33 and v1.34; v1.35 is within Kamaji's range but not allowed here.
    a.controlPlane!.addJsonPatch(JsonPatch.replace('/spec/version', 'v1.35.0'));
    a.nodePools[0].machineDeployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/version', 'v1.29.9'));
    b.cluster.addJsonPatch(JsonPatch.replace('/spec/topology/version', 'v1.32.1'));
    const f = findings(p.app, 'KM-TEN-001');
    expect(f.map((x) => `${x.object!.kind} ${x.message}`).sort()).toEqual([
      'Cluster spec.topology.version "v1.32.1" is not among the allowed versions (v1.33, v1.34; the pinned Kamaji supports v1.30 to v1.35)',
      'KamajiControlPlane spec.version "v1.35.0" is not among the allowed versions (v1.33, v1.34; the pinned Kamaji supports v1.30 to v1.35)',
      'MachineDeployment spec.template.spec.version "v1.29.9" is not among the allowed versions (v1.33, v1.34; the pinned Kamaji supports v1.30 to v1.35)',
    ]);
  });

  test('KM-TEN-001: explicit guardrails narrow the set', () => {
    const p = policyPlatform({ pack: { guardrails: new TenantGuardrails({ allowedKubernetesVersions: ['v1.34'] }) } });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    expect(findings(p.app, 'KM-TEN-001')[0].fix).toBe('use one of v1.34');
  });

  test('KM-TEN-002: one API server (a lab setting) fails unless suppressed with a reason', () => {
    const p = policyPlatform();
    const lab = p.platform.addTenantCluster('lab', { version: 'v1.33.2', controlPlane: { replicas: 1 } });
    const classy = p.platform.addTenantCluster('classy', { clusterClass: p.golden, controlPlane: { replicas: 7 } });
    const f = findings(p.app, 'KM-TEN-002');
    expect(f.map((x) => x.message).sort()).toEqual([
      'spec.replicas is 1: below the minimum of 2 (one API server makes every node drain an outage of the tenant\'s API)',
      'spec.topology.controlPlane.replicas is 7: above the maximum of 5',
    ]);
    Policy.suppress(lab, 'KM-TEN-002', 'lab cluster, thrown away nightly');
    Policy.suppress(classy, 'KM-TEN-002', 'load test tenant, approved OPS-77');
    const report = check(p.app);
    expect(report.findingsOf('KM-TEN-002')).toEqual([]);
    expect(report.suppressedFindings.map((x) => x.suppressionReason).sort()).toEqual(['lab cluster, thrown away nightly', 'load test tenant, approved OPS-77']);
  });

  test('KM-TEN-003: control planes and control-plane templates without konnectivity', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', controlPlane: { konnectivity: false } });
    p.golden.controlPlaneTemplate.addJsonPatch(JsonPatch.remove('/spec/template/spec/addons/konnectivity'));
    const f = findings(p.app, 'KM-TEN-003');
    expect(f.map((x) => x.object!.kind).sort()).toEqual(['KamajiControlPlane', 'KamajiControlPlaneTemplate']);
    expect(f[0].message).toMatch(/cannot reach the tenant's kubelets/);
  });

  test('KM-TEN-004: a shared datastore needs an explicit suppression; the default datastore and a reused dedicated one fail', () => {
    const p = policyPlatform();
    const shared = new ExternalDataStore(p.platform.configs, 'pg', {
      name: 'shared-pg',
      driver: DataStoreDriver.POSTGRESQL,
      endpoints: ['pg.db.svc:5432'],
      username: { name: 'pg', namespace: 'kamaji-system', key: 'user' },
      password: { name: 'pg', namespace: 'kamaji-system', key: 'password' },
    });
    const dev = p.platform.addTenantCluster('dev', { version: 'v1.33.2', dataStore: shared });
    const acme = p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    const globex = p.platform.addTenantCluster('globex', { version: 'v1.33.2' });
    let f = findings(p.app, 'KM-TEN-004');
    expect(f.map((x) => x.constructPath)).toEqual(['tenant-dev/dev']);
    expect(f[0].message).toBe('cluster "dev" keeps its control-plane state in the shared DataStore "shared-pg" (PostgreSQL)');
    Policy.suppress(dev, 'KM-TEN-004', 'dev tenants share one PostgreSQL on purpose');
    expect(findings(p.app, 'KM-TEN-004')).toEqual([]);

    acme.controlPlane!.addJsonPatch(JsonPatch.remove('/spec/dataStoreName'));
    f = findings(p.app, 'KM-TEN-004');
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/KamajiControlPlane tenant-acme\/acme names no dataStoreName, so it uses Kamaji's default DataStore/)]);
    new ApiObject(p.platform.tenantUnit('acme'), 'twin', {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha2',
      kind: 'KamajiControlPlane',
      metadata: { name: 'twin', namespace: 'tenant-acme' },
      spec: { dataStoreName: globex.dataStore.dataStoreName, replicas: 2, version: 'v1.33.2', addons: { konnectivity: {} } },
    });
    expect(findings(p.app, 'KM-TEN-004').map((x) => x.message)).toContain('the dedicated DataStore "globex-etcd" is used by 2 control planes (KamajiControlPlane tenant-acme/twin, KamajiControlPlane tenant-globex/globex)');
  });

  test('KM-TEN-005: an ungoverned cluster, a tenant missing from the output, a tenant without quotas', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('free', { version: 'v1.33.2', createGovernance: false });
    const gov = p.platform.addTenantCluster('quota', { version: 'v1.33.2' });
    gov.governance!.tenant.addJsonPatch(JsonPatch.remove('/spec/resourceQuotas'));
    new ApiObject(p.platform.tenantUnit('ghost'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-ghost', labels: { 'capsule.clastix.io/tenant': 'ghost' } } });
    new ApiObject(p.platform.tenantUnit('ghost'), 'cluster', {
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'ghost', namespace: 'tenant-ghost', labels: { 'kmetal.io/tenant-cluster': 'ghost' } }, spec: {},
    });
    expect(findings(p.app, 'KM-TEN-005').map((x) => x.message).sort()).toEqual([
      'Capsule tenant "quota" governing cluster quota has no resource quotas',
      'namespace tenant-free of cluster free belongs to no Capsule tenant',
      'namespace tenant-ghost of cluster ghost is labelled for Capsule tenant "ghost", which is not in the output',
    ]);
  });

  test('KM-TEN-006: clusters missed by a mandatory add-on (its selector patched), and required profiles', () => {
    const p = policyPlatform({ pack: { requiredAddonProfiles: ['monitoring'] } });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', labels: { 'kmetal.io/tier': 'gold' } });
    p.platform.addTenantCluster('globex', { version: 'v1.33.2' });
    const f1 = findings(p.app, 'KM-TEN-006');
    expect(f1.map((x) => x.message)).toEqual(['the required add-on profile "monitoring" is not declared']);
    const monitoring = new AddonProfile(p.platform.configs, 'monitoring', {
      clusterSelector: ClusterSelector.withLabels({ 'kmetal.io/tier': 'gold' }),
      expectClusters: true,
      helmCharts: [{ repositoryUrl: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '77.0.0', releaseNamespace: 'monitoring' }],
    });
    const f2 = findings(p.app, 'KM-TEN-006');
    expect(f2.map((x) => x.message)).toEqual(['cluster tenant-globex/globex is not selected by the mandatory add-on profile(s) monitoring']);
    void monitoring;
  });

  test('KM-TEN-006: no mandatory add-on at all', () => {
    const p = policyPlatform();
    const cni = p.app.node.findAll().find((c) => c instanceof AddonProfile) as AddonProfile;
    cni.clusterProfile.metadata.addLabel('kmetal.io/mandatory-addon', 'false');
    p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    expect(findings(p.app, 'KM-TEN-006')).toEqual([expect.objectContaining({ constructPath: '<app>', message: 'none of the 1 tenant clusters gets mandatory add-ons: no mandatory AddonProfile is declared' })]);
  });

  test('KM-TEN-007: a one-member etcd warns', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('lab', { version: 'v1.33.2', etcd: { replicas: 1 } });
    expect(findings(p.app, 'KM-TEN-007')).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/runs 1 member\(s\): a single node failure stops/) })]);
  });

  test('KM-TEN-008: the admission guardrails the app installs would refuse its own objects', () => {
    const guardrails = new TenantGuardrails({ allowedKubernetesVersions: ['v1.33'], maxReplicasPerPool: 3 });
    const p = policyPlatform({ pack: { guardrails } });
    new AdmissionGuardrails(p.platform.configs, 'guardrails', { guardrails });
    const c = p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 3 }] });
    expect(findings(p.app, 'KM-TEN-008')).toEqual([]);
    c.nodePools[0].machineDeployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 4));
    const f = findings(p.app, 'KM-TEN-008');
    expect(f).toEqual([expect.objectContaining({
      constructPath: 'tenant-acme/acme/Pool-general/MachineDeployment',
      message: 'the under cluster\'s admission policy kmetal-guardrails-machine-deployment (platform-configs/guardrails) would refuse MachineDeployment tenant-acme/acme-general: spec.replicas may be at most 3',
    })]);
    // The synth-time rule for the same boundary says the same.
    expect(findings(p.app, 'KM-TEN-009').map((x) => x.message)).toEqual(['spec.replicas is 4, above the platform\'s maximum of 3 VMs per pool']);
  });

  test('KM-TEN-009: pools beyond the maximum: replicas, autoscaler maximum, class-based topology', () => {
    const p = policyPlatform({ pack: { guardrails: new TenantGuardrails({ maxReplicasPerPool: 5 }) } });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'big', replicas: 6 }, { name: 'auto', minReplicas: 1, maxReplicas: 9 }] });
    p.platform.addTenantCluster('globex', { clusterClass: p.golden, nodePools: [{ name: 'wide', replicas: 8 }, { name: 'elastic', maxReplicas: 7 }] });
    expect(findings(p.app, 'KM-TEN-009').map((x) => x.message).sort()).toEqual([
      'spec.replicas is 6, above the platform\'s maximum of 5 VMs per pool',
      'spec.topology.workers.machineDeployments[wide].replicas is 8, above the platform\'s maximum of 5 VMs per pool',
      'the autoscaler maximum (cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size) is 9, above the platform\'s maximum of 5 VMs per pool',
      'the autoscaler maximum of spec.topology.workers.machineDeployments[elastic] is 7, above the platform\'s maximum of 5 VMs per pool',
    ]);
  });

  test('rules are scoped: a pack attached to one tenant reports that tenant only', () => {
    const p = policyPlatform({ pack: false });
    const lab = p.platform.addTenantCluster('lab', { version: 'v1.33.2', controlPlane: { replicas: 1 } });
    p.platform.addTenantCluster('other', { version: 'v1.33.2', controlPlane: { replicas: 1 } });
    Policy.of(lab.node.scope!).addPack(new PlatformPolicyPack({ pruneProtection: false }));
    expect(findings(p.app, 'KM-TEN-002').map((x) => x.constructPath)).toEqual(['tenant-lab/lab/ControlPlane']);
    expect(lab).toBeInstanceOf(TenantCluster);
  });
});
