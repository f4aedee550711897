import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { cleanupTempDirs, listFiles, tempDir } from './fixture';
import { FluxTree, GitOpsUnit } from '../../src/gitops';

// These trees test the Flux layout with bare objects, not platforms: they opt out of the reconcile check (tested in test/reconcile).
afterAll(() => cleanupTempDirs());

/** A program with several units, default units, cross-unit dependencies and colliding names. */
function program(): App {
  const app = new App();
  const infra = new GitOpsUnit(app, 'infra', { path: 'infrastructure/controllers' });
  const base = new ApiObject(infra, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'platform' } });
  for (let t = 0; t < 12; t++) {
    const unit = new GitOpsUnit(app, `tenant${t}`, { path: `tenants/t${t}`, namespace: `t${t}`, labels: { tenant: `t${t}` } });
    const first = new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', data: { n: `${t}`, flag: 'on', script: '#!/bin/sh\necho "hi"\n' } } as any);
    new ApiObject(unit, 'other-ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: first.name, namespace: 'shared' } });
    new ApiObject(unit, 'svc', { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80 }] } } as any);
    first.addDependency(base);
  }
  const plain = new Chart(app, 'extras');
  new ApiObject(plain, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' } });
  return app;
}

test('the same program gives a byte-identical tree', () => {
  const [a, b] = [tempDir(), tempDir()];
  const ra = FluxTree.synth(program(), { outdir: a, appName: 'fleet', reconcile: false });
  const rb = FluxTree.synth(program(), { outdir: b, appName: 'fleet', reconcile: false });
  const files = listFiles(path.join(a, 'fleet'));
  expect(listFiles(path.join(b, 'fleet'))).toEqual(files);
  expect(files.length).toBeGreaterThan(50);
  for (const f of files) {
    expect(fs.readFileSync(path.join(b, 'fleet', f))).toEqual(fs.readFileSync(path.join(a, 'fleet', f)));
  }
  expect({ ...rb, outputDir: '' }).toEqual({ ...ra, outputDir: '' });
});

test('no anchors, aliases or folded lines in the output', () => {
  const dir = tempDir();
  const app = new App();
  const unit = new GitOpsUnit(app, 'u', { path: 'u' });
  const shared = { app: 'x', tier: 'backend' };
  new ApiObject(unit, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: shared }, template: { metadata: { labels: shared } }, note: 'x'.repeat(300) } } as any);
  FluxTree.synth(app, { outdir: dir, appName: 'app', reconcile: false });
  const text = fs.readFileSync(path.join(dir, 'app/u/deployment-d.yaml'), 'utf8');
  expect(text).not.toMatch(/[&*]a\d/);
  expect(text).toContain(`note: ${'x'.repeat(300)}\n`);
});
