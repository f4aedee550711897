import { helmReleaseChart } from './flux';
import { at, list, str, type UpstreamModel } from './upstream-model';
import { findingOn, type ClusterObject, type ClusterState } from '../private/cluster-state';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';

const V = 'Capsule v0.14.0 (65a4e19e028f)';
/** The label that assigns a namespace to a Capsule tenant. */
export const CAPSULE_TENANT_LABEL = 'capsule.clastix.io/tenant';

/**
 * The identity Flux's kustomize-controller applies with when a Kustomization names no service
 * account: its own (kustomize-controller v1.8.3 internal/controller/kustomization_controller.go
 * L388-415 impersonates only with `spec.serviceAccountName` or `--default-service-account`).
 */
export function fluxApplierUser(fluxNamespace: string, serviceAccountName?: string): string {
  return `system:serviceaccount:${fluxNamespace}:${serviceAccountName ?? 'kustomize-controller'}`;
}

/** The Capsule administrator entry that lets Flux create tenant namespaces (kind ServiceAccount, full user name). */
export function capsuleAdministratorFor(fluxNamespace: string, serviceAccountName?: string): { kind: string; name: string } {
  return { kind: 'ServiceAccount', name: fluxApplierUser(fluxNamespace, serviceAccountName) };
}

/**
 * Capsule's namespace webhooks act on tenant-labelled namespaces only for Capsule users and
 * administrators; for anyone else the validating webhook *denies* a namespace carrying
 * `capsule.clastix.io/tenant` ("namespace has tenant label ... but no Tenant ownerReference":
 * internal/webhook/namespace/validation/handler.go L54-65, pkg/tenant/namespaces.go L252-253).
 * Administrators are matched by exact user name (pkg/api/rbac/users_list.go L46-66:
 * `system:serviceaccount:<ns>:<name>` for a ServiceAccount) or by group.
 */
export const capsuleModel: UpstreamModel = {
  project: V,

  check(state): ReconcileFinding[] {
    const out: ReconcileFinding[] = [];
    const releases = state.objects.filter((o) => o.group === 'helm.toolkit.fluxcd.io' && o.kind === 'HelmRelease' && helmReleaseChart(o) === 'capsule');
    const tenantNamespaces = state.objects.filter((o) => o.group === '' && o.kind === 'Namespace' && typeof o.labels[CAPSULE_TENANT_LABEL] === 'string');
    for (const ns of tenantNamespaces) {
      const applier = applierOf(state, ns);
      const admins = releases.flatMap((r) => list(at(r.manifest, 'spec', 'values', 'manager', 'options', 'administrators')));
      const seen = admins.some((a) => (a?.kind === 'ServiceAccount' || a?.kind === 'User') && a?.name === applier.user)
        || admins.some((a) => a?.kind === 'Group' && applier.groups.includes(a?.name));
      if (releases.length > 0 && seen) continue;
      out.push(findingOn(state, ns, {
        severity: ReconcileSeverity.ERROR,
        code: 'admission-precondition',
        field: `metadata.labels.${CAPSULE_TENANT_LABEL}`,
        target: `Capsule administrators (${applier.user})`,
        message: releases.length === 0
          ? 'the namespace is labelled for a Capsule tenant, but this cluster installs no Capsule, so no tenant governs it'
          : `Flux applies this tenant namespace as ${applier.user}, which the Capsule release does not list in manager.options.administrators: Capsule's webhook denies the namespace and Flux never creates it`,
        fix: releases.length === 0 ? 'install Capsule on the cluster (PlatformUnderCluster does)' : `add { kind: ServiceAccount, name: ${applier.user} } to the capsule HelmRelease's manager.options.administrators (PlatformUnderCluster does)`,
        rule: `${V} namespace webhooks: tenant-labelled namespaces from non-Capsule users are denied; administrators matched by full user name`,
      }));
    }
    return out;
  },
};

// The user Flux applies the object's layer as, and that user's groups.
function applierOf(state: ClusterState, o: ClusterObject): { user: string; groups: string[] } {
  // The layer's key is `<namespace>/<name>` of its Flux Kustomization.
  const slash = o.layer.key.indexOf('/');
  const found = o.layer.bootstrap ? undefined
    : state.lookup('kustomize.toolkit.fluxcd.io', ['Kustomization'], o.layer.key.slice(0, slash), o.layer.key.slice(slash + 1));
  // Only an object of the tree (a produced provision's `by` is its producer, not the Kustomization).
  const layer = found && found.rule === undefined ? found.by : undefined;
  const fluxNamespace = layer?.namespace ?? 'flux-system';
  const sa = str(at(layer?.manifest, 'spec', 'serviceAccountName'));
  return {
    user: fluxApplierUser(sa ? o.layer.targetNamespace ?? fluxNamespace : fluxNamespace, sa),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${fluxNamespace}`, 'system:authenticated'],
  };
}
