/* eslint-disable no-bitwise */ // address and PRNG arithmetic
// Turns a PlatformSpec into constructs, the way a platform program would (the reference platform in
// examples/reference-platform/main.ts is the model). Whatever the library throws passes through;
// the builder itself never throws: every reference is resolved modulo its list, and construct ids
// are chosen free (an id clash would be the test's fault, not the library's).
import { ApiObject, App } from 'cdk8s';
import { Construct } from 'constructs';
import { formatIpv4, interval } from './net';
import { ChartSpec, HostSpec, PlatformSpec, TenantSpec, VersionSpec } from './platform-spec';
import {
  AddonProfile, AdmissionGuardrails, BareMetalPool, BmcCredentials, ClusterLifecycleEvent, ClusterSelector, ControlPlaneVipPool, EventHook,
  GitOpsUnit, HookAction, IMachineImage, IslandSite, MachineImage, MetalImage, NetworkPlanes, NodeImage, NodePoolOptions, PeeringRequest,
  PlatformBoundaries, PlatformPolicyPack, PlatformUnderCluster, Policy, SecretStoreKind, TenantCluster, TenantClusterClass,
  TenantClusterProps, TenantGuardrails, TenantOwnerKind, TenantVpc, VersionMatrix,
} from '../../../src';

/** Helm charts the add-on profiles install (name, repository, version, namespace). */
export const CHART_CATALOG = [
  { chart: 'cilium', repositoryUrl: 'https://helm.cilium.io', version: '1.18.2', releaseNamespace: 'kube-system' },
  { chart: 'metrics-server', repositoryUrl: 'https://kubernetes-sigs.github.io/metrics-server', version: '3.13.0', releaseNamespace: 'kube-system' },
  { chart: 'cert-manager', repositoryUrl: 'oci://quay.io/jetstack/charts', version: 'v1.21.1', releaseNamespace: 'cert-manager' },
  { chart: 'kyverno', repositoryUrl: 'https://kyverno.github.io/kyverno', version: '3.5.2', releaseNamespace: 'kyverno' },
];

/** GPUs the platform (and the islands) may pass through. */
export const GPU_CATALOG = [
  { resourceName: 'nvidia.com/GA102GL_A10', pciVendorSelector: '10DE:2236' },
  { resourceName: 'nvidia.com/GA100_A100_PCIE_80GB', pciVendorSelector: '10de:20b5' },
];

/** The minors the pinned Kamaji supports (`v1.30` ... `v1.35`). */
export const SUPPORTED_MINORS = Array.from(
  { length: VersionMatrix.KAMAJI_KUBERNETES.maxMinor - VersionMatrix.KAMAJI_KUBERNETES.minMinor + 1 },
  (_, i) => `v1.${VersionMatrix.KAMAJI_KUBERNETES.minMinor + i}`,
);

/** The constructs of a built platform that the properties look at. */
export interface BuiltPlatform {
  readonly app: App;
  readonly platform: PlatformUnderCluster;
  readonly clusters: TenantCluster[];
  readonly peerings: PeeringRequest[];
}

/** `list[idx]` modulo its length; undefined for an empty list. */
function pick<T>(list: readonly T[], idx: number): T | undefined {
  return list.length ? list[((idx % list.length) + list.length) % list.length] : undefined;
}

/** An id not yet used under `scope`: `base`, else `base-2`, `base-3`, ... */
function freeId(scope: Construct, base: string): string {
  const clean = base.length ? base : 'x';
  if (!scope.node.tryFindChild(clean)) return clean;
  for (let n = 2; ; n++) if (!scope.node.tryFindChild(`${clean}-${n}`)) return `${clean}-${n}`;
}

/** Address helpers over the public network (a fallback network when the spec's CIDR is bad: the planes refuse it first). */
function publicNetwork(cidr: string) {
  const net = interval(cidr);
  const base = net && net.family === 4 ? net : interval('203.0.113.0/24')!;
  const size = base.last - base.first + 1n;
  const at = (offset: number) => base.first + (BigInt(Math.abs(offset)) % size);
  return {
    address: (offset: number) => formatIpv4(at(offset)),
    cidr: (offset: number, prefix: number) => {
      return `${formatIpv4(interval(`${formatIpv4(at(offset))}/${prefix}`)!.first)}/${prefix}`;
    },
  };
}

function versionText(v: VersionSpec, allowed: string[], hasClass: boolean): string | undefined {
  if (v.kind === 'literal') return v.text;
  if (v.kind === 'default' && hasClass) return undefined;
  return `${pick(allowed, v.minor)}.${v.patch}`;
}

function image(spec: PlatformSpec, scope: Construct): IMachineImage | undefined {
  const i = spec.image;
  switch (i.kind) {
    case 'containerDisk': return MachineImage.containerDisk(i.ref);
    case 'nodeImage': return new NodeImage(scope, 'worker-image', { name: 'ubuntu-2404-kubeadm', version: i.version, containerDisk: i.containerDisk });
    case 'dataVolume': return MachineImage.dataVolume({ url: i.url, defaultSizeGiB: i.sizeGiB });
    default: return undefined;
  }
}

function poolImage(ref: string, rootDiskGiB: number | undefined): IMachineImage {
  return /^https?:/.test(ref) ? MachineImage.dataVolume({ url: ref, defaultSizeGiB: rootDiskGiB ?? 20 }) : MachineImage.containerDisk(ref);
}

function bmcAddress(h: HostSpec): string {
  if ('literal' in h.bmc) return h.bmc.literal;
  return `${h.bmc.scheme}://192.168.20.${h.bmc.octet}${h.bmc.scheme.startsWith('redfish') ? `/redfish/v1/Systems/${h.bmc.system}` : ''}`;
}

/** Builds the platform; throws what the library throws. */
export function buildPlatform(spec: PlatformSpec, app: App = new App()): BuiltPlatform {
  const defaultImage = image(spec, app);
  const u = spec.under;
  const platform = new PlatformUnderCluster(app, 'platform', {
    clusterName: u.clusterName,
    allowedKubernetesMinors: u.allowedMinors?.map((m) => (typeof m === 'number' ? pick(SUPPORTED_MINORS, m)! : m)),
    permittedPciDevices: u.permittedGpus,
    chartMirror: u.chartMirror,
    metal3: u.metal3,
    releaseManifestsRegistry: u.releaseManifestsRegistry,
    versions: u.versions,
    defaultNodeImage: defaultImage,
    // Hosts need Ironic to be provisioned (the synth-time reconcile check refuses them otherwise).
    ...(spec.hostPools.length > 0 && u.metal3 !== false ? { provisioningNetwork: { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' } } : {}),
  });
  const allowed = platform.allowedKubernetesMinors;
  if (spec.boundaries) {
    const b = spec.boundaries;
    new PlatformBoundaries(app, 'boundaries', {
      allowedKubernetesVersions: b.allowedMinors?.map((m) => pick(allowed, m)!),
      maxReplicasPerPool: b.maxReplicasPerPool,
      maxNodesPerCluster: b.maxNodesPerCluster,
      maxCpuCoresPerNode: b.maxCpuCoresPerNode,
      maxMemoryGiBPerNode: b.maxMemoryGiBPerNode,
      maxGpusPerCluster: b.maxGpusPerCluster,
    });
  }

  const p = spec.planes;
  const pub = publicNetwork(p.publicCidr);
  const planes = new NetworkPlanes(platform.configs, 'planes', {
    publicPlane: {
      nic: p.nic,
      cidr: p.publicCidr,
      gatewayNodes: p.gatewayNodes,
      vlanId: p.vlanId,
      ...(p.gatewayOffset !== undefined ? { gateway: pub.address(p.gatewayOffset) } : {}),
      reservedAddresses: p.reserved.map(([a, b]) => `${pub.address(Math.min(a, b))}..${pub.address(Math.max(a, b))}`),
    },
    managementPlane: { nodeCidrs: p.nodeCidrs },
    tenantCidrs: p.tenantCidrs,
    peeringLinkCidr: p.peeringLinkCidr,
  });

  if (spec.layout.tenantUnitsFirst) {
    for (const t of spec.tenants) platform.tenantUnit(t.name);
  }
  const poolScope = spec.layout.poolsInOwnUnit ? new GitOpsUnit(app, 'vip-pools', { path: 'infrastructure/vip-pools', cluster: platform.clusterName, dependsOn: [platform.controllers] }) : platform.configs;
  const pools = spec.vipPools.map((v, i) => new ControlPlaneVipPool(poolScope, `vips-${i}`, {
    name: v.name,
    addresses: v.ranges.map((r) => ('literal' in r ? r.literal : pub.cidr(r.offset, r.prefix))),
    planes: v.joinPlanes ? planes : undefined,
    l2Advertisement: v.l2,
  }));
  if (pools.length) platform.controlPlaneVipPool = pools[0];

  buildHostPools(spec, platform);

  const sites = spec.sites.map((st, i) => platform.addIslandSite(`site-${i}`, {
    name: st.name,
    controlPlaneVips: ['literal' in st.vips ? st.vips.literal
      : 'n' in st.vips ? `10.${100 + (st.vips.n % 100)}.0.64/${st.vips.prefix}`
        : pub.cidr(st.vips.publicOffset, st.vips.prefix)],
    vipInterfaces: ['enp1s0'],
    permittedPciDevices: st.gpus.map((g) => pick(GPU_CATALOG, g)!),
    ...(st.pinned ? { hostSelector: { 'kmetal.io/site': st.name } } : {}),
    island: {
      version: versionText(st.island.version, allowed, false),
      nodePools: [{ name: 'site', replicas: st.island.nodes, cpuCores: st.island.cpuCores, memoryGiB: st.island.memoryGiB, rootDiskGiB: 100 }],
    },
  }));

  const classes = spec.classes.map((c, i) => new TenantClusterClass(platform.clusterTemplates, `class-${i}`, {
    name: c.name,
    defaultVersion: versionText(c.version, allowed, false)!,
    defaultImage: defaultImage!,
    workerClasses: c.workerClasses,
    ...(c.controlPlaneReplicas !== undefined ? { controlPlane: { replicas: c.controlPlaneReplicas } } : {}),
  }));

  const clusters: TenantCluster[] = [];
  const vpcOf: Array<TenantVpc | undefined> = [];
  for (const t of spec.tenants) {
    const unit = platform.tenantUnit(t.name);
    const vpc = t.vpc ? new TenantVpc(unit, freeId(unit, 'vpc'), {
      planes,
      name: t.vpc.name ?? t.name,
      external: t.vpc.external,
      subnets: t.vpc.subnets.map((s) => ({
        name: s.name,
        cidr: 'literal' in s.cidr ? s.cidr.literal : subnetCidr(s.cidr.a, s.cidr.b, s.cidr.prefix),
      })),
      loadBalancerAddresses: t.vpc.loadBalancer.map((l) => pub.cidr(l.offset, l.prefix)),
      ...(t.vpc.egressOffset !== undefined ? { egressAddress: pub.address(t.vpc.egressOffset) } : {}),
    }) : undefined;
    vpcOf.push(vpc);
    const cls = t.clusterClass ? pick(classes, t.clusterClass.idx) : undefined;
    const network = vpc && t.vpc?.workerSubnet ? pick(vpc.subnets, t.vpc.workerSubnet.idx) : undefined;
    const site = t.site ? pick(sites, t.site.idx) : undefined;
    const props = tenantProps(spec, t, { allowed, cls, network, pools, pub, site });
    clusters.push(site ? site.addTenantCluster(t.name, props) : platform.addTenantCluster(t.name, props));
  }

  const peerings: PeeringRequest[] = [];
  const pairs = new Set<string>();
  for (const r of spec.peerings) {
    const from = pick(vpcOf, r.from);
    const to = pick(vpcOf, r.to);
    if (!from || !to) continue;
    const pair = [from.node.path, to.node.path].sort().join('|');
    if (!r.keepDegenerate && (from === to || pairs.has(pair))) continue;
    pairs.add(pair);
    const scope = from.node.scope as Construct;
    peerings.push(new PeeringRequest(scope, freeId(scope, `peer-${to.vpcName}`), {
      from,
      to,
      reason: r.reason,
      approved: r.approved,
      ...(r.linkSlot !== undefined ? { linkCidr: `${formatIpv4(BigInt(0xa9fe4000 + (r.linkSlot % 4096) * 4))}/30` } : {}),
    }));
  }

  buildAddons(spec, platform, clusters);
  spec.hooks.forEach((h, i) => new EventHook(platform.configs, `hook-${i}`, {
    name: h.name,
    event: h.event as ClusterLifecycleEvent,
    action: HookAction.webhook({ url: h.url, ...(h.tokenSecret ? { bearerTokenSecret: { name: 'hook-token', key: 'token' } } : {}) }),
  }));
  if (spec.policy) buildPolicy(spec, app, platform, clusters);
  return { app, platform, clusters, peerings };
}

function buildPolicy(spec: PlatformSpec, app: App, platform: PlatformUnderCluster, clusters: TenantCluster[]): void {
  const p = spec.policy!;
  const guardrails = p.guardrails ? TenantGuardrails.fromPlatform(platform, p.guardrails) : undefined;
  if (guardrails && p.admission) new AdmissionGuardrails(platform.configs, 'guardrails', { guardrails });
  const capacity = p.capacity ? {
    cpuOvercommitRatio: p.capacity.cpuOvercommitRatio,
    ...(p.capacity.vmHostRole ? { vmHostLabels: { 'kmetal.io/role': p.capacity.vmHostRole } } : {}),
  } : undefined;
  Policy.of(app).addPack(new PlatformPolicyPack({ guardrails, capacity, excludeRules: p.excludeRules }));
  for (const s of p.suppressions) {
    const cluster = pick(clusters, s.tenant);
    if (cluster) Policy.suppress(cluster, s.rule, s.reason);
  }
}

/** `10.<a>.<b>.0/<prefix>` with the host bits cleared. */
function subnetCidr(a: number, b: number, prefix: number): string {
  return `${formatIpv4(interval(`10.${a % 256}.${b % 256}.0/${prefix}`)!.first)}/${prefix}`;
}

interface TenantContext {
  readonly allowed: string[];
  readonly cls?: TenantClusterClass;
  readonly network?: TenantVpc['subnets'][number];
  readonly pools: ControlPlaneVipPool[];
  readonly pub: ReturnType<typeof publicNetwork>;
  readonly site?: IslandSite;
}

function tenantProps(spec: PlatformSpec, t: TenantSpec, ctx: TenantContext): TenantClusterProps {
  const { cls, pools } = ctx;
  const pool = t.controlPlane.pool ? pick(pools, t.controlPlane.pool.idx) : undefined;
  const vipPool = pool ?? pools[0];
  let pin: string | undefined;
  if (typeof t.controlPlane.pin === 'string') {
    pin = t.controlPlane.pin;
  } else if (t.controlPlane.pin !== undefined) {
    const first = vipPool ? interval(vipPool.addressPool.toJson().spec.addresses[0]) : undefined;
    pin = first ? formatIpv4(first.first + BigInt(t.controlPlane.pin) % (first.last - first.first + 1n)) : ctx.pub.address(t.controlPlane.pin);
  }
  const nodePools: NodePoolOptions[] = t.nodePools.map((n) => {
    const onClass = !!cls && !n.forceOnClass;
    const gpus = n.gpus.flatMap((g) => {
      if (g.kind === 'literal') return [{ deviceName: g.deviceName, count: g.count }];
      // At a site, the island's devices; else the platform's.
      const d = ctx.site ? pick(ctx.site.permittedDevices, g.idx) : pick(spec.under.permittedGpus, g.idx)?.resourceName;
      return d ? [{ deviceName: d, count: g.count }] : [];
    });
    return {
      name: n.name,
      replicas: n.replicas,
      minReplicas: n.minReplicas,
      maxReplicas: n.maxReplicas,
      cpuCores: n.cpuCores,
      memoryGiB: n.memoryGiB,
      ...(gpus.length ? { gpus: onClass ? gpus.slice(0, 1) : gpus } : {}),
      ...(!onClass && n.rootDiskGiB !== undefined ? { rootDiskGiB: n.rootDiskGiB } : {}),
      ...(!onClass && n.image !== undefined ? { image: poolImage(n.image, n.rootDiskGiB) } : {}),
      ...(cls && n.workerClass !== undefined ? { workerClass: typeof n.workerClass === 'string' ? n.workerClass : pick(cls.workerClassNames, n.workerClass.idx) } : {}),
    };
  });
  const g = t.governance;
  return {
    version: versionText(t.version, ctx.allowed, !!cls),
    clusterClass: cls,
    labels: { 'kmetal.io/tier': t.tier, ...(t.extraLabel ? { [t.extraLabel[0]]: t.extraLabel[1] } : {}) },
    ...(ctx.network ? { network: ctx.network } : {}),
    controlPlane: {
      ...(t.controlPlane.replicas !== undefined ? { replicas: t.controlPlane.replicas } : {}),
      ...(pool ? { vipPool: pool } : {}),
      ...(pin !== undefined ? { endpointAddress: pin } : {}),
    },
    ...(t.etcd ? { etcd: { ...t.etcd } } : {}),
    ...(t.podCidr ? { podCidr: t.podCidr } : {}),
    ...(t.serviceCidr ? { serviceCidr: t.serviceCidr } : {}),
    nodePools,
    ...(g ? {
      governance: {
        quota: g.quota,
        namespaceQuota: g.namespaceQuota,
        owners: g.owners.map((name) => ({ kind: TenantOwnerKind.USER, name })),
      },
    } : {}),
  };
}

function buildHostPools(spec: PlatformSpec, platform: PlatformUnderCluster): void {
  const namespaces = new Set<string>();
  spec.hostPools.forEach((hp, i) => {
    if (!namespaces.has(hp.namespace) && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(hp.namespace)) {
      namespaces.add(hp.namespace);
      new ApiObject(platform.configs, `namespace-${hp.namespace}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: hp.namespace } });
    }
    const pool = new BareMetalPool(platform.configs, `hosts-${i}`, {
      name: hp.name,
      namespace: hp.namespace,
      defaultCredentials: hp.defaultCredentials === 'secret' ? BmcCredentials.fromSecret('bmc-{host}')
        : hp.defaultCredentials === 'external' ? BmcCredentials.fromExternalSecret({ storeName: 'vault', storeKind: SecretStoreKind.CLUSTER_SECRET_STORE, remoteKey: 'bmc/{host}' })
          : undefined,
    });
    for (const h of hp.hosts) {
      pool.addHost({
        name: h.name,
        bmc: {
          address: bmcAddress(h),
          ...(h.credentials === 'own-secret' ? { credentialsName: `${h.name}-bmc` } : {}),
          ...(typeof h.credentials === 'object' ? { username: 'admin', password: h.credentials.inlinePassword } : {}),
        },
        ...(h.mac !== undefined ? { bootMacAddress: h.mac } : {}),
        labels: { 'kmetal.io/role': h.role },
        capacity: { cpuCores: h.cpuCores, memoryGiB: h.memoryGiB, ...(h.gpus ? { gpus: [{ model: 'nvidia-a100-80gb', count: h.gpus }] } : {}) },
      });
    }
    if (hp.template) {
      pool.machineTemplate(platform.clusterTemplates, `metal-template-${i}`, {
        clusterName: hp.template.cluster,
        image: MetalImage.fromUrl({ url: 'https://images.example.com/kmetal/node-v1.4.0.raw', checksum: hp.template.checksum }),
        ...(hp.template.role ? { hostLabels: { 'kmetal.io/role': hp.template.role } } : {}),
      });
    }
  });
}

function chartOf(c: ChartSpec) {
  const base = pick(CHART_CATALOG, c.catalog)!;
  return {
    ...base,
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(c.repositoryUrl !== undefined ? { repositoryUrl: c.repositoryUrl } : {}),
    ...(c.suffix ? { releaseName: `${base.chart}-${c.suffix}` } : {}),
  };
}

function buildAddons(spec: PlatformSpec, platform: PlatformUnderCluster, clusters: TenantCluster[]): void {
  const profiles: AddonProfile[] = [];
  spec.addons.forEach((a, i) => {
    const selected = a.selector.kind === 'cluster' ? pick(clusters, a.selector.tenant) : undefined;
    const selector = a.selector.kind === 'tier' ? ClusterSelector.withLabels({ 'kmetal.io/tier': a.selector.tier })
      : selected ? ClusterSelector.clusters(selected) : ClusterSelector.allTenantClusters();
    const profile = new AddonProfile(platform.configs, `addon-${i}`, {
      name: a.name,
      mandatory: a.mandatory,
      clusterSelector: selector,
      helmCharts: a.charts.map(chartOf),
    });
    if (a.content) {
      profile.addManifests('settings', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kmetal-settings', namespace: 'kube-system' }, data: { profile: a.name } }], { secret: a.content.secret });
    }
    // Dependencies on earlier profiles only, so the graph is acyclic by construction (cycles are a
    // separate bad input).
    for (const d of a.dependsOn) if (i > 0) profile.addDependency(profiles[d % i]);
    profiles.push(profile);
  });
  spec.addons.forEach((a, i) => {
    if (a.dependsOnAny !== undefined) profiles[i].addDependency(pick(profiles, a.dependsOnAny)!);
  });
}
