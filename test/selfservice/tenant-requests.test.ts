import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { loadFiles, problemsOf, request } from './fixtures';
import { selfServicePlatform } from '../../examples/self-service/platform';
import { ConformanceChecker, FluxTree, TenantRequests } from '../../src';
import { findObject, ofKind } from '../support/platform';

// Every field of the schema, once (line numbers are asserted below, so keep the layout).
const FULL = `# yaml-language-server: $schema=../../schemas/tenant-request.schema.json
apiVersion: kmetal.io/v1alpha1
kind: TenantClusterRequest
name: full
size: large
kubernetesVersion: v1.33
nodePools:
  - name: fixed
    nodeClass: memory
    replicas: 3
  - name: elastic
    nodeClass: standard
    minReplicas: 1
    maxReplicas: 5
  - name: gpu
    nodeClass: gpu-a100
    replicas: 1
    gpusPerNode: 2
addons: [monitoring, ingress]
loadBalancerAddresses: 3
owners:
  - kind: Group
    name: shop-developers
  - kind: ServiceAccount
    name: system:serviceaccount:ci:deployer
dataStore: shared-etcd
network:
  vpc: shop
  subnet: workers
gitops:
  url: ssh://git.example.com/shop/full.git
  branch: release
  path: ./deploy
  secretName: full-git
  namespace: storefront
  intervalMinutes: 10
`;

describe('TenantRequests', () => {
  test('every field of the schema round-trips into the constructs', () => {
    // "$schema" is for editors of JSON files and becomes nothing.
    const { requests, objects } = loadFiles({ 'shop/full.yaml': FULL, 'data/x.json': JSON.stringify({ $schema: 'x', ...YAML.parse(request('x')) }) });
    expect(requests.requests.map((r) => [r.file, r.team, r.name, r.cluster.clusterName])).toEqual([['data/x.json', 'data', 'x', 'data-x'], ['shop/full.yaml', 'shop', 'full', 'shop-full']]);
    const out = objects();
    const cluster = findObject(out, 'Cluster', 'shop-full');
    // name, team, kubernetesVersion (minor → the offered release), size (control plane replicas)
    expect(cluster.metadata).toMatchObject({ namespace: 'tenant-shop-full', labels: { 'kmetal.io/team': 'shop', 'kmetal.io/request': 'full' } });
    const topology = cluster.spec.topology;
    expect(topology.version).toBe('v1.33.2');
    expect(topology.controlPlane.replicas).toBe(3);
    // dataStore: the granted shared datastore, no dedicated etcd
    expect(topology.variables).toContainEqual({ name: 'dataStoreName', value: 'shared-etcd' });
    expect(out.filter((o) => o.kind === 'HelmRelease' && o.metadata.name === 'shop-full-etcd')).toEqual([]);
    // network: the team VPC's subnet
    expect(topology.variables).toContainEqual({ name: 'workerSubnet', value: 'shop-workers' });
    // nodePools: nodeClass sizes, replicas, autoscaling bounds, gpusPerNode
    const md = Object.fromEntries(topology.workers.machineDeployments.map((m: any) => [m.name, m]));
    const vars = (m: any) => Object.fromEntries((m.variables?.overrides ?? []).map((o: any) => [o.name, o.value]));
    expect(md.fixed.replicas).toBe(3);
    expect(vars(md.fixed)).toMatchObject({ workerCpuCores: 8, workerMemoryGiB: 64 });
    expect(md.elastic.metadata.annotations).toEqual({
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '1',
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '5',
    });
    expect(vars(md.gpu)).toMatchObject({ workerCpuCores: 16, workerMemoryGiB: 128, workerGpuDeviceName: 'nvidia.com/GA100_A100_PCIE_80GB', workerGpuCount: 2 });
    // owners: the team's Capsule tenant
    expect(findObject(out, 'Tenant', 'shop').spec.owners).toEqual([
      { kind: 'Group', name: 'shop-developers' },
      { kind: 'ServiceAccount', name: 'system:serviceaccount:ci:deployer' },
    ]);
    // loadBalancerAddresses: three of the team's grant
    expect(ofKind(out, 'OvnEip').filter((e) => e.metadata.name.startsWith('shop-lb-')).map((e) => e.spec.v4Ip)).toEqual(['203.0.113.128', '203.0.113.129', '203.0.113.130']);
    // addons: the catalogue's charts in the cluster's own Profile
    const profile = findObject(out, 'Profile', 'shop-full');
    expect(profile.metadata.namespace).toBe('tenant-shop-full');
    expect(profile.spec.clusterSelector).toEqual({ matchLabels: { 'kmetal.io/tenant-cluster': 'shop-full' } });
    expect(profile.spec.helmCharts.map((c: any) => c.chartName)).toEqual(['kube-prometheus-stack/kube-prometheus-stack', 'ingress-nginx/ingress-nginx']);
    // gitops: source, sync into the tenant cluster as the tenant-scoped service account
    expect(findObject(out, 'GitRepository', 'shop-full-workloads').spec).toEqual({ url: 'ssh://git.example.com/shop/full.git', interval: '10m', ref: { branch: 'release' }, secretRef: { name: 'full-git' } });
    expect(findObject(out, 'Kustomization', 'shop-full-workloads').spec).toMatchObject({
      path: './deploy',
      targetNamespace: 'storefront',
      serviceAccountName: 'gitops',
      kubeConfig: { secretRef: { name: 'shop-full-kubeconfig', key: 'value' } },
    });
    const access = YAML.parseAllDocuments(findObject(out, 'ConfigMap', 'shop-full-gitops-access').data['gitops-access.yaml']).map((d) => d.toJS());
    expect(access.find((o: any) => o.kind === 'RoleBinding')).toMatchObject({ metadata: { namespace: 'storefront' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'gitops', namespace: 'tenant-shop-full' }] });
  });

  test('the round-trip fixture covers every field the schema declares', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'tenant-request.schema.json'), 'utf8'));
    const fields: string[] = [];
    const walk = (s: any, prefix: string) => {
      const r = s.$ref ? schema.definitions[s.$ref.split('/').pop()] : s;
      for (const [k, v] of Object.entries<any>(r.properties ?? {})) {
        fields.push(`${prefix}${k}`);
        walk(v.items ?? v, `${prefix}${k}.`);
      }
    };
    walk(schema, '');
    const covered = (f: string) => f === '$schema' || new RegExp(`^\\s*(- )?${f.split('.').pop()!.replace('$', '\\$')}:`, 'm').test(FULL);
    expect(fields.filter((f) => !covered(f))).toEqual([]);
  });

  test('an unknown field is refused, at its line, with the closest known field', () => {
    const { lines, error } = problemsOf({ 'shop/web.yaml': request('web', 'gpuPerNode: 1\n', '  - name: general\n    nodeClass: standard\n    replica: 2\n') });
    expect(lines).toEqual(['shop/web.yaml:12:5: nodePools[0].replica', 'shop/web.yaml:13:1: gpuPerNode']);
    expect(error.message).toContain('shop/web.yaml:12:5: nodePools[0].replica: unknown field "replica". Fix: did you mean "replicas"?');
  });

  test.each([
    ['version outside the allowed minors', request('web').replace('v1.34', 'v1.35'), 'shop/web.yaml:5:1: kubernetesVersion', "v1.35.0 is not among the platform's allowed minors (v1.33, v1.34)"],
    ['size class not offered', request('web').replace('size: small', 'size: huge'), 'shop/web.yaml:4:1: size', 'the platform offers: small, large'],
    ['pool larger than the boundaries', request('web', '', '  - name: general\n    nodeClass: standard\n    replicas: 12\n'), 'shop/web.yaml:12:5: nodePools[0].replicas', '12 VMs are outside the platform boundaries of boundaries (at most 10 per pool)'],
    ['GPUs beyond the cluster limit', request('web', '', '  - name: gpu\n    nodeClass: gpu-a100\n    replicas: 3\n    gpusPerNode: 2\n'), 'shop/web.yaml:9:1: nodePools', '6 GPUs at most are outside the platform boundaries'],
    ['GPUs on a class without them', request('web', '', '  - name: general\n    nodeClass: standard\n    gpusPerNode: 1\n'), 'shop/web.yaml:12:5: nodePools[0].gpusPerNode', 'node class "standard" has no GPUs'],
    ['add-on not in the catalogue', request('web', 'addons: [monitoring, service-mesh]\n'), 'shop/web.yaml:13:22: addons[1]', '"service-mesh" is not in the platform\'s add-on catalogue'],
    ['another team\'s VPC', request('web', 'network:\n  vpc: vision\n'), 'shop/web.yaml:14:3: network.vpc', 'VPC "vision" belongs to team vision; a request may use only its own team\'s VPC'],
    ['a platform network', request('web', 'network:\n  vpc: ovn-cluster\n'), 'shop/web.yaml:14:3: network.vpc', 'is not a tenant VPC (the platform\'s own networks cannot be named)'],
    ['a datastore not granted', request('web', 'dataStore: finance-etcd\n'), 'shop/web.yaml:13:1: dataStore', 'datastore "finance-etcd" is not granted to team shop'],
    ['more load-balancer addresses than granted', request('web', 'loadBalancerAddresses: 9\n'), 'shop/web.yaml:13:1: loadBalancerAddresses', 'team shop is granted 8 load-balancer addresses (203.0.113.128/29)'],
    ['a team the platform does not know', request('web'), 'finance/web.yaml:1:1: ', 'team "finance" is not a team of this platform'],
  ])('%s is an error at file:line:field saying what is allowed', (_, text, where, message) => {
    const file = where.split(':')[0];
    const { lines, error } = problemsOf({ [file]: text });
    expect(lines).toEqual([where.trimEnd()]);
    expect(error.problems[0].message + '. Fix: ' + error.problems[0].fix).toContain(message);
  });

  test('the team quota is a boundary over all its requests', () => {
    const big = '  - name: general\n    nodeClass: memory\n    replicas: 8\n';
    const { lines, error } = problemsOf({ 'shop/a.yaml': request('a', '', big), 'shop/b.yaml': request('b', '', big) });
    expect(lines).toEqual(['shop/a.yaml:9:1: nodePools', 'shop/a.yaml:9:1: nodePools']);
    expect(error.message).toMatch(/quota\.memoryGiB of team shop .*480 GiB is less than/);
    expect(error.message).toMatch(/nodePools: quota\.cpuCores of team shop \(all its requests: shop\/a\.yaml, shop\/b\.yaml\): 120 cores is less than the tenant's own clusters request \(135: /);
  });

  test('every bad request of a run is reported in one error, in file order', () => {
    const { lines, error } = problemsOf({
      'vision/b.yaml': request('b').replace('size: small', 'size: tiny'),
      'shop/a.yaml': request('a', 'colour: blue\n').replace('v1.34', '1.34'),
      'shop/ok.yaml': request('ok'),
      'data/c.yaml': 'apiVersion: kmetal.io/v1alpha1\nkind: [\n',
      'data/d.yaml': request('other'),
    });
    expect(lines).toEqual([
      'data/c.yaml:3:1:',
      'data/d.yaml:3:1: name',
      'shop/a.yaml:5:1: kubernetesVersion',
      'shop/a.yaml:13:1: colour',
      'vision/b.yaml:4:1: size',
    ]);
    expect(error.message.split('\n')[0]).toBe('5 problems in 4 tenant request files under tenants:');
    expect(error.message).toContain('shop/a.yaml:5:1: kubernetesVersion: 1.34 is not a string');
  });

  test('the example synthesizes with conformance and the reconcile check', () => {
    const app = new App();
    const { platform, options } = selfServicePlatform(app);
    const requests = TenantRequests.load(platform, path.join(__dirname, '..', '..', 'examples', 'self-service', 'tenants'), options);
    expect(requests.clusters.map((c) => c.clusterName)).toEqual(['data-analytics', 'shop-checkout', 'shop-web', 'vision-training']);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfservice-'));
    try {
      const result = FluxTree.synth(app, { outdir, appName: 'self-service', conformance: ConformanceChecker.default() });
      expect(result.objectCount).toBeGreaterThan(80);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  // In a process of its own: json-schema-to-typescript loads prettier, which jest's VM cannot import.
  test('the generated types are current with the schema', () => {
    const root = path.join(__dirname, '..', '..');
    expect(() => execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--prefer-ts-exts', '--transpile-only', 'build-tools/tenant-request-types.ts', '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});
