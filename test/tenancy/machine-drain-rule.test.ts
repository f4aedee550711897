import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ConformanceChecker, FluxTree, MachineDrainBehavior, MachineDrainRule, MachineDrainRuleProps } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { day2Platform, readUnit } from '../day2/fixture';

function make(props: Partial<MachineDrainRuleProps> = {}): any {
  const chart = new Chart(Testing.app(), 'c');
  const rule = new MachineDrainRule(chart, 'Rule', { name: 'storage-last', namespace: 'tenant-acme', behavior: MachineDrainBehavior.DRAIN, ...props });
  return rule.apiObject.toJson();
}

describe('MachineDrainRule', () => {
  test('emits a rule that passes the pinned v1beta2 CRD schema and CEL rules', () => {
    const obj = make({
      order: 100,
      machines: [{ clusterLabels: { 'kmetal.io/tenant': 'acme' } }],
      pods: [{ podLabels: { app: 'storage' } }, { namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, podLabels: { tier: 'csi' } }],
    });
    expect(obj).toMatchObject({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'MachineDrainRule', metadata: { name: 'storage-last', namespace: 'tenant-acme' } });
    expect(obj.spec.drain).toEqual({ behavior: 'Drain', order: 100 });
    expect(obj.spec.machines).toEqual([{ clusterSelector: { matchLabels: { 'kmetal.io/tenant': 'acme' } } }]);
    expect(obj.spec.pods[1]).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, selector: { matchLabels: { tier: 'csi' } } });
    expect(ConformanceChecker.default().validateObject(obj)).toEqual([]);
  });

  test('a rule without selectors applies to the whole namespace and omits machines/pods', () => {
    const obj = make({ behavior: MachineDrainBehavior.SKIP });
    expect(obj.spec).toEqual({ drain: { behavior: 'Skip' } });
    expect(ConformanceChecker.default().validateObject(obj)).toEqual([]);
  });

  test('the schema checker refuses what the construct refuses (order outside int32 is caught first by the construct)', () => {
    expect(() => make({ order: 2 ** 31 })).toThrow(KmetalValidationError);
    expect(() => make({ order: 1.5 })).toThrow(/order: 1.5 is not a 32-bit integer/);
  });

  test('order only with Drain', () => {
    expect(() => make({ behavior: MachineDrainBehavior.WAIT_COMPLETED, order: 5 })).toThrow(/order: 5 is set with behavior WaitCompleted/);
    expect(make({ behavior: MachineDrainBehavior.WAIT_COMPLETED, order: 0 }).spec.drain).toEqual({ behavior: 'WaitCompleted' });
  });

  test('empty, duplicate and too many selectors are refused', () => {
    expect(() => make({ pods: [{}] })).toThrow(/pods\[0\]: the selector has no labels/);
    expect(() => make({ machines: [{ machineLabels: { a: 'b' } }, { machineLabels: { a: 'b' } }] })).toThrow(/machines\[1\]: duplicate selector/);
    const many = Array.from({ length: 33 }, (_, i) => ({ podLabels: { n: String(i) } }));
    expect(() => make({ pods: many })).toThrow(/pods: 33 selectors/);
  });

  test('a bad name is refused', () => {
    expect(() => make({ name: 'Bad_Name' })).toThrow(/\[c\/Rule\] name: "Bad_Name" is not a DNS-1123 subdomain/);
  });

  test('the schema would refuse a duplicate (CEL) — the construct agrees', () => {
    const obj = make({ pods: [{ podLabels: { app: 'x' } }] });
    obj.spec.pods.push(obj.spec.pods[0]);
    expect(ConformanceChecker.default().validateObject(obj).length).toBeGreaterThan(0);
  });
});

describe('TenantCluster.addDrainRule', () => {
  test('writes the rule in the cluster\'s namespace and unit, selecting that cluster; the tree conforms and reconciles', () => {
    const { app, platform } = day2Platform();
    const acme = platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    const rule = acme.addDrainRule({ name: 'storage-last', behavior: MachineDrainBehavior.DRAIN, order: 10, pods: [{ podLabels: { app: 'storage' } }] });
    expect(rule.namespace).toBe(acme.namespace);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'drain-'));
    const result = FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() });
    expect(result.reconcileFindings.filter((f: any) => f.severity === 'error')).toEqual([]);
    const rules = readUnit(outdir, 'tenants/acme').filter((o: any) => o.kind === 'MachineDrainRule');
    expect(rules).toHaveLength(1);
    expect(rules[0].metadata).toEqual({ name: 'storage-last', namespace: 'tenant-acme' });
    // The Cluster carries the label the rule selects it by.
    const clusterObj = readUnit(outdir, 'tenants/acme').find((o: any) => o.kind === 'Cluster');
    expect(rules[0].spec.machines).toEqual([{ clusterSelector: { matchLabels: { 'kmetal.io/tenant-cluster': 'acme' } } }]);
    expect(clusterObj.metadata.labels['kmetal.io/tenant-cluster']).toBe('acme');
  });

  test('a rule that selects no Cluster of its namespace is a reconcile error, whichever way it misses', () => {
    const { app, platform } = day2Platform();
    const acme = platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 2 }] });
    // A label the Cluster does not carry, and a namespace with no Cluster at all.
    acme.addDrainRule({ name: 'wrong-label', behavior: MachineDrainBehavior.SKIP, machines: [{ clusterLabels: { 'kmetal.io/tenant-cluster': 'globex' } }] });
    new MachineDrainRule(platform.tenantUnit('acme'), 'elsewhere', { name: 'elsewhere', namespace: 'tenant-nobody', behavior: MachineDrainBehavior.SKIP });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'drain-'));
    expect(() => FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() })).toThrow(new RegExp([
      /\[tenant-acme\/acme\/DrainRule-wrong-label\/Resource\] error \[empty-selection\] under: MachineDrainRule tenant-acme\/wrong-label spec\.machines: /.source,
      /selects no machine: no Cluster in namespace tenant-acme has labels matching \[\{"matchLabels":\{"kmetal\.io\/tenant-cluster":"globex"\}\}\]/.source,
    ].join('')));
    expect(() => FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() }))
      .toThrow(/MachineDrainRule tenant-nobody\/elsewhere spec\.machines: selects no machine: there is no Cluster in namespace tenant-nobody/);
  });
});
