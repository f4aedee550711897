// The reconcile models and the platform's customizations, checked against the pinned upstream bytes in
// ../shared: chart helpers evaluated with Go's text/template, kustomize builds with kubectl, chart values
// and CRDs read as YAML. Each block skips with one line when what it needs is absent.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { MachineImage, PlatformUnderCluster } from '../../src';
import { provisioningSettings, type ResolvedProvisioningNetwork } from '../../src/baremetal/provisioning-network';
import { capsuleAdministratorFor } from '../../src/reconcile/models/capsule';
import { kamajiEtcdNames, kamajiEtcdValuesOf } from '../../src/reconcile/models/kamaji-etcd';
import { RELEASE_MANIFESTS } from '../../src/reconcile/models/release-manifests';
import { managementClusterLabels, managementClusterLabelsArg, MANAGEMENT_CLUSTER_LABELS } from '../../src/reconcile/models/sveltos';
import { findObject } from '../support/platform';
import { HELM_INCLUDE_MISSING, helmIncludeAvailable, helmIncludeProgram, renderHelpers } from '../support/upstream-helm-include';
import { requireShared, requireTool, skipWith } from '../support/upstream-requirements';

const KUBECTL_INSTALL = 'install kubectl (it embeds kustomize)';
const BMO = 'manifests/baremetal-operator';
const IRONIC_IMAGE = 'quay.io/metal3-io/ironic';

// Kinds of the pinned builds that are not namespaced.
const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'Namespace']);

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function kustomize(dir: string): { text: string; objects: any[] } {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr}`);
  return { text: run.stdout, objects: YAML.parseAllDocuments(run.stdout).map((d) => d.toJSON()).filter((d) => d !== null) };
}

function configMaps(objects: any[]): any[] {
  return objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap');
}

function containersOf(objects: any[]): any[] {
  return objects.flatMap((o) => [...(o.spec?.template?.spec?.initContainers ?? []), ...(o.spec?.template?.spec?.containers ?? [])]);
}

const NET: ResolvedProvisioningNetwork = { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100', ironicImageTag: 'release-31.0' };

// ---------------------------------------------------------------------------------------------------
// 1. kamaji-etcd naming
// ---------------------------------------------------------------------------------------------------

interface NamingCase {
  readonly what: string;
  readonly release: string;
  readonly fullnameOverride?: string;
  readonly nameOverride?: string;
  readonly certManager?: boolean;
  readonly datastoreName?: string;
}

const x = (n: number, c = 'a') => c.repeat(n);

const NAMING_CASES: readonly NamingCase[] = [
  { what: 'release name equal to the chart name', release: 'kamaji-etcd' },
  { what: 'release name without the chart name', release: 'tenant-a' },
  { what: 'release name containing the chart name in the middle', release: 'acme-kamaji-etcd-prod' },
  { what: 'release name that is a prefix of the chart name only', release: 'kamaji-etc' },
  { what: 'fullnameOverride', release: 'tenant-a', fullnameOverride: 'etcd-main' },
  { what: 'fullnameOverride over 63 characters, cut at a "-"', release: 'tenant-a', fullnameOverride: `${x(62)}-${x(10, 'b')}` },
  { what: 'fullnameOverride ending in "--" at 63: one "-" trimmed', release: 'tenant-a', fullnameOverride: `${x(61)}--zzz` },
  { what: 'fullnameOverride ending in "-"', release: 'tenant-a', fullnameOverride: 'abc-' },
  { what: 'nameOverride contained in the release name', release: 'tenant-etcd', nameOverride: 'etcd' },
  { what: 'nameOverride not contained in the release name', release: 'tenant-a', nameOverride: 'etcd' },
  { what: 'nameOverride set: the chart name no longer counts', release: 'kamaji-etcd-x', nameOverride: 'store' },
  { what: '<release>-kamaji-etcd cut at 63 on a "-"', release: x(62) },
  { what: 'long release name containing the chart name', release: `${x(60)}kamaji-etcd${x(5, 'c')}` },
  { what: 'fullname of 60 characters: suffixed names cut, root client secret not', release: `${x(49)}kamaji-etcd` },
  { what: 'cert-manager enabled', release: 'tenant-b', certManager: true },
  { what: 'cert-manager enabled, long fullname', release: `${x(52)}kamaji-etcd`, certManager: true },
  { what: 'cert-manager enabled with both overrides', release: 'r', fullnameOverride: 'etcd-x', nameOverride: 'ignored', certManager: true },
  { what: 'cert-manager explicitly disabled', release: 'tenant-c', certManager: false },
  { what: 'datastore.name set', release: 'tenant-d', datastoreName: 'shared-etcd' },
];

function chartValues(c: NamingCase): any {
  return {
    ...(c.fullnameOverride !== undefined ? { fullnameOverride: c.fullnameOverride } : {}),
    ...(c.nameOverride !== undefined ? { nameOverride: c.nameOverride } : {}),
    certManager: { enabled: c.certManager ?? false, ca: { nameOverride: '' }, clientCert: { nameOverride: '' } },
    datastore: { enabled: true, name: c.datastoreName ?? '' },
  };
}

describe('kamaji-etcd naming vs the pinned templates/_helpers.tpl (Go text/template + sprig + include)', () => {
  const helpersPath = requireShared('charts/kamaji-etcd/templates/_helpers.tpl');
  const datastorePath = helpersPath && requireShared('charts/kamaji-etcd/templates/etcd_datastore.yaml');
  if (!helpersPath || !datastorePath) return;
  if (!helmIncludeAvailable()) {
    skipWith(HELM_INCLUDE_MISSING);
    return;
  }

  const names = ['etcd.fullname', 'client.serviceName', 'etcd.caSecretName', 'etcd.clientSecretName', 'etcd.certManager.ca', 'etcd.certManager.clientCert', 'upstream-models.datastoreName'];
  let rows: Array<Record<string, string>> = [];

  beforeAll(() => {
    const bin = helmIncludeProgram()!;
    // The DataStore name expression, taken from the pinned etcd_datastore.yaml, as a named template.
    const datastore = fs.readFileSync(datastorePath, 'utf8');
    const expr = /^ {2}name: (\{\{ \.Values\.datastore\.name [^\n]*\}\})$/m.exec(datastore)?.[1];
    if (!expr) throw new Error('etcd_datastore.yaml: metadata.name expression not found');
    const helpers = `${fs.readFileSync(helpersPath, 'utf8')}\n{{- define "upstream-models.datastoreName" -}}${expr}{{- end -}}\n`;
    rows = renderHelpers(bin, helpers, names, NAMING_CASES.map((c) => ({
      Values: chartValues(c),
      Release: { Name: c.release, Namespace: 'kamaji-system', Service: 'Helm' },
      Chart: { Name: 'kamaji-etcd', Version: '0.17.0' },
    })));
  });

  test.each(NAMING_CASES.map((c, i) => [c.what, i] as const))('%s', (_what, i) => {
    const c = NAMING_CASES[i];
    const go = rows[i];
    for (const n of names) expect(go[n]).not.toMatch(/^ERROR/);
    const values = kamajiEtcdValuesOf(chartValues(c));
    const ts = kamajiEtcdNames(c.release, values);
    expect({
      fullname: ts.fullname,
      clientService: ts.clientService,
      caSecret: ts.caSecret,
      rootClientSecret: ts.rootClientSecret,
      datastore: values.datastoreName ?? ts.fullname,
    }).toEqual({
      fullname: go['etcd.fullname'],
      clientService: go['client.serviceName'],
      caSecret: c.certManager ? go['etcd.certManager.ca'] : go['etcd.caSecretName'],
      rootClientSecret: c.certManager ? go['etcd.certManager.clientCert'] : go['etcd.clientSecretName'],
      datastore: go['upstream-models.datastoreName'],
    });
    expect(ts.fullname.length).toBeLessThanOrEqual(63);
  });

  test('the table exercises the truncation and both secret schemes', () => {
    expect(rows.some((r) => r['etcd.fullname'].length === 62 && !r['etcd.fullname'].endsWith('-'))).toBe(true);
    expect(rows.some((r) => r['etcd.clientSecretName'].length > 63)).toBe(true);
    expect(new Set(rows.map((r) => r['etcd.fullname'])).size).toBeGreaterThan(12);
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. baremetal-operator / Ironic release manifests
// ---------------------------------------------------------------------------------------------------

describe('baremetal-operator and Ironic release manifests vs the pinned kustomize sources', () => {
  const bmoDir = requireShared(BMO);
  if (!bmoDir || !requireTool('kubectl', ['version', '--client'], KUBECTL_INSTALL)) return;
  const builds: Record<string, any[]> = {};
  beforeAll(() => {
    builds['baremetal-operator'] = kustomize(path.join(bmoDir, 'config', 'default')).objects;
    builds.ironic = kustomize(path.join(bmoDir, 'ironic-deployment', 'default')).objects;
  });

  test.each(['baremetal-operator', 'ironic'])('%s: no Namespace object, every namespaced object in the modelled namespace', (component) => {
    const model = RELEASE_MANIFESTS.find((r) => r.component === component)!;
    expect(model).toMatchObject({ namespace: 'baremetal-operator-system', bringsNamespace: false });
    const objects = builds[component];
    expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
    const namespaced = objects.filter((o) => !CLUSTER_SCOPED.has(o.kind));
    expect(namespaced.length).toBeGreaterThanOrEqual(2);
    expect(namespaced.filter((o) => o.metadata?.namespace !== model.namespace).map((o) => `${o.kind}/${o.metadata?.name} in ${o.metadata?.namespace}`)).toEqual([]);
  });

  test.each(['baremetal-operator', 'ironic'])('%s: untaggedImages lists exactly the images the build names without a tag or digest', (component) => {
    const untagged = [...new Set(containersOf(builds[component]).map((c) => c.image as string).filter((i) => !/[:@]/.test(i.split('/').pop()!)))].sort();
    expect(untagged.length).toBeGreaterThanOrEqual(1);
    expect([...RELEASE_MANIFESTS.find((r) => r.component === component)!.untaggedImages].sort()).toEqual(untagged);
  });

  test('the ConfigMaps the customization targets exist, and the Deployments read them', () => {
    const bmoMaps = configMaps(builds['baremetal-operator']).filter((m) => m.metadata.name === 'ironic');
    expect(bmoMaps).toHaveLength(1);
    const ironicMaps = configMaps(builds.ironic).filter((m) => /^baremetal-operator-ironic-bmo-configmap-.*$/.test(m.metadata.name));
    expect(ironicMaps).toHaveLength(1);
    const refs = (objects: any[]) => containersOf(objects).flatMap((c) => (c.envFrom ?? []).map((e: any) => e.configMapRef?.name));
    expect(refs(builds['baremetal-operator'])).toContain('ironic');
    expect(refs(builds.ironic)).toContain(ironicMaps[0].metadata.name);
  });

  test('every key provisioningSettings() writes is one the upstream ConfigMap already has', () => {
    const settings = provisioningSettings(NET);
    const bmo = configMaps(builds['baremetal-operator']).find((m) => m.metadata.name === 'ironic');
    const ironic = configMaps(builds.ironic).find((m) => m.metadata.name.startsWith('baremetal-operator-ironic-bmo-configmap-'));
    expect(Object.keys(settings.bmo).filter((k) => !(k in bmo.data))).toEqual([]);
    expect(Object.keys(settings.ironic).filter((k) => !(k in ironic.data))).toEqual([]);
    expect(Object.keys(settings.ironic)).toEqual(expect.arrayContaining(['PROVISIONING_INTERFACE', 'DHCP_RANGE', 'IRONIC_ENDPOINT', 'DEPLOY_KERNEL_URL', 'DEPLOY_RAMDISK_URL']));
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. The Flux-side customization, applied as kustomize-controller does
// ---------------------------------------------------------------------------------------------------

describe('the Flux Kustomizations\' patches and images apply to the pinned builds', () => {
  const bmoDir = requireShared(BMO);
  if (!bmoDir || !requireTool('kubectl', ['version', '--client'], KUBECTL_INSTALL)) return;

  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://harbor.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
  });
  const objects = [platform.sources, platform.controllers, platform.configs].flatMap((u) => u.toJson());

  // kustomize-controller: the artifact's YAML as resources, plus spec.patches and spec.images.
  function customized(component: 'ironic' | 'baremetal-operator', upstreamDir: string): { upstream: any[]; result: any[]; flux: any } {
    const flux = findObject(objects, 'Kustomization', component);
    const upstream = kustomize(upstreamDir);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kmetal-upstream-${component}-`));
    tempDirs.push(dir);
    fs.writeFileSync(path.join(dir, 'upstream.yaml'), upstream.text);
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['upstream.yaml'],
      ...(flux.spec.patches ? { patches: flux.spec.patches } : {}),
      ...(flux.spec.images ? { images: flux.spec.images } : {}),
    }));
    return { upstream: upstream.objects, result: kustomize(dir).objects, flux };
  }

  test('ironic: the ConfigMap gets the network, keeps the other keys, and Ironic images get the tag', () => {
    const { upstream, result, flux } = customized('ironic', path.join(bmoDir, 'ironic-deployment', 'default'));
    expect(flux.spec.patches).toHaveLength(1);
    const before = configMaps(upstream)[0];
    const after = configMaps(result);
    expect(after).toHaveLength(1);
    expect(after[0].metadata.name).toBe(before.metadata.name);
    expect(after[0].data).toMatchObject({
      PROVISIONING_INTERFACE: 'eno3',
      DHCP_RANGE: '172.22.0.10,172.22.0.100',
      IRONIC_ENDPOINT: 'http://172.22.0.2:6385/v1/',
      DEPLOY_KERNEL_URL: 'http://172.22.0.2:6180/images/ironic-python-agent.kernel',
      DEPLOY_RAMDISK_URL: 'http://172.22.0.2:6180/images/ironic-python-agent.initramfs',
      ...provisioningSettings(NET).ironic,
    });
    // Keys the customization does not write keep their upstream values.
    for (const k of Object.keys(before.data).filter((key) => !(key in provisioningSettings(NET).ironic))) {
      expect([k, after[0].data[k]]).toEqual([k, before.data[k]]);
    }
    expect(after[0].data.IRONIC_KERNEL_PARAMS).toBe('console=ttyS0');
    expect(Object.keys(after[0].data).sort()).toEqual(Object.keys(before.data).sort());
    // The upstream value differs, so the patch did change something.
    expect(before.data.PROVISIONING_INTERFACE).not.toBe('eno3');

    const ironicContainers = containersOf(result).filter((c) => c.image === IRONIC_IMAGE || c.image.startsWith(`${IRONIC_IMAGE}:`));
    expect(containersOf(upstream).filter((c) => c.image === IRONIC_IMAGE).length).toBeGreaterThanOrEqual(1);
    expect(ironicContainers.length).toBe(containersOf(upstream).filter((c) => c.image === IRONIC_IMAGE).length);
    expect(ironicContainers.map((c) => c.image)).toEqual(ironicContainers.map(() => `${IRONIC_IMAGE}:release-31.0`));
  });

  test('baremetal-operator: the ironic ConfigMap gets the network and keeps the other keys', () => {
    const { upstream, result, flux } = customized('baremetal-operator', path.join(bmoDir, 'config', 'default'));
    expect(flux.spec.patches).toHaveLength(1);
    const before = configMaps(upstream).find((m) => m.metadata.name === 'ironic');
    const after = configMaps(result).find((m) => m.metadata.name === 'ironic');
    expect(after.data).toEqual({
      ...before.data,
      PROVISIONING_INTERFACE: 'eno3',
      DHCP_RANGE: '172.22.0.10,172.22.0.100',
      IRONIC_ENDPOINT: 'http://172.22.0.2:6385/v1/',
      ...provisioningSettings(NET).bmo,
    });
    expect(before.data.PROVISIONING_INTERFACE).toBe('eth2');
    // The operator runs the pinned release, not upstream's untagged (:latest) image.
    expect(containersOf(upstream).map((c) => c.image)).toContain('quay.io/metal3-io/baremetal-operator');
    expect(containersOf(result).map((c) => c.image).filter((i) => i.startsWith('quay.io/metal3-io/baremetal-operator'))).toEqual(['quay.io/metal3-io/baremetal-operator:v0.13.2']);
    // Everything but that ConfigMap (and container images, which an images entry may pin) is as upstream built it.
    const rest = (list: any[]) => JSON.parse(JSON.stringify(list.filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'ironic'))), (k, v) => (k === 'image' ? undefined : v));
    expect(rest(result)).toEqual(rest(upstream));
  });
});

// ---------------------------------------------------------------------------------------------------
// 4. Sveltos --labels
// ---------------------------------------------------------------------------------------------------

describe('Sveltos register-mgmt-cluster --labels', () => {
  test('managementClusterLabelsArg round-trips through managementClusterLabels', () => {
    const arg = managementClusterLabelsArg({ c: 'd', a: 'b' });
    expect(arg).toBe('--labels=a=b,c=d');
    expect(managementClusterLabels({ registerMgmtClusterJob: { registerMgmtCluster: { args: [arg] } } })).toEqual({ a: 'b', c: 'd' });
    const platformArg = managementClusterLabelsArg(MANAGEMENT_CLUSTER_LABELS);
    expect(managementClusterLabels({ registerMgmtClusterJob: { registerMgmtCluster: { args: [platformArg, '--service-account-token=false'] } } })).toEqual(MANAGEMENT_CLUSTER_LABELS);
  });

  test('the argument parses with register-mgmt-cluster v1.13.0 stringToMap rules (split ",", then "=", two parts each)', () => {
    for (const labels of [{ a: 'b', c: 'd' }, MANAGEMENT_CLUSTER_LABELS]) {
      const value = managementClusterLabelsArg(labels).slice('--labels='.length);
      expect(value.endsWith(',')).toBe(false);
      const pairs = value.split(',');
      expect(pairs.map((p) => p.split('=').length)).toEqual(pairs.map(() => 2));
      expect(Object.fromEntries(pairs.map((p) => p.split('=')))).toEqual(labels);
    }
  });

  const chart = requireShared('charts/projectsveltos');
  if (!chart) return;

  test('the pinned chart\'s args default is a list with --labels=, and the job ranges over it', () => {
    const values = YAML.parse(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8'));
    const args = values.registerMgmtClusterJob.registerMgmtCluster.args;
    expect(Array.isArray(args)).toBe(true);
    expect(args).toContain('--labels=');
    // The model's default when the release overrides nothing is the chart's default list.
    expect(managementClusterLabels({})).toEqual(managementClusterLabels(values));
    // The platform replaces the whole list: it must keep every default argument but --labels=.
    const app = new App();
    const platform = new PlatformUnderCluster(app, 'platform', { releaseManifestsRegistry: 'oci://harbor.example.com/kmetal-manifests' });
    const release = findObject(platform.controllers.toJson(), 'HelmRelease', 'sveltos');
    const platformArgs: string[] = release.spec.values.registerMgmtClusterJob.registerMgmtCluster.args;
    expect(platformArgs).toEqual(expect.arrayContaining(args.filter((a: string) => !a.startsWith('--labels='))));
    expect(platformArgs.filter((a) => a.startsWith('--labels='))).toEqual([managementClusterLabelsArg(MANAGEMENT_CLUSTER_LABELS)]);
    expect(managementClusterLabels(release.spec.values)).toEqual(MANAGEMENT_CLUSTER_LABELS);
    const job = fs.readFileSync(path.join(chart, 'templates', 'register-mgmt-cluster-job.yaml'), 'utf8');
    expect(job).toMatch(/\{\{-? range \.Values\.registerMgmtClusterJob\.registerMgmtCluster\.args \}\}\s*\n\s*- \{\{ \. \}\}/);
  });
});

// ---------------------------------------------------------------------------------------------------
// 5. Capsule administrators
// ---------------------------------------------------------------------------------------------------

describe('Capsule administrators', () => {
  test('capsuleAdministratorFor names kustomize-controller as a ServiceAccount by full user name', () => {
    expect(capsuleAdministratorFor('flux-system')).toEqual({ kind: 'ServiceAccount', name: 'system:serviceaccount:flux-system:kustomize-controller' });
  });

  const chart = requireShared('charts/capsule');
  const crd = chart && requireShared('crds/capsule/capsule.clastix.io_capsuleconfigurations.yaml');
  if (!chart || !crd) return;

  test('the pinned chart renders administrators from manager.options.administrators, by default', () => {
    const template = fs.readFileSync(path.join(chart, 'templates', 'configuration.yaml'), 'utf8');
    expect(template).toMatch(/^kind: CapsuleConfiguration$/m);
    expect(template).toMatch(/^ {2}administrators:\n\s*\{\{- toYaml \.Values\.manager\.options\.administrators \| nindent 4 \}\}/m);
    // The CapsuleConfiguration is rendered with the chart defaults (createConfiguration, crds.exclusive false).
    expect(template).toMatch(/^\{\{- if or \(and \$\.Values\.crds\.exclusive \$\.Values\.crds\.createConfig\) \(not \$\.Values\.crds\.exclusive\) \}\}/);
    const values = YAML.parse(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8'));
    expect(values.crds.exclusive).toBe(false);
    expect(values.manager.options.createConfiguration).toBe(true);
    expect(values.manager.options.administrators).toEqual([]);
  });

  test('the pinned CapsuleConfiguration CRD accepts kind ServiceAccount in administrators', () => {
    const doc = YAML.parse(fs.readFileSync(crd, 'utf8'));
    const chartTemplate = fs.readFileSync(path.join(chart, 'templates', 'configuration.yaml'), 'utf8');
    const apiVersion = /^apiVersion: capsule\.clastix\.io\/(\S+)$/m.exec(chartTemplate)?.[1];
    const version = doc.spec.versions.find((v: any) => v.name === apiVersion);
    expect(version).toMatchObject({ served: true });
    const admins = version.schema.openAPIV3Schema.properties.spec.properties.administrators;
    expect(admins.type).toBe('array');
    expect(admins.items.required).toEqual(expect.arrayContaining(['kind', 'name']));
    expect(admins.items.properties.kind.enum).toContain('ServiceAccount');
    const entry = capsuleAdministratorFor('flux-system');
    expect(admins.items.properties.kind.enum).toContain(entry.kind);
    expect(typeof entry.name).toBe('string');
  });
});
