import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { addSite, cleanupTempDirs, edgePlatform, tempDir, TENANT } from './fixture';
import { ConformanceChecker, FindingSeverity, FluxTree, FluxTreeResult, formatFindings } from '../../src';

// kubectl is on CI and on the dev machines; without it the build checks are reported as skipped.
const hasKubectl = !spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).error;
if (!hasKubectl) console.warn('kubectl not found: skipping kustomize build checks of the island trees');
const kubectlTest = hasKubectl ? test : test.skip;

const REPO_PATH = './dist/edge';

afterAll(() => cleanupTempDirs());

/** A central tenant, two sites with two tenants each, written as a Flux tree. */
function writeFleet(outdir: string): FluxTreeResult {
  const { app, platform } = edgePlatform();
  platform.addTenantCluster('erp', TENANT);
  for (const letter of ['a', 'b']) {
    const site = addSite(platform, letter);
    site.addTenantCluster(`${letter}-line-1`, TENANT);
    site.addTenantCluster(`${letter}-line-2`, TENANT);
  }
  return FluxTree.synth(app, { outdir, appName: 'edge', repoPath: REPO_PATH });
}

const outdir = tempDir();
const result = writeFleet(outdir);
const root = path.join(outdir, 'edge');

function readYaml(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8')).map((d) => d.toJSON()).filter((d) => d !== null);
}

/** The folders the Flux Kustomizations of a cluster apply (relative to the app folder). */
function foldersOf(cluster: string): string[] {
  return readYaml(`clusters/${cluster}/kustomization.yaml`)[0].resources
    .map((f: string) => readYaml(`clusters/${cluster}/${f}`)[0].spec.path as string)
    .map((p: string) => p.slice(REPO_PATH.length + 1))
    .sort();
}

function objectsIn(folder: string): any[] {
  const files: string[] = readYaml(`${folder}/kustomization.yaml`)[0].resources;
  return files.flatMap((f) => readYaml(`${folder}/${f}`));
}

describe('one Flux tree per cluster', () => {
  test('the under cluster and every island get their own clusters/<name>/ and bootstrap/<name>.yaml', () => {
    expect(result.clusters).toEqual(['factory-a', 'factory-b', 'under']);
    for (const cluster of result.clusters) {
      expect(readYaml(`bootstrap/${cluster}.yaml`)[0].spec.path).toBe(`${REPO_PATH}/clusters/${cluster}`);
    }
  });

  test('an island applies only its own folders under sites/<site>/, the under cluster none of them', () => {
    expect(foldersOf('factory-a')).toEqual([
      'sites/factory-a/infrastructure/configs',
      'sites/factory-a/infrastructure/controllers',
      'sites/factory-a/infrastructure/sources',
      'sites/factory-a/tenants/a-line-1',
      'sites/factory-a/tenants/a-line-2',
    ]);
    expect(foldersOf('under').filter((f) => f.startsWith('sites/'))).toEqual([]);
    expect(foldersOf('under')).toEqual(expect.arrayContaining(['tenants/a-line-1', 'tenants/island-factory-a', 'tenants/erp']));
    const islandUnits = result.units.filter((u) => u.cluster === 'factory-b').map((u) => `${u.name} <- ${u.dependsOn.join(',')}`);
    expect(islandUnits).toEqual([
      'infrastructure-configs <- infrastructure-controllers',
      'infrastructure-controllers <- infrastructure-sources',
      'infrastructure-sources <- ',
      'tenants-b-line-1 <- infrastructure-configs',
      'tenants-b-line-2 <- infrastructure-configs',
    ]);
  });

  test('which objects go where: CAPI objects centrally, control-plane runtime pieces on the island', () => {
    const central = foldersOf('under').flatMap(objectsIn);
    const island = foldersOf('factory-a').flatMap(objectsIn);
    const kinds = (objs: any[]) => [...new Set(objs.map((o) => o.kind))].sort();
    expect(kinds(island)).toEqual(['CDI', 'DataStore', 'HelmRelease', 'HelmRepository', 'IPAddressPool', 'KubeVirt', 'Kustomization', 'L2Advertisement', 'Namespace', 'OCIRepository']);
    expect(island.filter((o) => o.kind === 'DataStore').map((o) => o.metadata.name).sort()).toEqual(['a-line-1-etcd', 'a-line-2-etcd']);
    const siteTenantObjects = central.filter((o) => o.metadata.namespace === 'tenant-a-line-1');
    expect(kinds(siteTenantObjects)).toEqual(['Cluster', 'KamajiControlPlane', 'KubeadmConfigTemplate', 'KubevirtCluster', 'KubevirtMachineTemplate', 'MachineDeployment', 'MachineHealthCheck']);
    // Central datastores are those of the central tenant and the islands' own control planes.
    expect(central.filter((o) => o.kind === 'DataStore').map((o) => o.metadata.name).sort()).toEqual(['erp-etcd', 'island-factory-a-etcd', 'island-factory-b-etcd']);
    expect(central.filter((o) => o.kind === 'IPAddressPool').map((o) => o.metadata.name)).toEqual(['central-vips']);
  });

  test('every written file (central and islands) is valid against the pinned CRDs', () => {
    const errors = ConformanceChecker.default().validateDirectory(root).filter((f) => f.severity === FindingSeverity.ERROR);
    expect(errors.length ? formatFindings(errors) : '').toBe('');
  });

  test('the output is deterministic', () => {
    const again = tempDir();
    writeFleet(again);
    for (const file of result.files) {
      expect(fs.readFileSync(path.join(again, 'edge', file), 'utf8')).toBe(fs.readFileSync(path.join(root, file), 'utf8'));
    }
  });

  kubectlTest('every folder of every cluster builds with kubectl kustomize', () => {
    for (const cluster of result.clusters) {
      for (const folder of [`clusters/${cluster}`, ...foldersOf(cluster)]) {
        const run = spawnSync('kubectl', ['kustomize', path.join(root, folder)], { encoding: 'utf8' });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const built = YAML.parseAllDocuments(run.stdout).map((d) => d.toJSON()).filter((d) => d !== null);
        const unit = result.units.find((u) => u.path === folder);
        if (unit) expect(built).toHaveLength(unit.objectCount);
      }
    }
  });
});
