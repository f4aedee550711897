import { JsonPatch } from 'cdk8s';
import {
  FleetReport, MachineImage, NodePool, SpreadMode, TenantCluster, TenantClusterClass,
} from '../../src';
import { capiTemplateData, evaluateEnabledIf, renderPatchValue } from '../../src/reconcile/capi-template-data';
import { vmSpreadFields } from '../../src/tenancy/placement';
import { KmetalValidationError } from '../../src/util/errors';
import { findings, policyPlatform } from '../policy/fixture';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');
const VM_SPEC = (tmpl: any) => tmpl.spec.template.spec.virtualMachineTemplate.spec;

function expectError(fn: () => unknown, path: string, field: string, text: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KmetalValidationError);
  const v = error as KmetalValidationError;
  expect(v.constructPath).toBe(path);
  expect(v.field).toBe(field);
  expect(v.message).toMatch(text);
}

describe('worker VM placement on emitted objects', () => {
  test('by default a pool prefers distinct hosts: a soft anti-affinity selecting exactly the pool\'s VMs', () => {
    const { chart } = newChart();
    new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, nodePools: [{ name: 'general', replicas: 3 }] });
    const objects = chart.toJson();
    const vm = VM_SPEC(ofKind(objects, 'KubevirtMachineTemplate')[0]);
    // The pool label is on the VMI template: CAPK copies it to the VMI, KubeVirt to the virt-launcher pod.
    expect(vm.template.metadata.labels).toEqual({ 'kmetal.io/node-pool': 'general' });
    const term = vm.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.weight).toBe(100);
    expect(term.podAffinityTerm).toEqual({
      labelSelector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'acme', 'kmetal.io/node-pool': 'general' } },
      topologyKey: 'kubernetes.io/hostname',
    });
    // The selector selects what the VMs carry: the pool label from the template, the cluster name from CAPK.
    const vmPodLabels = { ...vm.template.metadata.labels, 'cluster.x-k8s.io/cluster-name': 'acme' };
    for (const [k, v] of Object.entries(term.podAffinityTerm.labelSelector.matchLabels)) expect(vmPodLabels[k]).toBe(v);
    expect(vm.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(vm.template.spec.evictionStrategy).toBe('External');
    // The spread sets no rollout of its own: the pool's rollout defaults (no surge on bare metal) apply.
    expect(findObject(objects, 'MachineDeployment', 'acme-general').spec.rollout.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(conformanceErrors(objects)).toBe('');
  });

  test('required spread: one VM per host (hard anti-affinity), zone spread as DoNotSchedule, and the pool rolls without surge', () => {
    const { chart } = newChart();
    new TenantCluster(chart, 'acme', {
      version: 'v1.33.2',
      defaultImage: IMAGE,
      nodePools: [{ name: 'ha', replicas: 3, placement: { spread: SpreadMode.REQUIRED, zoneLabel: 'topology.kubernetes.io/zone' } }],
    });
    const objects = chart.toJson();
    const vm = VM_SPEC(ofKind(objects, 'KubevirtMachineTemplate')[0]).template.spec;
    const selector = { matchLabels: { 'cluster.x-k8s.io/cluster-name': 'acme', 'kmetal.io/node-pool': 'ha' } };
    expect(vm.affinity).toEqual({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector, topologyKey: 'kubernetes.io/hostname' }] } });
    expect(vm.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector }]);
    expect(findObject(objects, 'MachineDeployment', 'acme-ha').spec.rollout).toEqual({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    expect(conformanceErrors(objects)).toBe('');
  });

  test('spread NONE emits no scheduling rule; changing the placement renames the machine template (machines roll)', () => {
    const names = (spread: SpreadMode) => {
      const { chart } = newChart();
      const c = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, nodePools: [{ name: 'general', placement: { spread } }] });
      const vm = VM_SPEC((c.nodePools[0] as NodePool).machineTemplate.toJson()).template.spec;
      return { name: (c.nodePools[0] as NodePool).machineTemplate.toJson().metadata.name, affinity: vm.affinity };
    };
    const none = names(SpreadMode.NONE);
    expect(none.affinity).toBeUndefined();
    expect(names(SpreadMode.PREFERRED).name).not.toBe(none.name);
  });

  test('live migration: LiveMigrate eviction and a ReadWriteMany persistent root disk; refused for GPU pools', () => {
    const { chart } = newChart();
    new TenantCluster(chart, 'acme', {
      version: 'v1.33.2',
      defaultImage: IMAGE,
      nodePools: [{ name: 'mig', rootDiskGiB: 40, placement: { liveMigration: true } }],
    });
    const objects = chart.toJson();
    const vm = VM_SPEC(ofKind(objects, 'KubevirtMachineTemplate')[0]);
    expect(vm.template.spec.evictionStrategy).toBe('LiveMigrate');
    expect(vm.dataVolumeTemplates[0].spec.storage.accessModes).toEqual(['ReadWriteMany']);
    expect(conformanceErrors(objects)).toBe('');

    const { chart: c2 } = newChart();
    const cluster = new TenantCluster(c2, 'globex', { version: 'v1.33.2', defaultImage: IMAGE });
    expectError(() => cluster.addNodePool({ name: 'gpu', gpus: [{ deviceName: 'nvidia.com/GA102GL_A10' }], placement: { liveMigration: true } }),
      'test/globex/Pool-gpu', 'placement.liveMigration', /HostDeviceNotLiveMigratable/);
  });

  test('bad placements are refused naming the field', () => {
    const { chart } = newChart();
    const cluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE });
    expectError(() => cluster.addNodePool({ name: 'a', placement: { spread: 'sometimes' as any } }), 'test/acme/Pool-a', 'placement.spread', /sometimes/);
    expectError(() => cluster.addNodePool({ name: 'b', placement: { zoneLabel: 'not a label!' } }), 'test/acme/Pool-b', 'placement.zoneLabel', /not a label key/);
    expectError(() => cluster.addNodePool({ name: 'c', placement: { spread: SpreadMode.NONE, zoneLabel: 'topology.kubernetes.io/zone' } }), 'test/acme/Pool-c', 'placement.zoneLabel', /NONE/);
    expectError(() => cluster.addNodePool({ name: 'd', placement: { spreed: 'required' } as any }), 'test/acme/Pool-d', 'placement.spreed', /spread/);
  });

  test('a surge rollout with one VM per host is refused: the surge VM would find no free host', () => {
    const { chart } = newChart();
    const cluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE });
    expectError(() => cluster.addNodePool({ name: 'a', replicas: 2, placement: { spread: SpreadMode.REQUIRED }, rollout: { maxSurge: 1 } }), 'test/acme/Pool-a', 'rollout.maxSurge', /REQUIRED/);
    // A preferred spread may surge (KM-CAP-006 then checks the hosts' free capacity).
    expect(cluster.addNodePool({ name: 'b', replicas: 2, rollout: { maxSurge: 1 } }).rollout.maxSurge).toBe(1);
  });
});

describe('worker VM placement of class-based pools', () => {
  function classCluster(placement?: any) {
    const { chart } = newChart();
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
    const cluster = new TenantCluster(chart, 'acme', { clusterClass: golden, nodePools: [{ name: 'general', replicas: 3, ...(placement ? { placement } : {}) }] });
    return { chart, golden, cluster, objects: chart.toJson() };
  }

  test('the class patches render, per pool, the same scheduling fields a NodePool writes', () => {
    const { objects, cluster } = classCluster({ spread: SpreadMode.REQUIRED, zoneLabel: 'topology.kubernetes.io/zone', liveMigration: true });
    const cl = findObject(objects, 'Cluster', 'acme');
    const md = cl.spec.topology.workers.machineDeployments[0];
    expect(md.variables.overrides).toEqual(expect.arrayContaining([
      { name: 'workerSpread', value: 'required' }, { name: 'workerZoneLabel', value: 'topology.kubernetes.io/zone' }, { name: 'workerLiveMigration', value: true },
    ]));
    expect(md.rollout).toEqual({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    const cc = ofKind(objects, 'ClusterClass')[0];
    const vars = Object.fromEntries([...cl.spec.topology.variables, ...md.variables.overrides].map((v: any) => [v.name, v.value]));
    const data = capiTemplateData(vars, { cluster: { name: 'acme', namespace: 'tenant-acme' }, machineDeployment: { class: md.class, topologyName: md.name } });
    const patched: any = {};
    for (const p of cc.spec.patches) {
      if (!p.name.startsWith('worker-')) continue;
      const en = evaluateEnabledIf(p.enabledIf, data);
      expect(en.ok).toBe(true);
      if (!(en as any).enabled) continue;
      for (const jp of p.definitions[0].jsonPatches) {
        const r = jp.valueFrom?.template !== undefined
          ? renderPatchValue(jp.valueFrom.template, data)
          : { ok: true, value: jp.value ?? vars[jp.valueFrom?.variable] };
        expect(r.ok).toBe(true);
        patched[jp.path.split('/').pop()] = (r as any).value;
      }
    }
    const expected = vmSpreadFields(cluster.pools[0].placement, { 'cluster.x-k8s.io/cluster-name': 'acme', 'kmetal.io/node-pool': 'general' });
    expect(patched.affinity).toEqual(expected.affinity);
    expect(patched.topologySpreadConstraints).toEqual(expected.topologySpreadConstraints);
    expect(patched['kmetal.io~1node-pool']).toBe('general');
    expect(patched.evictionStrategy).toBe('LiveMigrate');
    expect(conformanceErrors(objects)).toBe('');
  });

  test('a class pool without placement takes the class default (preferred) and sets no override', () => {
    const { objects, cluster } = classCluster();
    const md = findObject(objects, 'Cluster', 'acme').spec.topology.workers.machineDeployments[0];
    expect((md.variables?.overrides ?? []).map((o: any) => o.name)).not.toContain('workerSpread');
    expect(md.rollout.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(cluster.pools[0].placement.spread).toBe(SpreadMode.PREFERRED);
    const cc = ofKind(objects, 'ClusterClass')[0];
    expect(cc.spec.variables.find((v: any) => v.name === 'workerSpread').schema.openAPIV3Schema).toEqual({ type: 'string', enum: ['required', 'preferred', 'none'], default: 'preferred' });
  });
});

describe('KM-CAP-004: pools with a required spread need as many eligible hosts as VMs', () => {
  test('a 3-replica pool on 2 eligible hosts with required spread is refused; preferred is not', () => {
    const p = policyPlatform({ hosts: 2 });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'ha', replicas: 3, placement: { spread: SpreadMode.REQUIRED } }] });
    p.platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'soft', replicas: 3 }] });
    const f = findings(p.app, 'KM-CAP-004');
    expect(f.map((x) => x.message)).toEqual([
      'pool "ha" of cluster tenant-acme/acme runs 3 VM(s) with a required spread (one per host), but only 2 eligible VM hosts exist (metal-1, metal-2): 1 VM(s) would stay Pending',
    ]);
    expect(f[0].constructPath).toBe('tenant-acme/acme/Pool-ha');
    expect(f[0].fix).toMatch(/lower the pool to 2 VM\(s\)/);
  });

  test('class-based and autoscaled pools are counted at their largest; 2 VMs on 2 hosts pass', () => {
    const p = policyPlatform({ hosts: 2 });
    p.platform.addTenantCluster('acme', { clusterClass: p.golden, nodePools: [{ name: 'auto', minReplicas: 1, maxReplicas: 3, placement: { spread: SpreadMode.REQUIRED } }] });
    p.platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'ok', replicas: 2, placement: { spread: SpreadMode.REQUIRED } }] });
    expect(findings(p.app, 'KM-CAP-004').map((x) => x.constructPath)).toEqual(['tenant-acme/acme/Pool-auto']);
  });

  test('zone spread needs zone-labelled hosts; a required zone spread counts only those', () => {
    const p = policyPlatform({ hosts: 2 });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'z', replicas: 1, placement: { zoneLabel: 'topology.kubernetes.io/zone' } }] });
    expect(findings(p.app, 'KM-CAP-004').map((x) => x.message)).toEqual([
      'pool "z" of cluster tenant-acme/acme spreads across zones by "topology.kubernetes.io/zone", but none of its 2 eligible VM hosts carries that label, so the zone spread does nothing',
    ]);
    p.servers.addHost({ name: 'metal-z', bmc: { address: 'redfish-virtualmedia://192.168.20.70/redfish/v1/Systems/1' }, labels: { 'topology.kubernetes.io/zone': 'a' }, capacity: { cpuCores: 32, memoryGiB: 256 } });
    p.platform.addTenantCluster('globex', { version: 'v1.33.2', nodePools: [{ name: 'zr', replicas: 2, placement: { spread: SpreadMode.REQUIRED, zoneLabel: 'topology.kubernetes.io/zone' } }] });
    expect(findings(p.app, 'KM-CAP-004').map((x) => x.message)).toEqual([
      'pool "zr" of cluster tenant-globex/globex runs 2 VM(s) with a required spread (one per host), but only 1 eligible VM hosts with "topology.kubernetes.io/zone" exist (metal-z): 1 VM(s) would stay Pending',
    ]);
  });

  test('the fleet report shows each pool\'s and control plane\'s spread from the same model', () => {
    const p = policyPlatform({ hosts: 2, pack: false });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'ha', replicas: 2, placement: { spread: SpreadMode.REQUIRED } }, { name: 'soft', rootDiskGiB: 20, placement: { liveMigration: true } }] });
    const report = FleetReport.of(p.platform, { charts: false });
    const acme = report.toJson().tenants.find((t: any) => t.name === 'acme');
    expect(acme.nodePools.map((n: any) => [n.name, n.spread, n.liveMigration])).toEqual([['ha', 'required', false], ['soft', 'preferred', true]]);
    expect(acme.controlPlane.spread).toBe('required');
    expect(report.toMarkdown()).toContain('ha: 2 × 2 vCPU / 4 GiB, one per host; soft: 2 × 2 vCPU / 4 GiB, live-migrating');
  });

  test('reads the pool\'s resolved placement, not the output: an escape-hatch patch does not hide the finding', () => {
    const p = policyPlatform({ hosts: 2 });
    const cluster = p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'ha', replicas: 3, placement: { spread: SpreadMode.REQUIRED } }] });
    (cluster.nodePools[0].machineDeployment).addJsonPatch(JsonPatch.remove('/spec/rollout'));
    expect(findings(p.app, 'KM-CAP-004')).toHaveLength(1);
  });
});
