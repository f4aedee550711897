import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { namespacedIdentity } from './private/namespaced-identity';
import type { TenantCluster } from './tenant-cluster';
import { VersionMatrix } from '../platform/version-matrix';
import { KmetalValidationError, showValue } from '../util/errors';

/*
 * Upstream facts (kubernetes/autoscaler, tag cluster-autoscaler-1.35.2, 2d42588803c7; the same at
 * every tag of the version matrix's CLUSTER_AUTOSCALER table unless noted):
 * - cluster-autoscaler/cloudprovider/clusterapi/README.md, "Autoscaler running in management cluster
 *   using service account credentials, with separate workload cluster": `--cloud-provider=clusterapi
 *   --kubeconfig=<workload kubeconfig> --clusterapi-cloud-config-authoritative` (the in-cluster
 *   service account reaches the management cluster; the kubeconfig reaches the workload cluster).
 * - same README, "Configuring node group auto discovery": `--node-group-auto-discovery=
 *   clusterapi:namespace=<ns>,clusterName=<name>`; clusterapi_controller.go builds its informers with
 *   `NewFilteredDynamicSharedInformerFactory(..., namespaceToWatch(autoDiscoverySpecs), ...)`
 *   (clusterapi_autodiscovery.go), so with a namespace it lists and watches that namespace only, and
 *   a namespaced Role is enough (README "A note on permissions" recommends a Role for multi-tenant
 *   environments).
 * - examples/deployment.yaml, ClusterRole `cluster-autoscaler-management`: cluster.x-k8s.io
 *   machinedeployments, machinedeployments/scale, machines, machinesets, machinepools with get, list,
 *   update, watch; README "RBAC changes for scaling from zero": get, list, watch on the
 *   infrastructure machine templates (here CAPK's kubevirtmachinetemplates).
 * - charts/cluster-autoscaler/templates/deployment.yaml, clusterAPIMode `kubeconfig-incluster` (the
 *   mode Kamaji's guide installs): the `<cluster>-kubeconfig` Secret mounted so that its key `value`
 *   is the file `--kubeconfig` names (values.yaml `clusterAPIWorkloadKubeconfigPath:
 *   /etc/kubernetes/value`), and `--namespace=kube-system`: the namespace of the *workload* cluster
 *   where the autoscaler keeps its status ConfigMap and leader-election Lease.
 * Kamaji's guide (clastix/kamaji docs/content/cluster-api/cluster-autoscaler.md at 26.8.2-edge,
 * ddbabd87ed0e): one autoscaler per tenant cluster, in the management cluster "in the same namespace
 * where the workload cluster is deployed", beside the tenant control plane pods, mounting the
 * tenant's kubeconfig, which keeps the management credentials away from the tenant.
 */

/** Where the tenant kubeconfig is mounted (the upstream chart's default path, without the file). */
const KUBECONFIG_DIR = '/etc/kubernetes';
/** The key Cluster API writes the kubeconfig under, mounted as the file `--kubeconfig` reads. */
const KUBECONFIG_KEY = 'value';

/** Every property of `ClusterAutoscalerOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const CLUSTER_AUTOSCALER_OPTIONS_KEYS: readonly string[] = ['enabled', 'extraArgs', 'image', 'scaleDownDelayAfterAddMinutes', 'scaleDownUnneededMinutes'];

/** Settings of a tenant cluster's autoscaler; `TenantClusterProps.autoscaler`. */
export interface ClusterAutoscalerOptions {
  /**
   * Run an autoscaler for the cluster when one of its pools sets `minReplicas`/`maxReplicas`
   * (without it, the bounds are only annotations and the pool never changes size).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The autoscaler image. Upstream supports an autoscaler only with the Kubernetes minor it was built
   * for, so a replacement (e.g. a mirror) must carry the same minor as the tenant cluster.
   * @default - `registry.k8s.io/autoscaling/cluster-autoscaler:<v>` with `<v>` from
   * `VersionMatrix.CLUSTER_AUTOSCALER` for the tenant's minor (synth fails for a minor it lacks)
   */
  readonly image?: string;
  /** How long a node must be unneeded before it is removed (`--scale-down-unneeded-time`). @default 10 (upstream's default) */
  readonly scaleDownUnneededMinutes?: number;
  /** How long after a scale-up scale-down is not considered (`--scale-down-delay-after-add`). @default 10 (upstream's default) */
  readonly scaleDownDelayAfterAddMinutes?: number;
  /** Further command-line flags, e.g. `--expander=least-waste`. @default - none */
  readonly extraArgs?: string[];
}

/** Props of `ClusterAutoscaler`. Usually created by the `TenantCluster` itself. */
export interface ClusterAutoscalerProps extends ClusterAutoscalerOptions {
  /** The tenant cluster whose pools it scales. */
  readonly cluster: TenantCluster;
}

/** Flags the construct sets itself: `extraArgs` may not set them again. */
const OWN_FLAGS = ['--cloud-provider', '--kubeconfig', '--cloud-config', '--clusterapi-cloud-config-authoritative', '--node-group-auto-discovery', '--namespace'];

/**
 * The Cluster API cluster-autoscaler of one tenant cluster, running on the under cluster in the
 * tenant's namespace beside its control plane (Kamaji's cluster-autoscaler guide): a `Deployment`
 * that watches the tenant cluster's pods and nodes through the tenant's admin kubeconfig (the
 * `<cluster>-kubeconfig` Secret Cluster API writes) and resizes the cluster's bounded
 * `MachineDeployment`s on the under cluster through its own `ServiceAccount`, with a `Role` limited to
 * the Cluster API objects of the tenant's namespace. Node groups are discovered by namespace and
 * cluster name, so it never touches another tenant's pools.
 *
 * The image follows the tenant's Kubernetes minor (an autoscaler is supported only with the minor it
 * was built for): it is read from the version matrix at synth, so a class-based cluster whose class
 * moves to a new minor moves its autoscaler too.
 */
export class ClusterAutoscaler extends Construct {
  /** The autoscaler image for a tenant Kubernetes release, or a validation error naming the scope when the matrix has none. @internal */
  public static _imageFor(scope: IConstruct, version: { minor: number; minorText: string }): string {
    const release = VersionMatrix.clusterAutoscalerFor(version.minor);
    if (!release) {
      const known = VersionMatrix.CLUSTER_AUTOSCALER.map((r) => `v1.${r.kubernetesMinor}`).join(', ');
      throw new KmetalValidationError(scope, 'autoscaler.image', `no cluster-autoscaler is known for Kubernetes ${version.minorText} (the version matrix has ${known}; upstream supports an autoscaler only with its own minor)`, `run the cluster at one of ${known}, add the minor to VersionMatrix.CLUSTER_AUTOSCALER, set autoscaler.image to an autoscaler built for ${version.minorText}, or set autoscaler.enabled: false`);
    }
    return `${VersionMatrix.CLUSTER_AUTOSCALER_IMAGE}:${release.version}`;
  }

  /** Name of the Deployment, ServiceAccount, Role and RoleBinding: `<cluster>-autoscaler`. */
  public readonly name: string;
  /** The Deployment (escape hatch). */
  public readonly deployment: ApiObject;
  /** The ServiceAccount it reaches the under cluster with (escape hatch). */
  public readonly serviceAccount: ApiObject;
  /** The Role on the tenant namespace's Cluster API objects (escape hatch). */
  public readonly role: ApiObject;
  /** The RoleBinding of the Role to the ServiceAccount (escape hatch). */
  public readonly roleBinding: ApiObject;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const cluster = props.cluster;
    const ns = cluster.namespace;
    this.name = `${cluster.clusterName}-autoscaler`;
    const minutes = (field: string, v: number | undefined): number => {
      const m = v ?? 10;
      if (!Number.isInteger(m) || m < 1) throw new KmetalValidationError(this, field, `${showValue(m)} is not a whole number of minutes of at least 1`, 'give e.g. 10 (upstream\'s default)');
      return m;
    };
    const unneeded = minutes('scaleDownUnneededMinutes', props.scaleDownUnneededMinutes);
    const delayAfterAdd = minutes('scaleDownDelayAfterAddMinutes', props.scaleDownDelayAfterAddMinutes);
    const extraArgs = props.extraArgs ?? [];
    for (const [i, a] of extraArgs.entries()) {
      if (typeof a !== 'string' || !a.startsWith('--')) {
        throw new KmetalValidationError(this, `extraArgs[${i}]`, `${showValue(a)} is not a command-line flag`, 'write flags as "--name=value"');
      }
      const flag = a.split('=')[0];
      if (OWN_FLAGS.includes(flag)) {
        throw new KmetalValidationError(this, `extraArgs[${i}]`, `${flag} is set by the construct (it wires the autoscaler to this tenant's kubeconfig and namespace)`, 'drop it; use an escape hatch on `deployment` if you really need another wiring');
      }
    }
    if (props.image !== undefined && (typeof props.image !== 'string' || !/^[^\s:@]+(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$/.test(props.image) || !/[:@]/.test(props.image))) {
      throw new KmetalValidationError(this, 'image', `${showValue(props.image)} is not an image reference pinned by tag or digest`, 'write e.g. "registry.example.com/autoscaling/cluster-autoscaler:v1.33.6"');
    }
    // Checked now for a cluster that pins its version, and again at synth (a class's version may move).
    if (props.image === undefined) ClusterAutoscaler._imageFor(cluster, cluster.version);
    const image = props.image ?? Lazy.any({ produce: () => ClusterAutoscaler._imageFor(cluster, cluster.version) });

    const labels = { 'app.kubernetes.io/name': 'cluster-autoscaler', 'app.kubernetes.io/instance': this.name, 'kmetal.io/tenant-cluster': cluster.clusterName };
    const identity = namespacedIdentity(this, this.name, ns, labels, [
      {
        apiGroups: ['cluster.x-k8s.io'],
        resources: ['machinedeployments', 'machinedeployments/scale', 'machines', 'machinesets', 'machinepools'],
        verbs: ['get', 'list', 'update', 'watch'],
      },
      {
        apiGroups: ['infrastructure.cluster.x-k8s.io'],
        resources: ['kubevirtmachinetemplates'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    this.serviceAccount = identity.serviceAccount;
    this.role = identity.role;
    this.roleBinding = identity.roleBinding;

    const args = [
      '--cloud-provider=clusterapi',
      `--kubeconfig=${KUBECONFIG_DIR}/${KUBECONFIG_KEY}`,
      '--clusterapi-cloud-config-authoritative',
      `--node-group-auto-discovery=clusterapi:namespace=${ns},clusterName=${cluster.clusterName}`,
      '--namespace=kube-system',
      `--scale-down-unneeded-time=${unneeded}m`,
      `--scale-down-delay-after-add=${delayAfterAdd}m`,
      ...extraArgs,
    ];
    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: this.name, namespace: ns, labels },
      spec: {
        // One instance per cluster: two would scale the same node groups against each other.
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/instance': this.name } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: this.name,
            terminationGracePeriodSeconds: 10,
            // The image is distroless/static:nonroot (cluster-autoscaler/Dockerfile), user 65532.
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'cluster-autoscaler',
              image,
              command: ['/cluster-autoscaler'],
              args,
              // Requests are required: the tenant's namespace carries a Capsule quota on requests.
              resources: { requests: { cpu: '100m', memory: '300Mi' }, limits: { memory: '600Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tenant-kubeconfig', mountPath: KUBECONFIG_DIR, readOnly: true }],
            }],
            volumes: [{
              name: 'tenant-kubeconfig',
              // Written by Cluster API once the control plane is up; the pod waits for it.
              secret: { secretName: cluster.kubeconfigSecretName, items: [{ key: KUBECONFIG_KEY, path: KUBECONFIG_KEY }] },
            }],
          },
        },
      },
    });
  }
}

/** Whether a pool's options hand its size to the autoscaler. @internal */
export function isBoundedPool(options: { minReplicas?: number; maxReplicas?: number }): boolean {
  return options.minReplicas !== undefined || options.maxReplicas !== undefined;
}
