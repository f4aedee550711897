import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ComponentInstall } from './component-install';
import { ComponentVersion, InstallMethod, VersionMatrix } from './version-matrix';
import { refuseCredentials } from '../addons/helm-chart';
import { resolveProvisioningNetwork, type ProvisioningNetworkProps } from '../baremetal/provisioning-network';
import { IslandSite, IslandSiteProps } from '../edge/island-site';
import { GitOpsUnit } from '../gitops/gitops-unit';
import { IControlPlaneVipPool } from '../network/control-plane-vip';
import { IMachineImage } from '../os/machine-image';
import { ClusterInfrastructure } from '../tenancy/cluster-infrastructure';
import { DedicatedEtcdDataStore, IHelmRepository } from '../tenancy/datastore';
import { DATASTORE_BACKUP_OPTIONS_KEYS, DatastoreBackup, DatastoreBackupOptions } from '../tenancy/datastore-backup';
import { TenantCluster, TenantClusterProps } from '../tenancy/tenant-cluster';
import { InfraStorageClassOptions, TENANT_STORAGE_OPTIONS_KEYS, TenantStorage, TenantStorageOptions, validateInfraStorageClass } from '../tenancy/tenant-storage';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkKnownProps, checkPropTypes } from '../util/props';
import { refuseAfterSynth } from '../util/synth-seal';

/** A PCI device KubeVirt may pass through to VMs (GPUs and other accelerators). */
export interface PermittedPciDevice {
  /** The resource name VMs request, e.g. `nvidia.com/GA102GL_A10`; node pools' `gpus[].deviceName`. */
  readonly resourceName: string;
  /** `vendor:device` PCI id, e.g. `10DE:2236`. */
  readonly pciVendorSelector: string;
  /** The device is announced by an external device plugin (e.g. NVIDIA's) instead of KubeVirt. @default false */
  readonly externalResourceProvider?: boolean;
}

/** Props of `PlatformUnderCluster`. */
export interface PlatformUnderClusterProps {
  /** Name of the under cluster in the Flux tree (`clusters/<name>/`). @default 'under' */
  readonly clusterName?: string;
  /**
   * One place to re-point every Helm chart to a mirror (air-gapped bare metal): an `oci://` registry
   * path holding the charts under their upstream names, e.g. `oci://harbor.example.com/kmetal-charts`.
   * @default - each chart's upstream repository
   */
  readonly chartMirror?: string;
  /**
   * Where the release manifests of components that publish no chart (KubeVirt, CDI, the Metal3
   * baremetal-operator) are pushed as Flux OCI artifacts, e.g. `oci://harbor.example.com/kmetal-manifests`.
   * Flux cannot pull a plain release download URL; README shows the `flux push artifact` commands.
   * Required when any of those components is installed.
   * @default - none: KubeVirt, CDI and Metal3 cannot be installed until it is set
   */
  readonly releaseManifestsRegistry?: string;
  /**
   * Component versions to use instead of the validated set (component id → version). Leaving the
   * validated set is allowed and reported as a warning.
   * @default - the validated set (`VersionMatrix.COMPONENTS`)
   */
  readonly versions?: { [component: string]: string };
  /** Helm values per component, merged over the library's values (component id → values). @default - none */
  readonly values?: { [component: string]: any };
  /** Install the Metal3 stack (baremetal-operator, CAPM3, and Ironic when `provisioningNetwork` is set). @default true */
  readonly metal3?: boolean;
  /**
   * The network Ironic provisions bare-metal hosts on. Set it to install Ironic (the
   * baremetal-operator's `ironic-deployment/default` release manifests, configured for this network)
   * and point the baremetal-operator at it; without Ironic, BareMetalHosts are registered but never
   * inspected or provisioned (the reconcile check refuses hosts on a cluster without Ironic).
   *
   * @default - no Ironic
   */
  readonly provisioningNetwork?: ProvisioningNetworkProps;
  /**
   * Install the Kairos operator (kairos-io/kairos-operator release manifests), which builds the
   * `OSArtifact` of every Kairos `NodeImage` on this cluster (the reconcile check refuses an
   * OSArtifact on a cluster without it).
   * @default false
   */
  readonly kairosOperator?: boolean;
  /** Kubernetes minors tenants may run, e.g. `['v1.33', 'v1.34']`. @default - every minor the pinned Kamaji supports */
  readonly allowedKubernetesMinors?: string[];
  /** PCI devices KubeVirt may hand to VMs. @default - none */
  readonly permittedPciDevices?: PermittedPciDevice[];
  /** Node image for tenant pools that name none. @default - none */
  readonly defaultNodeImage?: IMachineImage;
  /** VIP pool tenant control planes draw from. @default - none (MetalLB picks) */
  readonly controlPlaneVipPool?: IControlPlaneVipPool;
}

/** Every property of `PlatformUnderClusterProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const PLATFORM_UNDER_CLUSTER_PROPS_KEYS: readonly string[] = [
  'clusterName', 'chartMirror', 'releaseManifestsRegistry', 'versions', 'values', 'metal3', 'provisioningNetwork', 'kairosOperator',
  'allowedKubernetesMinors', 'permittedPciDevices', 'defaultNodeImage', 'controlPlaneVipPool',
];
/** Every property of `PermittedPciDevice`. */
export const PERMITTED_PCI_DEVICE_KEYS: readonly string[] = ['resourceName', 'pciVendorSelector', 'externalResourceProvider'];

/**
 * The whole kMetal install on the management ("under") cluster, as one construct: Flux sources,
 * the component releases (cert-manager, MetalLB, Kube-OVN, KubeVirt, CDI, the Cluster API operator
 * and providers, Metal3, Kamaji, Capsule, Sveltos) pinned by the `VersionMatrix`, their
 * configuration, and the tenants.
 *
 * Output layers (Flux Kustomizations, each waiting for the one before):
 * `infrastructure/sources` → `infrastructure/controllers` (CRD-owning releases) →
 * `infrastructure/configs` (custom resources of those CRDs: KubeVirt, CDI, CAPI providers, network
 * planes, hosts) → `infrastructure/cluster-templates` (objects of the CRDs the CAPI providers install:
 * cluster classes, machine templates) → `tenants/<name>` (one unit per tenant).
 */
export class PlatformUnderCluster extends Construct {
  /** Flux sources (HelmRepositories, OCIRepositories). */
  public readonly sources: GitOpsUnit;
  /** Controllers and their CRDs. */
  public readonly controllers: GitOpsUnit;
  /** Custom resources of the controllers: operators' CRs, Cluster API providers, network planes, pools. */
  public readonly configs: GitOpsUnit;
  /**
   * Objects whose CRDs the Cluster API providers install (so they cannot share a unit with the
   * provider objects): tenant cluster classes, Metal3 machine templates.
   */
  public readonly clusterTemplates: GitOpsUnit;
  /** Name of the under cluster in the Flux tree. */
  public readonly clusterName: string;
  /** Warnings found while building the platform (e.g. versions outside the validated set). */
  public readonly warnings: string[] = [];
  /** The components with the versions actually used. */
  public readonly components: ComponentVersion[];
  /** Node image for tenant pools that name none. */
  public readonly defaultNodeImage?: IMachineImage;
  /**
   * VIP pool tenant control planes added from now on draw from. Usually set right after the
   * platform is created, since the pool itself lives in the platform's `configs` unit.
   */
  public controlPlaneVipPool?: IControlPlaneVipPool;
  /** Kubernetes minors tenants may run. */
  public readonly allowedKubernetesMinors: string[];

  private readonly tenantClusters: TenantCluster[] = [];
  private backupDefaults?: DatastoreBackupOptions;
  private readonly infraStorageClassList: string[] = [];
  private storage?: TenantStorage;
  /** The units `tenantUnit()` made: their Kustomizations already depend on `clusterTemplates`. */
  private readonly platformTenantUnits = new Set<GitOpsUnit>();
  /** The `oci://` mirror every chart is pulled from, if set. */
  public readonly chartMirror?: string;
  /** The `oci://` registry holding release manifests as Flux artifacts, if set. */
  public readonly releaseManifestsRegistry?: string;
  private readonly sites: IslandSite[] = [];
  private externalControlPlanes = false;
  private readonly installs = new Map<string, ComponentInstall>();
  private readonly permittedDevices: Set<string>;

  constructor(scope: Construct, id: string, props: PlatformUnderClusterProps = {}) {
    super(scope, id);
    checkKnownProps(this, '', props, PLATFORM_UNDER_CLUSTER_PROPS_KEYS, 'PlatformUnderClusterProps');
    (props.permittedPciDevices ?? []).forEach((d, i) => {
      checkKnownProps(this, `permittedPciDevices[${i}]`, d, PERMITTED_PCI_DEVICE_KEYS, 'PermittedPciDevice');
      checkPropTypes(this, `permittedPciDevices[${i}]`, d, 'PermittedPciDevice');
    });
    this.clusterName = validateDnsLabel(this, 'clusterName', props.clusterName ?? 'under');
    this.defaultNodeImage = props.defaultNodeImage; // an image: checked with the other props (checkKnownProps)
    this.chartMirror = props.chartMirror;
    this.releaseManifestsRegistry = props.releaseManifestsRegistry;
    this.controlPlaneVipPool = props.controlPlaneVipPool;
    const range = VersionMatrix.KAMAJI_KUBERNETES;
    const supported = Array.from({ length: range.maxMinor - range.minMinor + 1 }, (_, i) => `v1.${range.minMinor + i}`);
    this.allowedKubernetesMinors = props.allowedKubernetesMinors ?? supported;
    for (const minor of this.allowedKubernetesMinors) {
      if (!supported.includes(minor)) {
        throw new KmetalValidationError(this, 'allowedKubernetesMinors', `${showValue(minor)} is not a minor the pinned Kamaji supports (${supported.join(', ')})`, 'list minors such as "v1.33"');
      }
    }
    this.permittedDevices = new Set((props.permittedPciDevices ?? []).map((d) => d.resourceName));
    for (const [i, d] of (props.permittedPciDevices ?? []).entries()) {
      if (!/^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$/.test(d.pciVendorSelector)) {
        throw new KmetalValidationError(this, `permittedPciDevices[${i}].pciVendorSelector`, `${showValue(d.pciVendorSelector)} is not a PCI vendor:device id`, 'write it as four hex digits, a colon and four hex digits, e.g. "10DE:2236" (see lspci -nn)');
      }
      if (!d.resourceName.includes('/')) {
        throw new KmetalValidationError(this, `permittedPciDevices[${i}].resourceName`, `${showValue(d.resourceName)} is not a resource name`, 'use a vendor-prefixed name, e.g. "nvidia.com/GA102GL_A10"');
      }
    }
    const provisioning = props.provisioningNetwork !== undefined ? resolveProvisioningNetwork(this, 'provisioningNetwork', props.provisioningNetwork) : undefined;
    if (provisioning && props.metal3 === false) {
      throw new KmetalValidationError(this, 'provisioningNetwork', 'Ironic is part of the Metal3 stack, which metal3: false leaves out', 'drop provisioningNetwork, or install Metal3');
    }
    this.components = this.resolveVersions(props.versions ?? {}, props.metal3 ?? true).filter((c) => c.component !== 'ironic' || provisioning !== undefined)
      .filter((c) => c.component !== 'kairos-operator' || props.kairosOperator === true);
    for (const [field, mirror] of [['chartMirror', props.chartMirror], ['releaseManifestsRegistry', props.releaseManifestsRegistry]] as const) {
      if (mirror === undefined) continue;
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(String(mirror))) {
        // Not quoted (the message would carry the password into CI logs), and never written into the sources.
        throw new KmetalValidationError(this, field, 'the registry path carries credentials (user information before "@"), which would be written into the Flux sources in clear text', 'drop the "user:password@" part and give Flux the registry credentials in a Secret');
      }
      if (!/^oci:\/\/[^\s/]+(\/[^\s]*)?$/.test(mirror)) {
        throw new KmetalValidationError(this, field, `${showValue(mirror)} is not an oci:// registry path`, 'give e.g. "oci://harbor.example.com/kmetal"');
      }
    }
    const needsManifests = this.components.filter((c) => c.installMethod === InstallMethod.RELEASE_MANIFESTS);
    if (needsManifests.length && !props.releaseManifestsRegistry) {
      throw new KmetalValidationError(this, 'releaseManifestsRegistry', `${needsManifests.map((c) => c.component).join(', ')} publish release manifests, not Helm charts, and Flux needs them as OCI artifacts`, 'push them to your registry with `flux push artifact` (see README, "Release manifests") and set releaseManifestsRegistry, e.g. "oci://harbor.example.com/kmetal-manifests"');
    }

    this.sources = new GitOpsUnit(scope, `${id}-sources`, { path: 'infrastructure/sources', cluster: this.clusterName, wait: true });
    this.controllers = new GitOpsUnit(scope, `${id}-controllers`, { path: 'infrastructure/controllers', cluster: this.clusterName, dependsOn: [this.sources], wait: true, timeout: '15m' });
    this.configs = new GitOpsUnit(scope, `${id}-configs`, { path: 'infrastructure/configs', cluster: this.clusterName, dependsOn: [this.controllers], wait: true, timeout: '15m' });
    this.clusterTemplates = new GitOpsUnit(scope, `${id}-cluster-templates`, { path: 'infrastructure/cluster-templates', cluster: this.clusterName, dependsOn: [this.configs], wait: true });

    // Helm values land in git with the HelmReleases: a credential among them is refused here.
    for (const [component, values] of Object.entries(props.values ?? {})) refuseCredentials(this, `values.${component}`, values);
    for (const component of this.components) {
      if (component.installMethod === InstallMethod.REFERENCED_CHART || component.installMethod === InstallMethod.CAPI_PROVIDER) continue;
      this.installs.set(component.component, new ComponentInstall(this.controllers, component.component, {
        component,
        sourcesUnit: this.sources,
        chartMirror: props.chartMirror,
        releaseManifestsRegistry: props.releaseManifestsRegistry,
        values: props.values?.[component.component],
        dependsOn: component.component === 'cert-manager' || component.installMethod === InstallMethod.RELEASE_MANIFESTS ? [] : [this.installs.get('cert-manager')!],
        provisioningNetwork: props.provisioningNetwork,
      }));
    }
    this.emitProviders(props.releaseManifestsRegistry);
    this.emitVirtualization(props.permittedPciDevices ?? []);
  }

  /** The Flux HelmRepository of the chart tenants' dedicated etcd comes from. */
  public get etcdChartRepository(): IHelmRepository {
    return ComponentInstall.repositoryFor(this.sources, VersionMatrix.component('kamaji-etcd'), this.chartMirror);
  }

  /**
   * Schedules etcd snapshots of every tenant's dedicated datastore (a `DatastoreBackup` beside each
   * etcd), for the tenants declared so far and those declared later. A tenant's own
   * `etcdBackup` overrides these settings field by field; `etcdBackup: { enabled: false }` opts it
   * out. The credentials Secret must exist in every tenant namespace (made outside git).
   */
  public addDatastoreBackups(options: DatastoreBackupOptions): void {
    refuseAfterSynth(this, 'datastore backups');
    checkKnownProps(this, 'addDatastoreBackups', options, DATASTORE_BACKUP_OPTIONS_KEYS, 'DatastoreBackupOptions');
    checkPropTypes(this, 'addDatastoreBackups', options, 'DatastoreBackupOptions');
    if (this.backupDefaults) {
      throw new KmetalValidationError(this, 'addDatastoreBackups', 'the platform\'s datastore backups are declared twice', 'call addDatastoreBackups() once; vary per tenant with TenantClusterProps.etcdBackup');
    }
    this.backupDefaults = { ...options };
    for (const t of this.tenantClusters) DatastoreBackup._applyTo(t, this.backupDefaults);
  }

  /**
   * Declares a StorageClass of the under cluster (provided by the platform's storage system, outside
   * this app) that tenant StorageClasses may be backed by (`addTenantStorage()`).
   */
  public addInfraStorageClass(options: InfraStorageClassOptions): void {
    refuseAfterSynth(this, 'infra storage classes');
    const name = validateInfraStorageClass(this, 'addInfraStorageClass', options);
    if (this.infraStorageClassList.includes(name)) {
      throw new KmetalValidationError(this, 'addInfraStorageClass.name', `the infra StorageClass ${showValue(name)} is declared twice`, 'declare every infra StorageClass once');
    }
    this.infraStorageClassList.push(name);
  }

  /** The infra StorageClasses declared with `addInfraStorageClass()`. */
  public get infraStorageClasses(): string[] {
    return [...this.infraStorageClassList];
  }

  /**
   * Gives every tenant cluster (declared before or after) persistent volumes through the KubeVirt
   * CSI driver: a `KubevirtCsiController` beside each control plane, and one `AddonProfile`
   * (`kubevirt-csi`) with the node plugin and the tenant StorageClasses, each mapped to an infra
   * StorageClass declared with `addInfraStorageClass()`. A cluster opts out with `storage: { enabled: false }`.
   */
  public addTenantStorage(options: TenantStorageOptions): TenantStorage {
    refuseAfterSynth(this, 'tenant storage');
    checkKnownProps(this, 'addTenantStorage', options, TENANT_STORAGE_OPTIONS_KEYS, 'TenantStorageOptions');
    checkPropTypes(this, 'addTenantStorage', options, 'TenantStorageOptions');
    if (this.storage) {
      throw new KmetalValidationError(this, 'addTenantStorage', 'the platform\'s tenant storage is declared twice', 'call addTenantStorage() once, with every class');
    }
    this.storage = new TenantStorage(this.configs, 'tenant-storage', { ...options, platform: this });
    for (const t of this.tenantClusters) this.storage._applyTo(t, t._storageOptions);
    return this.storage;
  }

  /** The platform's tenant storage (`addTenantStorage()`), if declared. */
  public get tenantStorage(): TenantStorage | undefined {
    return this.storage;
  }

  /** The platform's datastore backup settings (`addDatastoreBackups()`), if declared. */
  public get datastoreBackups(): DatastoreBackupOptions | undefined {
    return this.backupDefaults;
  }

  /** The tenant clusters added to the platform. */
  public get tenants(): TenantCluster[] {
    return [...this.tenantClusters];
  }

  /**
   * Adds a tenant cluster in its own unit (`tenants/<name>`), with the platform's defaults (node
   * image, VIP pool, etcd chart source) and checks (allowed Kubernetes minors, permitted GPUs).
   * A cluster placed at a site (`site`) takes its VIP pool, etcd and devices from the site instead.
   */
  public addTenantCluster(id: string, props: TenantClusterProps = {}): TenantCluster {
    refuseAfterSynth(this, `tenant cluster ${JSON.stringify(id)}`);
    const tenantName = props.name ?? id;
    const unit = this.tenantUnit(tenantName);
    // Both would otherwise fail in constructs with a bare "There is already a Construct with name
    // ...", naming neither the tenant nor a fix: a tenant declared twice (a copied line), and an id
    // that constructs cannot hold (it keeps children in a plain object, where "constructor" is taken).
    if (id in Object.prototype) {
      throw new KmetalValidationError(this, `tenants.${tenantName}.id`, `${showValue(id)} cannot be a construct id (it names a built-in property of the object constructs keeps children in)`, `pass another id and keep the name, e.g. addTenantCluster(${showValue(`tenant-${id}`)}, { name: ${showValue(tenantName)} })`);
    }
    const taken = unit.node.children.find((c) => c.node.id === id);
    if (taken) {
      throw new KmetalValidationError(this, `tenants.${tenantName}.name`, `tenant ${showValue(tenantName)} is declared twice: ${taken.node.path} already exists`, 'give every tenant cluster its own name');
    }
    return new TenantCluster(unit, id, { ...props, platform: this });
  }

  /**
   * The platform's defaults for a tenant cluster, the one place they are decided (for
   * `addTenantCluster()` and for `TenantClusterProps.platform`): node image, VIP pool and etcd chart
   * source. A cluster placed at a site takes its VIP pool and etcd from the site instead.
   * @internal
   */
  public _withTenantDefaults(props: TenantClusterProps): TenantClusterProps {
    return {
      ...props,
      // The platform's node image is the VMs'; a cluster of whole servers takes its image from its
      // pools (bareMetal.image) or its class.
      defaultImage: props.defaultImage
        ?? ((props.infrastructure ?? props.clusterClass?.infrastructure) === ClusterInfrastructure.METAL3 ? undefined : this.defaultNodeImage),
      ...(props.site ? {} : {
        etcd: { chartRepository: this.etcdChartRepository, ...props.etcd },
        controlPlane: { vipPool: this.controlPlaneVipPool, ...props.controlPlane },
      }),
    };
  }

  /**
   * The Flux unit (`tenants/<name>`) of a tenant, created on first use: put the tenant's other
   * objects (its VPC, add-on content) there before or after `addTenantCluster()`.
   */
  public tenantUnit(tenantName: string): GitOpsUnit {
    const id = `tenant-${tenantName}`;
    const existing = this.node.scope!.node.tryFindChild(id);
    if (existing) return existing as GitOpsUnit;
    const unit = new GitOpsUnit(this.node.scope as Construct, id, {
      path: `tenants/${validateDnsLabel(this, `tenants.${tenantName}.name`, tenantName, 30)}`,
      cluster: this.clusterName,
      dependsOn: [this.clusterTemplates],
    });
    this.platformTenantUnits.add(unit);
    return unit;
  }

  /**
   * Declares an edge site: an island cluster created on this platform, running its own Kamaji,
   * MetalLB and KubeVirt (installed by Flux on the island, from the island's own tree), where
   * tenant clusters added with `IslandSite.addTenantCluster()` run their control planes and workers.
   */
  public addIslandSite(id: string, props: IslandSiteProps): IslandSite {
    const site = new IslandSite(this, id, props);
    this.sites.push(site);
    return site;
  }

  /** The edge sites declared on the platform. */
  public get islandSites(): IslandSite[] {
    return [...this.sites];
  }

  /**
   * Turns on Kamaji's external cluster placement in the Cluster API Kamaji provider (feature gates
   * `ExternalClusterReference` and `ExternalClusterReferenceCrossNamespace`: the island's kubeconfig
   * lives in the island's namespace, not the tenant's). Called by `IslandSite`. @internal
   */
  public _enableExternalControlPlanes(): void {
    if (this.externalControlPlanes) return;
    const provider = this.configs.node.tryFindChild('ControlPlaneProvider-kamaji');
    if (!(provider instanceof ApiObject)) throw new Error('the platform has no Kamaji control-plane provider object');
    provider.addJsonPatch(JsonPatch.add('/spec/manager', { featureGates: { ExternalClusterReference: true, ExternalClusterReferenceCrossNamespace: true } }));
    this.externalControlPlanes = true;
  }

  /**
   * Registers a tenant cluster created elsewhere (e.g. in your own charts), so the platform's checks
   * and reports see it, and makes the Flux unit it is written to wait for the platform's
   * `clusterTemplates` layer. Passing `platform` in the cluster's props does this and also gives it
   * the platform's defaults; a cluster built without them is refused when it would miss one the
   * platform sets (its control plane would get no VIP, or its etcd chart would come from another
   * source). Registering a cluster twice has no further effect.
   */
  public registerTenantCluster(cluster: TenantCluster): void {
    refuseAfterSynth(this, `the registration of tenant cluster ${JSON.stringify(cluster?.node?.path)}`);
    if (!(cluster instanceof TenantCluster)) {
      throw new KmetalValidationError(this, 'registerTenantCluster', `${showValue(cluster)} is not a TenantCluster`, 'pass the TenantCluster construct (new TenantCluster(...))');
    }
    if (this.tenantClusters.includes(cluster)) return;
    if (cluster.platform !== undefined && cluster.platform !== this) {
      throw new KmetalValidationError(cluster, 'platform', `the cluster took the defaults of platform ${cluster.platform.node.path} and cannot be registered with ${this.node.path}`, 'pass this platform as the cluster\'s platform prop');
    }
    if (cluster.platform === undefined) this.checkMissedDefaults(cluster);
    this.checkTenant(cluster);
    // A cluster in the user's own chart is written to that chart's unit, which must wait for the
    // Cluster API providers' CRDs like the platform's own tenant units do.
    if (!cluster.node.scopes.some((s) => this.platformTenantUnits.has(s as GitOpsUnit))) {
      cluster.node.addDependency(this.clusterTemplates);
    }
    this.tenantClusters.push(cluster);
    DatastoreBackup._applyTo(cluster, this.backupDefaults);
    this.storage?._applyTo(cluster, cluster._storageOptions);
  }

  /** Refuses a cluster declared without `platform` that would silently miss a platform default. */
  private checkMissedDefaults(cluster: TenantCluster): void {
    const fix = 'declare the cluster with the platform in its props (new TenantCluster(scope, id, { platform, ... })), which applies the platform\'s defaults and registers it';
    if (!cluster.site && this.controlPlaneVipPool && !cluster._choosesOwnAddress) {
      throw new KmetalValidationError(cluster, 'controlPlane.vipPool', `the cluster was declared without the platform's VIP pool "${this.controlPlaneVipPool.poolName}", so its control plane would get no address from it`, `${fix}, or set controlPlane.vipPool`);
    }
    const ds = cluster.dataStore;
    if (!cluster.site && ds instanceof DedicatedEtcdDataStore) {
      const want = this.etcdChartRepository;
      if (ds.chartRepository.name !== want.name || ds.chartRepository.namespace !== want.namespace) {
        throw new KmetalValidationError(cluster, 'etcd.chartRepository', `the cluster's etcd chart comes from HelmRepository ${ds.chartRepository.namespace}/${ds.chartRepository.name}, which the platform does not declare (it serves the chart from ${want.namespace}/${want.name})`, `${fix}, or set etcd.chartRepository to platform.etcdChartRepository`);
      }
    }
  }

  /**
   * The cluster's version against the allowed minors. A class-based cluster follows its class's
   * `defaultVersion`, which may change after the cluster was added: the check runs when the
   * cluster is added (to fail early) and again as a validation at synth (for the value written).
   */
  private versionProblem(cluster: TenantCluster): { field: string; problem: string; fix: string } | undefined {
    const version = cluster.version;
    if (this.allowedKubernetesMinors.includes(version.minorText)) return undefined;
    const allowed = `the platform's allowed minors (${this.allowedKubernetesMinors.join(', ')})`;
    const fromClass = cluster._followsClassVersion ? cluster.clusterClass : undefined;
    return fromClass ? {
      field: 'clusterClass.defaultVersion',
      problem: `${version.text}, the defaultVersion of class "${fromClass.className}" (${fromClass.node.path}) the cluster follows, is not among ${allowed}`,
      fix: 'set an allowed defaultVersion on the class, pin an allowed version on the cluster, or add the minor to allowedKubernetesMinors on the platform',
    } : {
      field: 'version',
      problem: `${version.text} is not among ${allowed}`,
      fix: 'pick an allowed version, or add the minor to allowedKubernetesMinors on the platform',
    };
  }

  private checkTenant(cluster: TenantCluster): void {
    const early = this.versionProblem(cluster);
    if (early) throw new KmetalValidationError(cluster, early.field, early.problem, early.fix);
    cluster.node.addValidation({
      validate: () => {
        const p = this.versionProblem(cluster);
        return p ? [`${p.field}: ${p.problem}. Fix: ${p.fix}`] : [];
      },
    });
    // A cluster at a site passes through the site's devices, which the site checks.
    for (const pool of cluster.site ? [] : cluster.nodePoolOptions) {
      for (const gpu of pool.gpus ?? []) {
        if (!this.permittedDevices.has(gpu.deviceName)) {
          throw new KmetalValidationError(cluster, `nodePools.${pool.name}.gpus.deviceName`, `${showValue(gpu.deviceName)} is not a device KubeVirt is allowed to pass through on this platform`, `add it to permittedPciDevices of the platform, or use one of: ${[...this.permittedDevices].join(', ') || '(none declared)'}`);
        }
      }
    }
  }

  private resolveVersions(overrides: { [component: string]: string }, metal3: boolean): ComponentVersion[] {
    const known = new Set(VersionMatrix.COMPONENTS.map((c) => c.component));
    for (const name of Object.keys(overrides)) {
      if (!known.has(name)) {
        throw new KmetalValidationError(this, `versions.${name}`, `${showValue(name)} is not a platform component`, `use one of: ${[...known].join(', ')}`);
      }
    }
    const metal3Components = ['baremetal-operator', 'ironic', 'cluster-api-provider-metal3'];
    return VersionMatrix.COMPONENTS
      .filter((c) => metal3 || !metal3Components.includes(c.component))
      .map((c) => {
        const version = overrides[c.component];
        if (version === undefined || version === c.version) return c;
        if (typeof version !== 'string' || !/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
          throw new KmetalValidationError(this, `versions.${c.component}`, `${showValue(version)} is not a release version`, 'give a version such as "v1.2.3"');
        }
        this.warnings.push(`${c.component} ${version} is outside the validated set ${VersionMatrix.VALIDATED_SET} (validated: ${c.version}); the constructs' output was not checked against it`);
        return { ...c, version, chartVersion: overriddenChartVersion(c, version) };
      });
  }

  /** Cluster API providers through the operator: core, kubeadm bootstrap, Kamaji, KubeVirt, Metal3. */
  private emitProviders(registry: string | undefined): void {
    const providers: Array<[string, string, string]> = [
      ['CoreProvider', 'cluster-api', 'cluster-api'],
      ['BootstrapProvider', 'kubeadm', 'cluster-api-bootstrap-kubeadm'],
      ['ControlPlaneProvider', 'kamaji', 'cluster-api-control-plane-provider-kamaji'],
      ['InfrastructureProvider', 'kubevirt', 'cluster-api-provider-kubevirt'],
      ['InfrastructureProvider', 'metal3', 'cluster-api-provider-metal3'],
    ];
    for (const [kind, name, component] of providers) {
      const c = this.components.find((x) => x.component === component);
      if (!c) continue;
      new ApiObject(this.configs, `${kind}-${name}`, {
        apiVersion: 'operator.cluster.x-k8s.io/v1alpha2',
        kind,
        metadata: { name, namespace: c.namespace },
        spec: {
          version: c.version,
          ...(registry ? { fetchConfig: { oci: `${registry.replace(/^oci:\/\//, '')}/capi-${name}:${c.version}` } } : {}),
        },
      });
    }
    // Provider namespaces must exist before the operator installs into them.
    const providerNamespaces = providers
      .map(([, , comp]) => this.components.find((x) => x.component === comp)?.namespace)
      .filter((x): x is string => !!x);
    for (const ns of [...new Set(providerNamespaces)].sort()) {
      new ApiObject(this.controllers, `Namespace-${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
  }

  /** The KubeVirt and CDI custom resources their operators act on. */
  private emitVirtualization(devices: PermittedPciDevice[]): void {
    const kubevirt = this.components.find((c) => c.component === 'kubevirt');
    if (kubevirt) {
      new ApiObject(this.configs, 'KubeVirt', {
        apiVersion: 'kubevirt.io/v1',
        kind: 'KubeVirt',
        metadata: { name: 'kubevirt', namespace: kubevirt.namespace },
        spec: {
          configuration: {
            // DeclarativeHotplugVolumes: the KubeVirt CSI driver hot-plugs tenant volumes
            // (kubevirt/kubevirt v1.9.0 pkg/virt-api/rest/volumes.go refuses addvolume without it).
            developerConfiguration: { featureGates: Lazy.any({ produce: () => [...(devices.length ? ['GPU', 'HostDevices'] : []), ...(this.storage ? ['DeclarativeHotplugVolumes'] : [])] }) },
            ...(devices.length ? {
              permittedHostDevices: {
                pciHostDevices: devices.map((d) => ({
                  pciVendorSelector: d.pciVendorSelector.toUpperCase(),
                  resourceName: d.resourceName,
                  ...(d.externalResourceProvider ? { externalResourceProvider: true } : {}),
                })),
              },
            } : {}),
          },
          // Worker VMs are drained by Cluster API, not live-migrated, when KubeVirt updates.
          workloadUpdateStrategy: { workloadUpdateMethods: ['Evict'] },
        },
      });
    }
    const cdi = this.components.find((c) => c.component === 'cdi');
    if (cdi) {
      new ApiObject(this.configs, 'CDI', {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'CDI',
        metadata: { name: 'cdi' },
        spec: { config: { featureGates: ['HonorWaitForFirstConsumer'] }, imagePullPolicy: 'IfNotPresent' },
      });
    }
  }
}

/**
 * The chart version that goes with an overridden component version: charts versioned like their
 * app follow it (keeping the chart's own `v` prefix style); Kamaji's rolling chart stays as it is,
 * its release being pinned by the image tag.
 */
function overriddenChartVersion(c: ComponentVersion, version: string): string | undefined {
  if (c.installMethod !== InstallMethod.HELM_CHART || !c.chartVersion) return c.chartVersion;
  const bare = (v: string) => v.replace(/^v/, '');
  if (bare(c.chartVersion) !== bare(c.version)) return c.chartVersion;
  return c.chartVersion.startsWith('v') ? `v${bare(version)}` : bare(version);
}
