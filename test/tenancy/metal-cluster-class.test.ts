// A class-based cluster of whole servers: the ClusterClass carries Metal3 templates, and what a
// shared template cannot know (the pool's servers, its data template, the image, the endpoint) is
// patched in per cluster and per pool. The patches are rendered here as Cluster API renders them
// (src/reconcile/capi-template-data.ts), and every template is compared with Go's text/template.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  BareMetalHostSpec, BareMetalPool, ClassNodePool, ClusterInfrastructure, ControlPlaneVipPool, FluxTree, HostClaims, MachineImage, MetalDiskFormat,
  NodeImage, PlatformUnderCluster, TenantCluster, TenantClusterClass,
} from '../../src';
import { capiTemplateData, evaluateEnabledIf, renderPatchValue } from '../../src/reconcile/capi-template-data';
import { renderGoTemplate } from '../../src/reconcile/go-template';
import { expectError } from '../baremetal/fixtures';
import { goTemplateOracle, ORACLE_MISSING, runGoTemplateOracle } from '../support/go-template-oracle';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const IMAGE = new NodeImage(new App(), 'metal-image', {
  name: 'ubuntu-2404-kubeadm',
  version: 'v1.33.2',
  metal: { url: 'https://images.example.com/ubuntu-{version}.raw', checksum: 'c'.repeat(64), format: MetalDiskFormat.RAW },
});

function a100(n: number): BareMetalHostSpec {
  return {
    name: `gpu-${n}`,
    bmc: { address: `redfish-virtualmedia://10.30.0.${n}/redfish/v1/Systems/1`, credentialsName: `gpu-${n}-bmc` },
    labels: { 'kmetal.io/role': 'tenant-metal', 'kmetal.io/gpu': 'a100' },
    capacity: { cpuCores: 64, memoryGiB: 1024, gpus: [{ model: 'nvidia-a100-80gb', count: 8 }] },
  };
}

function metalClass(chart: Chart): TenantClusterClass {
  return new TenantClusterClass(chart, 'metal', { defaultVersion: 'v1.33.2', defaultImage: IMAGE, infrastructure: ClusterInfrastructure.METAL3, workerClasses: [{ name: 'server' }] });
}

/** Sets `value` at a JSON pointer as a JSON patch add/replace does (enough for the class's paths). */
function applyPatch(doc: any, op: string, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1);
  let at = doc;
  for (const k of keys.slice(0, -1)) at = at[k];
  const last = keys[keys.length - 1];
  if (op === 'replace' && !(last in at)) throw new Error(`replace of missing ${pointer}`);
  at[last] = value;
}

/** The class's templates after its patches, for the cluster and one of its MachineDeployments, as Cluster API builds them. */
function renderThroughClass(objects: any[], clusterName: string, poolName: string) {
  const cluster = findObject(objects, 'Cluster', clusterName);
  const cc = findObject(objects, 'ClusterClass', cluster.spec.topology.classRef.name);
  const variables: Record<string, unknown> = {};
  for (const v of cc.spec.variables) if (v.schema.openAPIV3Schema?.default !== undefined) variables[v.name] = v.schema.openAPIV3Schema.default;
  for (const v of cluster.spec.topology.variables) variables[v.name] = v.value;
  const md = cluster.spec.topology.workers.machineDeployments.find((m: any) => m.name === poolName);
  const mdVariables = { ...variables };
  for (const v of md.variables?.overrides ?? []) mdVariables[v.name] = v.value;
  const topology = { version: cluster.spec.topology.version, class: cc.metadata.name };
  const builtin = { cluster: { name: cluster.metadata.name, namespace: cluster.metadata.namespace, topology } };
  const clusterData = capiTemplateData(variables, builtin);
  const mdData = capiTemplateData(mdVariables, { ...builtin, machineDeployment: { class: md.class, name: md.name } });
  const infra = structuredClone(findObject(objects, cc.spec.infrastructure.templateRef.kind, cc.spec.infrastructure.templateRef.name));
  const worker = cc.spec.workers.machineDeployments.find((w: any) => w.class === md.class);
  const machine = structuredClone(findObject(objects, worker.infrastructure.templateRef.kind, worker.infrastructure.templateRef.name));
  const templates: Array<{ template: string; data: unknown }> = [];
  for (const patch of cc.spec.patches) {
    for (const d of patch.definitions) {
      const target = d.selector.kind === infra.kind ? { doc: infra, data: clusterData, variables }
        : d.selector.kind === machine.kind ? { doc: machine, data: mdData, variables: mdVariables } : undefined;
      if (!target) continue;
      if (patch.enabledIf) templates.push({ template: patch.enabledIf, data: target.data });
      const enabled = evaluateEnabledIf(patch.enabledIf, target.data);
      if (!enabled.ok) throw new Error(enabled.error);
      if (!enabled.enabled) continue;
      for (const jp of d.jsonPatches) {
        let value = jp.value;
        if (jp.valueFrom?.template) {
          templates.push({ template: jp.valueFrom.template, data: target.data });
          const r = renderPatchValue(jp.valueFrom.template, target.data);
          if (!r.ok) throw new Error(r.error);
          value = r.value;
        } else if (jp.valueFrom?.variable) {
          value = structuredClone(target.variables[jp.valueFrom.variable]);
        }
        applyPatch(target.doc, jp.op, jp.path, value);
      }
    }
  }
  return { cluster, cc, md, infra, machine, templates };
}

describe('a class-based cluster with a metal pool renders through the class', () => {
  const { chart } = newChart();
  const cls = metalClass(chart);
  const servers = new BareMetalPool(chart, 'servers', { name: 'acme-a100', namespace: 'tenant-acme', hosts: [a100(1), a100(2), a100(3)] });
  const cluster = new TenantCluster(chart, 'acme', { clusterClass: cls, controlPlane: { endpointAddress: '192.0.2.20' } });
  const pool = cluster.addNodePool({ name: 'train', replicas: 2, bareMetal: { pool: servers, hostLabels: { 'kmetal.io/gpu': 'a100' } } }) as ClassNodePool;
  const objects = chart.toJson();
  const rendered = renderThroughClass(objects, 'acme', 'train');

  test('every object is valid against the pinned CRDs (schema and CEL), and the claim fits', () => {
    expect(conformanceErrors(objects)).toBe('');
    expect(chart.node.findAll().flatMap((c) => c.node.validate())).toEqual([]);
    expect(HostClaims.of(chart).allocations.map((a) => [a.claim.path, a.assignedHosts.length])).toEqual([['test/acme/Pool-train', 2]]);
  });

  test('the class carries Metal3 templates only, with no VM patches or variables', () => {
    expect(cls.infrastructure).toBe(ClusterInfrastructure.METAL3);
    expect(rendered.cc.spec.infrastructure.templateRef).toEqual({ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2', kind: 'Metal3ClusterTemplate', name: 'metal' });
    expect(rendered.cc.spec.workers.machineDeployments[0].infrastructure.templateRef).toEqual({ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2', kind: 'Metal3MachineTemplate', name: 'metal-server' });
    expect(ofKind(objects, 'KubevirtMachineTemplate')).toEqual([]);
    expect(ofKind(objects, 'KubevirtClusterTemplate')).toEqual([]);
    expect(cls.variableNames).toEqual(['dataStoreName', 'controlPlaneEndpointAddress', 'controlPlaneAddressPool', 'workerHostSelector', 'workerDataTemplate', 'workerMetalImage']);
    // The shared template on its own takes nothing but tenant-metal hosts, and wipes them on release.
    const shared = findObject(objects, 'Metal3MachineTemplate', 'metal-server');
    expect(shared.spec.template.spec.hostSelector).toEqual({ matchLabels: { 'kmetal.io/role': 'tenant-metal' } });
    expect(shared.spec.template.spec.automatedCleaningMode).toBe('metadata');
    expect(shared.spec.nodeReuse).toBe(false);
  });

  test('the pool\'s machines select its servers, name its data template and write the class image', () => {
    expect(rendered.machine.spec.template.spec.hostSelector).toEqual({ matchLabels: { 'kmetal.io/gpu': 'a100', 'kmetal.io/pool': 'acme-a100', 'kmetal.io/role': 'tenant-metal' } });
    expect(rendered.machine.spec.template.spec.image).toEqual({ url: 'https://images.example.com/ubuntu-v1.33.2.raw', checksum: 'c'.repeat(64), checksumType: 'sha256', diskFormat: 'raw' });
    const dataTemplate = findObject(objects, 'Metal3DataTemplate', rendered.machine.spec.template.spec.dataTemplate.name);
    // In the cluster's namespace (where Cluster API clones the machine template), naming the cluster.
    expect(dataTemplate.metadata.namespace).toBe('tenant-acme');
    expect(dataTemplate.spec.clusterName).toBe('acme');
    expect(pool.dataTemplate).toBeDefined();
    expect(servers.selectHosts(rendered.machine.spec.template.spec.hostSelector.matchLabels).map((h) => h.hostName)).toEqual(['gpu-1', 'gpu-2', 'gpu-3']);
  });

  test('the Metal3Cluster states the Kamaji endpoint, on the port the Cluster states', () => {
    expect(rendered.infra.spec.template.spec).toEqual({ cloudProviderEnabled: false, controlPlaneEndpoint: { host: '192.0.2.20', port: 6443 } });
    expect(rendered.cluster.spec.clusterNetwork.apiServerPort).toBe(6443);
  });

  test('patched templates stay valid against the CRDs', () => {
    expect(conformanceErrors([rendered.machine, rendered.infra])).toBe('');
  });

  const oracle = goTemplateOracle();
  (oracle ? test : test.skip)(oracle ? 'every template the cluster renders gives the same text in Go\'s text/template' : ORACLE_MISSING, () => {
    // enabledIf of the four Metal3 patches, and the endpoint's and the data template's value templates.
    expect(rendered.templates).toHaveLength(6);
    const go = runGoTemplateOracle(oracle!, rendered.templates);
    const ts = rendered.templates.map((t) => renderGoTemplate(t.template, t.data));
    expect(go).toEqual(ts.map((r) => (r.ok ? { ok: true, output: r.output } : r)));
    expect(go.every((r) => r.ok)).toBe(true);
  });
});

describe('metal classes: capacity and bad inputs', () => {
  test('a class-based metal pool larger than the free matching hosts is refused with the host count', () => {
    const { chart } = newChart();
    const servers = new BareMetalPool(chart, 'servers', { namespace: 'tenant-acme', hosts: [a100(1)] });
    const cluster = new TenantCluster(chart, 'acme', { clusterClass: metalClass(chart), controlPlane: { endpointAddress: '192.0.2.20' } });
    cluster.addNodePool({ name: 'train', minReplicas: 1, maxReplicas: 3, bareMetal: { pool: servers } });
    const errors = chart.node.findAll().flatMap((c) => c.node.validate());
    expect(errors).toEqual([expect.stringMatching(/^bareMetal: pool "train" of tenant-acme\/acme needs 3 whole server\(s\).*only 1 of the 1 host\(s\)/)]);
  });

  test('a KubeVirt class refuses a metal pool, and a Metal3 class a VM pool', () => {
    const { chart } = newChart();
    const servers = new BareMetalPool(chart, 'servers', { namespace: 'tenant-acme', hosts: [a100(1)] });
    const vmClass = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0') });
    const vm = new TenantCluster(chart, 'acme', { clusterClass: vmClass });
    expectError(() => vm.addNodePool({ name: 'train', bareMetal: { pool: servers } }), 'test/acme', 'nodePools[0].bareMetal', /KubeVirt VMs/);
    const metal = new TenantCluster(chart, 'beta', { clusterClass: metalClass(chart), controlPlane: { endpointAddress: '192.0.2.21' } });
    expectError(() => metal.addNodePool({ name: 'general', replicas: 2 }), 'test/beta', 'nodePools[0].bareMetal', /has no bareMetal servers/);
  });

  test('a cluster cannot contradict its class\'s infrastructure, and needs a fixed endpoint', () => {
    const { chart } = newChart();
    const cls = metalClass(chart);
    expectError(() => new TenantCluster(chart, 'acme', { clusterClass: cls, infrastructure: ClusterInfrastructure.KUBEVIRT, controlPlane: { endpointAddress: '192.0.2.20' } }), 'test/acme', 'infrastructure', /contradicts class "metal"/);
    expectError(() => new TenantCluster(chart, 'beta', { clusterClass: cls }), 'test/beta', 'controlPlane.endpointAddress', /needs its control-plane address at synth/);
  });

  test('a metal class needs an image with a bare-metal variant', () => {
    const { chart } = newChart();
    expectError(() => new TenantClusterClass(chart, 'metal', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'), infrastructure: ClusterInfrastructure.METAL3 }),
      'test/metal', 'image', /has no bare-metal image/);
  });
});

describe('on a platform, the class path passes conformance and the reconcile check (which renders the class\'s patches)', () => {
  test('FluxTree.synth writes it', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'metal-class-'));
    try {
      const app = new App();
      const platform = new PlatformUnderCluster(app, 'platform', {
        releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
        defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
        provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
      });
      platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'vips', { addresses: ['192.0.2.0/28'] });
      const cls = new TenantClusterClass(platform.clusterTemplates, 'metal', { defaultVersion: 'v1.33.2', defaultImage: IMAGE, infrastructure: ClusterInfrastructure.METAL3 });
      const servers = new BareMetalPool(platform.tenantUnit('acme'), 'servers', { namespace: 'tenant-acme', hosts: [a100(1), a100(2)] });
      platform.addTenantCluster('acme', { clusterClass: cls, nodePools: [{ name: 'train', replicas: 2, bareMetal: { pool: servers } }] });
      const result = FluxTree.synth(app, { outdir, appName: 'app' });
      expect(result.reconcileFindings.filter((f: any) => f.severity === 'error')).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
