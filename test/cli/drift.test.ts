import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { PLATFORM_GROUPS, REPO_ROOT, TestWorkspace, TOKEN } from './support/fixture';
import { KmetalHost, type KmetalRun } from './support/kmetal-host';
import type { StandInApiServer } from './support/stand-in-api-server';
import { removeFolder, writeTestTree } from './support/tree-builder';
import { readFluxTree } from '../../src/cli/tree/flux-tree-reader';

let host: KmetalHost;
let ws: TestWorkspace;
let tmp: string;
beforeAll(async () => {
  host = await KmetalHost.start();
  ws = TestWorkspace.create();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-drift-'));
});
afterAll(async () => {
  await host?.stop();
  await ws?.dispose();
  removeFolder(tmp);
});

function checked(run: KmetalRun): KmetalRun {
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  return run;
}

const QUICKSTART = path.join(REPO_ROOT, 'dist', 'quickstart');

/**
 * A cluster that Flux has applied the quickstart tree to: every object is live, with what a server
 * adds (status, managed fields, defaults, Flux's labels), except where `change` says otherwise.
 */
function appliedCluster(change: (obj: any) => any | undefined = (o) => o) {
  return (s: StandInApiServer) => {
    s.serveBuiltins().serveGroupsFromBundle(PLATFORM_GROUPS).addNamespaces('default', 'flux-system');
    for (const o of readFluxTree(QUICKSTART).objects) {
      const live = JSON.parse(JSON.stringify(o.manifest));
      live.metadata.labels = { ...live.metadata.labels, 'kustomize.toolkit.fluxcd.io/name': o.layer.name, 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
      live.metadata.managedFields = [{ manager: 'kustomize-controller', operation: 'Apply' }];
      live.status = { observedGeneration: 1 };
      if (live.kind === 'MachineDeployment') live.spec.minReadySeconds = 0; // a server default
      const changed = change(live);
      if (changed) s.addObject(changed);
    }
  };
}

describe('kmetal drift on the quickstart tree', () => {
  test('a cluster that matches the tree: no drift (exit 0), and only reads', async () => {
    const { kubeconfig, server } = await ws.standIn('in-sync', appliedCluster());
    const run = checked(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfig]));
    expect(run.stdout).toMatch(/^(\d+) objects: \1 in sync, 0 changed, 0 missing; 0 orphans$/m);
    expect(run.code).toBe(0);
    expect(new Set(server.requests.map((r) => r.method))).toEqual(new Set(['GET']));
  });

  describe('a cluster that drifted', () => {
    let run: KmetalRun;
    let server: StandInApiServer;
    let kubeconfig: string;
    beforeAll(async () => {
      const standIn = await ws.standIn('drifted', (s) => {
        appliedCluster((o) => {
          if (o.kind === 'MachineDeployment') o.spec.replicas = 7;
          if (o.kind === 'KubevirtCluster') return undefined;
          return o;
        })(s);
        // Left behind when its tenant unit lost it: Flux's label names a Kustomization of this tree.
        s.addObject({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'old', namespace: 'tenant-acme', labels: { 'kustomize.toolkit.fluxcd.io/name': 'tenants-acme', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }, spec: {} });
        // Carries the library's ownership labels for this app.
        s.addObject({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'retired', namespace: 'flux-system', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-kmetal', 'kmetal.io/app': 'quickstart' } }, spec: {} });
        // Another app's object: not an orphan of this tree.
        s.addObject({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'theirs', namespace: 'default', labels: { 'kustomize.toolkit.fluxcd.io/name': 'other-app', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }, spec: {} });
      });
      server = standIn.server;
      kubeconfig = standIn.kubeconfig;
      run = checked(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfig]));
    });

    test('exits 1 and reports the changed field with both values', () => {
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('WARNING cluster.x-k8s.io/v1beta2 MachineDeployment tenant-acme/acme-general spec.replicas: tree sets 3, cluster has 7 [changed] (tenants/acme/machinedeployment-acme-general.yaml#0)');
    });

    test('reports the missing object', () => {
      expect(run.stdout).toContain('WARNING infrastructure.cluster.x-k8s.io/v1alpha1 KubevirtCluster tenant-acme/acme not in the cluster [missing] (tenants/acme/kubevirtcluster-acme.yaml#0)');
    });

    test('reports orphans by Flux\'s label and by the library\'s ownership labels, not other apps\' objects', () => {
      expect(run.stdout).toContain('WARNING cluster.x-k8s.io/v1beta2 Cluster tenant-acme/old applied by Flux Kustomization tenants-acme of this tree, but the tree no longer contains it [orphan]');
      expect(run.stdout).toContain('WARNING helm.toolkit.fluxcd.io/v2 HelmRelease flux-system/retired labelled app.kubernetes.io/managed-by=cdk8s-kmetal,kmetal.io/app=quickstart, but the tree no longer contains it [orphan]');
      expect(run.stdout).not.toContain('theirs');
      expect(run.stdout).toMatch(/ 1 changed, 1 missing; 2 orphans$/m);
    });

    test('--orphans-dir writes the orphans as manifests, without server fields: the input of a DestructiveChangeGuard', async () => {
      const dir = path.join(tmp, 'orphans');
      const again = checked(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfig, '--quiet', '--orphans-dir', dir]));
      expect(again.code).toBe(1);
      expect(fs.readdirSync(dir).sort()).toEqual(['cluster-tenant-acme-old.yaml', 'helmrelease-flux-system-retired.yaml']);
      const cluster = YAML.parse(fs.readFileSync(path.join(dir, 'cluster-tenant-acme-old.yaml'), 'utf8'));
      expect(cluster).toEqual({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'old', namespace: 'tenant-acme', labels: { 'kustomize.toolkit.fluxcd.io/name': 'tenants-acme', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } },
        spec: {},
      });
    });

    test('reads each object with a GET at its path, and lists the tree\'s kinds by the ownership label selectors', () => {
      expect(server.requests.some((r) => r.method === 'GET' && r.path === '/apis/cluster.x-k8s.io/v1beta2/namespaces/tenant-acme/machinedeployments/acme-general')).toBe(true);
      const lists = server.requests.filter((r) => r.path === '/apis/cluster.x-k8s.io/v1beta2/clusters').slice(0, 2);
      expect(lists.map((r) => r.query)).toEqual([
        { limit: '500', labelSelector: 'app.kubernetes.io/managed-by=cdk8s-kmetal,kmetal.io/app=quickstart' },
        { limit: '500', labelSelector: 'kustomize.toolkit.fluxcd.io/name,kustomize.toolkit.fluxcd.io/namespace=flux-system' },
      ]);
      expect(server.requests.every((r) => r.method === 'GET' && r.authorized)).toBe(true);
    });
  });

  test('lists page by page (limit and continue)', async () => {
    const { kubeconfig, server } = await ws.standIn('pages', (s) => {
      appliedCluster()(s);
      for (let i = 0; i < 1200; i++) {
        s.addObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `other-${i}`, labels: { 'kustomize.toolkit.fluxcd.io/name': 'someone-else', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } } });
      }
    });
    const run = checked(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfig, '--quiet']));
    expect(run.code).toBe(0);
    const pages = server.requests.filter((r) => r.path === '/api/v1/namespaces' && r.query.labelSelector?.startsWith('kustomize'));
    expect(pages.map((r) => r.query.continue)).toEqual([undefined, '500', '1000']);
  });

  test('a LIST the user may not do is a warning that orphans of that kind were not looked for', async () => {
    const { kubeconfig } = await ws.standIn('nolist', (s) => {
      appliedCluster()(s);
      s.override((r) => r.path === '/apis/cluster.x-k8s.io/v1beta2/clusters', 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'clusters.cluster.x-k8s.io is forbidden: User "ci" cannot list resource "clusters" in API group "cluster.x-k8s.io" at the cluster scope' });
    });
    const run = checked(await host.run(['drift', 'dist/quickstart', '--kubeconfig', kubeconfig, '--json']));
    const finding = JSON.parse(run.stdout).findings.find((f: any) => f.code === 'orphans-not-checked');
    expect(finding).toMatchObject({ severity: 'warning', kind: 'Cluster', message: expect.stringContaining('not allowed to list clusters.cluster.x-k8s.io in all namespaces') });
  });
});

test('kmetal drift never shows the values of a Secret', async () => {
  const dir = writeTestTree(path.join(tmp, 'secret'), 'secret', [{ path: 'apps', objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { note: 'x' }, data: { password: Buffer.from('tree-password-value').toString('base64') } }] }]);
  const { kubeconfig } = await ws.standIn('secret', (s) => {
    s.serveBuiltins().serveGroupsFromBundle(['kustomize.toolkit.fluxcd.io']).addNamespaces('default', 'flux-system');
    s.addObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { note: Buffer.from('x').toString('base64'), password: Buffer.from('live-password-value').toString('base64') } });
  });
  const run = checked(await host.run(['drift', dir, '--kubeconfig', kubeconfig]));
  expect(run.stdout).toContain('WARNING v1 Secret default/s data.password: tree sets (hidden), cluster has (hidden) [changed]');
  // stringData is write-only: the server keeps it in data, where it matches.
  expect(run.stdout).not.toMatch(/stringData|data\.note/);
  for (const secret of ['tree-password-value', 'live-password-value', Buffer.from('tree-password-value').toString('base64'), Buffer.from('live-password-value').toString('base64')]) {
    expect(run.stdout).not.toContain(secret);
  }
});
