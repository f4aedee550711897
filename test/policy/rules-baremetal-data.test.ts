import { JsonPatch } from 'cdk8s';
import { check, findings, policyPlatform } from './fixture';
import { Policy, PruneProtection } from '../../src';

describe('bare-metal rules', () => {
  test('KM-BM-001: BMC TLS verification disabled fails, and passes only with a suppression that says why', () => {
    const p = policyPlatform();
    const host = p.servers.addHost({
      name: 'old-idrac',
      bmc: { address: 'idrac-virtualmedia://192.168.20.99/redfish/v1/Systems/System.Embedded.1', disableCertificateVerification: true },
      capacity: { cpuCores: 16, memoryGiB: 64 },
    });
    const f = findings(p.app, 'KM-BM-001');
    expect(f).toEqual([expect.objectContaining({
      constructPath: 'platform-configs/servers/old-idrac/Resource',
      object: { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', namespace: 'metal3', name: 'old-idrac' },
      message: 'BareMetalHost metal3/old-idrac skips TLS verification of its BMC (idrac-virtualmedia://192.168.20.99/redfish/v1/Systems/System.Embedded.1)',
    })]);
    expect(() => Policy.suppress(host, 'KM-BM-001', '')).toThrow(/needs a reason of at least 10 characters/);
    Policy.suppress(host, 'KM-BM-001', 'self-signed iDRAC cert on isolated OOB VLAN 12, CHG-881');
    const report = check(p.app);
    expect(report.findingsOf('KM-BM-001')).toEqual([]);
    expect(report.suppressedFindings).toEqual([expect.objectContaining({ ruleId: 'KM-BM-001', suppressedAt: 'platform-configs/servers/old-idrac', suppressionReason: 'self-signed iDRAC cert on isolated OOB VLAN 12, CHG-881' })]);
    expect(report.suppressions).toEqual([{ ruleId: 'KM-BM-001', constructPath: 'platform-configs/servers/old-idrac', reason: 'self-signed iDRAC cert on isolated OOB VLAN 12, CHG-881', matchedFindings: 1 }]);
  });

  test('KM-BM-002: a host without a credentials Secret, or with credentials in its address', () => {
    const p = policyPlatform();
    const host = p.servers.findHost('metal-2')!;
    host.apiObject.addJsonPatch(JsonPatch.remove('/spec/bmc/credentialsName'));
    p.servers.findHost('metal-3')!.apiObject.addJsonPatch(JsonPatch.replace('/spec/bmc/address', 'redfish://admin:calvin@192.168.20.3/redfish/v1/Systems/1'));
    expect(findings(p.app, 'KM-BM-002').map((x) => x.message)).toEqual([
      'BareMetalHost metal3/metal-2 names no BMC credentials Secret (spec.bmc.credentialsName)',
      'BareMetalHost metal3/metal-3 has credentials in its BMC address (spec.bmc.address)',
    ]);
    expect(findings(p.app, 'KM-SEC-001').map((x) => x.message)).toEqual(['BareMetalHost metal3/metal-3 holds a credential value at spec.bmc.address (a URL with a password)']);
  });
});

describe('data rules and the prune protection', () => {
  test('the pack annotates every stateful object; other objects are left alone', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    const report = check(p.app);
    expect(report.protectedObjects).toEqual([
      'BareMetalHost metal3/metal-1', 'BareMetalHost metal3/metal-2', 'BareMetalHost metal3/metal-3',
      'Cluster tenant-acme/acme', 'DataStore acme-etcd', 'HelmRelease tenant-acme/acme-etcd', 'Namespace tenant-acme', 'Tenant acme',
    ]);
    const objects = p.app.charts.flatMap((c) => c.toJson());
    const annotated = objects.filter((o) => o.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled').map((o) => `${o.kind} ${o.metadata.name}`).sort();
    expect(annotated).toEqual(['BareMetalHost metal-1', 'BareMetalHost metal-2', 'BareMetalHost metal-3', 'Cluster acme', 'DataStore acme-etcd', 'HelmRelease acme-etcd', 'Namespace tenant-acme', 'Tenant acme']);
    expect(report.findingsOf('KM-DATA-001')).toEqual([]);
  });

  test('KM-DATA-001: without the protection, stateful objects warn; an opt-out with a reason is respected and reported', () => {
    const p = policyPlatform({ pack: { pruneProtection: false } });
    const lab = p.platform.addTenantCluster('lab', { version: 'v1.33.2' });
    p.platform.addTenantCluster('prod', { version: 'v1.33.2' });
    const warnings = findings(p.app, 'KM-DATA-001');
    expect(warnings.length).toBe(13);
    expect(warnings.find((w) => w.object?.kind === 'DataStore' && w.object.name === 'prod-etcd')!.message)
      .toBe('DataStore prod-etcd can be pruned by Flux: if it leaves git, the tenant control planes lose the datastore that holds their state');

    const q = policyPlatform();
    const lab2 = q.platform.addTenantCluster('lab', { version: 'v1.33.2' });
    expect(() => PruneProtection.optOut(lab2, 'lab')).toThrow(/at least 10 characters/);
    PruneProtection.optOut(lab2, 'lab tenant, recreated from scratch every night');
    const report = check(q.app);
    expect(report.findingsOf('KM-DATA-001')).toEqual([]);
    expect(report.protectedObjects.filter((o) => o.includes('lab'))).toEqual([]);
    expect(report.pruneOptOuts).toEqual([{ constructPath: 'tenant-lab/lab', reason: 'lab tenant, recreated from scratch every night', objects: ['Cluster tenant-lab/lab', 'DataStore lab-etcd', 'HelmRelease tenant-lab/lab-etcd', 'Namespace tenant-lab', 'Tenant lab'] }]);
    void lab;
  });
});
