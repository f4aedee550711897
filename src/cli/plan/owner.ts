/** Who a changed object belongs to: a tenant cluster, or a platform component. */
export type PlanOwner = { readonly tenant: string } | { readonly component: string };

const TENANT_LABEL = 'kmetal.io/tenant-cluster';
// Flux objects that stand for a component: a HelmRelease, the sources of its chart or manifests,
// a Kustomization of release manifests. Their names are the component's.
const COMPONENT_KINDS = new Set(['HelmRelease', 'OCIRepository', 'HelmChart', 'Bucket']);
const ARTIFACT_SUFFIX = /-(manifests|charts)$/;

/**
 * Finds owners the way the library lays a tree out: a tenant's objects are in its unit
 * `tenants/<name>/` (also under a site, `sites/<site>/tenants/<name>/`) and its Namespace and
 * Cluster carry `kmetal.io/tenant-cluster`; the Flux Kustomization of a unit points at its folder.
 * Everything else is the platform's: a HelmRelease or a release-manifest source is its own
 * component, other objects belong to their unit (`infrastructure/configs`).
 */
export class OwnerResolver {
  /** Tenant of each namespace, from the Namespaces labelled `kmetal.io/tenant-cluster`. */
  private readonly tenantOfNamespace = new Map<string, string>();

  /** Notes a tenant Namespace, so objects outside the tenant's unit in that namespace are the tenant's too. */
  public noteNamespace(json: any): void {
    const tenant = json?.metadata?.labels?.[TENANT_LABEL];
    if (json?.kind === 'Namespace' && typeof tenant === 'string' && typeof json.metadata?.name === 'string') {
      this.tenantOfNamespace.set(json.metadata.name, tenant);
    }
  }

  public ownerOf(file: string, json: any): PlanOwner {
    const unit = tenantUnitOf(file);
    if (unit) return { tenant: unit };
    const label = json?.metadata?.labels?.[TENANT_LABEL];
    if (typeof label === 'string') return { tenant: label };
    const ns = json?.metadata?.namespace;
    if (typeof ns === 'string' && this.tenantOfNamespace.has(ns)) return { tenant: this.tenantOfNamespace.get(ns)! };
    // A site's components are its own (sites/<site>/infrastructure/...): the same chart at two sites is two components.
    const site = /^sites\/([^/]+)\//.exec(file)?.[1];
    const scoped = (name: string) => (site && !name.startsWith('sites/') ? `${site}/${name}` : name);
    const isFluxKustomization = json?.kind === 'Kustomization' && String(json?.apiVersion ?? '').startsWith('kustomize.toolkit.fluxcd.io/');
    if (isFluxKustomization && typeof json?.spec?.path === 'string') {
      // The Kustomization of a unit (clusters/<cluster>/tenants-acme.yaml) belongs to its unit.
      const fluxPath = (json.spec.path as string).replace(/\/+$/, '');
      const tenant = tenantUnitOf(`${fluxPath}/x`);
      if (tenant) return { tenant };
      const infra = /(?:^|\/)((?:sites\/[^/]+\/)?infrastructure\/[^/]+)$/.exec(fluxPath);
      if (infra) return { component: infra[1] };
    }
    // A HelmRelease, a source of release manifests, or a Kustomization applying them: the component itself.
    if (COMPONENT_KINDS.has(json?.kind) || isFluxKustomization) {
      const name = String(json?.metadata?.name ?? '').replace(ARTIFACT_SUFFIX, '');
      if (name) return { component: scoped(name) };
    }
    return { component: folderOf(file) || '(tree folder)' };
  }
}

/** `tenants/acme/x.yaml`, `sites/a/tenants/acme/x.yaml` → `acme`. */
function tenantUnitOf(file: string): string | undefined {
  return /(?:^|\/)tenants\/([^/]+)\/[^/]+/.exec(file)?.[1];
}

function folderOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}
