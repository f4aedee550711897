import * as path from 'path';
import { Chart, JsonPatch, Testing } from 'cdk8s';
import { day2Platform, errorOf, IMAGE, readUnit } from './fixture';
import { ConformanceChecker, FluxTree, isKmetalValidationError, MachineImage, NetworkPlanes, ReconcileChecker, TenantCluster, TenantClusterClass, TenantVpc, VersionMatrix } from '../../src';
import { cleanupTempDirs, tempDir } from '../gitops/fixture';

afterEach(() => cleanupTempDirs());

const image = MachineImage.containerDisk(IMAGE);
const of = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

function tenant(props: any = {}) {
  const chart = new Chart(Testing.app(), 'test');
  const cluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: image, nodePools: [{ name: 'general', replicas: 2 }], ...props });
  return { chart, cluster };
}

describe('TenantCloudProvider (KubeVirt CCM)', () => {
  test('every cluster gets a CCM beside its control plane: tenant through its kubeconfig, VMs through a namespaced Role', () => {
    const { chart, cluster } = tenant();
    const objs = Testing.synth(chart);
    const d = of(objs, 'Deployment').find((o) => o.metadata.name === 'acme-ccm');
    expect(d.metadata.namespace).toBe('tenant-acme');
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(c.image).toBe(VersionMatrix.image('kubevirt-cloud-controller-manager'));
    expect(c.image).toBe('quay.io/kubevirt/kubevirt-cloud-controller-manager:v0.6.0');
    expect(c.args).toEqual([
      '--cloud-provider=kubevirt',
      '--cloud-config=/etc/cloud/cloud-config',
      '--kubeconfig=/etc/kubernetes/kubeconfig/value',
      '--authentication-kubeconfig=/etc/kubernetes/kubeconfig/value',
      '--authorization-kubeconfig=/etc/kubernetes/kubeconfig/value',
      '--cluster-name=acme',
      '--controllers=cloud-node,cloud-node-lifecycle',
    ]);
    expect(pod.volumes).toEqual([
      { name: 'tenant-kubeconfig', secret: { secretName: cluster.kubeconfigSecretName, items: [{ key: 'value', path: 'value' }] } },
      { name: 'cloud-config', configMap: { name: 'acme-ccm', items: [{ key: 'cloud-config', path: 'cloud-config' }] } },
    ]);
    expect(pod.serviceAccountName).toBe('acme-ccm');
    expect(c.resources.requests).toEqual({ cpu: '50m', memory: '64Mi' });

    // The cloud config: the tenant's namespace, infra = in-cluster (no kubeconfig key), LB off.
    const cm = of(objs, 'ConfigMap').find((o) => o.metadata.name === 'acme-ccm');
    expect(JSON.parse(cm.data['cloud-config'])).toEqual({
      namespace: 'tenant-acme',
      loadBalancer: { enabled: false, creationPollInterval: 5, creationPollTimeout: 60 },
      instancesV2: { enabled: true, zoneAndRegionEnabled: false },
    });
    expect(d.spec.template.metadata.annotations['kmetal.io/cloud-config-digest']).toMatch(/^[0-9a-f]{16}$/);

    expect(of(objs, 'ClusterRole')).toEqual([]);
    const role = of(objs, 'Role').find((o) => o.metadata.name === 'acme-ccm');
    expect(role.metadata.namespace).toBe('tenant-acme');
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'watch', 'list', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = of(objs, 'RoleBinding').find((o) => o.metadata.name === 'acme-ccm');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'acme-ccm' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'acme-ccm', namespace: 'tenant-acme' }]);
  });

  test('loadBalancer: true on the pod network turns on the service controller and grants Services', () => {
    const { chart, cluster } = tenant({ cloudProvider: { loadBalancer: true } });
    expect(cluster.cloudProvider!.loadBalancer).toBe(true);
    const objs = Testing.synth(chart);
    const d = of(objs, 'Deployment').find((o) => o.metadata.name === 'acme-ccm');
    expect(d.spec.template.spec.containers[0].args).toContain('--controllers=cloud-node,cloud-node-lifecycle,service');
    const cm = of(objs, 'ConfigMap').find((o) => o.metadata.name === 'acme-ccm');
    expect(JSON.parse(cm.data['cloud-config']).loadBalancer.enabled).toBe(true);
    expect(of(objs, 'Role').find((o) => o.metadata.name === 'acme-ccm').rules).toContainEqual({ apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] });
  });

  test('loadBalancer: true for workers on a tenant VPC fails synth: the under cluster cannot reach them', () => {
    const { app, platform } = day2Platform();
    const planes = new NetworkPlanes(platform.configs, 'planes', {
      publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['n1'] },
      managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
      tenantCidrs: ['10.0.0.0/8'],
    });
    const vpc = new TenantVpc(platform.tenantUnit('acme'), 'vpc', { planes, name: 'acme', subnets: [{ name: 'workers', cidr: '10.10.0.0/24' }] });
    platform.addTenantCluster('acme', { version: 'v1.33.2', network: vpc.findSubnet('workers'), cloudProvider: { loadBalancer: true }, nodePools: [{ name: 'general', replicas: 2 }] });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal' })).toThrow(/loadBalancer: the workers of cluster "acme" are on a network of their own \(network\), which the under cluster's load balancers cannot reach/);
  });

  test('loadBalancer: true for a class-based cluster whose workerSubnet variable puts the workers on a tenant subnet fails synth too', () => {
    const classCluster = (workerSubnet: string) => {
      const { app, platform } = day2Platform();
      const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: image });
      platform.addTenantCluster('acme', { clusterClass: golden, cloudProvider: { loadBalancer: true }, variables: { workerSubnet }, nodePools: [{ name: 'general', replicas: 2 }] });
      return () => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal' });
    };
    // On the pod network (an empty workerSubnet: the class's patch is off) the CCM's load balancers work.
    expect(classCluster('')).not.toThrow();
    expect(classCluster('acme-workers'))
      .toThrow(/loadBalancer: the workers of cluster "acme" are on a network of their own \(variables\.workerSubnet\), which the under cluster's load balancers cannot reach/);
  });

  test('enabled: false means no CCM; bad options are refused', () => {
    const { chart, cluster } = tenant({ cloudProvider: { enabled: false } });
    expect(cluster.cloudProvider).toBeUndefined();
    expect(of(Testing.synth(chart), 'Deployment').filter((d) => d.metadata.name === 'acme-ccm')).toEqual([]);
    for (const [cp, field] of [
      [{ image: 'quay.io/kubevirt/kubevirt-cloud-controller-manager' }, 'image'],
      [{ image: 'quay.io/kubevirt/kubevirt-cloud-controller-manager:latest' }, 'image'],
      [{ loadBalancer: 'yes' }, 'cloudProvider.loadBalancer'],
      [{ loadBalancers: true }, 'cloudProvider.loadBalancers'],
    ] as Array<[any, string]>) {
      const e = errorOf(() => tenant({ cloudProvider: cp }));
      expect(isKmetalValidationError(e)).toBe(true);
      expect(e.field).toBe(field);
    }
  });

  test('on a platform the CCM reconciles and conforms; the reconcile check follows its names', () => {
    const { app, platform } = day2Platform();
    platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() });
    expect(result.reconcileFindings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(of(readUnit(outdir, 'tenants/acme'), 'ConfigMap').map((c) => c.metadata.name)).toContain('acme-ccm');

    const again = day2Platform();
    const ccm = again.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] }).cloudProvider!;
    ccm.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/serviceAccountName', 'nobody'));
    ccm.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/volumes/1/configMap/name', 'no-config'));
    ccm.roleBinding.addJsonPatch(JsonPatch.replace('/roleRef/name', 'missing'));
    const broken = tempDir();
    FluxTree.synth(again.app, { outdir: broken, appName: 'kmetal', reconcile: false });
    const findings = ReconcileChecker.checkDirectory(path.join(broken, 'kmetal')).filter((f) => f.severity === 'error');
    expect(findings.map((f) => `${f.code} ${f.target}`).sort()).toEqual([
      'dangling-reference ConfigMap tenant-acme/no-config',
      'dangling-reference Role tenant-acme/missing',
      'dangling-reference ServiceAccount tenant-acme/nobody',
    ]);
  });
});
