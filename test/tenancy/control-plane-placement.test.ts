import { MachineImage, SpreadMode, TenantCluster, TenantClusterClass } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { findings, policyPlatform, PolicyPlatform } from '../policy/fixture';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function addControlPlaneHosts(p: PolicyPlatform, n: number): void {
  for (let i = 1; i <= n; i++) {
    p.servers.addHost({
      name: `cp-${i}`,
      bmc: { address: `redfish-virtualmedia://192.168.20.${100 + i}/redfish/v1/Systems/1` },
      labels: { 'kmetal.io/role': 'control-plane' },
      capacity: { cpuCores: 32, memoryGiB: 256 },
    });
  }
}

describe('control-plane and etcd spread on emitted objects', () => {
  test('by default the API servers spread across hosts (Kamaji fills the selector) and etcd members never share a host', () => {
    const { chart } = newChart();
    new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE });
    const objects = chart.toJson();
    const kcp = findObject(objects, 'KamajiControlPlane', 'acme');
    // No labelSelector: Kamaji's setTopologySpreadConstraints puts the Deployment's selector
    // (kamaji.clastix.io/name=<TenantControlPlane>, named after the KamajiControlPlane) in.
    expect(kcp.spec.deployment).toEqual({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }] });
    const etcd = findObject(objects, 'HelmRelease', 'acme-etcd');
    expect(etcd.spec.values.affinity).toEqual({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'acme-etcd' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    });
    // The selector label is the chart's selector label for this release (release name = HelmRelease releaseName).
    expect(etcd.spec.releaseName).toBe('acme-etcd');
    expect(conformanceErrors(objects)).toBe('');
  });

  test('preferred and none: ScheduleAnyway / soft anti-affinity, or nothing', () => {
    const { chart } = newChart();
    new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, controlPlane: { spread: SpreadMode.PREFERRED }, etcd: { spread: SpreadMode.NONE } });
    const objects = chart.toJson();
    expect(findObject(objects, 'KamajiControlPlane', 'acme').spec.deployment.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(findObject(objects, 'HelmRelease', 'acme-etcd').spec.values.affinity).toBeUndefined();
    expect(conformanceErrors(objects)).toBe('');
  });

  test('a class carries the API servers\' spread in its control-plane template, and its site patch adds into it', () => {
    const { chart } = newChart();
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
    const objects = chart.toJson();
    const tmpl = ofKind(objects, 'KamajiControlPlaneTemplate')[0];
    expect(tmpl.spec.template.spec.deployment.topologySpreadConstraints).toHaveLength(1);
    const site = ofKind(objects, 'ClusterClass')[0].spec.patches.find((p: any) => p.name === 'site-control-plane');
    expect(site.definitions[0].jsonPatches[0].path).toBe('/spec/template/spec/deployment/externalClusterReference');
    expect(conformanceErrors(objects)).toBe('');
    // A cluster of the class cannot choose its own spread: the template is shared.
    expect(() => new TenantCluster(chart, 'acme', { clusterClass: golden, controlPlane: { spread: SpreadMode.NONE } })).toThrow(KmetalValidationError);
  });
});

describe('KM-CAP-005: one control-plane host\'s loss takes no etcd quorum and not every API server', () => {
  test('3 etcd members on 2 control-plane hosts are refused; 3 hosts pass', () => {
    const p = policyPlatform();
    addControlPlaneHosts(p, 2);
    p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    const f = findings(p.app, 'KM-CAP-005');
    expect(f.map((x) => x.message)).toEqual([
      'the etcd of cluster tenant-acme/acme has 3 members but the platform has 2 control-plane host(s) (labelled kmetal.io/role=control-plane: cp-1, cp-2): one host holds 2 of them, and its loss leaves fewer than the quorum of 2 (with the required spread, the members beyond one per host cannot be scheduled on them at all)',
    ]);
    expect(f[0].constructPath).toBe('tenant-acme/acme/Etcd');
    addControlPlaneHosts2(p);
    expect(findings(p.app, 'KM-CAP-005')).toEqual([]);
  });

  test('a preferred etcd spread or API server spread is refused even with enough hosts', () => {
    const p = policyPlatform();
    addControlPlaneHosts(p, 3);
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', etcd: { spread: SpreadMode.PREFERRED }, controlPlane: { spread: SpreadMode.NONE } });
    expect(findings(p.app, 'KM-CAP-005').map((x) => x.message).sort()).toEqual([
      'cluster tenant-acme/acme spreads its 2 API servers not at all: the scheduler may put all of them on one host, whose loss takes the tenant\'s API',
      'the etcd of cluster tenant-acme/acme spreads its 3 members only preferably: the scheduler may put 2 of them on one host, whose loss takes the quorum of 2',
    ]);
  });

  test('two API servers on one control-plane host are refused; without labelled control-plane hosts nothing is checked', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', etcd: { replicas: 1 } });
    expect(findings(p.app, 'KM-CAP-005')).toEqual([]);
    addControlPlaneHosts(p, 1);
    expect(findings(p.app, 'KM-CAP-005').map((x) => x.message)).toEqual([
      'cluster tenant-acme/acme runs 2 API servers, but the platform has 1 control-plane host(s) (labelled kmetal.io/role=control-plane: cp-1): its loss takes all of them',
    ]);
  });

  test('controlPlaneHostLabels chooses the hosts', () => {
    const p = policyPlatform({ pack: { capacity: { controlPlaneHostLabels: { 'example.com/cp': 'yes' } } } });
    addControlPlaneHosts(p, 3);
    p.servers.addHost({ name: 'other-cp', bmc: { address: 'redfish-virtualmedia://192.168.20.120/redfish/v1/Systems/1' }, labels: { 'example.com/cp': 'yes' }, capacity: { cpuCores: 32, memoryGiB: 256 } });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    expect(findings(p.app, 'KM-CAP-005').map((x) => x.message).join('\n')).toMatch(/has 3 members but the platform has 1 control-plane host\(s\) \(labelled example.com\/cp=yes: other-cp\)/);
  });
});

function addControlPlaneHosts2(p: PolicyPlatform): void {
  p.servers.addHost({ name: 'cp-3', bmc: { address: 'redfish-virtualmedia://192.168.20.103/redfish/v1/Systems/1' }, labels: { 'kmetal.io/role': 'control-plane' }, capacity: { cpuCores: 32, memoryGiB: 256 } });
}
