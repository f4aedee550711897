// What a request adds to its cluster besides the cluster itself: the opted-in catalogue add-ons and
// the tenant's own GitOps source, both confined to the one cluster. Internal.
import { ApiObject, Yaml } from 'cdk8s';
import type { TenantAddonOffer } from './tenant-request-options';
import type { Gitops } from './tenant-request.generated';
import { resolveHelmChart, sveltosHelmChart } from '../addons/helm-chart';
import { OUT_OF_BAND_ANNOTATION } from '../reconcile/annotations';
import type { TenantCluster } from '../tenancy/tenant-cluster';

/** The service account the tenant's Flux Kustomization impersonates in the tenant cluster. */
export const TENANT_GITOPS_SERVICE_ACCOUNT = 'gitops';

/** @internal */
export interface TenantAddonsRequest {
  readonly team: string;
  readonly addons: TenantAddonOffer[];
  readonly gitops?: Gitops;
}

/**
 * A Sveltos namespaced `Profile` in the cluster's namespace, selecting that cluster only (a
 * namespaced Profile can only ever match clusters of its own namespace, so a tenant's profile cannot
 * reach another tenant's clusters), with the opted-in charts and, with `gitops`, the service account
 * and namespace-scoped RoleBinding the tenant's Flux Kustomization impersonates.
 *
 * The tenant's `GitRepository` and `Kustomization` live in the cluster's namespace on the under
 * cluster, but apply into the tenant cluster only (`kubeConfig` = the cluster's admin kubeconfig
 * Secret written by Cluster API), impersonating `system:serviceaccount:<namespace>:gitops` there
 * (kustomize-controller impersonates on the target cluster when both `kubeConfig` and
 * `serviceAccountName` are set), which may act in `gitops.namespace` only: nothing of the tenant's
 * repository is ever applied to the management plane. @internal
 */
export function emitTenantAddons(cluster: TenantCluster, req: TenantAddonsRequest): void {
  const gitops = req.gitops;
  if (!req.addons.length && !gitops) return;
  const ns = cluster.namespace;
  const name = cluster.clusterName;
  const charts = req.addons.flatMap((a) => a.helmCharts.map((c, i) => sveltosHelmChart(resolveHelmChart(cluster, `addonCatalog.${a.name}.helmCharts[${i}]`, c))));
  let access: ApiObject | undefined;
  if (gitops) {
    const target = gitops.namespace ?? 'apps';
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: TENANT_GITOPS_SERVICE_ACCOUNT, namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${TENANT_GITOPS_SERVICE_ACCOUNT}-admin`, namespace: target },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
        subjects: [{ kind: 'ServiceAccount', name: TENANT_GITOPS_SERVICE_ACCOUNT, namespace: ns }],
      },
    ];
    access = new ApiObject(cluster, 'GitOpsAccess', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-gitops-access`, namespace: ns, labels: { 'kmetal.io/team': req.team } },
      data: { 'gitops-access.yaml': Yaml.stringify(...objects) },
    });
    const interval = `${gitops.intervalMinutes ?? 5}m`;
    const source = new ApiObject(cluster, 'GitOpsSource', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: {
        name: `${name}-workloads`,
        namespace: ns,
        ...(gitops.secretName ? { annotations: { [OUT_OF_BAND_ANNOTATION]: `Secret/${gitops.secretName}` } } : {}),
      },
      spec: {
        url: gitops.url,
        interval,
        ref: { branch: gitops.branch ?? 'main' },
        ...(gitops.secretName ? { secretRef: { name: gitops.secretName } } : {}),
      },
    });
    const kustomization = new ApiObject(cluster, 'GitOpsSync', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: `${name}-workloads`, namespace: ns },
      spec: {
        interval,
        sourceRef: { kind: 'GitRepository', name: `${name}-workloads` },
        path: gitops.path ?? './',
        prune: true,
        targetNamespace: target,
        serviceAccountName: TENANT_GITOPS_SERVICE_ACCOUNT,
        kubeConfig: { secretRef: { name: cluster.kubeconfigSecretName, key: 'value' } },
      },
    });
    kustomization.node.addDependency(source);
  }
  const profile = new ApiObject(cluster, 'SelfServiceProfile', {
    apiVersion: 'config.projectsveltos.io/v1beta1',
    kind: 'Profile',
    metadata: { name, namespace: ns, labels: { 'kmetal.io/team': req.team } },
    spec: {
      clusterSelector: { matchLabels: { 'kmetal.io/tenant-cluster': name } },
      syncMode: 'ContinuousWithDriftDetection',
      ...(charts.length ? { helmCharts: charts } : {}),
      ...(access ? { policyRefs: [{ kind: 'ConfigMap', name: `${name}-gitops-access`, namespace: ns }] } : {}),
    },
  });
  if (access) profile.node.addDependency(access);
}
