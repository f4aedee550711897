import { Construct, IConstruct } from 'constructs';
import { KubevirtCsiController } from './kubevirt-csi-controller';
import type { TenantCluster } from './tenant-cluster';
import { AddonProfile } from '../addons/addon-profile';
import { ClusterSelector, LabelOperator, TENANT_CLUSTER_LABEL } from '../addons/cluster-selector';
import type { PlatformUnderCluster } from '../platform/platform-under-cluster';
import { VersionMatrix } from '../platform/version-matrix';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsSubdomain } from '../util/names';
import { checkEnum, checkKnownProps } from '../util/props';

/*
 * Upstream facts (kubevirt/csi-driver at 27b52aa22da761ce973cc04976b37762d88e6c78, 2026-06-24; the
 * repository has no release tags):
 * - deploy/tenant/base/deploy.yaml: in the tenant cluster the `CSIDriver` `csi.kubevirt.io`
 *   (attachRequired, podInfoOnMount, fsGroupPolicy ReadWriteOnceWithFSType), the node `DaemonSet`
 *   (privileged csi-driver with `--run-node-service=true --run-controller-service=false`, node-driver-
 *   registrar at `/var/lib/kubelet/plugins/csi.kubevirt.io/csi.sock`, livenessprobe on 10300), its
 *   ServiceAccount and ClusterRole, and a StorageClass `provisioner: csi.kubevirt.io` with
 *   `parameters.infraStorageClassName` and `parameters.bus`.
 * - pkg/kubevirt/client.go `InfraStorageClassNameParameter = "infraStorageClassName"`; pkg/service/
 *   controller.go: `bus` parameter, default `scsi` (`busDefaultValue`); the DataVolume for a tenant
 *   volume is created in the infra namespace with that infra StorageClass.
 * - pkg/service/controller.go (validateCreateVolumeRequest) with cmd/kubevirt-csi-driver/
 *   kubevirt-csi-driver.go (`INFRA_STORAGE_CLASS_ENFORCEMENT`, YAML of pkg/util/util.go
 *   `StorageClassEnforcement{allowList, allowAll, allowDefault}`): unless `allowAll`, a volume whose
 *   infra class is not in `allowList` is refused. Without the variable everything is allowed, so a
 *   tenant could write its own StorageClass naming any infra class: the controller gets the mapped
 *   classes as its allow list.
 * The node plugin needs no credentials: it finds the hot-plugged disk by serial in the VM.
 */

/** Name of the CSI driver (kubevirt/csi-driver deploy/tenant/base/deploy.yaml `CSIDriver`). */
export const KUBEVIRT_CSI_DRIVER = 'csi.kubevirt.io';
/** Namespace of the node plugin in every tenant cluster (upstream's). */
export const KUBEVIRT_CSI_TENANT_NAMESPACE = 'kubevirt-csi-driver';
/** Cluster label that takes a tenant cluster out of the tenant-storage add-on (`storage: { enabled: false }`). */
export const TENANT_STORAGE_LABEL = 'kmetal.io/tenant-storage';

/** How a tenant volume's disk is attached to the worker VM (KubeVirt `DiskBus`, the StorageClass `bus` parameter). */
export enum DiskBus {
  /** virtio-scsi: hot-pluggable, upstream's default. */
  SCSI = 'scsi',
  /** virtio-blk. */
  VIRTIO = 'virtio',
  /** SATA (slow; for guests without virtio drivers). */
  SATA = 'sata',
}

/** What happens to the infra volume when the tenant deletes its PersistentVolume. */
export enum TenantVolumeReclaimPolicy {
  /** The DataVolume on the under cluster is deleted with the tenant's volume. */
  DELETE = 'Delete',
  /** The DataVolume is kept (the platform cleans up). */
  RETAIN = 'Retain',
}

/** A StorageClass of the under cluster that tenant volumes may be carved from. */
export interface InfraStorageClassOptions {
  /** Name of the StorageClass on the under cluster (provided by the platform's storage system). */
  readonly name: string;
}

/** Every property of `InfraStorageClassOptions`. */
export const INFRA_STORAGE_CLASS_OPTIONS_KEYS: readonly string[] = ['name'];

/** One StorageClass every tenant cluster gets, backed by an infra StorageClass. */
export interface TenantStorageClassOptions {
  /** Name of the StorageClass in the tenant clusters (a DNS subdomain). */
  readonly name: string;
  /** The infra StorageClass its volumes are carved from; must be declared with `addInfraStorageClass()`. */
  readonly infraStorageClassName: string;
  /** The tenant clusters' default StorageClass (exactly one class is). @default - the first class */
  readonly default?: boolean;
  /** Disk bus of the volumes in the VM. @default DiskBus.SCSI */
  readonly bus?: DiskBus;
  /** Reclaim policy. @default TenantVolumeReclaimPolicy.DELETE */
  readonly reclaimPolicy?: TenantVolumeReclaimPolicy;
}

/** Every property of `TenantStorageClassOptions`. */
export const TENANT_STORAGE_CLASS_OPTIONS_KEYS: readonly string[] = ['bus', 'default', 'infraStorageClassName', 'name', 'reclaimPolicy'];

/** Tenant storage of a platform: `PlatformUnderCluster.addTenantStorage()`. */
export interface TenantStorageOptions {
  /**
   * The KubeVirt CSI driver image, pinned by tag or digest. kubevirt/csi-driver publishes no release
   * tag (only `latest` from main), so the platform supplies a build or mirror of a pinned commit.
   */
  readonly driverImage: string;
  /** The tenant StorageClasses and the infra class behind each (at least one). */
  readonly classes: TenantStorageClassOptions[];
}

/** Every property of `TenantStorageOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const TENANT_STORAGE_OPTIONS_KEYS: readonly string[] = ['classes', 'driverImage'];

/** A cluster's own switch; `TenantClusterProps.storage`. */
export interface TenantClusterStorageOptions {
  /**
   * Give the cluster the platform's tenant storage (CSI controller and node plugin). Not for a
   * cluster at a site, whose VMs run on the site's cluster (an error there).
   * @default true (false for a cluster at a site)
   */
  readonly enabled?: boolean;
}

/** Every property of `TenantClusterStorageOptions`. */
export const TENANT_CLUSTER_STORAGE_OPTIONS_KEYS: readonly string[] = ['enabled'];

/** A tenant StorageClass as resolved (defaults applied). */
export interface ResolvedTenantStorageClass {
  /** Name in the tenant clusters. */
  readonly name: string;
  /** The infra StorageClass behind it. */
  readonly infraStorageClassName: string;
  /** Whether it is the tenant clusters' default class. */
  readonly isDefault: boolean;
  /** Disk bus. */
  readonly bus: DiskBus;
  /** Reclaim policy. */
  readonly reclaimPolicy: TenantVolumeReclaimPolicy;
}

/** Props of `TenantStorage`. */
export interface TenantStorageProps extends TenantStorageOptions {
  /** The platform whose infra StorageClasses (`addInfraStorageClass()`) the mapping may name; read at synth, so classes declared later count. */
  readonly platform: PlatformUnderCluster;
}

const PINNED_IMAGE = /^[^\s:@]+(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$/;

/** Whether an image reference is pinned by tag or digest. @internal */
export function isPinnedImage(image: unknown): boolean {
  return typeof image === 'string' && PINNED_IMAGE.test(image) && /[:@]/.test(image.split('/').pop() ?? '') && !/:latest$/.test(image);
}

/**
 * Persistent volumes for every tenant cluster, from the platform's storage, through the KubeVirt CSI
 * driver (kubevirt/csi-driver): a tenant `PersistentVolumeClaim` becomes a CDI `DataVolume` of the
 * mapped infra StorageClass in the tenant's namespace on the under cluster, hot-plugged into the
 * worker VM that runs the pod, where the node plugin mounts it.
 *
 * The mapping tenant class → infra class is declared once here and is the one model every consumer
 * reads: the `StorageClass`es of the tenant add-on (`AddonProfile` `kubevirt-csi`, selecting every
 * tenant cluster not opted out), and each cluster's `KubevirtCsiController` (its allow list of infra
 * classes). Every mapped infra class must be declared with `addInfraStorageClass()`; exactly one
 * class is the tenants' default.
 */
export class TenantStorage extends Construct {
  /** The tenant StorageClasses, resolved. */
  public readonly classes: ResolvedTenantStorageClass[];
  /** The CSI driver image. */
  public readonly driverImage: string;
  /** The tenant add-on: CSIDriver, node plugin and StorageClasses (escape hatch). */
  public readonly addonProfile: AddonProfile;

  constructor(scope: Construct, id: string, props: TenantStorageProps) {
    super(scope, id);
    checkKnownProps(this, '', props, [...TENANT_STORAGE_OPTIONS_KEYS, 'platform'], 'TenantStorageProps');
    if (!isPinnedImage(props.driverImage)) {
      throw new KmetalValidationError(this, 'driverImage', `${showValue(props.driverImage)} is not an image reference pinned by tag or digest`, 'build or mirror kubevirt/csi-driver at a pinned commit, e.g. "registry.example.com/kubevirt/kubevirt-csi-driver:27b52aa2"');
    }
    this.driverImage = props.driverImage;
    if (!Array.isArray(props.classes) || props.classes.length === 0) {
      throw new KmetalValidationError(this, 'classes', `${showValue(props.classes)} is not a non-empty list of StorageClasses`, 'give e.g. [{ name: "standard", infraStorageClassName: "ceph-rbd" }]');
    }
    const defaults = props.classes.filter((c) => c?.default === true).length;
    if (defaults > 1) {
      throw new KmetalValidationError(this, 'classes', `${defaults} classes set default: true`, 'mark exactly one class default (a cluster with two defaults picks one at random)');
    }
    const seen = new Set<string>();
    this.classes = props.classes.map((c, i) => {
      const field = `classes[${i}]`;
      checkKnownProps(this, field, c, TENANT_STORAGE_CLASS_OPTIONS_KEYS, 'TenantStorageClassOptions');
      if (typeof c.name !== 'string' || !isDnsSubdomain(c.name)) {
        throw new KmetalValidationError(this, `${field}.name`, `${showValue(c.name)} is not a StorageClass name (a DNS subdomain)`, 'give e.g. "standard"');
      }
      if (seen.has(c.name)) throw new KmetalValidationError(this, `${field}.name`, `the class ${showValue(c.name)} is declared twice`, 'name every class once');
      seen.add(c.name);
      if (typeof c.infraStorageClassName !== 'string' || !isDnsSubdomain(c.infraStorageClassName)) {
        throw new KmetalValidationError(this, `${field}.infraStorageClassName`, `${showValue(c.infraStorageClassName)} is not a StorageClass name`, 'name an infra StorageClass declared with addInfraStorageClass()');
      }
      return {
        name: c.name,
        infraStorageClassName: c.infraStorageClassName,
        isDefault: defaults === 0 ? i === 0 : c.default === true,
        bus: checkEnum(this, `${field}.bus`, c.bus ?? DiskBus.SCSI, DiskBus, 'disk bus'),
        reclaimPolicy: checkEnum(this, `${field}.reclaimPolicy`, c.reclaimPolicy ?? TenantVolumeReclaimPolicy.DELETE, TenantVolumeReclaimPolicy, 'reclaim policy'),
      };
    });
    // Infra classes may be declared after the mapping: checked at synth, once.
    this.node.addValidation({
      validate: () => {
        const known = new Set(props.platform.infraStorageClasses);
        return this.classes.flatMap((c, i) => known.has(c.infraStorageClassName) ? [] : [
          `[${this.node.path}] classes[${i}].infraStorageClassName: ${JSON.stringify(c.infraStorageClassName)} is not an infra StorageClass of the platform (declared: ${[...known].sort().join(', ') || 'none'}). Fix: declare it with platform.addInfraStorageClass({ name: ${JSON.stringify(c.infraStorageClassName)} }) or map the class to a declared one`,
        ]);
      },
    });

    // Every tenant cluster not opted out (the opt-out label is set by the cluster itself).
    const selector = ClusterSelector.matching([
      { key: TENANT_CLUSTER_LABEL, operator: LabelOperator.EXISTS },
      { key: TENANT_STORAGE_LABEL, operator: LabelOperator.NOT_IN, values: ['disabled'] },
    ]);
    this.addonProfile = new AddonProfile(this, 'Addon', { name: 'kubevirt-csi', clusterSelector: selector });
    this.addonProfile.addManifests('node', tenantManifests(this));
  }

  /** The infra classes the mapping names, sorted (the controller's allow list). */
  public get infraStorageClassNames(): string[] {
    return [...new Set(this.classes.map((c) => c.infraStorageClassName))].sort();
  }

  /**
   * Gives a cluster its CSI controller, unless it opted out. Idempotent.
   * @internal
   */
  public _applyTo(cluster: TenantCluster, own: TenantClusterStorageOptions | undefined): KubevirtCsiController | undefined {
    // At a site the VMs (and their volumes) are on the site's cluster: no controller here.
    if (own?.enabled === false || !cluster._workersAreUnderClusterVms) return undefined;
    const existing = cluster.node.tryFindChild('CsiController');
    if (existing) return existing as KubevirtCsiController;
    return new KubevirtCsiController(cluster, 'CsiController', { cluster, storage: this });
  }
}

/** The objects every tenant cluster gets (one list for the fleet: the mapping is the platform's). */
function tenantManifests(storage: TenantStorage): Array<{ [key: string]: any }> {
  const ns = KUBEVIRT_CSI_TENANT_NAMESPACE;
  const labels = { 'app.kubernetes.io/name': 'kubevirt-csi-driver', 'app.kubernetes.io/component': 'node' };
  const sa = 'kubevirt-csi-node-sa';
  const role = 'kubevirt-csi-node-cr';
  const socketDir = `/var/lib/kubelet/plugins/${KUBEVIRT_CSI_DRIVER}/`;
  const req = (cpu: string, memory: string) => ({ requests: { cpu, memory } });
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      // The node plugin is privileged (it mounts block devices): the namespace says so explicitly.
      metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'CSIDriver',
      metadata: { name: KUBEVIRT_CSI_DRIVER },
      spec: { attachRequired: true, podInfoOnMount: true, fsGroupPolicy: 'ReadWriteOnceWithFSType' },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role },
      // Upstream's node ClusterRole without the OpenShift SCC and snapshot rules (no snapshots here).
      rules: [
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'update', 'create', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'update'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['csinodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['volumeattachments'], verbs: ['get', 'list', 'watch', 'update'] },
        { apiGroups: ['storage.k8s.io'], resources: ['volumeattachments/status'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch', 'create', 'update', 'patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubevirt-csi-node-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kubevirt-csi-node', namespace: ns, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa,
            priorityClassName: 'system-node-critical',
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'csi-driver',
                image: storage.driverImage,
                securityContext: { privileged: true, allowPrivilegeEscalation: true },
                args: ['--endpoint=unix:/csi/csi.sock', '--node-name=$(KUBE_NODE_NAME)', '--run-node-service=true', '--run-controller-service=false'],
                env: [{ name: 'KUBE_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                volumeMounts: [
                  { name: 'kubelet-dir', mountPath: '/var/lib/kubelet', mountPropagation: 'Bidirectional' },
                  { name: 'plugin-dir', mountPath: '/csi' },
                  { name: 'device-dir', mountPath: '/dev' },
                  { name: 'udev', mountPath: '/run/udev' },
                ],
                ports: [{ name: 'healthz', containerPort: 10300, protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'healthz' }, initialDelaySeconds: 10, timeoutSeconds: 3, periodSeconds: 10, failureThreshold: 5 },
                resources: req('10m', '50Mi'),
              },
              {
                name: 'csi-node-driver-registrar',
                image: VersionMatrix.image('csi-node-driver-registrar'),
                args: ['--csi-address=/csi/csi.sock', `--kubelet-registration-path=${socketDir}csi.sock`],
                volumeMounts: [{ name: 'plugin-dir', mountPath: '/csi' }, { name: 'registration-dir', mountPath: '/registration' }],
                resources: req('5m', '20Mi'),
              },
              {
                name: 'csi-liveness-probe',
                image: VersionMatrix.image('csi-livenessprobe'),
                args: ['--csi-address=/csi/csi.sock', '--probe-timeout=3s', '--health-port=10300'],
                volumeMounts: [{ name: 'plugin-dir', mountPath: '/csi' }],
                resources: req('5m', '20Mi'),
              },
            ],
            volumes: [
              { name: 'kubelet-dir', hostPath: { path: '/var/lib/kubelet', type: 'Directory' } },
              { name: 'plugin-dir', hostPath: { path: socketDir, type: 'DirectoryOrCreate' } },
              { name: 'registration-dir', hostPath: { path: '/var/lib/kubelet/plugins_registry/', type: 'Directory' } },
              { name: 'device-dir', hostPath: { path: '/dev', type: 'Directory' } },
              { name: 'udev', hostPath: { path: '/run/udev' } },
            ],
          },
        },
      },
    },
    ...storage.classes.map((c) => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: c.name,
        annotations: { 'storageclass.kubernetes.io/is-default-class': c.isDefault ? 'true' : 'false' },
        labels: { 'kmetal.io/infra-storage-class': c.infraStorageClassName },
      },
      provisioner: KUBEVIRT_CSI_DRIVER,
      parameters: { infraStorageClassName: c.infraStorageClassName, bus: c.bus },
      reclaimPolicy: c.reclaimPolicy,
      // No csi-resizer: its completion check reads the infra PersistentVolume, a cluster-scoped
      // object the tenant's namespaced controller may not read (pkg/kubevirt/client.go EnsureControllerResize).
      allowVolumeExpansion: false,
      volumeBindingMode: 'Immediate',
    })),
  ];
}

/** Validates an infra StorageClass declaration and returns its name. @internal */
export function validateInfraStorageClass(scope: IConstruct, field: string, options: InfraStorageClassOptions): string {
  checkKnownProps(scope, field, options, INFRA_STORAGE_CLASS_OPTIONS_KEYS, 'InfraStorageClassOptions');
  if (typeof options?.name !== 'string' || !isDnsSubdomain(options.name)) {
    throw new KmetalValidationError(scope, `${field}.name`, `${showValue(options?.name)} is not a StorageClass name (a DNS subdomain)`, 'give the name of the StorageClass on the under cluster, e.g. "ceph-rbd"');
  }
  return options.name;
}

