import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readFluxTree } from '../../../src/cli/tree/flux-tree-reader';
import { InstalledApis } from '../../../src/cli/tree/installed-apis';
import { REPO_ROOT } from '../support/fixture';
import { removeFolder, widgetCrd, writeTestTree } from '../support/tree-builder';

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-apis-')); });
afterAll(() => removeFolder(tmp));

describe('InstalledApis', () => {
  test('a CRD object installs exactly its group, served versions and kind, with its scope', () => {
    const dir = writeTestTree(path.join(tmp, 'crd'), 'crd', [{ path: 'crds', objects: [widgetCrd()] }]);
    const apis = InstalledApis.of(readFluxTree(dir));
    expect(apis.installersOf('example.com/v1', 'Widget').map((i) => [i.layer.name, i.how])).toEqual([['crds', 'CRD widgets.example.com']]);
    expect(apis.installersOf('example.com/v2', 'Widget')).toEqual([]);
    expect(apis.installersOf('example.com/v1', 'Gadget')).toEqual([]);
    expect(apis.scopeOf('example.com/v1', 'Widget')).toBe('Namespaced');
  });

  test('the quickstart\'s releases bring the API versions the version matrix pins for them', () => {
    const apis = InstalledApis.of(readFluxTree(path.join(REPO_ROOT, 'dist', 'quickstart')));
    const first = (apiVersion: string, kind: string) => apis.installersOf(apiVersion, kind)[0];
    expect(first('kamaji.clastix.io/v1alpha1', 'DataStore').how).toBe('HelmRelease flux-system/kamaji (chart kamaji)');
    expect(first('cluster.x-k8s.io/v1beta2', 'Cluster').how).toBe('CoreProvider capi-system/cluster-api (Cluster API operator)');
    expect(first('kubevirt.io/v1', 'KubeVirt').how).toBe('Kustomization flux-system/kubevirt (kubevirt release manifests)');
    expect(first('cluster.x-k8s.io/v1beta2', 'Cluster').layer.name).toBe('infrastructure-configs');
    expect(apis.creatorsOf('tenant-acme').map((c) => c.how)).toEqual(['Namespace tenant-acme']);
    expect(apis.creatorsOf('kubevirt').map((c) => c.how)).toEqual(['Kustomization flux-system/kubevirt (kubevirt release manifests)']);
    expect(apis.creatorsOf('cert-manager').map((c) => c.how)).toEqual(['HelmRelease flux-system/cert-manager (createNamespace)']);
  });
});
