// Bad inputs of tenant clusters: TenantCluster, NodePool, TenantClusterClass, TenantGovernance and
// PlatformBoundaries.
import { App } from 'cdk8s';
import { MachineImage, NodePoolOptions, PlatformBoundaries, TenantCluster, TenantClusterClass, TenantClusterProps, TenantGovernance } from '../../../src';
import { A10, BadInput, base, IMAGE } from '../fixture';

/** A tenant "acme" on the base platform. */
function acme(app: App, props: TenantClusterProps = {}): TenantCluster {
  return base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', ...props });
}

/** A tenant "acme" built from the class "golden". */
function classBased(app: App, props: TenantClusterProps = {}, pools: NodePoolOptions[] = []): TenantCluster {
  const { platform } = base(app);
  const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE) });
  return platform.addTenantCluster('acme', { clusterClass: golden, nodePools: pools, ...props });
}

export const TENANCY_ENTRIES: BadInput[] = [
  {
    id: 'tenant-version-format',
    construct: 'TenantCluster',
    title: 'a Kubernetes version without its patch release',
    declare: (app) => acme(app, { version: 'v1.33' }),
    path: 'tenant-acme/acme',
    field: 'version',
    message: /"v1\.33" is not a Kubernetes release/,
    fix: /major\.minor\.patch/,
  },
  {
    id: 'tenant-version-range',
    construct: 'TenantCluster',
    title: 'a Kubernetes release newer than the pinned Kamaji supports',
    declare: (app) => acme(app, { version: 'v1.36.0' }),
    path: 'tenant-acme/acme',
    field: 'version',
    message: /v1\.36\.0 is outside the supported range v1\.30 to v1\.35/,
    fix: /pick a release between v1\.30\.0 and v1\.35\.x/,
  },
  {
    id: 'tenant-pod-service-overlap',
    construct: 'TenantCluster',
    title: 'pod and service networks that overlap',
    declare: (app) => acme(app, { podCidr: '10.96.0.0/16' }),
    path: 'tenant-acme/acme',
    field: 'serviceCidr',
    message: /10\.96\.0\.0\/12 overlaps podCidr 10\.96\.0\.0\/16/,
    fix: /separate pod and service ranges/,
  },
  {
    id: 'tenant-label',
    construct: 'TenantCluster',
    title: 'a label value Kubernetes refuses',
    declare: (app) => acme(app, { labels: { 'kmetal.io/tier': 'gold!' } }),
    path: 'tenant-acme/acme',
    field: 'labels.kmetal.io/tier',
    message: /"kmetal\.io\/tier"="gold!" is not a valid Kubernetes label/,
    fix: /at most 63 alphanumerics/,
  },
  {
    id: 'tenant-pool-twice',
    construct: 'TenantCluster',
    title: 'two node pools with one name',
    declare: (app) => acme(app, { nodePools: [{ name: 'general' }, { name: 'general', replicas: 3 }] }),
    path: 'tenant-acme/acme',
    field: 'nodePools[1].name',
    message: /a pool named "general" already exists in this cluster/,
    fix: /its own name/,
  },
  {
    id: 'pool-zero-replicas',
    construct: 'NodePool',
    title: 'a node pool of zero VMs',
    declare: (app) => acme(app, { nodePools: [{ name: 'general', replicas: 0 }] }),
    path: 'tenant-acme/acme/Pool-general',
    field: 'replicas',
    message: /0 is not a whole number of at least 1/,
    fix: /at least 1 replica; remove the pool to have none/,
  },
  {
    id: 'pool-autoscaler-bounds',
    construct: 'NodePool',
    title: 'autoscaler bounds the wrong way round',
    declare: (app) => acme(app, { nodePools: [{ name: 'general', minReplicas: 4, maxReplicas: 2 }] }),
    path: 'tenant-acme/acme/Pool-general',
    field: 'maxReplicas',
    message: /2 is below minReplicas 4/,
    fix: /at least minReplicas/,
  },
  {
    id: 'pool-name-length',
    construct: 'NodePool',
    title: 'cluster and pool names together too long for machine names',
    declare: (app) => base(app).platform.addTenantCluster('acme-industrial-holdings', { version: 'v1.33.2', nodePools: [{ name: 'gpu-inference-workers-a100x' }] }),
    path: 'tenant-acme-industrial-holdings/acme-industrial-holdings/Pool-gpu-inference-workers-a100x',
    field: 'name',
    message: /"acme-industrial-holdings-gpu-inference-workers-a100x" \(cluster name \+ pool name\) is 52 characters/,
    fix: /shorten the pool or cluster name so together they fit 50 characters/,
  },
  {
    id: 'pool-no-image',
    construct: 'NodePool',
    title: 'no image for the VMs',
    declare: (app) => base(app, { defaultNodeImage: undefined }).platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general' }] }),
    path: 'tenant-acme/acme/Pool-general',
    field: 'image',
    message: /no image for the pool and no defaultImage on the cluster/,
    fix: /MachineImage\.containerDisk/,
  },
  {
    id: 'pool-image-without-tag',
    construct: 'NodePool',
    title: 'an image without a tag or digest',
    declare: (app) => acme(app, { nodePools: [{ name: 'general', image: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk') }] }),
    path: 'tenant-acme/acme/Pool-general',
    field: 'image',
    message: /"quay\.io\/capk\/ubuntu-2404-container-disk" is not pinned \(no tag or digest\)/,
    fix: /pin a version tag/,
  },
  {
    id: 'pool-gpu-device',
    construct: 'NodePool',
    title: 'a GPU named the way an inventory names it, not KubeVirt',
    declare: (app) => acme(app, { nodePools: [{ name: 'gpu', gpus: [{ deviceName: 'a100' }] }] }),
    path: 'tenant-acme/acme/Pool-gpu',
    field: 'gpus[0].deviceName',
    message: /"a100" is not a KubeVirt device resource name/,
    fix: /"nvidia\.com\/GA102GL_A10"/,
  },
  {
    id: 'class-unknown-variable',
    construct: 'TenantClusterClass',
    title: 'a class variable the class does not declare',
    declare: (app) => classBased(app, { variables: { cpuCores: 4 } }),
    path: 'tenant-acme/acme',
    field: 'variables.cpuCores',
    message: /class "golden" declares no variable "cpuCores"/,
    fix: /use one of: .*workerCpuCores/,
  },
  {
    id: 'class-unknown-worker-class',
    construct: 'TenantClusterClass',
    title: 'a pool of a worker class the class does not offer',
    declare: (app) => classBased(app, {}, [{ name: 'general', workerClass: 'large' }]),
    path: 'tenant-acme/acme/Pool-general',
    field: 'workerClass',
    message: /class "golden" has no worker class "large"/,
    fix: /use one of: worker/,
  },
  {
    id: 'class-pool-setting',
    construct: 'TenantClusterClass',
    title: 'a pool setting the class cannot express',
    declare: (app) => classBased(app, {}, [{ name: 'general', rootDiskGiB: 80 }]),
    path: 'tenant-acme/acme/Pool-general',
    field: 'rootDiskGiB',
    message: /pools of a class-based cluster cannot set rootDiskGiB/,
    fix: /build this cluster without a class/,
  },
  {
    id: 'class-no-worker-classes',
    construct: 'TenantClusterClass',
    title: 'a class without worker classes',
    declare: (app) => new TenantClusterClass(base(app).platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE), workerClasses: [] }),
    path: 'platform-cluster-templates/golden',
    field: 'workerClasses',
    message: /no worker classes/,
    fix: /declare at least one/,
  },
  {
    id: 'quota-below-need',
    construct: 'TenantGovernance',
    title: 'a CPU quota below what the tenant\'s own pools need',
    declare: (app) => acme(app, { nodePools: [{ name: 'general', replicas: 3, cpuCores: 8 }], governance: { quota: { cpuCores: 16 } } }),
    path: 'tenant-acme/acme/Governance',
    field: 'quota.cpuCores',
    message: /16 cores is less than the tenant's own clusters request \(27500m: acme: general 3×\(8 vCPU, 4 GiB\) \+ 2 API server\(s\) \+ 3 etcd\)/,
    fix: /raise quota\.cpuCores to at least 27500m, or leave it out to derive it/,
  },
  {
    id: 'quota-namespaces',
    construct: 'TenantGovernance',
    title: 'a namespace quota below the tenant\'s own namespaces',
    declare: (app) => {
      const { platform } = base(app);
      const clusters = ['acme', 'acme-staging'].map((name) => platform.addTenantCluster(name, { version: 'v1.33.2', createGovernance: false }));
      new TenantGovernance(platform.tenantUnit('acme'), 'governance', { tenantName: 'acme', clusters, namespaceQuota: 1 });
    },
    path: 'tenant-acme/governance',
    field: 'namespaceQuota',
    message: /1 is less than the 2 namespaces of the tenant's own clusters \(tenant-acme, tenant-acme-staging\)/,
    fix: /raise namespaceQuota to at least 2/,
  },
  {
    id: 'governance-twice',
    construct: 'TenantGovernance',
    title: 'a cluster put under a second Capsule tenant',
    declare: (app) => {
      const cluster = acme(app);
      new TenantGovernance(cluster.node.scope!, 'shared', { tenantName: 'shared', clusters: [cluster] });
    },
    path: 'tenant-acme/shared',
    field: 'clusters',
    message: /cluster tenant-acme\/acme is already governed by tenant-acme\/acme\/Governance/,
    fix: /createGovernance: false/,
  },
  {
    id: 'boundary-replicas',
    construct: 'PlatformBoundaries',
    title: 'a pool larger than the platform allows (capacity overrun)',
    declare: (app) => {
      new PlatformBoundaries(app, 'boundaries', { maxReplicasPerPool: 4 });
      acme(app, { nodePools: [{ name: 'general', replicas: 6 }] });
    },
    path: 'tenant-acme/acme',
    field: 'nodePools.general.replicas',
    message: /6 VMs are outside the platform boundaries of boundaries \(at most 4 per pool\)/,
    fix: /lower replicas\/maxReplicas to 4, or split the pool/,
  },
  {
    id: 'boundary-gpus',
    construct: 'PlatformBoundaries',
    title: 'more GPUs in one cluster than the platform allows (capacity overrun)',
    declare: (app) => {
      new PlatformBoundaries(app, 'boundaries', { maxGpusPerCluster: 2 });
      acme(app, { nodePools: [{ name: 'gpu', replicas: 3, gpus: [{ deviceName: A10 }] }] });
    },
    path: 'tenant-acme/acme',
    field: 'nodePools',
    message: /3 GPUs at most are outside the platform boundaries of boundaries \(at most 2 per cluster\)/,
    fix: /request at most 2 devices over all pools/,
  },
];
