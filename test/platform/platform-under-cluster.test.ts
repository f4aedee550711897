import { App } from 'cdk8s';
import { MachineImage, PlatformUnderCluster, PlatformUnderClusterProps, VersionMatrix } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, ofKind } from '../support/platform';

const REGISTRY = 'oci://harbor.example.com/kmetal-manifests';

function platform(props: Partial<PlatformUnderClusterProps> = {}): { app: App; platform: PlatformUnderCluster } {
  const app = new App();
  const p = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: REGISTRY,
    defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    permittedPciDevices: [{ resourceName: 'nvidia.com/GA102GL_A10', pciVendorSelector: '10de:2236' }],
    ...props,
  });
  return { app, platform: p };
}

function objectsOf(p: PlatformUnderCluster): any[] {
  return [p.sources, p.controllers, p.configs].flatMap((u) => u.toJson());
}

describe('PlatformUnderCluster', () => {
  const { platform: p } = platform();
  const objects = objectsOf(p);

  test('every object of the install is valid against the pinned CRDs', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('every chart component is a HelmRelease pinned by the version matrix, from a declared source', () => {
    const charts = VersionMatrix.COMPONENTS.filter((c) => c.installMethod === 'helm');
    expect(charts.map((c) => c.component).sort()).toEqual(['capsule', 'cert-manager', 'cluster-api-operator', 'kamaji', 'kube-ovn', 'metallb', 'sveltos']);
    const repos = ofKind(objects, 'HelmRepository');
    for (const c of charts) {
      const hr = findObject(objects, 'HelmRelease', c.component);
      expect(hr.spec.chart.spec).toMatchObject({ chart: c.chart, version: c.chartVersion });
      expect(hr.spec.targetNamespace).toBe(c.namespace);
      const repo = repos.find((r) => r.metadata.name === hr.spec.chart.spec.sourceRef.name);
      expect(repo?.spec.url).toBe(c.chartRepository);
    }
    // Kamaji's chart is rolling: the release is pinned by image tag.
    expect(findObject(objects, 'HelmRelease', 'kamaji').spec.values.image.tag).toBe(VersionMatrix.versionOf('kamaji'));
  });

  test('CRD-owning controllers come before their users: layers and dependsOn', () => {
    expect(p.controllers.node.dependencies).toBeDefined();
    for (const name of ['kamaji', 'cluster-api-operator', 'capsule', 'sveltos', 'metallb', 'kube-ovn']) {
      expect(findObject(objects, 'HelmRelease', name).spec.dependsOn).toEqual([{ name: 'cert-manager', namespace: 'flux-system' }]);
    }
    // Custom resources of those CRDs live in the configs layer.
    expect(ofKind(p.configs.toJson(), 'KubeVirt')).toHaveLength(1);
    expect(ofKind(p.configs.toJson(), 'CoreProvider')).toHaveLength(1);
    expect(ofKind(p.controllers.toJson(), 'CoreProvider')).toHaveLength(0);
  });

  test('components without charts come from the release-manifest registry as OCI artifacts', () => {
    for (const name of ['kubevirt', 'cdi', 'baremetal-operator']) {
      const source = findObject(objects, 'OCIRepository', `${name}-manifests`);
      expect(source.spec.url).toBe(`${REGISTRY}/${name}`);
      expect(source.spec.ref.tag).toBe(VersionMatrix.versionOf(name));
      expect(findObject(objects, 'Kustomization', name).spec.sourceRef).toEqual({ kind: 'OCIRepository', name: `${name}-manifests` });
    }
  });

  test('Cluster API providers are the pinned versions', () => {
    expect(findObject(objects, 'ControlPlaneProvider', 'kamaji').spec.version).toBe(VersionMatrix.versionOf('cluster-api-control-plane-provider-kamaji'));
    expect(ofKind(objects, 'InfrastructureProvider').map((o) => o.metadata.name).sort()).toEqual(['kubevirt', 'metal3']);
  });

  test('KubeVirt permits the declared GPUs', () => {
    const kv = findObject(objects, 'KubeVirt', 'kubevirt');
    expect(kv.spec.configuration.permittedHostDevices.pciHostDevices).toEqual([{ pciVendorSelector: '10DE:2236', resourceName: 'nvidia.com/GA102GL_A10' }]);
  });

  test('a chart mirror re-points every chart, and nothing else', () => {
    const mirrored = objectsOf(platform({ chartMirror: 'oci://harbor.example.com/charts' }).platform);
    const repos = ofKind(mirrored, 'HelmRepository');
    expect(repos).toHaveLength(1);
    expect(repos[0].spec).toMatchObject({ url: 'oci://harbor.example.com/charts', type: 'oci' });
    const strip = (objs: any[]) => JSON.stringify(objs.filter((o) => o.kind !== 'HelmRepository').map((o) => ({ ...o, spec: { ...o.spec, chart: o.spec?.chart ? { spec: { ...o.spec.chart.spec, sourceRef: undefined } } : undefined } })));
    expect(strip(mirrored)).toBe(strip(objects));
  });

  test('overriding a component version changes exactly that release, and warns', () => {
    const { platform: q } = platform({ versions: { metallb: 'v0.16.2' } });
    const changed = objectsOf(q);
    expect(findObject(changed, 'HelmRelease', 'metallb').spec.chart.spec.version).toBe('0.16.2');
    const others = (objs: any[]) => JSON.stringify(objs.filter((o) => o.metadata.name !== 'metallb'));
    expect(others(changed)).toBe(others(objects));
    expect(q.warnings).toEqual([expect.stringMatching(/metallb v0.16.2 is outside the validated set/)]);
    expect(p.warnings).toEqual([]);
  });

  test('tenants get the platform defaults and checks', () => {
    const { app, platform: q } = platform();
    const t = q.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'gpu', replicas: 1, gpus: [{ deviceName: 'nvidia.com/GA102GL_A10' }] }] });
    expect(q.tenants).toEqual([t]);
    const tenantObjects = app.node.findAll().filter((c: any) => c.constructor?.name === 'GitOpsUnit' && c.node.id === 'tenant-acme').flatMap((u: any) => u.toJson());
    expect(findObject(tenantObjects, 'HelmRelease', 'acme-etcd').spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'clastix', namespace: 'flux-system' });
    expect(() => q.addTenantCluster('bad', { version: 'v1.33.2', nodePools: [{ name: 'g', gpus: [{ deviceName: 'nvidia.com/H100' }] }] })).toThrow(/not a device KubeVirt is allowed to pass through/);
    const { platform: r } = platform({ allowedKubernetesMinors: ['v1.34'] });
    expect(() => r.addTenantCluster('old', { version: 'v1.33.2' })).toThrow(/not among the platform's allowed minors/);
  });

  test('bad input is refused with a fix', () => {
    expect(() => platform({ releaseManifestsRegistry: undefined })).toThrow(KmetalValidationError);
    expect(() => platform({ releaseManifestsRegistry: undefined })).toThrow(/kubevirt, cdi, baremetal-operator publish release manifests.*Fix: push them/);
    expect(() => platform({ versions: { metalb: 'v1.0.0' } })).toThrow(/"metalb" is not a platform component/);
    expect(() => platform({ permittedPciDevices: [{ resourceName: 'nvidia.com/x', pciVendorSelector: 'nvidia' }] })).toThrow(/not a PCI vendor:device id/);
    expect(() => platform({ allowedKubernetesMinors: ['v1.40'] })).toThrow(/not a minor the pinned Kamaji supports/);
  });
});
