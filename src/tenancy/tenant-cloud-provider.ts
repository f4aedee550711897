import * as crypto from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { namespacedIdentity } from './private/namespaced-identity';
import type { TenantCluster } from './tenant-cluster';
import { isPinnedImage } from './tenant-storage';
import { VersionMatrix } from '../platform/version-matrix';
import { KmetalValidationError, showValue } from '../util/errors';

/*
 * Upstream facts (kubevirt/cloud-provider-kubevirt v0.6.0, 37201f6ce1da7d03fa5322885cb1b6991c673d56):
 * - config/manager/manager.yaml: `--cloud-provider=kubevirt --cloud-config=/etc/cloud/cloud-config
 *   --kubeconfig=/etc/kubernetes/kubeconfig/value`; the kubeconfig (the *tenant* cluster, which the
 *   CCM manages) is a Secret mounted with key `value`, the cloud config a ConfigMap.
 * - pkg/provider/cloud.go: cloud config keys `kubeconfig` (the infra cluster; empty means
 *   `rest.InClusterConfig()`: the pod's ServiceAccount on the under cluster), `namespace` (the infra
 *   namespace of the tenant's VMs), `loadBalancer.{enabled, creationPollInterval, creationPollTimeout,
 *   selectorless, enableEPSController}`, `instancesV2.{enabled, zoneAndRegionEnabled}`, `infraLabels`.
 * - config/rbac/kccm_role.yaml: the namespaced infra rights: kubevirt.io virtualmachines
 *   get/watch/list, virtualmachineinstances get/watch/list/update, pods get/list/watch, services `*`.
 *   Its ClusterRole (nodes get) serves only zone/region lookup (pkg/provider/instances_v2.go
 *   getRegionAndZone, skipped with `zoneAndRegionEnabled: false`), so none is granted.
 * - pkg/provider/loadbalancer.go: for a tenant Service of type LoadBalancer it creates a Service of
 *   type LoadBalancer named `a<uid>` in `namespace` on the infra cluster, selecting
 *   `cluster.x-k8s.io/role=worker, cluster.x-k8s.io/cluster-name=<--cluster-name>` (labels CAPK puts
 *   on every worker VMI: kubernetes-sigs/cluster-api-provider-kubevirt v0.11.2 pkg/kubevirt/utils.go),
 *   ports → the tenant's NodePorts, and copies the tenant Service's *annotations*, `loadBalancerIP`
 *   and `externalIPs` onto it; the tenant Service gets the infra Service's ingress address.
 *
 * Why the load-balancer interface is off for VPC-attached workers (the data path): the infra
 * Service's address would come from MetalLB on the under cluster, announced from a node's host
 * stack; kube-proxy there forwards to the virt-launcher pod IPs, which for workers on a `TenantVpc`
 * subnet live in that VPC's own OVN router, unreachable from the hosts (only `ovn-cluster` is joined
 * to the nodes through the join subnet; tenant VPCs overlap, 29 reference tenants share
 * 10.10.0.0/24). Kube-OVN (v1.16.2, 12506be4b99b pkg/controller/endpoint_slice.go) programs such a
 * Service's ClusterIP into the VPC's own OVN load balancer `vpc-<vpc>-tcp-load`, reachable from
 * inside the VPC only; its `OvnDnatRule`/`OvnFip` (pkg/controller/ovn_dnat.go AddDnatRule) map one
 * EIP (port) to one fixed internal address, which cannot follow the CCM's per-Service NodePorts
 * and changing VMs. Binding the VPC's load-balancer `OvnEip`s to tenant Services therefore needs a
 * run-time controller (the seeds' kMetal cloud provider), which no pinned upstream project offers.
 * And the copied annotations would let a tenant pick any MetalLB pool or address of the platform
 * (`metallb.io/address-pool`, `loadBalancerIP`), e.g. another tenant's control-plane VIP. The CCM
 * therefore runs its node controllers by default, and the load-balancer interface only on request,
 * for workers on the under cluster's pod network.
 *
 * Why not Kube-OVN's own LoadBalancer Services (`--enable-lb-svc`, chart `func.ENABLE_LB_SVC`) either
 * (kubeovn/kube-ovn v1.16.2, 12506be4b99b03dcd873618771b0a50fa9e666cd; unchanged on master 1533681d7a6b):
 * - pkg/controller/service_lb.go:346-350 (updatePodAttachNets) has the `lb-svc-<svc>` pod DNAT
 *   `<external IP>:<port>` to `<ClusterIP>:<targetPort>` (dist/images/vpcnatgateway/lb-svc.sh
 *   add_dnat `--to-destination $internalIp:$internalPort`), while the VPC's OVN load balancer holds
 *   the Service as VIP `<ClusterIP>:<port>` (pkg/controller/endpoint_slice.go:216). The CCM's infra
 *   Service has port = the tenant's port and targetPort = the tenant's NodePort
 *   (cloud-provider-kubevirt v0.6.0 pkg/provider/loadbalancer.go:236-247), so the DNAT lands on `<ClusterIP>:<NodePort>`,
 *   which no VIP matches: traffic is dropped unless a tenant port equals its NodePort (30000-32767).
 *   Kube-OVN's own e2e (test/e2e/lb-svc/e2e_test.go:160-164) only tests port == targetPort.
 * - It serves only Services carrying `ovn.kubernetes.io/attachmentprovider` (pkg/controller/service.go:419-422)
 *   and takes the external subnet, the pod's VPC subnet and the address from the Service's own
 *   annotations and `loadBalancerIP` (service_lb.go:86-95). The CCM can add none (its cloud config,
 *   pkg/provider/cloud.go CloudConfig/LoadBalancerConfig, has labels only, `infraLabels`); it copies
 *   the tenant Service's annotations wholesale (loadbalancer.go:201), so each tenant would write the
 *   platform's network names into its Services, and could name another tenant's subnet or address.
 * - The pod it creates in the Service's (the tenant's) namespace (service_lb.go:183) is privileged
 *   and has no resource requests (service_lb.go:96-104, 122-133): a quota on requests refuses it.
 * What it would take: Kube-OVN DNAT to `<ClusterIP>:<port>` (or to the endpoints), a way to put the
 * attachment annotations on the infra Service that the tenant cannot steer, and requests on the pod;
 * or the kMetal run-time controller binding the VPC's load-balancer `OvnEip`s (README, "Day 2").
 */

/** Where the tenant kubeconfig is mounted (upstream's path, without the file). */
const KUBECONFIG_DIR = '/etc/kubernetes/kubeconfig';
/** The key Cluster API writes the kubeconfig under. */
const KUBECONFIG_KEY = 'value';
const CLOUD_CONFIG_DIR = '/etc/cloud';
const CLOUD_CONFIG_KEY = 'cloud-config';

/** Every property of `TenantCloudProviderOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const TENANT_CLOUD_PROVIDER_OPTIONS_KEYS: readonly string[] = ['enabled', 'image', 'loadBalancer'];

/** Settings of a tenant cluster's cloud provider; `TenantClusterProps.cloudProvider`. */
export interface TenantCloudProviderOptions {
  /**
   * Run the KubeVirt cloud-controller-manager for the cluster (node addresses from the VMs, and
   * removal of Nodes whose VM is gone). Not for a cluster at a site, whose VMs run on the site's
   * cluster (an error there).
   * @default true (false for a cluster at a site)
   */
  readonly enabled?: boolean;
  /** The CCM image, pinned by tag or digest. @default - `VersionMatrix.image('kubevirt-cloud-controller-manager')` */
  readonly image?: string;
  /**
   * Serve the tenant's Services of type LoadBalancer through Services of the under cluster. Refused
   * for clusters whose workers are on a `TenantVpc` subnet or another network than the under
   * cluster's pod network: the under cluster's load balancers cannot reach them (see the README,
   * "Day 2").
   * @default false
   */
  readonly loadBalancer?: boolean;
}

/** Props of `TenantCloudProvider`. Usually created by the `TenantCluster` itself. */
export interface TenantCloudProviderProps extends TenantCloudProviderOptions {
  /** The tenant cluster it serves. */
  readonly cluster: TenantCluster;
}

/**
 * The KubeVirt cloud-controller-manager (kubevirt/cloud-provider-kubevirt) of one tenant cluster, on
 * the under cluster in the tenant's namespace beside its control plane, as the CCM's own
 * `config/` deploys it: a `Deployment` that manages the tenant cluster through its admin kubeconfig
 * (`<cluster>-kubeconfig`, written by Cluster API) and reads the tenant's VMs on the under cluster
 * through its own `ServiceAccount`, with a `Role` limited to the tenant's namespace, and a
 * `ConfigMap` with its cloud config (`namespace` = the tenant's namespace, the infra cluster =
 * in-cluster).
 */
export class TenantCloudProvider extends Construct {
  /** Name of the Deployment, ServiceAccount, Role, RoleBinding and ConfigMap: `<cluster>-ccm`. */
  public readonly name: string;
  /** Whether the load-balancer interface is on. */
  public readonly loadBalancer: boolean;
  /** The Deployment (escape hatch). */
  public readonly deployment: ApiObject;
  /** The ConfigMap holding the cloud config (escape hatch). */
  public readonly cloudConfig: ApiObject;
  /** The ServiceAccount it reaches the under cluster with (escape hatch). */
  public readonly serviceAccount: ApiObject;
  /** The Role on the tenant namespace's VMs, pods and Services (escape hatch). */
  public readonly role: ApiObject;
  /** The RoleBinding of the Role to the ServiceAccount (escape hatch). */
  public readonly roleBinding: ApiObject;

  constructor(scope: Construct, id: string, props: TenantCloudProviderProps) {
    super(scope, id);
    const cluster = props.cluster;
    const ns = cluster.namespace;
    this.name = `${cluster.clusterName}-ccm`;
    if (props.image !== undefined && !isPinnedImage(props.image)) {
      throw new KmetalValidationError(this, 'image', `${showValue(props.image)} is not an image reference pinned by tag or digest`, `write e.g. "${VersionMatrix.image('kubevirt-cloud-controller-manager')}"`);
    }
    if (props.loadBalancer !== undefined && typeof props.loadBalancer !== 'boolean') {
      throw new KmetalValidationError(this, 'loadBalancer', `${showValue(props.loadBalancer)} is not true or false`, 'give true or false');
    }
    this.loadBalancer = props.loadBalancer ?? false;
    if (this.loadBalancer) {
      // Pools may be added later: checked again at synth.
      this.node.addValidation({ validate: () => this.unreachableWorkers(cluster) });
    }

    const labels = { 'app.kubernetes.io/name': 'kubevirt-cloud-controller-manager', 'app.kubernetes.io/instance': this.name, 'kmetal.io/tenant-cluster': cluster.clusterName };
    const identity = namespacedIdentity(this, this.name, ns, labels, [
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'watch', 'list', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      // Services only for the load-balancer interface (upstream grants `*`; these are the verbs it uses).
      ...(this.loadBalancer ? [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] }] : []),
    ]);
    this.serviceAccount = identity.serviceAccount;
    this.role = identity.role;
    this.roleBinding = identity.roleBinding;

    // JSON is YAML: the CCM reads the file with gopkg.in/yaml.v2 (pkg/provider/cloud.go).
    const config = {
      namespace: ns,
      loadBalancer: { enabled: this.loadBalancer, creationPollInterval: 5, creationPollTimeout: 60 },
      instancesV2: { enabled: true, zoneAndRegionEnabled: false },
    };
    this.cloudConfig = new ApiObject(this, 'CloudConfig', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace: ns, labels },
      data: { [CLOUD_CONFIG_KEY]: `${JSON.stringify(config, undefined, 2)}\n` },
    });

    const tenantKubeconfig = `${KUBECONFIG_DIR}/${KUBECONFIG_KEY}`;
    const image = props.image ?? VersionMatrix.image('kubevirt-cloud-controller-manager');
    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: this.name, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/instance': this.name } },
        template: {
          metadata: {
            labels,
            // A changed cloud config rolls the pod (the CCM reads it once at start).
            annotations: { 'kmetal.io/cloud-config-digest': crypto.createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16) },
          },
          spec: {
            serviceAccountName: this.name,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'kubevirt-cloud-controller-manager',
              image,
              command: ['/bin/kubevirt-cloud-controller-manager'],
              args: [
                '--cloud-provider=kubevirt',
                `--cloud-config=${CLOUD_CONFIG_DIR}/${CLOUD_CONFIG_KEY}`,
                `--kubeconfig=${tenantKubeconfig}`,
                // Delegated authn/authz of its health endpoint against the tenant, not the under
                // cluster (whose kube-system the tenant's ServiceAccount may not read).
                `--authentication-kubeconfig=${tenantKubeconfig}`,
                `--authorization-kubeconfig=${tenantKubeconfig}`,
                // The name the CCM selects the tenant's VMs by (CAPK's cluster-name label).
                `--cluster-name=${cluster.clusterName}`,
                `--controllers=${this.loadBalancer ? 'cloud-node,cloud-node-lifecycle,service' : 'cloud-node,cloud-node-lifecycle'}`,
              ],
              // Requests are required: the tenant's namespace carries a Capsule quota on requests.
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'tenant-kubeconfig', mountPath: KUBECONFIG_DIR, readOnly: true },
                { name: 'cloud-config', mountPath: CLOUD_CONFIG_DIR, readOnly: true },
              ],
            }],
            volumes: [
              // Written by Cluster API once the control plane is up; the pod waits for it.
              { name: 'tenant-kubeconfig', secret: { secretName: cluster.kubeconfigSecretName, items: [{ key: KUBECONFIG_KEY, path: KUBECONFIG_KEY }] } },
              { name: 'cloud-config', configMap: { name: this.name, items: [{ key: CLOUD_CONFIG_KEY, path: CLOUD_CONFIG_KEY }] } },
            ],
          },
        },
      },
    });
  }

  private unreachableWorkers(cluster: TenantCluster): string[] {
    const where = cluster._ownWorkerNetworkField();
    if (where === undefined) return [];
    return [`[${this.node.path}] loadBalancer: the workers of cluster ${JSON.stringify(cluster.clusterName)} are on a network of their own (${where}), which the under cluster's load balancers cannot reach (its nodes have no route into a tenant VPC). Fix: drop cloudProvider.loadBalancer, or put the workers on the under cluster's pod network`];
  }
}
