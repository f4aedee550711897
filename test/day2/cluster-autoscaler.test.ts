import * as path from 'path';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import { day2Platform, errorOf, IMAGE, readUnit } from './fixture';
import { ReconcileChecker, ClusterAutoscaler, ConformanceChecker, FluxTree, isKmetalValidationError, MachineImage, TenantCluster, TenantClusterClass, VersionMatrix } from '../../src';
import { cleanupTempDirs, tempDir } from '../gitops/fixture';

afterEach(() => {
  cleanupTempDirs();
  jest.restoreAllMocks();
});

const image = MachineImage.containerDisk(IMAGE);
const of = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

function tenant(props: any = {}) {
  const chart = new Chart(Testing.app(), 'test');
  // Without the cloud-controller-manager, whose Deployment and RBAC would sit beside the autoscaler's.
  const cluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: image, cloudProvider: { enabled: false }, ...props });
  return { chart, cluster };
}

describe('ClusterAutoscaler', () => {
  test('a cluster with a bounded pool gets exactly one autoscaler wired to its namespace, cluster and kubeconfig', () => {
    const { chart, cluster } = tenant({
      nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 5 }, { name: 'big', minReplicas: 2, maxReplicas: 4, cpuCores: 8 }, { name: 'fixed', replicas: 2 }],
    });
    const objs = Testing.synth(chart);
    const deployments = of(objs, 'Deployment');
    expect(deployments).toHaveLength(1);
    const d = deployments[0];
    expect(d.metadata).toMatchObject({ name: 'acme-autoscaler', namespace: 'tenant-acme' });
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe(`registry.k8s.io/autoscaling/cluster-autoscaler:${VersionMatrix.clusterAutoscalerFor(33)!.version}`);
    expect(c.image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6');
    expect(c.args).toEqual(expect.arrayContaining([
      '--cloud-provider=clusterapi',
      '--kubeconfig=/etc/kubernetes/value',
      '--clusterapi-cloud-config-authoritative',
      '--node-group-auto-discovery=clusterapi:namespace=tenant-acme,clusterName=acme',
    ]));
    expect(c.args.some((a: string) => a.startsWith('--cloud-config'))).toBe(false);
    expect(pod.volumes).toEqual([{ name: 'tenant-kubeconfig', secret: { secretName: cluster.kubeconfigSecretName, items: [{ key: 'value', path: 'value' }] } }]);
    expect(c.volumeMounts[0].mountPath).toBe('/etc/kubernetes');
    expect(pod.serviceAccountName).toBe('acme-autoscaler');
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '300Mi' });

    // Namespaced RBAC only, bound to its own ServiceAccount.
    expect(of(objs, 'ClusterRole')).toEqual([]);
    expect(of(objs, 'ClusterRoleBinding')).toEqual([]);
    const [sa] = of(objs, 'ServiceAccount');
    expect(sa.metadata).toEqual(expect.objectContaining({ name: 'acme-autoscaler', namespace: 'tenant-acme' }));
    const [role] = of(objs, 'Role');
    expect(role.metadata.namespace).toBe('tenant-acme');
    expect(role.rules).toEqual([
      { apiGroups: ['cluster.x-k8s.io'], resources: ['machinedeployments', 'machinedeployments/scale', 'machines', 'machinesets', 'machinepools'], verbs: ['get', 'list', 'update', 'watch'] },
      { apiGroups: ['infrastructure.cluster.x-k8s.io'], resources: ['kubevirtmachinetemplates'], verbs: ['get', 'list', 'watch'] },
    ]);
    const [binding] = of(objs, 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'tenant-acme' }]);

    // The pools it scales carry the bounds and no replicas; the fixed one keeps its count.
    const mds = of(objs, 'MachineDeployment');
    const general = mds.find((m) => m.metadata.name === 'acme-general');
    expect(general.metadata.annotations).toEqual({
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '1',
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '5',
    });
    expect(general.spec.replicas).toBeUndefined();
    expect(general.spec.clusterName).toBe('acme');
    expect(cluster.autoscaler?.deployment).toBeDefined();
  });

  test('no bounded pool, or enabled: false, means no autoscaler', () => {
    const fixed = tenant({ nodePools: [{ name: 'general', replicas: 3 }] });
    expect(fixed.cluster.autoscaler).toBeUndefined();
    expect(of(Testing.synth(fixed.chart), 'Deployment')).toEqual([]);
    const off = tenant({ autoscaler: { enabled: false }, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] });
    expect(off.cluster.autoscaler).toBeUndefined();
    const objs = Testing.synth(off.chart);
    expect(of(objs, 'Deployment')).toEqual([]);
    expect(of(objs, 'Role')).toEqual([]);
  });

  test('a pool added later with bounds brings the autoscaler; a second one does not add another', () => {
    const { chart, cluster } = tenant({ nodePools: [{ name: 'general', replicas: 2 }] });
    expect(cluster.autoscaler).toBeUndefined();
    cluster.addNodePool({ name: 'burst', minReplicas: 1, maxReplicas: 10 });
    cluster.addNodePool({ name: 'burst2', minReplicas: 1, maxReplicas: 10 });
    expect(of(Testing.synth(chart), 'Deployment')).toHaveLength(1);
  });

  test('the image follows the tenant minor, also for a class-based cluster whose class moves', () => {
    const chart = new Chart(Testing.app(), 'test');
    const cls = new TenantClusterClass(chart, 'standard', { defaultVersion: 'v1.32.4', defaultImage: image });
    const cluster = new TenantCluster(chart, 'acme', { clusterClass: cls, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] });
    cls.defaultVersion = 'v1.34.1';
    const [d] = of(Testing.synth(chart), 'Deployment');
    expect(d.spec.template.spec.containers[0].image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.5');
    expect(cluster.autoscaler).toBeDefined();
  });

  test('every Kubernetes minor Kamaji supports has an autoscaler of the same minor', () => {
    const { minMinor, maxMinor } = VersionMatrix.KAMAJI_KUBERNETES;
    for (let m = minMinor; m <= maxMinor; m++) {
      const r = VersionMatrix.clusterAutoscalerFor(m);
      expect(r?.version).toMatch(new RegExp(`^v1\\.${m}\\.\\d+$`));
      expect(r?.tag).toBe(`cluster-autoscaler-${r!.version.slice(1)}`);
      expect(r?.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  test('a tenant minor without a known autoscaler is refused, naming the field and the fix', () => {
    jest.replaceProperty(VersionMatrix, 'CLUSTER_AUTOSCALER', VersionMatrix.CLUSTER_AUTOSCALER.filter((r) => r.kubernetesMinor !== 33));
    const e = errorOf(() => tenant({ nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] }));
    expect(isKmetalValidationError(e)).toBe(true);
    expect(e.constructPath).toBe('test/acme');
    expect(e.field).toBe('autoscaler.image');
    expect(e.message).toContain('no cluster-autoscaler is known for Kubernetes v1.33');
    expect(e.fix).toMatch(/VersionMatrix.CLUSTER_AUTOSCALER/);
    // Without bounds nothing needs an autoscaler: no error.
    expect(() => tenant({ nodePools: [{ name: 'general', replicas: 2 }] })).not.toThrow();
    // An explicit image is the user's word for the minor.
    expect(() => tenant({ autoscaler: { image: 'mirror.example.com/ca:v1.33.9' }, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] })).not.toThrow();
  });

  test('a class moving to a minor without an autoscaler fails at synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    const cls = new TenantClusterClass(chart, 'standard', { defaultVersion: 'v1.33.4', defaultImage: image });
    new TenantCluster(chart, 'acme', { clusterClass: cls, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] });
    jest.replaceProperty(VersionMatrix, 'CLUSTER_AUTOSCALER', VersionMatrix.CLUSTER_AUTOSCALER.filter((r) => r.kubernetesMinor !== 34));
    cls.defaultVersion = 'v1.34.1';
    const e = errorOf(() => Testing.synth(chart));
    expect(e.message).toContain('no cluster-autoscaler is known for Kubernetes v1.34');
  });

  test.each([
    [{ scaleDownUnneededMinutes: 0 }, 'scaleDownUnneededMinutes'],
    [{ scaleDownDelayAfterAddMinutes: 1.5 }, 'scaleDownDelayAfterAddMinutes'],
    [{ extraArgs: ['--kubeconfig=/other'] }, 'extraArgs[0]'],
    [{ extraArgs: ['expander=random'] }, 'extraArgs[0]'],
    [{ image: 'cluster-autoscaler' }, 'image'],
  ])('refuses %j', (autoscaler, field) => {
    const e = errorOf(() => tenant({ autoscaler, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] }));
    expect(isKmetalValidationError(e)).toBe(true);
    expect(e.field).toBe(field);
    expect(e.constructPath).toBe('test/acme/Autoscaler');
  });

  test('extraArgs and timings reach the command line', () => {
    const { chart } = tenant({ autoscaler: { scaleDownUnneededMinutes: 20, extraArgs: ['--expander=least-waste'] }, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] });
    const [d] = of(Testing.synth(chart), 'Deployment');
    expect(d.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--scale-down-unneeded-time=20m', '--scale-down-delay-after-add=10m', '--expander=least-waste']));
  });

  test('on a platform, the tree with an autoscaled tenant reconciles and conforms', () => {
    const { app, platform } = day2Platform();
    platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 4 }] });
    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() });
    expect(result.reconcileFindings.filter((f) => f.severity === 'error')).toEqual([]);
    const objs = readUnit(outdir, 'tenants/acme');
    expect(of(objs, 'Deployment').map((d) => d.metadata.name)).toEqual(['acme-autoscaler', 'acme-ccm']);
  });

  test('the reconcile check follows the autoscaler\'s names: a missing ServiceAccount, Role or kubeconfig key is an error', () => {
    const { app, platform } = day2Platform();
    const acme = platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 4 }] });
    const a = acme.autoscaler!;
    a.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/serviceAccountName', 'nobody'));
    a.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/volumes/0/secret/items/0/key', 'kubeconfig'));
    a.roleBinding.addJsonPatch(JsonPatch.replace('/roleRef/name', 'missing'));
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'kmetal', reconcile: false });
    const findings = ReconcileChecker.checkDirectory(path.join(outdir, 'kmetal')).filter((f) => f.severity === 'error');
    expect(findings.map((f) => `${f.code} ${f.target}`).sort()).toEqual([
      'dangling-reference Role tenant-acme/missing',
      'dangling-reference Secret tenant-acme/acme-kubeconfig key kubeconfig',
      'dangling-reference ServiceAccount tenant-acme/nobody',
    ]);
  });

  test('is a construct of its own, for clusters that want it placed by hand', () => {
    const chart = new Chart(new App(), 'test');
    const cluster = new TenantCluster(chart, 'acme', { version: 'v1.31.1', defaultImage: image, autoscaler: { enabled: false }, cloudProvider: { enabled: false }, nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 2 }] });
    const a = new ClusterAutoscaler(chart, 'ca', { cluster });
    expect(a.name).toBe('acme-autoscaler');
    const [d] = of(Testing.synth(chart), 'Deployment');
    expect(d.spec.template.spec.containers[0].image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.5');
  });
});
