import { spawnSync } from 'child_process';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { cleanupTempDirs, platformApp, readYaml, tempDir } from './fixture';
import { FluxTree, GitOpsUnit } from '../../src/gitops';

// These trees test the Flux layout with bare objects, not platforms: they opt out of the reconcile check (tested in test/reconcile).
// kubectl is on CI and on the dev machines; users running the tests may not have it. Without it
// these checks are reported as skipped (never as passed).
const hasKubectl = !spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).error;
if (!hasKubectl) console.warn('kubectl not found: skipping kustomize build checks');
const kubectlTest = hasKubectl ? test : test.skip;

afterAll(() => cleanupTempDirs());

function kustomize(dir: string): any[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr}`);
  return YAML.parseAllDocuments(run.stdout).map(d => d.toJSON()).filter(d => d !== null);
}

kubectlTest('every folder a Flux Kustomization points at builds with kubectl kustomize', () => {
  const { app, tenant } = platformApp({ withPlainChart: true });
  // A nested unit and a plain chart inside a unit, to cover folder nesting.
  const team = new GitOpsUnit(tenant, 'team', { path: 'tenants/acme/team-a', namespace: 'team-a' });
  new ApiObject(new Chart(team, 'extras'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extras' } });
  const repoPath = './dist/kmetal';
  const outdir = tempDir();
  const result = FluxTree.synth(app, { outdir, appName: 'kmetal', repoPath, reconcile: false });
  const root = path.join(outdir, 'kmetal');

  const clusterObjects = kustomize(path.join(root, 'clusters/under'));
  expect(clusterObjects.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(result.units.map(u => `Kustomization/${u.name}`).sort());

  let built = 0;
  for (const k of [...clusterObjects, readYaml(path.join(root, 'bootstrap/under.yaml'))]) {
    expect(k.spec.path.startsWith(`${repoPath}/`)).toBe(true);
    const folder = path.join(root, k.spec.path.slice(repoPath.length + 1));
    const objects = kustomize(folder);
    const unit = result.units.find(u => u.path === k.spec.path.slice(repoPath.length + 1));
    if (unit) {
      expect(objects).toHaveLength(unit.objectCount);
      built += objects.length;
    }
  }
  expect(built).toBe(result.objectCount);
});
