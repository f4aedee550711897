import { ApiObject } from 'cdk8s';

/** A kind of object whose deletion loses data (or a server, or a whole tenant). */
export interface StatefulKind {
  /** API group (`''` for the core group), e.g. `kamaji.clastix.io`. */
  readonly apiGroup: string;
  /** Kind, e.g. `DataStore`. */
  readonly kind: string;
  /** What deleting one destroys (shown in findings). */
  readonly consequence: string;
  /**
   * Only objects carrying this label (any value) count, e.g. `kmetal.io/tenant-cluster` for the
   * tenants' namespaces.
   * @default - every object of the kind
   */
  readonly requiredLabel?: string;
  /**
   * Only HelmReleases of charts whose name contains this text count (e.g. `etcd`).
   * @default - every object of the kind
   */
  readonly chartNameContains?: string;
}

/** The Flux annotation that keeps kustomize-controller from deleting an object that left git. */
export const PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';
/** Its value that disables pruning. */
export const PRUNE_DISABLED = 'disabled';

/**
 * Which objects hold state the platform must not lose by accident: what the prune protection
 * annotates and the destructive-change guard watches.
 */
export class StatefulObjects {
  /**
   * The kinds the library treats as stateful: tenant clusters, Kamaji datastores, the tenants'
   * etcd releases and volumes, bare-metal hosts, the tenants' namespaces and Capsule tenants.
   */
  public static readonly DEFAULT_KINDS: StatefulKind[] = [
    { apiGroup: 'cluster.x-k8s.io', kind: 'Cluster', consequence: 'Cluster API deletes the tenant cluster: its control plane and every worker VM' },
    { apiGroup: 'kamaji.clastix.io', kind: 'DataStore', consequence: 'the tenant control planes lose the datastore that holds their state' },
    { apiGroup: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', chartNameContains: 'etcd', consequence: 'Flux uninstalls the etcd that holds a tenant control plane\'s state' },
    { apiGroup: '', kind: 'PersistentVolumeClaim', consequence: 'the volume and its data are deleted (with the usual Delete reclaim policy)' },
    { apiGroup: 'cdi.kubevirt.io', kind: 'DataVolume', consequence: 'the disk and its data are deleted' },
    { apiGroup: 'metal3.io', kind: 'BareMetalHost', consequence: 'Metal3 deprovisions the server (its disks are wiped) and forgets it' },
    { apiGroup: '', kind: 'Namespace', requiredLabel: 'kmetal.io/tenant-cluster', consequence: 'everything of the tenant in it is deleted: control plane, etcd and its volumes, VMs' },
    { apiGroup: 'capsule.clastix.io', kind: 'Tenant', consequence: 'Capsule deletes the namespaces the tenant owns, with everything in them' },
  ];

  /**
   * The stateful kind a manifest is of, if any.
   *
   * @param manifest a rendered object (`apiVersion`, `kind`, `metadata`, `spec`)
   * @param kinds the kinds that count @default StatefulObjects.DEFAULT_KINDS
   */
  public static kindOf(manifest: any, kinds?: StatefulKind[]): StatefulKind | undefined {
    const apiVersion = String(manifest?.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    const kind = manifest?.kind;
    for (const k of kinds ?? StatefulObjects.DEFAULT_KINDS) {
      if (k.apiGroup !== group || k.kind !== kind) continue;
      if (k.requiredLabel !== undefined && manifest?.metadata?.labels?.[k.requiredLabel] === undefined) continue;
      if (k.chartNameContains !== undefined && !String(manifest?.spec?.chart?.spec?.chart ?? '').includes(k.chartNameContains)) continue;
      return k;
    }
    return undefined;
  }

  /**
   * The stateful kind of an ApiObject, if any (renders only the objects whose kind could match).
   * @internal
   */
  public static _kindOfApiObject(apiObject: ApiObject, kinds: StatefulKind[]): StatefulKind | undefined {
    const group = apiObject.apiGroup === 'core' ? '' : apiObject.apiGroup;
    const candidates = kinds.filter((k) => k.kind === apiObject.kind && k.apiGroup === group);
    if (candidates.length === 0) return undefined;
    const needsSpec = candidates.some((k) => k.chartNameContains !== undefined);
    const manifest = needsSpec
      ? apiObject.toJson()
      : { apiVersion: apiObject.apiVersion, kind: apiObject.kind, metadata: { labels: labelsOf(apiObject, candidates) } };
    return StatefulObjects.kindOf(manifest, candidates);
  }

  private constructor() {}
}

function labelsOf(apiObject: ApiObject, kinds: StatefulKind[]): { [key: string]: string } {
  const labels: { [key: string]: string } = {};
  for (const k of kinds) {
    if (k.requiredLabel === undefined) continue;
    const v = apiObject.metadata.getLabel(k.requiredLabel);
    if (v !== undefined) labels[k.requiredLabel] = v;
  }
  return labels;
}
