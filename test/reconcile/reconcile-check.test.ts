import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ControlPlaneVipPool, FluxTree, MachineImage, PlatformUnderCluster, ReconcileChecker, ReconcileSeverity, type ReconcileFinding } from '../../src';
import { DiskTreeFiles, MemoryTreeFiles } from '../../src/gitops/private/tree-files';
import { checkTreeFiles } from '../../src/reconcile/reconcile-checker';

const DIST = path.join(__dirname, '..', '..', 'dist');
const APPS = ['quickstart', 'reference-platform', 'edge-factories'];

/** A committed app's tree as parsed documents by file, deep-copied so a test can change it. */
function load(app: string): Map<string, any[]> {
  const disk = new DiskTreeFiles(path.join(DIST, app));
  return new Map(disk.allFiles('').filter((f) => /\.ya?ml$/.test(f)).map((f) => [f, structuredClone(disk.documents(f).map((d) => d.value))]));
}

function check(files: Map<string, any[]>): ReconcileFinding[] {
  return checkTreeFiles(new MemoryTreeFiles(files), 'test');
}

const errors = (fs_: ReconcileFinding[]) => fs_.filter((f) => f.severity === ReconcileSeverity.ERROR);

/** The one document of kind and name. */
function doc(files: Map<string, any[]>, kind: string, name: string): any {
  const found = [...files.values()].flat().filter((d) => d?.kind === kind && d?.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

/** Removes a file and its entry in the folder's kustomization. */
function removeFile(files: Map<string, any[]>, file: string): void {
  expect(files.delete(file)).toBe(true);
  const k = files.get(`${path.posix.dirname(file)}/kustomization.yaml`)![0];
  k.resources = k.resources.filter((r: string) => r !== path.posix.basename(file));
}

function fileOf(files: Map<string, any[]>, kind: string, name: string): string {
  return [...files.entries()].find(([, docs]) => docs.some((d) => d?.kind === kind && d?.metadata?.name === name))![0];
}

describe('the committed apps reconcile', () => {
  test.each(APPS)('%s: no errors and no warnings (out-of-band Secrets are notes)', (app) => {
    const findings = ReconcileChecker.checkDirectory(path.join(DIST, app));
    expect(findings.filter((f) => f.severity !== ReconcileSeverity.INFO)).toEqual([]);
    for (const f of findings) expect(f.code).toBe('out-of-band');
  });
});

// Each defect of the issue, restored on today's output: the check must catch it again.
describe('the seven defects are caught', () => {
  test('1. tenant etcd names that do not follow the chart (release without fullnameOverride → <release>-kamaji-etcd)', () => {
    const files = load('quickstart');
    delete doc(files, 'HelmRelease', 'acme-etcd').spec.values.fullnameOverride;
    const found = errors(check(files)).filter((f) => f.kind === 'DataStore');
    expect(found.map((f) => f.target)).toEqual(expect.arrayContaining([
      'Secret tenant-acme/acme-etcd-certs', 'Secret tenant-acme/acme-etcd-root-client-certs', 'Service tenant-acme/acme-etcd',
    ]));
    expect(found[0].message).toContain('which nothing on cluster "under" creates');
  });

  test('2. the baremetal-operator namespace not created', () => {
    const files = load('quickstart');
    removeFile(files, fileOf(files, 'Namespace', 'baremetal-operator-system'));
    const found = errors(check(files));
    expect(found).toEqual([expect.objectContaining({ code: 'missing-namespace', kind: 'Kustomization', name: 'baremetal-operator', target: 'Namespace baremetal-operator-system' })]);
  });

  test('3. hosts without Ironic', () => {
    const files = load('reference-platform');
    removeFile(files, fileOf(files, 'Kustomization', 'ironic'));
    const found = errors(check(files));
    expect(found).toEqual([expect.objectContaining({ kind: 'BareMetalHost', target: 'Ironic' })]);
    expect(found[0].message).toContain('12 BareMetalHost(s)');
  });

  test('4. Capsule that does not see Flux\'s requests', () => {
    const files = load('quickstart');
    delete doc(files, 'HelmRelease', 'capsule').spec.values;
    const found = errors(check(files));
    expect(found).toEqual([expect.objectContaining({ code: 'admission-precondition', kind: 'Namespace', name: 'tenant-acme' })]);
    expect(found[0].fix).toContain('system:serviceaccount:flux-system:kustomize-controller');
  });

  test('5. a GPU patch that does not render with float64 variables', () => {
    const files = load('reference-platform');
    const patch = doc(files, 'ClusterClass', 'golden').spec.patches.find((p: any) => p.name === 'worker-gpus');
    patch.enabledIf = '{{ if and .workerGpuDeviceName (gt .workerGpuCount 0) }}true{{ end }}';
    const found = errors(check(files));
    // vision is the class's GPU tenant (llm runs on whole servers, without the class).
    expect(found.map((f) => [f.code, f.kind, f.name])).toEqual([['template-render', 'Cluster', 'vision']]);
    expect(found[0].message).toContain('incompatible types for comparison');
  });

  test('6. an event hook selecting a label the management cluster does not carry', () => {
    const files = load('reference-platform');
    delete doc(files, 'HelmRelease', 'sveltos').spec.values.registerMgmtClusterJob;
    const found = errors(check(files));
    expect(found).toEqual([expect.objectContaining({ code: 'empty-selection', kind: 'EventTrigger', name: 'billing', field: 'spec.sourceClusterSelector' })]);
  });

  test('7. a LoadBalancer control plane on a cluster without an address pool', () => {
    const files = load('quickstart');
    removeFile(files, fileOf(files, 'IPAddressPool', 'tenant-api'));
    removeFile(files, fileOf(files, 'L2Advertisement', 'tenant-api'));
    const found = errors(check(files));
    expect(found).toEqual([expect.objectContaining({ kind: 'KamajiControlPlane', name: 'acme', field: 'spec.network.serviceAnnotations' })]);
    expect(found[0].message).toContain('no MetalLB IPAddressPool');
  });
});

describe('mutations the check catches', () => {
  test('a deleted machine template', () => {
    const files = load('quickstart');
    const file = [...files.keys()].find((f) => f.includes('kubevirtmachinetemplate-acme-general'))!;
    removeFile(files, file);
    expect(errors(check(files))).toEqual([expect.objectContaining({ code: 'dangling-reference', kind: 'MachineDeployment', field: 'spec.template.spec.infrastructureRef' })]);
  });

  test('a renamed DataStore', () => {
    const files = load('quickstart');
    doc(files, 'DataStore', 'acme-etcd').metadata.name = 'acme-datastore';
    expect(errors(check(files))).toEqual([expect.objectContaining({ code: 'dangling-reference', kind: 'KamajiControlPlane', field: 'spec.dataStoreName', target: 'DataStore acme-etcd' })]);
  });

  test('a broken dependsOn', () => {
    const files = load('quickstart');
    doc(files, 'Kustomization', 'tenants-acme').spec.dependsOn = [{ name: 'infrastructure-cluster-templatez' }];
    const found = check(files).filter((f) => f.severity !== ReconcileSeverity.INFO);
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ severity: 'error', code: 'dangling-reference', kind: 'Kustomization', name: 'tenants-acme', field: 'spec.dependsOn[0]' }),
      expect.objectContaining({ severity: 'warning', code: 'tree-unknown-dependency' }),
    ]));
  });

  test('a missing pool behind an advertisement', () => {
    const files = load('reference-platform');
    doc(files, 'L2Advertisement', 'tenant-api').spec.ipAddressPools = ['tenant-apis'];
    const found = errors(check(files));
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'L2Advertisement', code: 'dangling-reference', target: 'IPAddressPool metallb-system/tenant-apis' }),
    ]));
    expect(check(files)).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'warning', kind: 'IPAddressPool', code: 'empty-selection' })]));
  });

  test('an orphan file', () => {
    const files = load('quickstart');
    files.set('tenants/acme/configmap-forgotten.yaml', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'forgotten', namespace: 'tenant-acme' } }]);
    expect(errors(check(files))).toEqual([expect.objectContaining({ code: 'tree-orphan-file', file: 'tenants/acme/configmap-forgotten.yaml' })]);
  });

  test('an object applied twice to one cluster', () => {
    const files = load('quickstart');
    files.set('tenants/acme/namespace-kamaji-system.yaml', structuredClone(files.get(fileOf(files, 'Namespace', 'kamaji-system'))!));
    files.get('tenants/acme/kustomization.yaml')![0].resources.push('namespace-kamaji-system.yaml');
    expect(errors(check(files))).toEqual([expect.objectContaining({ code: 'applied-twice', kind: 'Namespace', name: 'kamaji-system' })]);
  });

  test('an object a chart also creates', () => {
    const files = load('quickstart');
    doc(files, 'HelmRelease', 'acme-etcd').spec.values.datastore.enabled = true;
    expect(errors(check(files))).toEqual([expect.objectContaining({ code: 'applied-twice', kind: 'DataStore', name: 'acme-etcd' })]);
  });

  test('a patch that does not render', () => {
    const files = load('reference-platform');
    const patch = doc(files, 'ClusterClass', 'golden').spec.patches.find((p: any) => p.name === 'control-plane-vip');
    patch.definitions[0].jsonPatches[1].valueFrom.template = 'metallb.io/loadBalancerIPs: {{ index .controlPlaneEndpointAddress 0 1 }}';
    const found = errors(check(files));
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toMatchObject({ code: 'template-render', kind: 'Cluster' });
  });

  test('a VIP outside every pool', () => {
    const files = load('reference-platform');
    const acme = doc(files, 'Cluster', 'acme');
    acme.spec.topology.variables.find((v: any) => v.name === 'controlPlaneEndpointAddress').value = '198.51.100.7';
    expect(errors(check(files))).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'Cluster', name: 'acme', code: 'dangling-reference', target: 'IPAddressPool tenant-api' })]));
  });
});

describe('FluxTree.synth runs the check before writing', () => {
  function platformWithoutPool(app: App, pool = false): void {
    const platform = new PlatformUnderCluster(app, 'platform', {
      releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
      defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    });
    if (pool) platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'vips', { addresses: ['192.0.2.0/28'] });
    platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2, cpuCores: 2, memoryGiB: 4 }] });
  }

  test('an error fails the write with the construct path, and nothing is written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-'));
    const app = new App();
    platformWithoutPool(app);
    expect(() => FluxTree.synth(app, { outdir, appName: 'app' })).toThrow(/reconcile: 1 problem\(s\) the platform's controllers would not reconcile:\n {2}\[[^\]]*acme[^\]]*\] error \[dangling-reference\] under: KamajiControlPlane tenant-acme\/acme/);
    expect(fs.existsSync(path.join(outdir, 'app'))).toBe(false);
  });

  test('with a pool it writes, and reconcile: false skips the check', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-'));
    const app = new App();
    platformWithoutPool(app);
    expect(FluxTree.synth(app, { outdir, appName: 'unchecked', reconcile: false }).reconcileFindings).toEqual([]);
    const withPool = new App();
    platformWithoutPool(withPool, true);
    expect(() => FluxTree.synth(withPool, { outdir, appName: 'checked' })).not.toThrow();
  });
});
