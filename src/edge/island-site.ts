import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { capacityProblem, IslandCapacityOptions, IslandCapacityReport, islandCapacity, resolveCapacityOptions, ResolvedCapacityOptions } from './island-capacity';
import { InfraKubeconfig, ISLAND_SITE_LABEL } from './private/infra-kubeconfig';
import { emitIslandComponents, ISLAND_COMPONENTS } from './private/island-components';
import { checkDevices, checkValues, checkVips } from './private/site-input';
import { SiteRegistry } from './private/site-registry';
import { ITenantSite, TenantSitePlacement } from './tenant-site';
import { GitOpsUnit } from '../gitops/gitops-unit';
import { ControlPlaneVipPool, VipPoolBgpOptions } from '../network/control-plane-vip-pool';
import { ComponentInstall } from '../platform/component-install';
import type { PermittedPciDevice, PlatformUnderCluster } from '../platform/platform-under-cluster';
import { ComponentVersion, VersionMatrix } from '../platform/version-matrix';
import { DedicatedEtcdDataStore, IHelmRepository, SecretKeyReference } from '../tenancy/datastore';
import type { NodePoolOptions } from '../tenancy/node-pool';
import type { TenantCluster, TenantClusterProps } from '../tenancy/tenant-cluster';
import { KmetalValidationError, showValue } from '../util/errors';
import { isLabel, validateDnsLabel } from '../util/names';

/** Props of `IslandSite`. */
export interface IslandSiteProps {
  /**
   * Site name: a DNS label of at most 23 characters. It names the island's Flux tree
   * (`clusters/<name>/`, `sites/<name>/`), the island cluster (`island-<name>`) and the VIP pool.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The island cluster: a small management cluster at the site, created by the platform like any
   * tenant cluster (`PlatformUnderCluster.addTenantCluster()`, named `island-<site>` unless `name`
   * is given). Its worker pools are the capacity the site's control planes, etcds and worker VMs
   * run on.
   * @default - none: give either this or `islandCluster`
   */
  readonly island?: TenantClusterProps;
  /**
   * An island cluster declared elsewhere in the app (on the same under cluster as the platform),
   * instead of `island`.
   * @default - the island is created from `island`
   */
  readonly islandCluster?: TenantCluster;
  /**
   * The VIPs of the control planes placed at the site, on the site's network: CIDRs or ranges, as
   * MetalLB takes them. They become a MetalLB pool on the island (never on the under cluster), and
   * must not overlap another site's or the under cluster's pool.
   */
  readonly controlPlaneVips: string[];
  /** Interfaces of the island nodes the VIPs are announced on (L2). @default - every interface */
  readonly vipInterfaces?: string[];
  /** Also announce the VIPs over BGP. @default - L2 announcement only */
  readonly vipBgp?: VipPoolBgpOptions;
  /** PCI devices the island's KubeVirt may pass to tenant VMs: the site's hardware. @default - none */
  readonly permittedPciDevices?: PermittedPciDevice[];
  /** Helm values per island component (`cert-manager`, `metallb`, `kamaji`), over the library's. @default - none */
  readonly values?: { [component: string]: any };
  /**
   * Let the island's KubeVirt emulate CPUs (no hardware virtualization): for labs whose island
   * nodes are VMs on hosts without nested virtualization. Slow; never for production.
   * @default false
   */
  readonly softwareEmulation?: boolean;
  /** The figures of the capacity check. @default - see `IslandCapacityOptions` */
  readonly capacity?: IslandCapacityOptions;
  /**
   * Labels of the under cluster's nodes that stand at the site: the island's worker VMs are pinned
   * to them (each island pool's `hostSelector`), so the island, and every tenant control plane and
   * worker it hosts, runs on the site's hardware and keeps running when the uplink is lost. An
   * island created from `island` gets the labels on its pools; the pools of an `islandCluster`
   * must carry them.
   * @default - not pinned: the island's VMs may run on any VM host of the under cluster (a lab)
   */
  readonly hostSelector?: { [key: string]: string };
}

const SITE_NAME_MAX = 23;
/** Namespaces the island's own components use: tenants must not land in them. */
const RESERVED_NAMESPACES = ['default', 'flux-system', 'kube-node-lease', 'kube-public', 'kube-system'];

interface Problem {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

/**
 * An edge site with its own small management cluster, the "island": tenant clusters declared on
 * the central platform run their control planes, etcds and worker VMs at the site, so their
 * control loops keep working when the uplink is lost.
 *
 * - The island cluster is created by the platform like a tenant cluster (its CAPI objects in the
 *   under cluster's tree, `tenants/island-<site>/`).
 * - What the island runs is installed by Flux on the island, from its own tree
 *   (`clusters/<site>/` → `sites/<site>/...`): cert-manager, MetalLB with the site's VIP pool, a
 *   nested Kamaji, KubeVirt and CDI, and per tenant its namespace and dedicated etcd.
 * - Tenants placed at the site (`addTenantCluster()`, or `TenantClusterProps.site`) keep their
 *   Cluster API objects in the under cluster's tree; their `KamajiControlPlane` points at the island
 *   (`deployment.externalClusterReference`) and their `KubevirtCluster` uses the island as infra
 *   cluster (`infraClusterSecretRef`).
 *
 * Checks: a placed tenant uses only the site's VIP pool, datastore, networks and devices; the
 * island's nodes hold what is placed on it (`capacityReport()`); the island's kubeconfig is written
 * where the tenants' control planes are reconciled; sites' VIP ranges are disjoint.
 */
export class IslandSite extends Construct implements ITenantSite {
  /** Name of the site. */
  public readonly siteName: string;
  /** Name of the island's Flux tree (`clusters/<name>/`): the site name. */
  public readonly clusterName: string;
  /** The platform that declares the site and its tenants. */
  public readonly platform: PlatformUnderCluster;
  /** The island cluster. */
  public readonly islandCluster: TenantCluster;
  /** Labels of the under-cluster nodes at the site the island's VMs are pinned to (empty: not pinned). */
  public readonly hostSelector: { [key: string]: string };
  /** The site's VIP pool (MetalLB objects in the island's tree). */
  public readonly vipPool: ControlPlaneVipPool;
  /** Island unit: Flux sources. */
  public readonly sources: GitOpsUnit;
  /** Island unit: cert-manager, MetalLB, Kamaji, KubeVirt, CDI. */
  public readonly controllers: GitOpsUnit;
  /** Island unit: KubeVirt and CDI custom resources, the VIP pool. */
  public readonly configs: GitOpsUnit;
  /** The components the island runs, with the platform's versions. */
  public readonly components: ComponentVersion[];
  /** The island's kubeconfig on the under cluster, as Cluster API writes it (key `value`). */
  public readonly controlPlaneKubeconfig: SecretKeyReference;
  /** The copy of it with key `kubeconfig`, which Cluster API provider KubeVirt reads (same namespace). */
  public readonly infraKubeconfigSecretName: string;
  /** The Sveltos ClusterProfile that writes `infraKubeconfigSecretName` on the under cluster (escape hatch). */
  public readonly infraKubeconfigProfile: ApiObject;
  /** The island's KubeVirt custom resource (escape hatch). */
  public readonly kubevirt?: ApiObject;
  /** Resource names of the devices the island's KubeVirt passes through. */
  public readonly permittedDevices: string[];

  private readonly registry: SiteRegistry;
  private readonly unitScope: Construct;
  private readonly capacityOptions: ResolvedCapacityOptions;
  private readonly etcdChartRepository: IHelmRepository;
  private readonly placed: TenantCluster[] = [];
  private readonly placedByName = new Map<string, TenantCluster>();
  private readonly placedByNamespace = new Map<string, TenantCluster>();

  constructor(platform: PlatformUnderCluster, id: string, props: IslandSiteProps) {
    super(platform, id);
    this.platform = platform;
    this.registry = SiteRegistry.of(this);
    this.siteName = validateDnsLabel(this, 'name', props?.name ?? id, SITE_NAME_MAX);
    this.clusterName = this.siteName;
    const other = this.registry.sitesByName.get(this.siteName);
    if (other) {
      throw new KmetalValidationError(this, 'name', `site ${showValue(this.siteName)} is already declared (${other.node.path}); a site name names its island's Flux tree`, 'give every site its own name');
    }
    if (this.siteName === platform.clusterName || this.registry.platformClusters.has(this.siteName)) {
      throw new KmetalValidationError(this, 'name', `${showValue(this.siteName)} is the name of an under cluster's Flux tree; the island's objects would be applied there`, 'name the site after its location, e.g. "factory-a"');
    }
    this.capacityOptions = resolveCapacityOptions(this, props.capacity);
    this.permittedDevices = checkDevices(this, props.permittedPciDevices ?? []);
    checkVips(this, props.controlPlaneVips);
    checkValues(this, props.values);
    this.components = ISLAND_COMPONENTS
      .map((c) => platform.components.find((x) => x.component === c))
      .filter((c): c is ComponentVersion => c !== undefined);

    this.hostSelector = { ...(props.hostSelector ?? {}) };
    for (const [k, v] of Object.entries(this.hostSelector)) {
      if (!isLabel(k, v)) {
        throw new KmetalValidationError(this, `hostSelector.${k}`, `${showValue(k)}=${showValue(v)} is not a valid Kubernetes label`, 'use the labels of the under cluster\'s nodes at the site, e.g. { "kmetal.io/site": "factory-a" }');
      }
    }
    // The island cluster: a tenant of the central platform, labelled so the kubeconfig copy finds it.
    this.islandCluster = props.islandCluster ? this.adoptIsland(props) : this.createIsland(props.island);
    const island = this.islandCluster;
    this.controlPlaneKubeconfig = { name: island.kubeconfigSecretName, namespace: island.namespace, key: 'value' };
    this.infraKubeconfigSecretName = `${island.clusterName}-infra-kubeconfig`;
    this.infraKubeconfigProfile = new InfraKubeconfig(island, `SiteKubeconfig-${this.siteName}`, {
      siteName: this.siteName,
      source: this.controlPlaneKubeconfig,
      secretName: this.infraKubeconfigSecretName,
    }).profile;

    // The island's own tree. Units are created beside the platform's (in its scope); their paths
    // live under sites/<site>/ since folders are unique across the whole app.
    this.unitScope = platform.node.scope as Construct;
    const unit = (layer: string, dependsOn: GitOpsUnit[], extra: { wait?: boolean; timeout?: string } = {}) => new GitOpsUnit(this.unitScope, `site-${this.siteName}-${layer}`, {
      path: `sites/${this.siteName}/infrastructure/${layer}`,
      kustomizationName: `infrastructure-${layer}`,
      cluster: this.clusterName,
      dependsOn,
      ...extra,
    });
    this.sources = unit('sources', [], { wait: true });
    this.controllers = unit('controllers', [this.sources], { wait: true, timeout: '15m' });
    this.configs = unit('configs', [this.controllers], { wait: true, timeout: '15m' });
    this.kubevirt = emitIslandComponents(this, {
      components: this.components,
      chartMirror: platform.chartMirror,
      releaseManifestsRegistry: platform.releaseManifestsRegistry,
      values: props.values ?? {},
      devices: props.permittedPciDevices ?? [],
      softwareEmulation: props.softwareEmulation ?? false,
    }).kubevirt;
    const metallb = this.components.find((c) => c.component === 'metallb');
    this.vipPool = new ControlPlaneVipPool(this.configs, 'ControlPlaneVips', {
      name: `${this.siteName}-vips`,
      namespace: metallb?.namespace,
      addresses: props.controlPlaneVips,
      interfaces: props.vipInterfaces,
      bgp: props.vipBgp,
    });
    this.etcdChartRepository = ComponentInstall.repositoryFor(this.sources, VersionMatrix.component('kamaji-etcd'), platform.chartMirror);

    platform._enableExternalControlPlanes();
    const first = this.registry.register(this);
    this.node.addValidation({ validate: () => this.validateSite(first) });
  }

  /** The tenant clusters placed at the site, in the order they were placed. */
  public get tenants(): TenantCluster[] {
    return [...this.placed];
  }

  /**
   * Adds a tenant cluster at the site, through the platform (`tenants/<name>` in the under
   * cluster's tree, with the platform's defaults and checks); its control plane, etcd and workers
   * run on the island.
   */
  public addTenantCluster(id: string, props: TenantClusterProps = {}): TenantCluster {
    if (props.site !== undefined && props.site !== this) {
      throw new KmetalValidationError(this, `tenants.${props.name ?? id}.site`, `the cluster is added to site "${this.siteName}" but names another site`, 'drop site from the props, or add the cluster to that site');
    }
    return this.platform.addTenantCluster(id, { ...props, site: this });
  }

  /**
   * The island's Flux unit of a tenant (`sites/<site>/tenants/<name>`), created on first use: it
   * holds the tenant's namespace and dedicated etcd on the island; put other objects the tenant
   * needs at the site there.
   */
  public tenantUnit(tenantName: string): GitOpsUnit {
    const id = `site-${this.siteName}-tenant-${tenantName}`;
    const existing = this.unitScope.node.tryFindChild(id);
    if (existing) return existing as GitOpsUnit;
    return new GitOpsUnit(this.unitScope, id, {
      path: `sites/${this.siteName}/tenants/${validateDnsLabel(this, `tenants.${tenantName}.name`, tenantName, 30)}`,
      kustomizationName: `tenants-${tenantName}`,
      cluster: this.clusterName,
      dependsOn: [this.configs],
    });
  }

  /**
   * The capacity check: what the island's nodes offer against what the placed tenants need
   * (control-plane replicas, etcd members, worker VMs). Reads the clusters as they are now; synth
   * runs it over the final app and fails when `fits` is false.
   */
  public capacityReport(): IslandCapacityReport {
    return islandCapacity(this.islandCluster, this.placed, this.capacityOptions);
  }

  /**
   * Places a tenant cluster at the site (called by the `TenantCluster` constructor; use
   * `addTenantCluster()` or `TenantClusterProps.site`): checks the cluster references only what the
   * site has, and creates its namespace and dedicated etcd in the island's tree.
   */
  public placeTenantCluster(cluster: TenantCluster, props: TenantClusterProps): TenantSitePlacement {
    const name = cluster.clusterName;
    const namespace = cluster.namespace;
    const sameName = this.placedByName.get(name);
    if (sameName) {
      throw new KmetalValidationError(cluster, 'name', `site "${this.siteName}" already runs a cluster named ${showValue(name)} (${sameName.node.path}); their etcd DataStores would collide on the island`, 'give the cluster another name, or place it at another site');
    }
    const sameNamespace = this.placedByNamespace.get(namespace);
    if (sameNamespace || RESERVED_NAMESPACES.includes(namespace) || this.components.some((c) => c.namespace === namespace)) {
      throw new KmetalValidationError(cluster, 'namespace', `${showValue(namespace)} is already used on the island of site "${this.siteName}"${sameNamespace ? ` by ${sameNamespace.node.path}` : ''}; the control plane and VMs go to that namespace there`, 'give the cluster its own namespace (the default, "tenant-<name>", is unique)');
    }
    this.checkKubeconfigReference(cluster);
    const first = this.referenceProblems(props)[0];
    if (first) throw new KmetalValidationError(cluster, first.field, first.problem, first.fix);

    const unit = this.tenantUnit(name);
    new ApiObject(unit, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { 'kmetal.io/tenant-cluster': name, [ISLAND_SITE_LABEL]: this.siteName } },
    });
    // The island's Kamaji reads the DataStore, so the etcd and its DataStore live on the island.
    const dataStore = props.dataStore ? undefined : new DedicatedEtcdDataStore(unit, 'Etcd', {
      name,
      namespace,
      ...props.etcd,
      chartRepository: props.etcd?.chartRepository ?? this.etcdChartRepository,
    });
    // The KamajiControlPlane needs the island's kubeconfig: apply the tenant after the island's
    // Cluster API objects (the etcd on the island cannot be waited for across clusters: Kamaji retries).
    const tenantUnit = GitOpsUnit.tryOf(cluster);
    const islandUnit = GitOpsUnit.tryOf(this.islandCluster);
    if (tenantUnit && islandUnit && tenantUnit !== islandUnit) tenantUnit.addDependency(islandUnit);

    this.placed.push(cluster);
    this.placedByName.set(name, cluster);
    this.placedByNamespace.set(namespace, cluster);
    cluster.node.addValidation({ validate: () => this.tenantViolations(cluster) });
    return {
      siteName: this.siteName,
      clusterName: this.clusterName,
      controlPlaneKubeconfig: this.controlPlaneKubeconfig,
      controlPlaneNamespace: namespace,
      infraClusterSecretName: this.infraKubeconfigSecretName,
      infraClusterSecretNamespace: this.islandCluster.namespace,
      vipPool: this.vipPool,
      dataStore,
    };
  }

  private createIsland(island: TenantClusterProps | undefined): TenantCluster {
    if (!island) {
      throw new KmetalValidationError(this, 'island', 'no island cluster given', 'give island (its version and node pools, e.g. { version: "v1.33.2", nodePools: [{ name: "site", replicas: 3, cpuCores: 16, memoryGiB: 64 }] }) or islandCluster');
    }
    if (island.site) {
      throw new KmetalValidationError(this, 'island.site', 'the island cluster is itself placed at a site', 'drop site: an island\'s own control plane runs on the under cluster');
    }
    const name = island.name ?? `island-${this.siteName}`;
    const nodePools = (island.nodePools ?? []).map((pool) => {
      for (const [k, v] of Object.entries(pool.hostSelector ?? {})) {
        if (this.hostSelector[k] !== undefined && this.hostSelector[k] !== v) {
          throw new KmetalValidationError(this, `island.nodePools.${pool.name}.hostSelector.${k}`, `${showValue(v)} contradicts the site's hostSelector ${showValue(this.hostSelector[k])}`, 'drop the pool\'s own value: the site pins every island pool to its hosts');
        }
      }
      return Object.keys(this.hostSelector).length ? { ...pool, hostSelector: { ...pool.hostSelector, ...this.hostSelector } } : pool;
    });
    return this.platform.addTenantCluster(name, { ...island, name, nodePools, labels: { ...island.labels, [ISLAND_SITE_LABEL]: this.siteName } });
  }

  private adoptIsland(props: IslandSiteProps): TenantCluster {
    const island = props.islandCluster!;
    if (props.island) {
      throw new KmetalValidationError(this, 'islandCluster', 'both island and islandCluster are given', 'give one: island to have the site create its island cluster, islandCluster to use one declared elsewhere');
    }
    if (island.node.root !== this.node.root) {
      throw new KmetalValidationError(this, 'islandCluster', `${island.node.path} is declared in another app: Cluster API writes its kubeconfig (${island.kubeconfigSecretName}) only where that app is applied`, 'declare the island cluster in the same app as the site');
    }
    if (island.site) {
      throw new KmetalValidationError(this, 'islandCluster', `${island.node.path} is itself placed at site "${island.site.siteName}"`, 'use a cluster whose control plane runs on the under cluster');
    }
    const taken = this.registry.sitesByIsland.get(island);
    if (taken) {
      throw new KmetalValidationError(this, 'islandCluster', `${island.node.path} is already the island of site "${taken.siteName}"`, 'give every site its own island cluster');
    }
    const tree = GitOpsUnit.tryOf(island)?.cluster;
    if (tree !== undefined && tree !== this.platform.clusterName) {
      throw new KmetalValidationError(this, 'islandCluster', `${island.node.path} is applied to ${this.registry.describeCluster(tree)}, not to the platform's "${this.platform.clusterName}": its kubeconfig Secret would be written where this platform's Kamaji provider cannot read it`, `declare the island cluster on the platform (e.g. platform.addTenantCluster()) or in a unit of cluster "${this.platform.clusterName}"`);
    }
    island.cluster.metadata.addLabel(ISLAND_SITE_LABEL, this.siteName);
    return island;
  }

  /** The island's kubeconfig Secret is written by Cluster API where the island's Cluster is applied: the tenant's KamajiControlPlane must be applied there too. */
  private checkKubeconfigReference(cluster: TenantCluster): void {
    const island = this.islandCluster;
    if (cluster.node.root !== this.node.root) {
      throw new KmetalValidationError(cluster, 'site', `site "${this.siteName}" is declared in another app: the island's kubeconfig (${island.kubeconfigSecretName}) is not written where this cluster is applied`, 'declare the cluster in the app of the site (site.addTenantCluster())');
    }
    const tenantTree = GitOpsUnit.tryOf(cluster)?.cluster;
    const islandTree = GitOpsUnit.tryOf(island)?.cluster;
    if (tenantTree !== islandTree) {
      throw new KmetalValidationError(cluster, 'site', `the cluster's Cluster API objects go to ${this.registry.describeCluster(tenantTree)}, but the kubeconfig of the island "${island.clusterName}" (Secret ${island.namespace}/${island.kubeconfigSecretName}) is written on ${this.registry.describeCluster(islandTree)}`,
        'declare the cluster on the platform of the site (site.addTenantCluster()) or in a unit of the island\'s cluster');
    }
  }

  /** What a tenant references that is not at the site: VIP pool, datastore, chart source, networks, devices. */
  private referenceProblems(props: TenantClusterProps): Problem[] {
    const out: Problem[] = [];
    const cp = props.controlPlane;
    if (cp?.vipPool !== undefined && cp.vipPool !== this.vipPool) {
      const other = this.registry.sitesByPool.get(cp.vipPool);
      const whose = other ? `the VIP pool of site "${other.siteName}"` : cp.vipPool === this.platform.controlPlaneVipPool ? `the under cluster's VIP pool "${cp.vipPool.poolName}"` : `pool "${cp.vipPool.poolName}", which is not the site's`;
      out.push({
        field: 'controlPlane.vipPool',
        problem: `is ${whose}; a control plane at site "${this.siteName}" is exposed by the island's MetalLB, which announces only the site's pool "${this.vipPool.poolName}"`,
        fix: `drop controlPlane.vipPool (the site's pool is used)${other ? `, or place the cluster at site "${other.siteName}"` : ''}`,
      });
    }
    if (cp?.addressPool !== undefined && cp.addressPool !== this.vipPool.poolName) {
      out.push({ field: 'controlPlane.addressPool', problem: `${showValue(cp.addressPool)} is not a pool of the island of site "${this.siteName}"`, fix: `drop addressPool (the site's pool "${this.vipPool.poolName}" is used)` });
    }
    const onSite = (field: string, what: string, ref: unknown, fix: string) => {
      const p = this.foreignReference(field, what, ref, fix);
      if (p) out.push(p);
    };
    onSite('dataStore', 'the datastore', props.dataStore, `drop dataStore (the site creates a dedicated etcd on the island), or declare the DataStore in a unit of site "${this.siteName}" (e.g. site.tenantUnit(name))`);
    onSite('etcd.chartRepository', 'the etcd chart source', props.etcd?.chartRepository, 'drop etcd.chartRepository (the island\'s own source is used), or reference one by name (HelmChartRepository.fromName())');
    out.push(...this.poolProblems(props.nodePools ?? [], props.network));
    return out;
  }

  /** Networks and devices of pools: the pools' own, else the cluster's default network. */
  private poolProblems(pools: NodePoolOptions[], defaultNetwork: unknown): Problem[] {
    const out: Problem[] = [];
    const fix = 'drop the network: workers at a site use the island\'s pod network (or a network of the island referenced by name, NodeNetwork.multus()/kubeOvnSubnet())';
    const p = this.foreignReference('network', 'the network', defaultNetwork, fix);
    if (p) out.push(p);
    for (const pool of pools) {
      const q = this.foreignReference(`nodePools.${pool.name}.network`, 'the network', pool.network, fix);
      if (q) out.push(q);
      for (const gpu of pool.gpus ?? []) {
        if (this.permittedDevices.includes(gpu.deviceName)) continue;
        const elsewhere = this.registry.sitesWithDevice(gpu.deviceName).filter((s) => s !== this).map((s) => `"${s.siteName}"`);
        out.push({
          field: `nodePools.${pool.name}.gpus.deviceName`,
          problem: elsewhere.length
            ? `${showValue(gpu.deviceName)} is hardware of site ${elsewhere.join(', ')}, not of site "${this.siteName}" (the VMs run on its island)`
            : `${showValue(gpu.deviceName)} is not a device the island of site "${this.siteName}" passes through`,
          fix: elsewhere.length
            ? `place the cluster at site ${elsewhere[0]}, or add the device to permittedPciDevices of site "${this.siteName}" if it has one`
            : `add it to permittedPciDevices of the site, or use one of: ${this.permittedDevices.join(', ') || '(none declared)'}`,
        });
      }
    }
    return out;
  }

  /** A construct referenced by a placed tenant must be in the site's tree; references by name are taken to be on the island. */
  private foreignReference(field: string, what: string, ref: unknown, fix: string): Problem | undefined {
    if (!Construct.isConstruct(ref)) return undefined;
    const unit = GitOpsUnit.tryOf(ref);
    if (unit && unit.cluster === this.clusterName) return undefined;
    return {
      field,
      problem: `${what} ${ref.node.path} is applied to ${unit ? this.registry.describeCluster(unit.cluster) : 'no Flux unit'}, not to the island of site "${this.siteName}", where the cluster runs`,
      fix,
    };
  }

  /** Synth-time checks of a placed tenant (pools may be added after it was placed). */
  private tenantViolations(cluster: TenantCluster): string[] {
    return this.poolProblems(cluster.nodePoolOptions, cluster.defaultNetwork).map((p) => `${p.field}: ${p.problem}. Fix: ${p.fix}`);
  }

  private validateSite(first: boolean): string[] {
    const out: string[] = [];
    const r = this.capacityReport();
    if (!r.fits) out.push(capacityProblem(this.islandCluster.clusterName, this.siteName, this.placed.length, r));
    for (const pool of this.islandCluster.nodePools) {
      const missing = Object.entries(this.hostSelector).filter(([k, v]) => pool.hostSelector[k] !== v);
      if (missing.length) {
        out.push(`hostSelector: the island's pool "${pool.poolName}" (${pool.node.path}) is not pinned to the site's hosts (${missing.map(([k, v]) => `${k}=${v}`).join(', ')}), so its VMs may run away from the site. Fix: give the pool hostSelector ${JSON.stringify(this.hostSelector)}`);
      }
    }
    const overlap = first ? this.registry.vipOverlap() : undefined;
    if (overlap) {
      out.push(`controlPlaneVips: ${overlap}; the under cluster reaches every site's control planes, so their VIPs must be distinct. Fix: give every site its own VIP range`);
    }
    return out;
  }
}
