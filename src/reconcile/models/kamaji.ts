import { at, list, refs, str, type UpstreamModel } from './upstream-model';
import { findingOn, type ClusterState, type ObjectReference, type ProducedObject } from '../private/cluster-state';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';

const KAMAJI = 'kamaji.clastix.io';
const CP = 'controlplane.cluster.x-k8s.io';
const PROVIDER = 'cluster-api-control-plane-provider-kamaji v0.20.0';

/**
 * Kamaji and its Cluster API control-plane provider.
 *
 * - The provider turns a KamajiControlPlane into a Kamaji TenantControlPlane of the same name and
 *   namespace (controllers/kamajicontrolplane_controller_tcp.go, `createOrUpdateTenantControlPlane`:
 *   `ObjectMeta{Name: kcp.GetName(), Namespace: kcp.GetNamespace()}`), or, with
 *   `spec.deployment.externalClusterReference`, on the cluster that kubeconfig reaches, in
 *   `deploymentNamespace`.
 * - A TenantControlPlane reads its DataStore by name (`spec.dataStore`, cluster-scoped); a
 *   DataStore reads its TLS material from the Secrets and keys it names, in the namespaces given.
 */
export const kamajiModel: UpstreamModel = {
  project: `Kamaji 26.8.2-edge, ${PROVIDER}`,

  produce(o): ProducedObject[] {
    if (o.group === CP && o.kind === 'KamajiControlPlane' && at(o.manifest, 'spec', 'deployment', 'externalClusterReference') === undefined) {
      return [{ group: KAMAJI, kind: 'TenantControlPlane', namespace: o.namespace, name: o.name, rule: `${PROVIDER} controllers/kamajicontrolplane_controller_tcp.go: TenantControlPlane named after the KamajiControlPlane` }];
    }
    return [];
  },

  references(o, state): ObjectReference[] {
    const m = o.manifest;
    if (o.group === CP && o.kind === 'KamajiControlPlane') {
      const ext = at(m, 'spec', 'deployment', 'externalClusterReference');
      // A remote control plane's DataStore lives on the cluster the kubeconfig reaches: checked by
      // `remoteDataStores` below across the tree's clusters, not on this one.
      return refs([
        !ext && { field: 'spec.dataStoreName', group: KAMAJI, kinds: ['DataStore'], name: at(m, 'spec', 'dataStoreName'), consequence: 'the TenantControlPlane never gets a datastore: no API server starts', rule: `${PROVIDER} api/v1alpha2 KamajiControlPlaneSpec.dataStoreName → TenantControlPlane spec.dataStore` },
        ext && {
          field: 'spec.deployment.externalClusterReference.kubeconfigSecretName',
          group: '',
          kinds: ['Secret'],
          namespace: str(ext.kubeconfigSecretNamespace) ?? o.namespace,
          name: ext.kubeconfigSecretName,
          key: str(ext.kubeconfigSecretKey) ?? 'value',
          consequence: 'the provider cannot reach the remote cluster; the control plane is never created there',
          rule: `${PROVIDER} api/v1alpha2 ExternalClusterReference (kubeconfigSecretName/Key/Namespace)`,
        },
      ]);
    }
    if (o.group === KAMAJI && o.kind === 'TenantControlPlane') {
      return refs([{ field: 'spec.dataStore', group: KAMAJI, kinds: ['DataStore'], name: at(m, 'spec', 'dataStore'), consequence: 'no API server starts', rule: 'Kamaji api/v1alpha1 TenantControlPlaneSpec.dataStore' }]);
    }
    if (o.group === KAMAJI && o.kind === 'DataStore') {
      const rule = 'Kamaji api/v1alpha1 DataStore: tlsConfig and basicAuth read Secret keys (secretReference name, namespace, keyPath)';
      const secret = (field: string, v: any): ObjectReference | undefined => {
        const r = at(v, 'secretReference');
        return r ? { field: `${field}.secretReference`, group: '', kinds: ['Secret'], namespace: str(r.namespace), name: r.name, key: str(r.keyPath), consequence: 'Kamaji cannot connect to the datastore: no tenant control plane on it starts', rule } : undefined;
      };
      const tls = at(m, 'spec', 'tlsConfig');
      const services = list(at(m, 'spec', 'endpoints')).map((e, i) => serviceOfEndpoint(`spec.endpoints[${i}]`, e, state)).filter((r) => r !== undefined);
      return refs([
        secret('spec.tlsConfig.certificateAuthority.certificate', at(tls, 'certificateAuthority', 'certificate')),
        secret('spec.tlsConfig.certificateAuthority.privateKey', at(tls, 'certificateAuthority', 'privateKey')),
        secret('spec.tlsConfig.clientCertificate.certificate', at(tls, 'clientCertificate', 'certificate')),
        secret('spec.tlsConfig.clientCertificate.privateKey', at(tls, 'clientCertificate', 'privateKey')),
        secret('spec.basicAuth.username', at(m, 'spec', 'basicAuth', 'username')),
        secret('spec.basicAuth.password', at(m, 'spec', 'basicAuth', 'password')),
        ...services,
      ]);
    }
    return [];
  },
};

// `<pod>.<service>.<namespace>.svc[.<domain>]:<port>` or `<service>.<namespace>.svc...:<port>`: the
// in-cluster Service the endpoint resolves through (cluster DNS: a headless Service gives each pod
// `<pod>.<service>.<ns>.svc`). Endpoints outside the cluster are not checked.
function serviceOfEndpoint(field: string, endpoint: unknown, _state: ClusterState): ObjectReference | undefined {
  if (typeof endpoint !== 'string') return undefined;
  const host = endpoint.replace(/:\d+$/, '');
  const labels = host.split('.');
  const svc = labels.indexOf('svc');
  if (svc < 2) return undefined;
  return {
    field,
    group: '',
    kinds: ['Service'],
    namespace: labels[svc - 1],
    name: labels[svc - 2],
    consequence: 'the endpoint does not resolve: Kamaji cannot reach the datastore',
    rule: 'Kubernetes cluster DNS: <pod>.<service>.<namespace>.svc names resolve only through that Service',
  };
}

/**
 * A control plane placed on another cluster (`externalClusterReference`) needs its DataStore there:
 * some other cluster of the tree must have it (the tree does not say which cluster a kubeconfig reaches).
 */
export function remoteDataStores(states: readonly ClusterState[]): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  const everywhere = new Map<string, Set<string>>();
  for (const s of states) {
    everywhere.set(s.cluster, new Set(s.allOf(KAMAJI, 'DataStore').map((p) => p.name)));
  }
  for (const s of states) {
    for (const kcp of s.objectsOf(CP, 'KamajiControlPlane')) {
      if (at(kcp.manifest, 'spec', 'deployment', 'externalClusterReference') === undefined) continue;
      const name = str(at(kcp.manifest, 'spec', 'dataStoreName'));
      if (!name) continue;
      const found = [...everywhere.entries()].some(([cluster, names]) => cluster !== s.cluster && names.has(name));
      if (found) continue;
      out.push(findingOn(s, kcp, {
        severity: ReconcileSeverity.ERROR,
        code: 'dangling-reference',
        field: 'spec.dataStoreName',
        target: `DataStore ${name} on the remote cluster`,
        message: `the control plane runs on the cluster its externalClusterReference reaches, but no other cluster of the tree has DataStore "${name}"`,
        fix: 'place the tenant\'s datastore on the site (IslandSite does), or use a DataStore the remote Kamaji has',
        rule: `${PROVIDER} externalClusterReference: the TenantControlPlane is created on the remote cluster and reads its DataStore there`,
      }));
    }
  }
  return out;
}
