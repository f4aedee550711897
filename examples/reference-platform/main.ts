// The reference kMetal platform (the scenario of the kMetal launch article): 10 bare-metal servers,
// 3 of them the shared nodes that host every tenant's control plane, and 30 tenant clusters built
// from one golden class, each with its own VPC, governance, the mandatory add-ons and a billing
// hook; two GPU tenants; one approved VPC peering. Written as a Flux tree into dist/reference-platform/.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AddonProfile, AdmissionGuardrails, BareMetalPool, BmcCredentials, ClusterInfrastructure, ClusterLifecycleEvent,
  ConformanceChecker, ControlPlaneVipPool, EventHook, FleetReport, FluxTree, HookAction, HostProvisioning, HostUserData, MachineDrainBehavior,
  NetworkPlanes, NodeImage, PeeringRequest, PlatformPolicyPack, PlatformUnderCluster, Policy, RaidLevel, RolloutPlan,
  SpreadMode, TenantClusterClass, TenantGuardrails, TenantVpc,
} from '../../src';

const app = new App();

const platform = new PlatformUnderCluster(app, 'platform', {
  releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
  allowedKubernetesMinors: ['v1.33', 'v1.34'],
  permittedPciDevices: [{ resourceName: 'nvidia.com/GA100_A100_PCIE_80GB', pciVendorSelector: '10DE:20B5' }],
  // Ironic answers PXE/DHCP for the servers on their provisioning NIC (a network of its own).
  provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' },
  // The Kairos operator builds the node image below (its OSArtifact) on the under cluster.
  kairosOperator: true,
});

// One node image for every node, VM or metal: Kairos builds it (an OSArtifact in the under cluster)
// from Ubuntu 24.04 with two layers your pipeline builds from kairos-io/provider-kubeadm v4.9.8 (its
// Earthfile: the provider package, and kubeadm/kubelet v1.33.2), publishes the raw disk image and its
// sha256 for the servers; the pipeline pushes the containerDisk of the same version for the VMs.
// Bumping `version` rolls both: every tenant's worker VMs and the worker servers (`kmetal plan`).
new kplus.Namespace(platform.configs, 'kairos-builds-namespace', { metadata: { name: 'kairos-builds' } });
const image = new NodeImage(platform.configs, 'worker-image', {
  name: 'ubuntu-2404-kubeadm',
  version: 'v1.33.2',
  // kubeadm images carry the kubelet: this one is v1.33.2's, so a pool, class or wave moved to another
  // minor without a new image fails synth, naming both versions.
  kubernetesVersion: '{version}',
  namespace: 'kairos-builds',
  kairos: {
    baseImage: 'ubuntu:24.04',
    kairosVersion: 'v3.6.0',
    extraLayers: ['registry.example.com/kmetal/provider-kubeadm:v4.9.8-amd64', 'registry.example.com/kmetal/kubeadm:v1.33.2-amd64'],
    artifactServer: { url: 'https://images.example.com/kairos' },
    containerDiskRepository: 'registry.example.com/kmetal/ubuntu-2404-kubeadm',
  },
});

// Three network planes, declared once.
const planes = new NetworkPlanes(platform.configs, 'planes', {
  publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['metal-01', 'metal-02', 'metal-03'] },
  managementPlane: { nodeCidrs: ['192.168.10.0/24'], extraCidrs: ['192.168.20.0/24'] },
  tenantCidrs: ['10.0.0.0/8'],
});
// One API VIP per tenant, from the public plane.
platform.controlPlaneVipPool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['203.0.113.64/26'], planes, interfaces: ['eno2'] });

// The 10 servers: metal-01..03 are the under cluster's shared control-plane nodes (they host every
// tenant's API server and etcd; installed by hand in the inception step, README "From bare server to
// fleet"), metal-04..10 run the tenants' worker VMs; two carry GPUs. Metal3 writes the Kairos image
// to each worker server and it joins the under cluster with its labels as node labels; the join
// token and the BMC passwords stay outside git (a secret store and SOPS-made Secrets).
new kplus.Namespace(platform.configs, 'metal3-namespace', { metadata: { name: 'metal3' } });
const servers = new BareMetalPool(platform.configs, 'servers', {
  namespace: 'metal3',
  defaultCredentials: BmcCredentials.fromSecret('bmc-{host}'),
});
const workerServers = HostProvisioning.joinUnderCluster({
  image,
  // The API VIP of the inception control plane on the management plane.
  controlPlaneEndpoint: '192.168.10.5:6443',
  // metal3/<host>-user-data: the host's cloud-config (report/user-data/<host>.cloud-config) with the join
  // token filled in, SOPS-encrypted by the operator (README, step 6).
  userData: HostUserData.fromSecret('{host}-user-data'),
});
for (let i = 1; i <= 10; i++) {
  const n = String(i).padStart(2, '0');
  const gpu = i >= 9;
  const worker = i > 3;
  servers.addHost({
    name: `metal-${n}`,
    bmc: { address: `redfish-virtualmedia://192.168.20.${10 + i}/redfish/v1/Systems/1` },
    bootMacAddress: `0c:c4:7a:00:10:${n}`,
    labels: { 'kmetal.io/role': worker ? 'worker' : 'control-plane', ...(gpu ? { 'kmetal.io/gpu': 'a100' } : {}) },
    capacity: { cpuCores: 64, memoryGiB: 512, ...(gpu ? { gpus: [{ model: 'nvidia.com/GA100_A100_PCIE_80GB', count: 4 }] } : {}) },
    ...(worker ? {
      provisioning: workerServers,
      // Two NVMe disks mirrored by Linux md for the OS; the hypervisor settings KubeVirt and GPU
      // passthrough need, by the names of the servers' FirmwareSchema.
      raid: { softwareVolumes: [{ level: RaidLevel.RAID1, sizeGiB: 400, physicalDiskNames: ['/dev/nvme0n1', '/dev/nvme1n1'] }] },
      firmwareSettings: { ProcVirtualization: 'Enabled', SriovGlobalEnable: 'Enabled' },
    } : {
      // Installed by hand in the inception step: Metal3 manages their power only (no inspection reboot).
      externallyProvisioned: true,
    }),
  });
}

// The golden template every tenant cluster is built from. The API servers and etcd members of every
// tenant spread over metal-01..03 (one etcd member per host, API servers on distinct hosts: the
// defaults; KM-CAP-005 checks the three hosts hold them).
const golden = new TenantClusterClass(platform.clusterTemplates, 'golden', {
  defaultVersion: 'v1.33.2',
  defaultImage: image,
  workerClasses: [{ name: 'worker', cpuCores: 4, memoryGiB: 16 }],
  controlPlane: { spread: SpreadMode.REQUIRED },
});
// Upgrades roll in waves: the canary tenants, then every standard tenant, then the GPU tenants. To
// release v1.34.1, set it on the canary wave; promote it wave by wave (one line each). `kmetal plan`
// shows each promotion per wave ("wave standard: 26 clusters v1.33.2 → v1.34.1"), the surge capacity it
// needs (pools roll with the bare-metal defaults: no surge VM, one machine down at a time) and whether it
// would roll outside the wave's window. Each wave's units wait for the previous wave's Clusters to be
// healthy (Flux gates rollout-golden-canary and rollout-golden-standard). A cluster's pools upgrade one
// at a time (Cluster API's default; upgradeConcurrency raises it); a wave can hold its workers
// (holdWorkerUpgrades) so that only the control planes move in one window and the workers in the next.
new RolloutPlan(platform.clusterTemplates, 'rollout', {
  clusterClass: golden,
  waves: [
    { name: 'canary', clusterLabels: { 'kmetal.io/rollout': 'canary' }, version: 'v1.33.2' },
    { name: 'standard', clusterLabels: { 'kmetal.io/tier': 'standard' }, version: 'v1.33.2', maintenanceWindow: 'Tue-Thu 06:00-16:00 UTC' },
    { name: 'gpu', clusterLabels: { 'kmetal.io/tier': 'gpu' }, version: 'v1.33.2', maintenanceWindow: 'Sat 02:00-06:00 UTC' },
  ],
});

// Add-ons every tenant cluster must have, and the billing hook.
new AddonProfile(platform.configs, 'cni', {
  mandatory: true,
  helmCharts: [{ repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system', values: { kubeProxyReplacement: false } }],
});
new AddonProfile(platform.configs, 'metrics', {
  mandatory: true,
  helmCharts: [{ repositoryUrl: 'https://kubernetes-sigs.github.io/metrics-server', chart: 'metrics-server', version: '3.13.0', releaseNamespace: 'kube-system' }],
});
new EventHook(platform.configs, 'billing', {
  event: ClusterLifecycleEvent.CREATED,
  action: HookAction.webhook({ url: 'https://billing.example.com/hooks/cluster-created', bearerTokenSecret: { name: 'billing-token', key: 'token' } }),
});

// 30 tenants. Every VPC may reuse 10.10.0.0/24: VPCs are isolated, so overlap is fine unless peered.
const tenants = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne',
  'soylent', 'oscorp', 'vandelay', 'dunder', 'monarch', 'aperture', 'blackmesa', 'gringotts', 'nakatomi', 'prestige',
  'virtucon', 'massive', 'krusty', 'duff', 'bluth', 'pied-piper', 'sterling', 'wernham', 'vision', 'llm',
];
// Day 2: every tenant's dedicated etcd is snapshotted every six hours to the platform's object
// storage, kept 7 days. The credentials Secret is made in each tenant namespace outside git.
platform.addDatastoreBackups({
  bucket: 'kmetal-etcd-backups',
  endpoint: 'https://s3.example.com',
  credentialsSecret: { name: 'etcd-backup-s3' },
});
// Day 2: every tenant gets persistent volumes from the platform's Ceph RBD pool through the KubeVirt
// CSI driver (a controller beside each control plane, the node plugin and a default StorageClass
// `standard` in the cluster). The driver has no upstream release tag: the platform builds it at a
// pinned commit into its registry. Each tenant's cloud-controller-manager runs beside its control plane too.
platform.addInfraStorageClass({ name: 'ceph-rbd' });
platform.addTenantStorage({
  driverImage: 'registry.example.com/kubevirt/kubevirt-csi-driver:27b52aa2',
  classes: [{ name: 'standard', infraStorageClassName: 'ceph-rbd', default: true }],
});
const vpcs = new Map<string, TenantVpc>();
for (const [i, name] of tenants.entries()) {
  const gpuTenant = name === 'vision' || name === 'llm';
  const unit = platform.tenantUnit(name);
  if (name === 'llm') {
    // llm trains on whole servers: two A100 machines, metal-11 and metal-12, held for tenant
    // bare-metal use. Metal3 claims hosts only in its machines' namespace, so they live in llm's.
    const trainers = new BareMetalPool(unit, 'servers', {
      name: 'llm-trainers',
      namespace: 'tenant-llm',
      defaultCredentials: BmcCredentials.fromSecret('bmc-{host}'),
    });
    for (const n of [11, 12]) {
      trainers.addHost({
        name: `metal-${n}`,
        bmc: { address: `redfish-virtualmedia://192.168.20.${10 + n}/redfish/v1/Systems/1` },
        bootMacAddress: `0c:c4:7a:00:10:${n}`,
        rootDeviceHints: { minSizeGiB: 400 },
        labels: { 'kmetal.io/role': 'tenant-metal', 'kmetal.io/gpu': 'a100' },
        capacity: { cpuCores: 64, memoryGiB: 1024, gpus: [{ model: 'nvidia.com/GA100_A100_PCIE_80GB', count: 8 }] },
      });
    }
    platform.addTenantCluster(name, {
      version: 'v1.33.2',
      infrastructure: ClusterInfrastructure.METAL3,
      labels: { 'kmetal.io/tier': 'gpu', 'kmetal.io/billing-account': `ba-${String(i + 1).padStart(4, '0')}` },
      nodePools: [{ name: 'a100', replicas: 2, bareMetal: { pool: trainers, hostLabels: { 'kmetal.io/gpu': 'a100' }, image } }],
    });
    continue;
  }
  const vpc = new TenantVpc(unit, 'vpc', {
    planes,
    name,
    external: true,
    // The two tenants that peer need distinct ranges; everyone else reuses the same one.
    subnets: [{ name: 'workers', cidr: name === 'acme' ? '10.20.0.0/24' : '10.10.0.0/24' }],
  });
  vpcs.set(name, vpc);
  const cluster = platform.addTenantCluster(name, {
    clusterClass: golden,
    labels: {
      'kmetal.io/tier': gpuTenant ? 'gpu' : 'standard',
      'kmetal.io/billing-account': `ba-${String(i + 1).padStart(4, '0')}`,
      // Two internal tenants take every new release first (the canary wave below).
      ...(name === 'initech' || name === 'umbrella' ? { 'kmetal.io/rollout': 'canary' } : {}),
    },
    network: vpc.findSubnet('workers'),
    // Worker VMs spread across metal-04..10: one per host for the general pools (KM-CAP-004 checks
    // the 7 hosts hold the largest); the GPU VMs can only run on the two GPU hosts, so they only prefer to.
    nodePools: gpuTenant
      ? [{ name: 'gpu', replicas: 1, cpuCores: 16, memoryGiB: 128, gpus: [{ deviceName: 'nvidia.com/GA100_A100_PCIE_80GB', count: 2 }], placement: { spread: SpreadMode.PREFERRED } }]
      // acme's pool is autoscaled (2 to 4 VMs): it gets a cluster-autoscaler beside its control plane.
      : name === 'acme' ? [{ name: 'general', minReplicas: 2, maxReplicas: 4, placement: { spread: SpreadMode.REQUIRED } }]
        : [{ name: 'general', replicas: 2, placement: { spread: SpreadMode.REQUIRED } }],
  });
  // When a worker is replaced, Pods the tenant labels kmetal.io/drain-order=last (databases, queues)
  // are evicted only after every other Pod has left the node, so their clients move first.
  cluster.addDrainRule({ name: 'stateful-last', behavior: MachineDrainBehavior.DRAIN, order: 100, pods: [{ podLabels: { 'kmetal.io/drain-order': 'last' } }] });
}

// acme shares a data service with globex: requested by the tenant, approved by the platform team.
new PeeringRequest(platform.tenantUnit('acme'), 'peer-globex', {
  from: vpcs.get('acme')!,
  to: vpcs.get('globex')!,
  reason: 'acme consumes the globex event bus',
  approved: { by: 'platform-team', ticket: 'OPS-1042' },
});

// Policy at synth: the platform pack fails synthesis on unsafe or impossible platforms (capacity,
// overlaps, versions, governance, pinning, data protection). Worker VMs run on metal-04..10; the
// policy report lands next to the fleet report.
const outdir = process.env.KMETAL_OUTDIR ?? 'dist';
const capacity = { vmHostLabels: { 'kmetal.io/role': 'worker' }, controlPlaneHostLabels: { 'kmetal.io/role': 'control-plane' } };
// The tenant boundaries, enforced twice from one declaration: at synth by the pack, and on the under
// cluster by ValidatingAdmissionPolicies for objects created or changed outside git.
const guardrails = TenantGuardrails.fromPlatform(platform);
new AdmissionGuardrails(platform.configs, 'guardrails', { guardrails });
Policy.of(app).addPack(new PlatformPolicyPack({ capacity, guardrails }));
Policy.of(app).writeReportTo(path.join(outdir, 'reference-platform', 'report'));

// The fleet report (report.json, README.md, SVG charts) in dist/reference-platform/report/, written at
// synth: metal-04..10 run the worker VMs, metal-01..03 the hosted control planes.
FleetReport.writeAtSynth(platform, path.join(outdir, 'reference-platform', 'report'), {
  capacity,
  controlPlaneHostLabels: { 'kmetal.io/role': 'control-plane' },
});
// Each worker server's cloud-config without the join token, next to the report: the operator makes
// the user data Secret from it (README "From bare server to fleet", step 6).
const userDataDir = path.join(outdir, 'reference-platform', 'report', 'user-data');
fs.mkdirSync(userDataDir, { recursive: true });
for (const host of servers.hosts) {
  if (host.cloudConfigTemplate) fs.writeFileSync(path.join(userDataDir, `${host.hostName}.cloud-config`), host.cloudConfigTemplate);
}
// Every object is checked against its pinned CRD schema and CEL rules before anything is written.
const result = FluxTree.synth(app, { outdir, appName: 'reference-platform', preserve: ['report'], conformance: ConformanceChecker.default() });
console.log(`${platform.tenants.length} tenants; ${FluxTree.formatSummary(result)}`);
