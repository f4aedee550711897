import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Lazy } from 'cdk8s';
import { cleanupTempDirs, readYaml, tempDir } from './fixture';
import { ConformanceChecker, FluxTree, GitOpsUnit, isKmetalValidationError, Policy, PolicyContext, PolicyPack, PolicyRule, PolicySeverity, PolicyViolation } from '../../src';

afterAll(() => cleanupTempDirs());

/** An ApiObject that counts its renders. */
class CountedObject extends ApiObject {
  public renders = 0;
  public toJson(): any {
    this.renders++;
    return super.toJson();
  }
}

/** A rule that reads every object, so the policy run renders them all. */
class ReadEverythingRule extends PolicyRule {
  constructor() {
    super({ id: 'TEST-001', severity: PolicySeverity.ERROR, description: 'Reads every object', remediation: 'none' });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    expect(context.objects.length).toBeGreaterThan(0);
    return [];
  }
}

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('conformance at write time', () => {
  function appWith(spec: any): { app: App; unit: GitOpsUnit } {
    const app = new App();
    const unit = new GitOpsUnit(app, 'tenant', { path: 'tenants/acme' });
    new ApiObject(unit, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme' } });
    new ApiObject(unit, 'cluster', { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'acme', namespace: 'acme' }, spec } as any);
    return { app, unit };
  }

  test('an object the API server would refuse fails the write with its construct path, and nothing is written', () => {
    const { app } = appWith({ paused: 'yes', bogusField: 1 });
    const outdir = tempDir();
    const error = thrown(() => FluxTree.synth(app, { outdir, appName: 'app', conformance: ConformanceChecker.default() }));
    expect(isKmetalValidationError(error)).toBe(true);
    expect(error.field).toBe('conformance');
    expect(error.message).toMatch(/2 problem\(s\) in objects a strict API server would refuse/);
    expect(error.message).toContain('[tenant/cluster] Cluster acme/acme spec.bogusField: ');
    expect(error.message).toContain('[tenant/cluster] Cluster acme/acme spec.paused: ');
    expect(fs.existsSync(path.join(outdir, 'app'))).toBe(false);
  });

  test('the same app is written when the check is not asked for (the default)', () => {
    const { app } = appWith({ bogusField: 1 });
    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'app' });
    expect(result.conformanceWarnings).toEqual([]);
    expect(readYaml(path.join(outdir, 'app', 'tenants/acme/cluster-acme.yaml')).spec).toEqual({ bogusField: 1 });
  });

  test('a conformant app is written byte for byte as without the check', () => {
    const withCheck = tempDir();
    const without = tempDir();
    FluxTree.synth(appWith({ paused: true }).app, { outdir: without, appName: 'app' });
    const result = FluxTree.synth(appWith({ paused: true }).app, { outdir: withCheck, appName: 'app', conformance: ConformanceChecker.default() });
    for (const file of result.files) {
      expect(fs.readFileSync(path.join(withCheck, 'app', file), 'utf8')).toBe(fs.readFileSync(path.join(without, 'app', file), 'utf8'));
    }
  });

  test('the Flux Kustomizations the writer generates are checked too, named by their unit', () => {
    // A bundle without Flux's kustomize group: every generated Kustomization is an unknown kind.
    const bundleDir = tempDir();
    fs.copyFileSync(path.join(__dirname, '../../imports/schemas/cluster.x-k8s.io.json'), path.join(bundleDir, 'cluster.x-k8s.io.json'));
    const { app } = appWith({ paused: true });
    const error = thrown(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'app', conformance: new ConformanceChecker({ bundleDir }) }));
    expect(error.message).toMatch(/1 problem\(s\)/);
    expect(error.message).toContain('[tenant] Kustomization flux-system/tenants-acme kind: ');
  });

  test('a long list of problems is cut after 20, with the count', () => {
    const app = new App();
    const unit = new GitOpsUnit(app, 'tenants', { path: 'tenants' });
    for (let i = 0; i < 25; i++) {
      new ApiObject(unit, `c${i}`, { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: `c${i}`, namespace: 'acme' }, spec: { bogusField: i } } as any);
    }
    const error = thrown(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'app', conformance: ConformanceChecker.default() }));
    expect(error.message).toMatch(/^\[<app>\] conformance: 25 problem\(s\)/);
    expect(error.message).toContain('... and 5 more');
    expect(error.message.match(/\[tenants\/c\d+\]/g)).toHaveLength(20);
  });
});

describe('render session', () => {
  test('with a policy pack and the conformance check, every object is rendered once per write', () => {
    const app = new App();
    const unit = new GitOpsUnit(app, 'u', { path: 'u' });
    const objects = [0, 1, 2].map((i) => new CountedObject(unit, `cm${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}`, namespace: 'x' } }));
    Policy.of(app).addPack(new PolicyPack({ name: 'test', rules: [new ReadEverythingRule()] }));
    FluxTree.synth(app, { outdir: tempDir(), appName: 'app', conformance: ConformanceChecker.default(), reconcile: false });
    expect(objects.map((o) => o.renders)).toEqual([1, 1, 1]);
  });

  test('a rule cannot change what is written: the shared render is frozen', () => {
    class MutatingRule extends PolicyRule {
      constructor() {
        super({ id: 'TEST-002', severity: PolicySeverity.ERROR, description: 'Tries to change objects', remediation: 'none' });
      }
      public evaluate(context: PolicyContext): PolicyViolation[] {
        for (const o of context.objects) o.json.metadata.name = 'changed';
        return [];
      }
    }
    const app = new App();
    const unit = new GitOpsUnit(app, 'u', { path: 'u' });
    new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' } });
    Policy.of(app).addPack(new PolicyPack({ name: 'test', rules: [new MutatingRule()] }));
    const outdir = tempDir();
    const error = thrown(() => FluxTree.synth(app, { outdir, appName: 'app', reconcile: false }));
    expect(error.message).toMatch(/TEST-002/);
    expect(error.message).toMatch(/read[- ]only|Cannot assign/);
    expect(fs.existsSync(path.join(outdir, 'app'))).toBe(false);
  });

  test('nothing is cached across writes: a change between two writes is written', () => {
    const app = new App();
    const unit = new GitOpsUnit(app, 'u', { path: 'u' });
    let value = 'one';
    new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { v: Lazy.any({ produce: () => value }) } } as any);
    Policy.of(app).addPack(new PolicyPack({ name: 'test', rules: [new ReadEverythingRule()] }));
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
    expect(readYaml(path.join(outdir, 'app', 'u/configmap-cm.yaml')).data).toEqual({ v: 'one' });
    value = 'two';
    expect(Policy.of(app).check().findings).toEqual([]);
    FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
    expect(readYaml(path.join(outdir, 'app', 'u/configmap-cm.yaml')).data).toEqual({ v: 'two' });
  });
});
