import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { namespacedIdentity } from './private/namespaced-identity';
import type { TenantCluster } from './tenant-cluster';
import type { TenantStorage } from './tenant-storage';
import { VersionMatrix } from '../platform/version-matrix';

/*
 * Upstream facts (kubevirt/csi-driver at 27b52aa22da761ce973cc04976b37762d88e6c78):
 * - deploy/controller-infra/base/deploy.yaml: the controller runs on the infra (under) cluster: the
 *   csi-driver container with `--infra-cluster-namespace`, `--infra-cluster-labels`,
 *   `--tenant-cluster-kubeconfig=/var/run/secrets/tenantcluster/value`, `--run-node-service=false
 *   --run-controller-service=true`, and the provisioner/attacher sidecars with `--kubeconfig` set to
 *   the same tenant kubeconfig, all sharing the socket `/var/lib/csi/sockets/pluginproxy/csi.sock`;
 *   the kubeconfig is a Secret mounted with key `value` (here Cluster API's `<cluster>-kubeconfig`).
 * - cmd/kubevirt-csi-driver/kubevirt-csi-driver.go: `--infra-cluster-kubeconfig` unset means the
 *   in-cluster config (the pod's ServiceAccount); `--infra-cluster-labels` is required ("must be set")
 *   and labels every DataVolume it creates.
 * - deploy/infra-cluster-service-account.yaml: the infra rights, a Role in the tenant's namespace:
 *   cdi.kubevirt.io datavolumes get/create/delete; kubevirt.io virtualmachineinstances and
 *   virtualmachines list/get; subresources.kubevirt.io virtualmachines/addvolume and /removevolume
 *   update; persistentvolumeclaims get/patch. Its ClusterRole (persistentvolumes get) serves only
 *   volume expansion (pkg/kubevirt/client.go EnsureControllerResize) and its volumesnapshots rule only
 *   snapshots: neither is granted, and no resizer or snapshotter runs, so the controller's rights stay
 *   inside the tenant's namespace.
 * - Hot-plugging needs KubeVirt's `DeclarativeHotplugVolumes` gate (kubevirt/kubevirt v1.9.0
 *   pkg/virt-api/rest/volumes.go: "Enable DeclarativeHotplugVolumes or HotplugVolumes feature gate to
 *   use this API"; pkg/virt-config/featuregate/active.go: Beta in v1.9.0, HotplugVolumes deprecated):
 *   the platform turns it on in its KubeVirt CR when it declares tenant storage.
 */

/** The key Cluster API writes the kubeconfig under. */
const KUBECONFIG_KEY = 'value';
const KUBECONFIG_DIR = '/var/run/secrets/tenantcluster';
const SOCKET_DIR = '/var/lib/csi/sockets/pluginproxy/';

/** Props of `KubevirtCsiController`. Usually created by the platform's `TenantStorage` for each cluster. */
export interface KubevirtCsiControllerProps {
  /** The tenant cluster whose volumes it provisions. */
  readonly cluster: TenantCluster;
  /** The platform's tenant storage (driver image and class mapping). */
  readonly storage: TenantStorage;
}

/**
 * The KubeVirt CSI controller of one tenant cluster, on the under cluster in the tenant's namespace
 * beside its control plane: it watches the tenant's PersistentVolumeClaims through the tenant's
 * admin kubeconfig (`<cluster>-kubeconfig`, written by Cluster API), and creates DataVolumes and
 * hot-plugs them into the tenant's worker VMs through its own ServiceAccount, whose Role covers the
 * tenant's namespace only. The infra classes it may use are exactly the platform's mapping (the
 * driver's storage-class enforcement), so a tenant's own StorageClass cannot reach another infra class.
 */
export class KubevirtCsiController extends Construct {
  /** Name of the Deployment, ServiceAccount, Role and RoleBinding: `<cluster>-csi-controller`. */
  public readonly name: string;
  /** The Deployment (escape hatch). */
  public readonly deployment: ApiObject;
  /** The ServiceAccount it reaches the under cluster with (escape hatch). */
  public readonly serviceAccount: ApiObject;
  /** The Role on the tenant namespace's DataVolumes, VMs and claims (escape hatch). */
  public readonly role: ApiObject;
  /** The RoleBinding of the Role to the ServiceAccount (escape hatch). */
  public readonly roleBinding: ApiObject;
  private readonly storage: TenantStorage;

  constructor(scope: Construct, id: string, props: KubevirtCsiControllerProps) {
    super(scope, id);
    const cluster = props.cluster;
    const storage = props.storage;
    this.storage = storage;
    const ns = cluster.namespace;
    this.name = `${cluster.clusterName}-csi-controller`;
    const labels = { 'app.kubernetes.io/name': 'kubevirt-csi-controller', 'app.kubernetes.io/instance': this.name, 'kmetal.io/tenant-cluster': cluster.clusterName };

    const identity = namespacedIdentity(this, this.name, ns, labels, [
      { apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes'], verbs: ['get', 'create', 'delete'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances', 'virtualmachines'], verbs: ['list', 'get'] },
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachines/addvolume', 'virtualmachines/removevolume'], verbs: ['update'] },
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'patch'] },
    ]);
    this.serviceAccount = identity.serviceAccount;
    this.role = identity.role;
    this.roleBinding = identity.roleBinding;

    const socket = { name: 'socket-dir', mountPath: SOCKET_DIR };
    const kubeconfig = { name: 'tenant-kubeconfig', mountPath: KUBECONFIG_DIR, readOnly: true };
    const tenantKubeconfig = `${KUBECONFIG_DIR}/${KUBECONFIG_KEY}`;
    const sidecar = (name: string, purpose: string, args: string[]) => ({
      name,
      image: VersionMatrix.image(purpose),
      args: [`--csi-address=${SOCKET_DIR}csi.sock`, `--kubeconfig=${tenantKubeconfig}`, ...args],
      // Requests are required: the tenant's namespace carries a Capsule quota on requests.
      resources: { requests: { cpu: '10m', memory: '50Mi' }, limits: { memory: '200Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [socket, kubeconfig],
    });
    // The enforcement is YAML in an environment variable (cmd/kubevirt-csi-driver: os.Getenv); JSON is YAML.
    const enforcement = Lazy.any({
      produce: () => JSON.stringify({ allowList: storage.infraStorageClassNames, allowAll: false, allowDefault: false }),
    });

    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: this.name, namespace: ns, labels },
      spec: {
        // One instance: the sidecars take no leader lease here (upstream runs one replica too).
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/instance': this.name } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: this.name,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'csi-driver',
                image: storage.driverImage,
                args: [
                  `--endpoint=unix://${SOCKET_DIR}csi.sock`,
                  `--infra-cluster-namespace=${ns}`,
                  `--infra-cluster-labels=kmetal.io/tenant-cluster=${cluster.clusterName}`,
                  `--tenant-cluster-kubeconfig=${tenantKubeconfig}`,
                  '--run-node-service=false',
                  '--run-controller-service=true',
                ],
                env: [{ name: 'INFRA_STORAGE_CLASS_ENFORCEMENT', value: enforcement }],
                ports: [{ name: 'healthz', containerPort: 10301, protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'healthz' }, initialDelaySeconds: 10, timeoutSeconds: 3, periodSeconds: 10, failureThreshold: 5 },
                resources: { requests: { cpu: '10m', memory: '50Mi' }, limits: { memory: '200Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [socket, kubeconfig],
              },
              sidecar('csi-provisioner', 'csi-provisioner', ['--default-fstype=ext4', '--timeout=3m', '--retry-interval-max=1m']),
              sidecar('csi-attacher', 'csi-attacher', ['--timeout=3m', '--retry-interval-max=1m']),
              {
                name: 'csi-liveness-probe',
                image: VersionMatrix.image('csi-livenessprobe'),
                args: [`--csi-address=${SOCKET_DIR}csi.sock`, '--probe-timeout=3s', '--health-port=10301'],
                resources: { requests: { cpu: '5m', memory: '20Mi' }, limits: { memory: '100Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [socket],
              },
            ],
            volumes: [
              { name: 'socket-dir', emptyDir: {} },
              // Written by Cluster API once the control plane is up; the pod waits for it.
              { name: 'tenant-kubeconfig', secret: { secretName: cluster.kubeconfigSecretName, items: [{ key: KUBECONFIG_KEY, path: KUBECONFIG_KEY }] } },
            ],
          },
        },
      },
    });
  }

  /** The infra StorageClasses it may create volumes of (the platform's mapping). */
  public get infraStorageClassNames(): string[] {
    return this.storage.infraStorageClassNames;
  }
}
