import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { cleanupTempDirs, listFiles, platformApp, readYaml, tempDir } from './fixture';
import { FluxTree, GitOpsUnit } from '../../src/gitops';
import { Kustomization } from '../../src/imports/kustomize.toolkit.fluxcd.io';

// These trees test the Flux layout with bare objects, not platforms: they opt out of the reconcile check (tested in test/reconcile).
afterAll(() => cleanupTempDirs());

describe('layout', () => {
  const { app } = platformApp({ withPlainChart: true });
  const outdir = tempDir();
  const result = FluxTree.synth(app, { outdir, appName: 'kmetal', reconcile: false });
  const root = path.join(outdir, 'kmetal');

  test('writes one folder per unit, one Flux Kustomization per unit and a bootstrap root', () => {
    expect(listFiles(root)).toEqual([
      '.kmetal-tree.json',
      'apps/web-frontend/configmap-frontend.yaml',
      'apps/web-frontend/kustomization.yaml',
      'bootstrap/under.yaml',
      'clusters/under/apps-web-frontend.yaml',
      'clusters/under/infrastructure-controllers.yaml',
      'clusters/under/infrastructure-crds.yaml',
      'clusters/under/kustomization.yaml',
      'clusters/under/tenants-acme.yaml',
      'infrastructure/controllers/deployment-widget-controller.yaml',
      'infrastructure/controllers/kustomization.yaml',
      'infrastructure/controllers/namespace-acme.yaml',
      'infrastructure/controllers/namespace-widgets.yaml',
      'infrastructure/crds/customresourcedefinition-widgets.example.com.yaml',
      'infrastructure/crds/kustomization.yaml',
      'tenants/acme/configmap-settings.yaml',
      'tenants/acme/kustomization.yaml',
      'tenants/acme/widget-main.yaml',
    ]);
    // The tree's files; the writer's manifest of them sits beside them.
    expect(result.files).toEqual(listFiles(root).filter((f) => f !== '.kmetal-tree.json'));
    expect(result.outputDir).toBe(root);
  });

  test('unit Kustomizations carry path, dependsOn, prune, intervals and sourceRef', () => {
    expect(readYaml(path.join(root, 'clusters/under/tenants-acme.yaml'))).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'tenants-acme', namespace: 'flux-system' },
      spec: {
        dependsOn: [{ name: 'infrastructure-controllers' }],
        interval: '10m',
        // outdir is an absolute temp dir, so repoPath falls back to ./dist/<appName>
        path: './dist/kmetal/tenants/acme',
        prune: true,
        retryInterval: '1m',
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        timeout: '10m',
        wait: false,
      },
    });
    const controllers = readYaml(path.join(root, 'clusters/under/infrastructure-controllers.yaml'));
    expect(controllers.spec.dependsOn).toEqual([{ name: 'infrastructure-crds' }]);
    expect(controllers.spec.wait).toBe(true);
    expect(readYaml(path.join(root, 'clusters/under/infrastructure-crds.yaml')).spec.dependsOn).toBeUndefined();
  });

  test('Flux Kustomizations are exactly what the generated kustomize.toolkit.fluxcd.io/v1 L1 renders', () => {
    for (const file of result.files.filter(f => f.startsWith('clusters/') && !f.endsWith('/kustomization.yaml')).concat('bootstrap/under.yaml')) {
      const doc = readYaml(path.join(root, file));
      // Unknown or misspelt fields would be dropped by the L1's toJson_* mappers.
      expect(Kustomization.manifest({ metadata: doc.metadata, spec: doc.spec })).toEqual(doc);
      expect(doc.spec).toEqual(expect.objectContaining({ interval: expect.any(String), prune: expect.any(Boolean), sourceRef: expect.any(Object) }));
    }
  });

  test('every folder has a kustomization.yaml listing its files, sorted', () => {
    expect(readYaml(path.join(root, 'infrastructure/controllers/kustomization.yaml'))).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['deployment-widget-controller.yaml', 'namespace-acme.yaml', 'namespace-widgets.yaml'],
    });
    expect(readYaml(path.join(root, 'clusters/under/kustomization.yaml')).resources).toEqual([
      'apps-web-frontend.yaml',
      'infrastructure-controllers.yaml',
      'infrastructure-crds.yaml',
      'tenants-acme.yaml',
    ]);
  });

  test('the bootstrap Kustomization points at the cluster folder', () => {
    const root_ = readYaml(path.join(root, 'bootstrap/under.yaml'));
    expect(root_.metadata).toEqual({ name: 'kmetal', namespace: 'flux-system' });
    expect(root_.spec.path).toBe('./dist/kmetal/clusters/under');
    expect(root_.spec.prune).toBe(true);
  });

  test('objects are resolved like cdk8s does (chart namespace, YAML 1.1 quoting)', () => {
    const text = fs.readFileSync(path.join(root, 'tenants/acme/configmap-settings.yaml'), 'utf8');
    expect(text).toContain('namespace: acme');
    expect(text).toContain('enabled: "yes"');
    expect(text).toContain('mode: "0755"');
    expect(readYaml(path.join(root, 'tenants/acme/configmap-settings.yaml')).data['config.yaml']).toBe('a: 1\nb:\n  - c\n');
  });

  test('objects in a plain chart go to a default unit apps/<chart id>', () => {
    const unit = result.units.find(u => u.path === 'apps/web-frontend')!;
    expect(unit).toEqual({ name: 'apps-web-frontend', path: 'apps/web-frontend', cluster: 'under', objectCount: 1, dependsOn: [], constructPath: 'Web_Frontend', defaultUnit: true });
  });

  test('the result counts objects per kind and formats a summary', () => {
    expect(result.objectCount).toBe(7);
    expect(result.objectsPerKind).toEqual([
      { kind: 'ConfigMap', count: 2 },
      { kind: 'CustomResourceDefinition', count: 1 },
      { kind: 'Deployment', count: 1 },
      { kind: 'Namespace', count: 2 },
      { kind: 'Widget', count: 1 },
    ]);
    expect(result.clusters).toEqual(['under']);
    expect(FluxTree.formatSummary(result)).toBe(`7 objects (ConfigMap: 2, CustomResourceDefinition: 1, Deployment: 1, Namespace: 2, Widget: 1), 4 units, 17 files → ${root}`);
  });
});

describe('repoPath and sourceRef', () => {
  test('repoPath defaults to ./<outdir>/<appName> for a relative outdir', () => {
    const tree = new FluxTree(new App(), { outdir: 'build/out', appName: 'kmetal' });
    expect(tree.repoPath).toBe('./build/out/kmetal');
    expect(new FluxTree(new App(), { outdir: '/abs/elsewhere', appName: 'kmetal' }).repoPath).toBe('./dist/kmetal');
  });

  test('spec.path is <repoPath>/<unit path>; a custom source is referenced', () => {
    const { app } = platformApp();
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'kmetal', repoPath: 'platform/dist/kmetal/', sourceRef: { kind: 'OCIRepository', name: 'platform', namespace: 'flux-sources' }, fluxNamespace: 'flux' });
    const doc = readYaml(path.join(outdir, 'kmetal/clusters/under/tenants-acme.yaml'));
    expect(doc.metadata.namespace).toBe('flux');
    expect(doc.spec.path).toBe('./platform/dist/kmetal/tenants/acme');
    expect(doc.spec.sourceRef).toEqual({ kind: 'OCIRepository', name: 'platform', namespace: 'flux-sources' });
  });

  test('bad props are rejected before anything is written', () => {
    expect(() => new FluxTree(new App(), { appName: 'Bad_Name' })).toThrow(/appName/);
    expect(() => new FluxTree(new App(), { appName: 'ok', repoPath: '../outside' })).toThrow(/repoPath.*leaves the repository/);
    expect(() => new FluxTree(new App(), { appName: 'ok', sourceRef: { kind: 'HelmRepository', name: 'x' } })).toThrow(/not a Flux source kind/);
  });
});

describe('dependencies', () => {
  test('an object dependency across units becomes dependsOn', () => {
    const app = new App();
    const a = new GitOpsUnit(app, 'a', { path: 'a' });
    const b = new GitOpsUnit(app, 'b', { path: 'b' });
    const inA = new ApiObject(a, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const inB = new ApiObject(b, 'y', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } });
    inB.addDependency(inA);
    const result = FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false });
    expect(result.units.map(u => [u.name, u.dependsOn])).toEqual([['a', []], ['b', ['a']]]);
  });

  test('a dependency between higher-level constructs applies to the units of all their objects', () => {
    const app = new App();
    const platform = new GitOpsUnit(app, 'platform', { path: 'platform' });
    const stack = new Construct(platform, 'Stack'); // an L3-like construct holding objects
    new ApiObject(stack, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'p' } });
    const tenantChart = new Chart(app, 'tenant');
    const tenantUnit = new GitOpsUnit(tenantChart, 'unit', { path: 'tenants/t1' });
    const tenantStack = new Construct(tenantUnit, 'Stack');
    new ApiObject(tenantStack, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'p' } });
    tenantStack.node.addDependency(stack);
    const result = FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false });
    expect(result.units.find(u => u.path === 'tenants/t1')!.dependsOn).toEqual(['platform']);
  });

  test('explicit dependencies work for units without objects', () => {
    const app = new App();
    const gate = new GitOpsUnit(app, 'gate', { path: 'gate' });
    const after = new GitOpsUnit(app, 'after', { path: 'after', dependsOn: [gate] });
    expect(after.unitDependencies).toEqual([gate]);
    const result = FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false });
    expect(result.units.find(u => u.name === 'after')!.dependsOn).toEqual(['gate']);
  });

  test('a cycle between units is an error naming the units', () => {
    const { app, crd, widget } = platformApp();
    crd.addDependency(widget); // crds → tenant, while tenant → controllers → crds
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal', reconcile: false }))
      .toThrow(/cycle.*"infrastructure-controllers" \(controllers\) → "infrastructure-crds" \(crds\) → "tenants-acme" \(acme\) → "infrastructure-controllers"/);
  });

  test('a dependency on a unit of another cluster is an error', () => {
    const app = new App();
    const under = new GitOpsUnit(app, 'under', { path: 'platform' });
    const edge = new GitOpsUnit(app, 'edge', { path: 'edge/site-1', cluster: 'site-1', dependsOn: [under] });
    expect(edge.cluster).toBe('site-1');
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false }))
      .toThrow(/"edge-site-1" \(edge\) of cluster "site-1" depends on unit "platform" \(under\) of cluster "under"/);
  });
});

describe('clusters', () => {
  test('units of another cluster get their own clusters/<name> folder and bootstrap file', () => {
    const app = new App();
    const edge = new GitOpsUnit(app, 'edge', { path: 'edge/site-1', cluster: 'site-1' });
    new ApiObject(edge, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    const under = new GitOpsUnit(app, 'under', { path: 'platform' });
    new ApiObject(under, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }); // same object, other cluster: fine
    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
    expect(result.clusters).toEqual(['site-1', 'under']);
    expect(result.files.filter(f => f.startsWith('clusters/') || f.startsWith('bootstrap/'))).toEqual([
      'bootstrap/site-1.yaml',
      'bootstrap/under.yaml',
      'clusters/site-1/edge-site-1.yaml',
      'clusters/site-1/kustomization.yaml',
      'clusters/under/kustomization.yaml',
      'clusters/under/platform.yaml',
    ]);
  });
});

describe('empty app', () => {
  test('an app without objects still gets its cluster folder and bootstrap, so Flux can prune', () => {
    const outdir = tempDir();
    const result = FluxTree.synth(new App(), { outdir, appName: 'app', reconcile: false });
    expect(result.files).toEqual(['bootstrap/under.yaml', 'clusters/under/kustomization.yaml']);
    expect(readYaml(path.join(outdir, 'app/clusters/under/kustomization.yaml')).resources).toEqual([]);
    expect(FluxTree.formatSummary(result)).toBe(`0 objects, 0 units, 2 files → ${path.join(outdir, 'app')}`);
  });
});

describe('objects and file names', () => {
  test('the same apiVersion/kind/namespace/name twice is an error naming both construct paths', () => {
    const app = new App();
    const a = new GitOpsUnit(app, 'a', { path: 'a' });
    const b = new GitOpsUnit(app, 'b', { path: 'b' });
    new ApiObject(a, 'one', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'ns' } });
    new ApiObject(b, 'two', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'ns' } });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false }))
      .toThrow(/ConfigMap "same" in namespace "ns" \(API group core\) is defined twice for cluster "under": at a\/one and at b\/two/);
  });

  test('names collide only when they must: namespace, then API group are added', () => {
    const app = new App();
    const u = new GitOpsUnit(app, 'u', { path: 'u' });
    new ApiObject(u, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'one' } });
    new ApiObject(u, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'two' } });
    new ApiObject(u, 'c', { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name: 'c1', namespace: 'one' } });
    new ApiObject(u, 'd', { apiVersion: 'example.com/v1', kind: 'Cluster', metadata: { name: 'c1', namespace: 'one' } });
    new ApiObject(u, 'e', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alone', namespace: 'one' } });
    const result = FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false });
    expect(result.files.filter(f => f.startsWith('u/'))).toEqual([
      'u/cluster.cluster.x-k8s.io-one-c1.yaml',
      'u/cluster.example.com-one-c1.yaml',
      'u/configmap-one-cfg.yaml',
      'u/configmap-two-cfg.yaml',
      'u/kustomization.yaml',
      'u/secret-alone.yaml',
    ]);
  });

  test('Lazy values and JSON patches are applied', () => {
    const app = new App();
    const u = new GitOpsUnit(app, 'u', { path: 'u', labels: { team: 'platform' } });
    let replicas = 1;
    const obj = new ApiObject(u, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: Lazy.any({ produce: () => replicas }) } } as any);
    replicas = 3;
    obj.addJsonPatch(JsonPatch.add('/spec/paused', true));
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
    const doc = readYaml(path.join(outdir, 'app/u/deployment-d.yaml'));
    expect(doc.spec).toEqual({ replicas: 3, paused: true });
    expect(doc.metadata.labels).toEqual({ team: 'platform' });
  });

  test('objects belong to the nearest unit; a plain chart\'s other objects to its default unit', () => {
    const app = new App();
    const outer = new Chart(app, 'outer');
    new ApiObject(outer, 'loose', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'loose' } });
    const parent = new GitOpsUnit(outer, 'parent', { path: 'parent' });
    new ApiObject(parent, 'p', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } });
    const child = new GitOpsUnit(parent, 'child', { path: 'parent/child' });
    const inner = new Chart(child, 'inner');
    new ApiObject(inner, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(GitOpsUnit.tryOf(inner)).toBe(child);
    const result = FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false });
    expect(result.files.filter(f => !f.endsWith('kustomization.yaml') && !f.includes('/under'))).toEqual([
      'apps/outer/configmap-loose.yaml',
      'parent/child/configmap-c.yaml',
      'parent/configmap-p.yaml',
    ]);
  });

  test('two units with the same folder are an error naming both', () => {
    const app = new App();
    new GitOpsUnit(app, 'one', { path: 'apps/web' });
    const web = new Chart(app, 'web');
    new ApiObject(web, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false }))
      .toThrow(/folder "apps\/web" is used by unit "apps-web" \(one\) and by unit "apps-web" \(default unit of chart web\)/);
  });

  test('a unit named like the root Kustomization is an error', () => {
    const app = new App();
    new GitOpsUnit(app, 'u', { path: 'kmetal' });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'kmetal', reconcile: false })).toThrow(/root Kustomization of cluster "under"/);
  });
});

describe('validation', () => {
  test('every failing construct validation is reported in one error, and nothing is written', () => {
    const app = new App();
    const u = new GitOpsUnit(app, 'u', { path: 'u' });
    const obj = new ApiObject(u, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    obj.node.addValidation({ validate: () => ['needs a label'] });
    const other = new Construct(app, 'other');
    other.node.addValidation({ validate: () => ['first problem', 'second problem'] });
    const outdir = tempDir();
    let error: Error | undefined;
    try {
      FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/3 construct validation\(s\) failed/);
    expect(error?.message).toContain('[u/x] needs a label');
    expect(error?.message).toContain('[other] first problem');
    expect(error?.message).toContain('[other] second problem');
    expect(fs.existsSync(path.join(outdir, 'app'))).toBe(false);
  });

  test('wait together with health checks is rejected (Flux would ignore the checks)', () => {
    const app = new App();
    const u = new GitOpsUnit(app, 'u', { path: 'u', wait: true });
    u.addHealthCheck({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', namespace: 'x' });
    expect(() => FluxTree.synth(app, { outdir: tempDir(), appName: 'app', reconcile: false })).toThrow(/\[u\] wait is true, so Flux ignores the 1 health check/);
  });

  test('health checks are written, including ones taken from API objects', () => {
    const app = new App();
    const u = new GitOpsUnit(app, 'u', { path: 'u', targetNamespace: 'team' });
    const dep = new ApiObject(u, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' } });
    u.addHealthCheck({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'cilium', namespace: 'kube-system' });
    u.addHealthCheckFor(dep);
    const outdir = tempDir();
    FluxTree.synth(app, { outdir, appName: 'app', reconcile: false });
    const spec = readYaml(path.join(outdir, 'app/clusters/under/u.yaml')).spec;
    expect(spec.targetNamespace).toBe('team');
    expect(spec.healthChecks).toEqual([
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'cilium', namespace: 'kube-system' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'team' },
    ]);
  });
});

describe('output folder', () => {
  test('files the writer did not write are kept (see folder-sync.test.ts); files outside the app folder are not touched', () => {
    const outdir = tempDir();
    fs.mkdirSync(path.join(outdir, 'kmetal/tenants/gone'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'kmetal/tenants/gone/old.yaml'), 'x');
    fs.mkdirSync(path.join(outdir, 'kmetal/report'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'kmetal/report/policy.json'), '{}');
    fs.writeFileSync(path.join(outdir, 'neighbour.yaml'), 'keep me');
    const result = FluxTree.synth(platformApp().app, { outdir, appName: 'kmetal', preserve: ['report'], reconcile: false });
    expect(result.filesRemoved).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'kmetal/tenants/gone/old.yaml'), 'utf8')).toBe('x');
    expect(fs.readFileSync(path.join(outdir, 'kmetal/report/policy.json'), 'utf8')).toBe('{}');
    expect(fs.readFileSync(path.join(outdir, 'neighbour.yaml'), 'utf8')).toBe('keep me');
  });

  test('a second write of the same app changes no file', () => {
    const outdir = tempDir();
    const first = FluxTree.synth(platformApp().app, { outdir, appName: 'kmetal', reconcile: false });
    const second = FluxTree.synth(platformApp().app, { outdir, appName: 'kmetal', reconcile: false });
    expect(first.filesWritten).toBe(first.files.length);
    expect(second.filesWritten).toBe(0);
    expect(second.filesRemoved).toBe(0);
  });
});
