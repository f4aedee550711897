import * as path from 'path';
import { App, JsonPatch, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { day2Platform, errorOf, readUnit } from './fixture';
import { ConformanceChecker, DiskBus, FluxTree, isKmetalValidationError, KubevirtCsiController, ReconcileChecker, TenantVolumeReclaimPolicy } from '../../src';
import { addSite, TENANT } from '../edge/fixture';
import { cleanupTempDirs, tempDir } from '../gitops/fixture';

afterEach(() => cleanupTempDirs());

const DRIVER = 'registry.example.com/kubevirt/kubevirt-csi-driver:27b52aa2';
const of = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

function withStorage(classes: any[] = [{ name: 'standard', infraStorageClassName: 'ceph-rbd' }]) {
  const { app, platform } = day2Platform();
  platform.addInfraStorageClass({ name: 'ceph-rbd' });
  platform.addInfraStorageClass({ name: 'ceph-ssd' });
  const storage = platform.addTenantStorage({ driverImage: DRIVER, classes });
  return { app, platform, storage };
}

/** The manifests the tenant add-on deploys into every selected cluster. */
function tenantObjects(app: App): any[] {
  const cm = app.charts.flatMap((c) => Testing.synth(c)).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kubevirt-csi-node');
  return YAML.parseAllDocuments(cm.data['node.yaml']).map((d) => d.toJSON());
}

describe('tenant storage (KubeVirt CSI)', () => {
  test('each cluster, declared before or after, gets a namespaced CSI controller wired to its kubeconfig and the mapped infra classes', () => {
    const { app, platform } = day2Platform();
    const before = platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    platform.addInfraStorageClass({ name: 'ceph-rbd' });
    platform.addTenantStorage({ driverImage: DRIVER, classes: [{ name: 'standard', infraStorageClassName: 'ceph-rbd' }] });
    const after = platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    for (const c of [before, after]) {
      expect(c.csiController).toBeInstanceOf(KubevirtCsiController);
      const objs = Testing.synth(app.charts.find((ch) => c.node.scopes.includes(ch))!);
      const d = of(objs, 'Deployment').find((o) => o.metadata.name === `${c.clusterName}-csi-controller`);
      expect(d.metadata.namespace).toBe(c.namespace);
      const pod = d.spec.template.spec;
      const driver = pod.containers.find((x: any) => x.name === 'csi-driver');
      expect(driver.image).toBe(DRIVER);
      expect(driver.args).toEqual(expect.arrayContaining([
        `--infra-cluster-namespace=${c.namespace}`,
        `--infra-cluster-labels=kmetal.io/tenant-cluster=${c.clusterName}`,
        '--tenant-cluster-kubeconfig=/var/run/secrets/tenantcluster/value',
        '--run-node-service=false',
        '--run-controller-service=true',
      ]));
      // The infra cluster is the in-cluster ServiceAccount (no --infra-cluster-kubeconfig).
      expect(driver.args.some((a: string) => a.startsWith('--infra-cluster-kubeconfig'))).toBe(false);
      expect(pod.serviceAccountName).toBe(`${c.clusterName}-csi-controller`);
      // The driver may use exactly the mapped infra classes.
      expect(JSON.parse(driver.env.find((e: any) => e.name === 'INFRA_STORAGE_CLASS_ENFORCEMENT').value)).toEqual({ allowList: ['ceph-rbd'], allowAll: false, allowDefault: false });
      // Every sidecar talks to the tenant through the same kubeconfig; no resizer or snapshotter.
      expect(pod.containers.map((x: any) => x.name)).toEqual(['csi-driver', 'csi-provisioner', 'csi-attacher', 'csi-liveness-probe']);
      for (const name of ['csi-provisioner', 'csi-attacher']) {
        expect(pod.containers.find((x: any) => x.name === name).args).toContain('--kubeconfig=/var/run/secrets/tenantcluster/value');
      }
      expect(pod.volumes).toContainEqual({ name: 'tenant-kubeconfig', secret: { secretName: `${c.clusterName}-kubeconfig`, items: [{ key: 'value', path: 'value' }] } });
      for (const x of pod.containers) expect(x.resources.requests).toBeDefined();
      // Namespaced rights only, as upstream's infra Role minus snapshots.
      expect(of(objs, 'ClusterRole')).toEqual([]);
      const role = of(objs, 'Role').find((o) => o.metadata.name === `${c.clusterName}-csi-controller`);
      expect(role.metadata.namespace).toBe(c.namespace);
      expect(role.rules).toEqual([
        { apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes'], verbs: ['get', 'create', 'delete'] },
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances', 'virtualmachines'], verbs: ['list', 'get'] },
        { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachines/addvolume', 'virtualmachines/removevolume'], verbs: ['update'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'patch'] },
      ]);
      const binding = of(objs, 'RoleBinding').find((o) => o.metadata.name === `${c.clusterName}-csi-controller`);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: `${c.clusterName}-csi-controller`, namespace: c.namespace }]);
    }
  });

  test('the tenant add-on carries the CSIDriver, the node plugin and one StorageClass per mapping, exactly one default', () => {
    const { app } = withStorage([
      { name: 'standard', infraStorageClassName: 'ceph-rbd' },
      { name: 'fast', infraStorageClassName: 'ceph-ssd', default: true, bus: DiskBus.VIRTIO, reclaimPolicy: TenantVolumeReclaimPolicy.RETAIN },
    ]);
    const objs = tenantObjects(app);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/kubevirt-csi-driver', 'CSIDriver/csi.kubevirt.io', 'ServiceAccount/kubevirt-csi-node-sa', 'ClusterRole/kubevirt-csi-node-cr',
      'ClusterRoleBinding/kubevirt-csi-node-binding', 'DaemonSet/kubevirt-csi-node', 'StorageClass/standard', 'StorageClass/fast',
    ]);
    const [standard, fast] = of(objs, 'StorageClass');
    expect(standard).toMatchObject({ provisioner: 'csi.kubevirt.io', parameters: { infraStorageClassName: 'ceph-rbd', bus: 'scsi' }, reclaimPolicy: 'Delete', allowVolumeExpansion: false });
    expect(standard.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('false');
    expect(fast).toMatchObject({ parameters: { infraStorageClassName: 'ceph-ssd', bus: 'virtio' }, reclaimPolicy: 'Retain' });
    expect(fast.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    // The names inside the add-on resolve: the DaemonSet's ServiceAccount, the binding's role and subject.
    const [ds] = of(objs, 'DaemonSet');
    expect(ds.metadata.namespace).toBe('kubevirt-csi-driver');
    expect(ds.spec.template.spec.serviceAccountName).toBe('kubevirt-csi-node-sa');
    expect(ds.spec.selector.matchLabels).toEqual(ds.spec.template.metadata.labels);
    const [crb] = of(objs, 'ClusterRoleBinding');
    expect(crb.roleRef.name).toBe(of(objs, 'ClusterRole')[0].metadata.name);
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kubevirt-csi-node-sa', namespace: 'kubevirt-csi-driver' }]);
    expect(ds.spec.template.spec.containers.find((c: any) => c.name === 'csi-driver').image).toBe(DRIVER);
    for (const c of ds.spec.template.spec.containers) expect(c.image).toMatch(/:[\w.-]+$/);
  });

  test('without a default, the first class is the default', () => {
    const { app, storage } = withStorage([{ name: 'a', infraStorageClassName: 'ceph-rbd' }, { name: 'b', infraStorageClassName: 'ceph-ssd' }]);
    expect(storage.classes.map((c) => c.isDefault)).toEqual([true, false]);
    expect(of(tenantObjects(app), 'StorageClass').map((s) => s.metadata.annotations['storageclass.kubernetes.io/is-default-class'])).toEqual(['true', 'false']);
  });

  test('a mapped infra class the platform does not declare fails synth, naming the class and the fix', () => {
    const { app, platform } = day2Platform();
    platform.addTenantStorage({ driverImage: DRIVER, classes: [{ name: 'standard', infraStorageClassName: 'nvme' }] });
    platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal' })).toThrow(/classes\[0\]\.infraStorageClassName: "nvme" is not an infra StorageClass of the platform \(declared: none\)\. Fix: declare it with platform\.addInfraStorageClass/);
    // Declared later, before synth: fine.
    platform.addInfraStorageClass({ name: 'nvme' });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal' })).not.toThrow();
  });

  test('bad inputs are refused with the field and the fix', () => {
    const bad = (options: any) => {
      const { platform } = day2Platform();
      return errorOf(() => platform.addTenantStorage(options));
    };
    const cls = [{ name: 'standard', infraStorageClassName: 'ceph-rbd' }];
    for (const [options, field] of [
      [{ driverImage: 'quay.io/kubevirt/kubevirt-csi-driver:latest', classes: cls }, 'driverImage'],
      [{ driverImage: 'quay.io/kubevirt/kubevirt-csi-driver', classes: cls }, 'driverImage'],
      [{ driverImage: DRIVER, classes: [] }, 'classes'],
      [{ driverImage: DRIVER, classes: [{ ...cls[0], default: true }, { name: 'b', infraStorageClassName: 'x', default: true }] }, 'classes'],
      [{ driverImage: DRIVER, classes: [cls[0], cls[0]] }, 'classes[1].name'],
      [{ driverImage: DRIVER, classes: [{ ...cls[0], bus: 'ide' }] }, 'classes[0].bus'],
      [{ driverImage: DRIVER, classes: [{ ...cls[0], infraStorageClass: 'x' }] }, 'classes[0].infraStorageClass'],
      [{ driverImage: DRIVER, classes: cls, snapshots: true }, 'addTenantStorage.snapshots'],
    ] as Array<[any, string]>) {
      const e = bad(options);
      expect(isKmetalValidationError(e)).toBe(true);
      expect(e.field).toBe(field);
    }
    const { platform } = day2Platform();
    platform.addTenantStorage({ driverImage: DRIVER, classes: cls });
    expect(errorOf(() => platform.addTenantStorage({ driverImage: DRIVER, classes: cls })).message).toMatch(/declared twice/);
    platform.addInfraStorageClass({ name: 'ceph-rbd' });
    expect(errorOf(() => platform.addInfraStorageClass({ name: 'ceph-rbd' })).message).toMatch(/declared twice/);
  });

  test('storage: { enabled: false } opts a cluster out: no controller, and the add-on does not select it', () => {
    const { app, platform } = withStorage();
    const out = platform.addTenantCluster('acme', { version: 'v1.33.2', storage: { enabled: false }, nodePools: [{ name: 'general', replicas: 2 }] });
    const inn = platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    expect(out.csiController).toBeUndefined();
    expect(inn.csiController).toBeDefined();
    const profile = app.charts.flatMap((c) => Testing.synth(c)).find((o) => o.kind === 'ClusterProfile' && o.metadata.name === 'kubevirt-csi');
    expect(profile.spec.clusterSelector.matchExpressions).toContainEqual({ key: 'kmetal.io/tenant-storage', operator: 'NotIn', values: ['disabled'] });
    expect(platform.tenantStorage!.addonProfile.selectedClusters.map((c) => c.clusterName)).toEqual(['globex']);
    expect(out.cluster.toJson().metadata.labels['kmetal.io/tenant-storage']).toBe('disabled');
  });

  test('a cluster at a site, whose VMs run on the site\'s cluster, gets neither a CSI controller nor a CCM here', () => {
    const { platform } = withStorage();
    const site = addSite(platform, 'a');
    const line = site.addTenantCluster('line-1', TENANT);
    expect(line.csiController).toBeUndefined();
    expect(line.cloudProvider).toBeUndefined();
    expect(line.cluster.toJson().metadata.labels['kmetal.io/tenant-storage']).toBe('disabled');
    // The site's island cluster runs its VMs on the under cluster: it gets both.
    expect(site.islandCluster.csiController).toBeDefined();
    expect(site.islandCluster.cloudProvider).toBeDefined();
    for (const [props, field] of [[{ storage: { enabled: true } }, 'storage.enabled'], [{ cloudProvider: { enabled: true } }, 'cloudProvider.enabled']] as Array<[any, string]>) {
      const e = errorOf(() => site.addTenantCluster(`line-${field.length}`, { ...TENANT, ...props }));
      expect(isKmetalValidationError(e)).toBe(true);
      expect(e.field).toBe(field);
    }
  });

  test('the KubeVirt CR enables volume hot-plug once the platform has tenant storage', () => {
    const gates = (app: App) => app.charts.flatMap((c) => Testing.synth(c)).find((o) => o.kind === 'KubeVirt').spec.configuration.developerConfiguration.featureGates;
    expect(gates(day2Platform().app)).not.toContain('DeclarativeHotplugVolumes');
    expect(gates(withStorage().app)).toContain('DeclarativeHotplugVolumes');
  });

  test('a tenant whose Capsule governance does not allow the mapped infra class fails synth', () => {
    const { app, platform } = withStorage();
    platform.addTenantCluster('acme', { version: 'v1.33.2', governance: { allowedStorageClasses: ['ceph-ssd'] }, nodePools: [{ name: 'general', replicas: 2 }] });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal' })).toThrow(/persistent volumes \(tenant storage\) use the infra storage class "ceph-rbd", which the tenant does not allow/);
  });

  test('on a platform, the tree with tenant storage reconciles and conforms; the reconcile check follows the controller\'s names', () => {
    const { app, platform } = withStorage();
    const acme = platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() });
    expect(result.reconcileFindings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(of(readUnit(outdir, 'tenants/acme'), 'Deployment').map((d) => d.metadata.name)).toContain('acme-csi-controller');

    expect(acme.csiController).toBeDefined();

    // A fresh app (the first one is sealed by its synth) with the controller's names broken.
    const again = withStorage();
    const c = again.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] }).csiController!;
    c.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/serviceAccountName', 'nobody'));
    c.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/volumes/1/secret/items/0/key', 'kubeconfig'));
    c.roleBinding.addJsonPatch(JsonPatch.replace('/roleRef/name', 'missing'));
    const broken = tempDir();
    FluxTree.synth(again.app, { outdir: broken, appName: 'kmetal', reconcile: false });
    const findings = ReconcileChecker.checkDirectory(path.join(broken, 'kmetal')).filter((f) => f.severity === 'error');
    expect(findings.map((f) => `${f.code} ${f.target}`).sort()).toEqual([
      'dangling-reference Role tenant-acme/missing',
      'dangling-reference Secret tenant-acme/acme-kubeconfig key kubeconfig',
      'dangling-reference ServiceAccount tenant-acme/nobody',
    ]);
  });
});
