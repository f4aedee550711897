import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { bundleDir, capiCluster, repoRoot } from './fixtures';
import { ConformanceChecker, FindingSeverity, expectConformant, formatFindings } from '../../src/conformance';

const checker = new ConformanceChecker({ bundleDir: bundleDir() });

const CLUSTER_YAML = `apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata:
  name: demo
  namespace: tenants
spec:
  clusterNetwork:
    pods:
      cidrBlocks: [10.244.0.0/16]
`;

describe('ConformanceChecker entry points', () => {
  test('validateYaml reads every document and records file and document index', () => {
    const text = `${CLUSTER_YAML}---\n---\n${CLUSTER_YAML.replace('clusterNetwork:', 'clusterNetwrok:')}`;
    const found = checker.validateYaml(text, 'clusters.yaml');
    expect(found.map((f) => [f.code, f.path, f.source])).toEqual([
      ['unknown-field', 'spec.clusterNetwrok', { file: 'clusters.yaml', documentIndex: 2 }],
    ]);
  });

  test('invalid YAML and duplicate keys are findings', () => {
    expect(checker.validateYaml('a: [1, 2', 'broken.yaml').map((f) => [f.code, f.source?.file])).toEqual([['yaml', 'broken.yaml']]);
    expect(checker.validateYaml(`${CLUSTER_YAML}kind: Cluster\n`).map((f) => f.code)).toEqual(['yaml']);
  });

  test('validateDirectory walks folders and skips kustomize configuration', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-dir-'));
    try {
      fs.mkdirSync(path.join(dir, 'tenants'));
      fs.writeFileSync(path.join(dir, 'tenants', 'cluster.yaml'), CLUSTER_YAML);
      fs.writeFileSync(path.join(dir, 'tenants', 'bad.yml'), CLUSTER_YAML.replace('demo', 'Demo'));
      fs.writeFileSync(path.join(dir, 'tenants', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cluster.yaml]\n');
      fs.writeFileSync(path.join(dir, 'README.md'), '# not a manifest');
      const found = checker.validateDirectory(dir);
      expect(found.map((f) => [f.code, path.relative(dir, f.source!.file!)])).toEqual([['name', path.join('tenants', 'bad.yml')]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('validateChart and validateApp check what cdk8s synthesizes, without writing files', () => {
    const app = new App({ outdir: path.join(os.tmpdir(), 'kmetal-never-written') });
    const good = new Chart(app, 'good', { namespace: 'tenants' });
    new ApiObject(good, 'cluster', { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'demo' }, spec: capiCluster().spec });
    const bad = new Chart(app, 'bad');
    new ApiObject(bad, 'cluster', { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'demo' }, spec: { bogus: true } });

    expect(checker.validateChart(good)).toEqual([]);
    const found = checker.validateApp(app);
    expect(found.map((f) => [f.code, f.path, f.source?.file])).toEqual([
      ['namespace', 'metadata.namespace', 'bad'],
      ['unknown-field', 'spec.bogus', 'bad'],
    ]);
    expect(fs.existsSync(path.join(os.tmpdir(), 'kmetal-never-written'))).toBe(false);
  });

  test('formatFindings prints one line per finding with severity, object, path, message, code and source', () => {
    const text = formatFindings(checker.validateYaml(CLUSTER_YAML.replace('clusterNetwork:', 'clusterNetwrok:'), 'c.yaml'));
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/^ERROR cluster\.x-k8s\.io\/v1beta2 Cluster tenants\/demo spec\.clusterNetwrok: unknown field "clusterNetwrok" \(did you mean "clusterNetwork"\?\).* \[unknown-field\] \(c\.yaml#0\)$/);
  });

  test('expectConformant throws an Error listing the errors, and accepts conformant input', () => {
    const props = { bundleDir: bundleDir() };
    expect(() => expectConformant([capiCluster()], props)).not.toThrow();
    expect(() => expectConformant({ ...capiCluster(), spec: { bogus: 1 } }, props)).toThrow(/1 conformance error:\nERROR .*spec\.bogus/);
    // warnings and notes do not fail it
    expect(() => expectConformant({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' } }, props)).not.toThrow();
    const app = new App();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(() => expectConformant(chart, props)).toThrow(/namespaced/);
    expect(() => expectConformant(app, { ...props, defaultNamespace: 'default' })).not.toThrow();
    expect(() => expectConformant(CLUSTER_YAML, props)).not.toThrow();
  });

  test('the shipped bundle is the committed imports/schemas, shared by default()', () => {
    const committed = path.join(repoRoot, 'imports', 'schemas');
    if (!fs.existsSync(committed)) {
      expect(() => ConformanceChecker.default()).toThrow(/schema bundle not found/);
      return;
    }
    expect(ConformanceChecker.default()).toBe(ConformanceChecker.default());
    expect(ConformanceChecker.default().validateObject(capiCluster()).filter((f) => f.severity === FindingSeverity.ERROR)).toEqual([]);
  });

  test('a missing bundle folder is a clear error at construction', () => {
    expect(() => new ConformanceChecker({ bundleDir: path.join(os.tmpdir(), 'kmetal-no-such-bundle') })).toThrow(/schema bundle not found at/);
  });
});
