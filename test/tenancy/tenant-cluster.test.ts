import { Testing } from 'cdk8s';
import {
  DataStoreDriver, ExternalDataStore, MachineImage, NodeNetwork, TenantCluster, TenantClusterProps,
} from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

function synth(props: TenantClusterProps, id = 'acme'): any[] {
  const { chart } = newChart();
  new TenantCluster(chart, id, { defaultImage: IMAGE, ...props });
  return chart.toJson();
}

function expectError(fn: () => unknown, path: string, field: string, text: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KmetalValidationError);
  const v = error as KmetalValidationError;
  expect(v.constructPath).toBe(path);
  expect(v.field).toBe(field);
  expect(v.message).toMatch(text);
  expect(v.message).toContain('Fix:');
}

describe('TenantCluster, emitted objects', () => {
  const objects = synth({
    version: 'v1.33.2',
    labels: { 'kmetal.io/tier': 'gold' },
    controlPlane: { endpointAddress: '192.0.2.10', addressPool: 'tenant-vips', certSans: ['api.acme.example.com'] },
    nodePools: [
      { name: 'general', replicas: 3, cpuCores: 4, memoryGiB: 8 },
      { name: 'gpu', minReplicas: 1, maxReplicas: 4, gpus: [{ deviceName: 'nvidia.com/GA102GL_A10', count: 2 }], rootDiskGiB: 40, network: NodeNetwork.kubeOvnSubnet('acme-workers') },
    ],
  });

  test('every object is valid against the pinned CRDs (schema and CEL)', () => {
    expect(conformanceErrors(objects)).toBe('');
  });

  test('emits exactly the objects one tenant needs, all in the tenant namespace', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      // Deployment, Role, RoleBinding, ServiceAccount: the autoscaler the bounded gpu pool brings;
      // ConfigMap, Deployment, Role, RoleBinding, ServiceAccount: the cloud-controller-manager.
      'Cluster', 'ConfigMap', 'DataStore', 'Deployment', 'Deployment', 'HelmRelease', 'KamajiControlPlane',
      'KubeadmConfigTemplate', 'KubeadmConfigTemplate', 'KubevirtCluster',
      'KubevirtMachineTemplate', 'KubevirtMachineTemplate',
      'MachineDeployment', 'MachineDeployment', 'MachineHealthCheck', 'MachineHealthCheck', 'Namespace',
      'Role', 'Role', 'RoleBinding', 'RoleBinding', 'ServiceAccount', 'ServiceAccount', 'Tenant',
    ]);
    for (const o of objects.filter((x) => !['Namespace', 'DataStore', 'Tenant'].includes(x.kind))) {
      expect(o.metadata.namespace).toBe('tenant-acme');
    }
  });

  test('the Cluster references the Kamaji control plane and KubeVirt infrastructure (v1beta2 refs)', () => {
    const cluster = findObject(objects, 'Cluster', 'acme');
    expect(cluster.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(cluster.spec.controlPlaneRef).toEqual({ apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KamajiControlPlane', name: 'acme' });
    expect(cluster.spec.infrastructureRef).toEqual({ apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'KubevirtCluster', name: 'acme' });
    expect(cluster.spec.clusterNetwork).toEqual({ pods: { cidrBlocks: ['10.244.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] } });
    expect(cluster.metadata.labels).toMatchObject({ 'kmetal.io/tier': 'gold', 'kmetal.io/tenant-cluster': 'acme', 'kmetal.io/kubernetes-minor': 'v1.33' });
  });

  test('the hosted control plane: HA replicas, konnectivity, VIP from MetalLB, dedicated datastore', () => {
    const kcp = findObject(objects, 'KamajiControlPlane', 'acme');
    expect(kcp.apiVersion).toBe('controlplane.cluster.x-k8s.io/v1alpha2');
    expect(kcp.spec.replicas).toBe(2);
    expect(kcp.spec.version).toBe('v1.33.2');
    expect(kcp.spec.addons).toEqual({ coreDNS: {}, konnectivity: {}, kubeProxy: {} });
    expect(kcp.spec.network).toMatchObject({
      serviceType: 'LoadBalancer',
      serviceAddress: '192.0.2.10',
      certSANs: ['api.acme.example.com'],
      serviceAnnotations: { 'metallb.io/address-pool': 'tenant-vips', 'metallb.io/loadBalancerIPs': '192.0.2.10' },
    });
    expect(kcp.spec.dataStoreName).toBe('acme-etcd');
    const ds = findObject(objects, 'DataStore', 'acme-etcd');
    expect(ds.spec.driver).toBe('etcd');
    expect(ds.spec.endpoints).toEqual([0, 1, 2].map((i) => `acme-etcd-${i}.acme-etcd.tenant-acme.svc.cluster.local:2379`));
    expect(ds.spec.tlsConfig.clientCertificate.certificate.secretReference).toEqual({ name: 'acme-etcd-root-client-certs', namespace: 'tenant-acme', keyPath: 'tls.crt' });
    const hr = findObject(objects, 'HelmRelease', 'acme-etcd');
    expect(hr.spec.chart.spec).toMatchObject({ chart: 'kamaji-etcd', version: '0.17.0' });
    expect(hr.spec.values.datastore).toEqual({ enabled: false });
  });

  test('KubevirtCluster leaves the endpoint to Kamaji', () => {
    expect(findObject(objects, 'KubevirtCluster', 'acme').metadata.annotations).toEqual({ 'cluster.x-k8s.io/managed-by': 'kamaji' });
  });

  test('a pool is a MachineDeployment with its templates and health check, sized as asked', () => {
    const md = findObject(objects, 'MachineDeployment', 'acme-general');
    expect(md.spec.replicas).toBe(3);
    expect(md.spec.template.spec.version).toBe('v1.33.2');
    expect(md.spec.template.spec.bootstrap.configRef).toEqual({ apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name: 'acme-general' });
    const templateName = md.spec.template.spec.infrastructureRef.name;
    expect(templateName).toMatch(/^acme-general-[0-9a-f]{8}$/);
    const vm = findObject(objects, 'KubevirtMachineTemplate', templateName).spec.template.spec.virtualMachineTemplate.spec.template.spec;
    expect(vm.domain.cpu.cores).toBe(4);
    expect(vm.domain.memory.guest).toBe('8Gi');
    expect(vm.volumes).toEqual([{ name: 'rootdisk', containerDisk: { image: 'quay.io/capk/ubuntu-2404-container-disk:v1.33.0' } }]);
    const mhc = findObject(objects, 'MachineHealthCheck', 'acme-general');
    expect(mhc.spec.selector.matchLabels).toEqual(md.spec.selector.matchLabels);
    expect(mhc.spec.checks.nodeStartupTimeoutSeconds).toBe(1200);
  });

  test('GPUs, persistent root disk, autoscaling and the tenant network land in the GPU pool', () => {
    const md = findObject(objects, 'MachineDeployment', 'acme-gpu');
    expect(md.spec.replicas).toBeUndefined();
    expect(md.metadata.annotations).toEqual({
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size': '1',
      'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size': '4',
    });
    const vmSpec = findObject(objects, 'KubevirtMachineTemplate', md.spec.template.spec.infrastructureRef.name).spec.template.spec.virtualMachineTemplate.spec;
    expect(vmSpec.template.spec.domain.devices.gpus).toEqual([
      { name: 'gpu0-0', deviceName: 'nvidia.com/GA102GL_A10' },
      { name: 'gpu0-1', deviceName: 'nvidia.com/GA102GL_A10' },
    ]);
    expect(vmSpec.dataVolumeTemplates[0].spec.storage.resources.requests.storage).toBe('40Gi');
    expect(vmSpec.template.metadata.annotations).toEqual({ 'ovn.kubernetes.io/logical_switch': 'acme-workers' });
  });

  test('snapshot of one representative cluster', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('TenantCluster, behaviour', () => {
  test('addNodePool after construction lands in the output', () => {
    const { chart } = newChart();
    const tc = new TenantCluster(chart, 'late', { version: 'v1.33.2', defaultImage: IMAGE });
    tc.addNodePool({ name: 'extra', replicas: 1 });
    expect(ofKind(chart.toJson(), 'MachineDeployment').map((m) => m.metadata.name)).toEqual(['late-extra']);
  });

  test('a new image rolls the pool: the machine template gets a new name', () => {
    const a = synth({ version: 'v1.33.2', nodePools: [{ name: 'p' }] });
    const b = synth({ version: 'v1.33.2', nodePools: [{ name: 'p', image: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.34.0') }] });
    const name = (objs: any[]) => findObject(objs, 'MachineDeployment', 'acme-p').spec.template.spec.infrastructureRef.name;
    expect(name(a)).not.toBe(name(b));
    expect(name(a)).toBe(name(synth({ version: 'v1.33.2', nodePools: [{ name: 'p' }] })));
  });

  test('hostSelector pins the pool\'s VMs to labelled hosts (KubeVirt nodeSelector) and rolls the pool when it changes', () => {
    const pinned = synth({ version: 'v1.33.2', nodePools: [{ name: 'p', hostSelector: { 'kmetal.io/site': 'factory-a', 'kmetal.io/rack': 'r1' } }] });
    expect(conformanceErrors(pinned)).toBe('');
    const tmpl = ofKind(pinned, 'KubevirtMachineTemplate')[0];
    expect(Object.entries(tmpl.spec.template.spec.virtualMachineTemplate.spec.template.spec.nodeSelector)).toEqual([['kmetal.io/rack', 'r1'], ['kmetal.io/site', 'factory-a']]);
    const unpinned = synth({ version: 'v1.33.2', nodePools: [{ name: 'p' }] });
    expect(ofKind(unpinned, 'KubevirtMachineTemplate')[0].spec.template.spec.virtualMachineTemplate.spec.template.spec.nodeSelector).toBeUndefined();
    expect(tmpl.metadata.name).not.toBe(ofKind(unpinned, 'KubevirtMachineTemplate')[0].metadata.name);
  });

  test('an explicitly shared datastore replaces the dedicated etcd', () => {
    const objs = synth({ version: 'v1.33.2', dataStore: ExternalDataStore.fromName('shared-pg', DataStoreDriver.POSTGRESQL) });
    expect(ofKind(objs, 'HelmRelease')).toHaveLength(0);
    expect(ofKind(objs, 'DataStore')).toHaveLength(0);
    expect(findObject(objs, 'KamajiControlPlane', 'acme').spec.dataStoreName).toBe('shared-pg');
  });

  test('an external PostgreSQL DataStore references its secrets and is conformant', () => {
    const { chart } = newChart();
    new ExternalDataStore(chart, 'pg', {
      name: 'pg-shared',
      driver: DataStoreDriver.POSTGRESQL,
      endpoints: ['pg.db.svc:5432'],
      caCertificate: { name: 'pg-ca', namespace: 'db', key: 'ca.crt' },
      username: { name: 'pg-auth', namespace: 'db', key: 'user' },
      password: { name: 'pg-auth', namespace: 'db', key: 'password' },
    });
    const objs = chart.toJson();
    expect(conformanceErrors(objs)).toBe('');
    expect(objs[0].spec.basicAuth.password.secretReference).toEqual({ name: 'pg-auth', namespace: 'db', keyPath: 'password' });
  });

  test('konnectivity can be turned off, and the output says so', () => {
    const objs = synth({ version: 'v1.33.2', controlPlane: { konnectivity: false, replicas: 3 } });
    const kcp = findObject(objs, 'KamajiControlPlane', 'acme');
    expect(kcp.spec.addons.konnectivity).toBeUndefined();
    expect(kcp.spec.replicas).toBe(3);
  });

  test('the kubeconfig Secret name follows Cluster API', () => {
    const { chart } = newChart();
    expect(new TenantCluster(chart, 'zeta', { version: 'v1.33.2' }).kubeconfigSecretName).toBe('zeta-kubeconfig');
  });

  test('output is deterministic', () => {
    const props: TenantClusterProps = { version: 'v1.33.2', nodePools: [{ name: 'a' }, { name: 'b', gpus: [{ deviceName: 'nvidia.com/x' }] }] };
    expect(JSON.stringify(synth(props))).toBe(JSON.stringify(synth(props)));
  });

  test('works inside a plain cdk8s chart with Testing.synth', () => {
    const chart = Testing.chart();
    new TenantCluster(chart, 'plain', { version: 'v1.32.1', defaultImage: IMAGE, nodePools: [{ name: 'w' }] });
    expect(Testing.synth(chart).length).toBeGreaterThan(5);
  });
});

describe('TenantCluster, bad input is refused with the construct path, field and fix', () => {
  const cases: Array<[string, TenantClusterProps, string, string, RegExp]> = [
    ['bad name', { name: 'Acme_Prod', version: 'v1.33.2' }, 'test/acme', 'name', /not a DNS-1123 label/],
    ['name too long for derived names', { name: 'a'.repeat(31), version: 'v1.33.2' }, 'test/acme', 'name', /31 characters/],
    ['garbled version', { version: '1.33' }, 'test/acme', 'version', /not a Kubernetes release/],
    ['version newer than Kamaji supports', { version: 'v1.40.0' }, 'test/acme', 'version', /outside the supported range/],
    ['missing version', {}, 'test/acme', 'version', /no Kubernetes version/],
    ['control plane replicas < 1', { version: 'v1.33.2', controlPlane: { replicas: 0 } }, 'test/acme', 'controlPlane.replicas', /not a number of API server pods/],
    ['invalid pod CIDR', { version: 'v1.33.2', podCidr: '10.244.0.0/33' }, 'test/acme', 'podCidr', /not a network in CIDR notation/],
    ['pod and service CIDRs overlap', { version: 'v1.33.2', podCidr: '10.96.0.0/16', serviceCidr: '10.96.0.0/12' }, 'test/acme', 'serviceCidr', /overlaps podCidr/],
    ['bad VIP', { version: 'v1.33.2', controlPlane: { endpointAddress: '300.1.1.1' } }, 'test/acme', 'controlPlane.endpointAddress', /not an IP address/],
    ['zero-size VM', { version: 'v1.33.2', nodePools: [{ name: 'p', cpuCores: 0 }] }, 'test/acme/Pool-p', 'cpuCores', /at least 1/],
    ['no memory', { version: 'v1.33.2', nodePools: [{ name: 'p', memoryGiB: 0 }] }, 'test/acme/Pool-p', 'memoryGiB', /cannot run a Kubernetes node/],
    ['pool replicas < 1', { version: 'v1.33.2', nodePools: [{ name: 'p', replicas: 0 }] }, 'test/acme/Pool-p', 'replicas', /at least 1/],
    ['GPU without device name', { version: 'v1.33.2', nodePools: [{ name: 'p', gpus: [{ deviceName: '' }] }] }, 'test/acme/Pool-p', 'gpus[0].deviceName', /not a KubeVirt device resource name/],
    ['duplicate pool names', { version: 'v1.33.2', nodePools: [{ name: 'p' }, { name: 'p' }] }, 'test/acme', 'nodePools[1].name', /already exists/],
    ['pool name that is not a label', { version: 'v1.33.2', nodePools: [{ name: 'P 1' }] }, 'test/acme', 'nodePools[0].name', /not a DNS-1123 label/],
    ['host selector that is not a label', { version: 'v1.33.2', nodePools: [{ name: 'p', hostSelector: { 'kmetal.io/site': 'factory a' } }] }, 'test/acme/Pool-p', 'hostSelector.kmetal.io/site', /not a valid Kubernetes label/],
    ['image without tag', { version: 'v1.33.2', nodePools: [{ name: 'p', image: MachineImage.containerDisk('quay.io/capk/ubuntu') }] }, 'test/acme/Pool-p', 'image', /not pinned/],
  ];
  test.each(cases)('%s', (_title, props, path, field, text) => {
    expectError(() => synth(props), path, field, text);
  });

  test('cluster + pool names too long together for machine names', () => {
    expectError(() => synth({ name: 'a'.repeat(30), version: 'v1.33.2', nodePools: [{ name: 'b'.repeat(21) }] }), `test/acme/Pool-${'b'.repeat(21)}`, 'name', /machine and VM names/);
  });
});
