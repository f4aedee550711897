import { at, refs, str, type UpstreamModel } from './upstream-model';
import type { ObjectReference } from '../private/cluster-state';

const INFRA = 'infrastructure.cluster.x-k8s.io';
const V = 'cluster-api-provider-kubevirt v0.11.2';

/** CAPK: a KubevirtCluster (or its template) may create the VMs on another cluster, through a kubeconfig Secret. */
export const capkModel: UpstreamModel = {
  project: V,

  references(o): ObjectReference[] {
    if (o.group !== INFRA) return [];
    const ref = o.kind === 'KubevirtCluster' ? at(o.manifest, 'spec', 'infraClusterSecretRef')
      : o.kind === 'KubevirtClusterTemplate' ? at(o.manifest, 'spec', 'template', 'spec', 'infraClusterSecretRef') : undefined;
    if (!ref) return [];
    return refs([{
      field: o.kind === 'KubevirtCluster' ? 'spec.infraClusterSecretRef' : 'spec.template.spec.infraClusterSecretRef',
      group: '',
      kinds: ['Secret'],
      namespace: str(ref.namespace) ?? o.namespace,
      name: ref.name,
      // CAPK pkg/infracluster/infracluster.go: reads key `kubeconfig` of the Secret.
      key: 'kubeconfig',
      consequence: 'CAPK cannot reach the infrastructure cluster: no worker VM is created',
      rule: `${V} pkg/infracluster/infracluster.go: infraClusterSecretRef names a Secret with key kubeconfig`,
    }]);
  },
};
