import { ApiObject, App, Chart } from 'cdk8s';
import { check, policyPlatform } from './fixture';
import {
  AdmissionGuardrails, AdmissionValidationAction, ControlPlaneReplicasRule, KonnectivityRule, KubernetesVersionRule, Policy, PolicyPack,
  PoolSizeRule, TenantGuardrails,
} from '../../src';
import { AdmissionGuardrails as AG } from '../../src/policy/admission-guardrails';
import { conformanceErrors, ofKind } from '../support/platform';

const guardrails = new TenantGuardrails({
  allowedKubernetesVersions: ['v1.33', 'v1.34.1'], minControlPlaneReplicas: 2, maxControlPlaneReplicas: 3, maxReplicasPerPool: 10,
});

function kcp(spec: any): any {
  return { apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha2', kind: 'KamajiControlPlane', metadata: { name: 'x', namespace: 'tenant-x' }, spec };
}
function cluster(topology: any): any {
  return { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'x', namespace: 'tenant-x' }, spec: topology === undefined ? {} : { topology } };
}
function md(replicas: number | undefined, version: string | undefined, maxAnnotation?: string): any {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'MachineDeployment',
    metadata: { name: 'x', namespace: 'tenant-x', ...(maxAnnotation ? { annotations: { 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': maxAnnotation } } : {}) },
    spec: { ...(replicas !== undefined ? { replicas } : {}), template: { spec: { ...(version ? { version } : {}) } } },
  };
}

/** What the synth-time rules (the PlatformPolicyPack's guardrail rules, same TenantGuardrails) say about an object. */
function synthVerdict(o: any): boolean {
  const app = new App();
  new ApiObject(new Chart(app, 'c'), 'o', JSON.parse(JSON.stringify(o)));
  const rules = [
    new KubernetesVersionRule({ guardrails }), new ControlPlaneReplicasRule({ guardrails }),
    new KonnectivityRule({ guardrails }), new PoolSizeRule({ guardrails }),
  ];
  Policy.of(app).addPack(new PolicyPack({ name: 'guardrails', rules }));
  return Policy.of(app).check().findings.length === 0;
}

const MAX = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';
const CASES: Array<[string, any, boolean]> = [
  ['KCP allowed minor', kcp({ version: 'v1.33.7', replicas: 2, addons: { konnectivity: {} } }), true],
  ['KCP allowed exact release', kcp({ version: 'v1.34.1', replicas: 3, addons: { konnectivity: {} } }), true],
  ['KCP other patch of an exact release', kcp({ version: 'v1.34.2', replicas: 2, addons: { konnectivity: {} } }), false],
  ['KCP version without v', kcp({ version: '1.33.2', replicas: 2, addons: { konnectivity: {} } }), false],
  ['KCP minor prefix trap (v1.3)', kcp({ version: 'v1.3.3', replicas: 2, addons: { konnectivity: {} } }), false],
  ['KCP outside Kamaji', kcp({ version: 'v1.36.0', replicas: 2, addons: { konnectivity: {} } }), false],
  ['KCP replicas unset (CRD default 2)', kcp({ version: 'v1.33.2', addons: { konnectivity: {} } }), true],
  ['KCP one replica', kcp({ version: 'v1.33.2', replicas: 1, addons: { konnectivity: {} } }), false],
  ['KCP too many replicas', kcp({ version: 'v1.33.2', replicas: 4, addons: { konnectivity: {} } }), false],
  ['KCP without konnectivity', kcp({ version: 'v1.33.2', replicas: 2, addons: { coreDNS: {} } }), false],
  ['KCP without addons', kcp({ version: 'v1.33.2', replicas: 2 }), false],
  ['Cluster without topology', cluster(undefined), true],
  ['Cluster topology good', cluster({ version: 'v1.33.2', controlPlane: { replicas: 2 }, workers: { machineDeployments: [{ name: 'a', class: 'w', replicas: 10 }, { name: 'b', class: 'w' }] } }), true],
  ['Cluster topology no controlPlane', cluster({ version: 'v1.33.2' }), true],
  ['Cluster topology controlPlane without replicas', cluster({ version: 'v1.33.2', controlPlane: {} }), true],
  ['Cluster topology bad version', cluster({ version: 'v1.32.0' }), false],
  ['Cluster topology one API server', cluster({ version: 'v1.33.2', controlPlane: { replicas: 1 } }), false],
  ['Cluster topology big pool', cluster({ version: 'v1.33.2', workers: { machineDeployments: [{ name: 'a', class: 'w', replicas: 11 }] } }), false],
  ['Cluster topology workers without deployments', cluster({ version: 'v1.33.2', workers: {} }), true],
  ['Cluster topology autoscaled pool within', cluster({ version: 'v1.33.2', workers: { machineDeployments: [{ name: 'a', class: 'w', metadata: { annotations: { [MAX]: '10' } } }] } }), true],
  ['Cluster topology autoscaled pool beyond', cluster({ version: 'v1.33.2', workers: { machineDeployments: [{ name: 'a', class: 'w', metadata: { annotations: { [MAX]: '12' } } }] } }), false],
  ['Cluster topology pool with metadata, no annotations', cluster({ version: 'v1.33.2', workers: { machineDeployments: [{ name: 'a', class: 'w', replicas: 3, metadata: { labels: { x: 'y' } } }] } }), true],
  ['MachineDeployment good', md(10, 'v1.33.2'), true],
  ['MachineDeployment autoscaled within', md(undefined, 'v1.34.1', '10'), true],
  ['MachineDeployment autoscaled beyond', md(undefined, 'v1.34.1', '11'), false],
  ['MachineDeployment too many', md(11, 'v1.33.2'), false],
  ['MachineDeployment bad version', md(1, 'v1.30.1'), false],
];

describe('TenantGuardrails and AdmissionGuardrails', () => {
  test.each(CASES)('CEL admission and synth-time rules agree: %s', (_, object, admitted) => {
    const failures = AG._evaluateGuardrails(guardrails, object);
    expect(failures.filter((f) => /cannot be evaluated/.test(f.message))).toEqual([]);
    expect(failures.length === 0).toBe(admitted);
    expect(synthVerdict(object)).toBe(admitted);
  });

  test('the allowed list is one source: the CEL carries exactly the guardrails\' versions', () => {
    const text = JSON.stringify(guardrails.rules());
    expect(text).toContain("['v1.33', 'v1.34.1'].exists(v, object.spec.version == v || object.spec.version.startsWith(v + '.'))");
    expect(guardrails.allowedKubernetesVersions).toEqual(['v1.33', 'v1.34.1']);
  });

  test('versions outside the pinned Kamaji are refused up front', () => {
    expect(() => new TenantGuardrails({ allowedKubernetesVersions: ['v1.29'] })).toThrow(/outside what the pinned Kamaji supports. Fix: allow versions from v1.30 to v1.35/);
    expect(() => new TenantGuardrails({ allowedKubernetesVersions: ['1.33.x'] })).toThrow(/neither a minor/);
    expect(new TenantGuardrails().allowedKubernetesVersions).toEqual(['v1.30', 'v1.31', 'v1.32', 'v1.33', 'v1.34', 'v1.35']);
  });

  test('fromPlatform follows the platform\'s allowed minors', () => {
    const p = policyPlatform({ pack: false });
    expect(TenantGuardrails.fromPlatform(p.platform).allowedKubernetesVersions).toEqual(['v1.33', 'v1.34']);
    expect(TenantGuardrails.fromPlatform(p.platform, { allowedKubernetesVersions: ['v1.34.2', 'v1.35'] }).allowedKubernetesVersions).toEqual(['v1.34.2']);
  });

  test('emits a ValidatingAdmissionPolicy and binding per guarded kind, valid for the API server', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const g = new AdmissionGuardrails(chart, 'guardrails', { guardrails, validationActions: [AdmissionValidationAction.DENY, AdmissionValidationAction.AUDIT] });
    const objects = chart.toJson();
    expect(conformanceErrors(objects)).toBe('');
    expect(ofKind(objects, 'ValidatingAdmissionPolicy').map((o) => o.metadata.name)).toEqual([
      'kmetal-guardrails-cluster', 'kmetal-guardrails-kamaji-control-plane', 'kmetal-guardrails-kamaji-control-plane-template', 'kmetal-guardrails-machine-deployment',
    ]);
    const policy = ofKind(objects, 'ValidatingAdmissionPolicy')[0];
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['cluster.x-k8s.io'], apiVersions: ['v1beta2'], operations: ['CREATE', 'UPDATE'], resources: ['clusters'] }]);
    expect(ofKind(objects, 'ValidatingAdmissionPolicyBinding')[0].spec).toEqual({ policyName: 'kmetal-guardrails-cluster', validationActions: ['Deny', 'Audit'] });
    expect(g.evaluate(kcp({ version: 'v1.33.2', replicas: 1, addons: { konnectivity: {} } }))).toEqual([
      expect.objectContaining({ policyName: 'kmetal-guardrails-kamaji-control-plane', message: 'spec.replicas must be between 2 and 3' }),
    ]);
    expect(() => new AdmissionGuardrails(chart, 'both', { guardrails, validationActions: [AdmissionValidationAction.DENY, AdmissionValidationAction.WARN] })).toThrow(/Deny and Warn together/);
  });

  test('every object a real platform synthesizes passes its own guardrails', () => {
    const p = policyPlatform();
    const g = TenantGuardrails.fromPlatform(p.platform, { maxReplicasPerPool: 10 });
    new AdmissionGuardrails(p.platform.configs, 'guardrails', { guardrails: g });
    p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 3 }, { name: 'auto', minReplicas: 1, maxReplicas: 10 }] });
    p.platform.addTenantCluster('globex', { clusterClass: p.golden, nodePools: [{ name: 'general', replicas: 10 }] });
    const report = check(p.app);
    expect(report.findingsOf('KM-TEN-008')).toEqual([]);
    expect(report.errors).toEqual([]);
  });
});
