import { at, refs, str, type UpstreamModel } from './upstream-model';
import type { ClusterObject, ObjectReference } from '../private/cluster-state';

const K = 'Kubernetes v1.33';

// Where each workload kind keeps its pod template (apps/v1, batch/v1 API types).
const POD_SPEC_PATHS: Record<string, Record<string, string[]>> = {
  'apps': { Deployment: ['spec', 'template', 'spec'], StatefulSet: ['spec', 'template', 'spec'], DaemonSet: ['spec', 'template', 'spec'], ReplicaSet: ['spec', 'template', 'spec'] },
  'batch': { Job: ['spec', 'template', 'spec'], CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
  '': { Pod: ['spec'] },
};

/**
 * The names a pod template holds, as the kubelet and the controllers resolve them (core/v1 PodSpec):
 * `serviceAccountName` (the ServiceAccount admission plugin refuses a pod whose account is missing,
 * so the workload controller never gets a pod running; `default` is created in every namespace by
 * kube-controller-manager's serviceaccounts-controller and is not checked), Secret and ConfigMap
 * volumes (with their `items` keys), projected sources, `env[].valueFrom.secretKeyRef` /
 * `configMapKeyRef` and `envFrom` (the kubelet does not start a container whose non-optional
 * Secret or key is missing). RBAC: a RoleBinding's `roleRef` to a Role of its namespace (the binding
 * grants nothing while the Role is missing; ClusterRoles are not checked, most are built in). The
 * `kube-root-ca.crt` ConfigMap is published into every namespace by kube-controller-manager.
 */
export const kubernetesWorkloadsModel: UpstreamModel = {
  project: K,

  references(o): ObjectReference[] {
    if (o.group === 'rbac.authorization.k8s.io' && o.kind === 'RoleBinding') {
      const roleRef = at(o.manifest, 'roleRef');
      if (str(roleRef?.kind) !== 'Role') return [];
      return refs([{
        field: 'roleRef',
        group: 'rbac.authorization.k8s.io',
        kinds: ['Role'],
        namespace: o.namespace,
        name: roleRef.name,
        consequence: 'the binding grants nothing: its subjects are refused by the API server',
        rule: `${K} RBAC: a RoleBinding's roleRef names a Role in the binding's namespace`,
      }]);
    }
    const path = POD_SPEC_PATHS[o.group]?.[o.kind];
    if (!path) return [];
    const spec = at(o.manifest, ...path);
    if (!spec || typeof spec !== 'object') return [];
    return podSpecReferences(o, spec, path.join('.'));
  },
};

function podSpecReferences(o: ClusterObject, spec: any, base: string): ObjectReference[] {
  const out: Array<ObjectReference | undefined | false> = [];
  const ns = o.namespace;
  type Emit = (field: string, name: unknown, key?: string) => void;
  // Secrets and ConfigMaps a pod needs: the same reference, another kind (kube-root-ca.crt is made
  // in every namespace by kube-controller-manager's root-CA publisher).
  const referenceTo = (kind: 'Secret' | 'ConfigMap', noun: string, fields: string): Emit => (field, name, key) => {
    if (typeof name !== 'string' || (kind === 'ConfigMap' && name === 'kube-root-ca.crt')) return;
    out.push({
      field,
      group: '',
      kinds: [kind],
      namespace: ns,
      name,
      ...(key !== undefined ? { key } : {}),
      consequence: `the kubelet does not start the pod (${noun} or key not found)`,
      rule: `${K} core/v1 PodSpec: a non-optional ${kind} volume, ${fields} must exist`,
    });
  };
  const secret = referenceTo('Secret', 'secret', 'secretKeyRef or envFrom secretRef');
  const configMap = referenceTo('ConfigMap', 'configmap', 'configMapKeyRef or envFrom configMapRef');
  const sa = str(spec.serviceAccountName);
  if (sa && sa !== 'default') {
    out.push({
      field: `${base}.serviceAccountName`,
      group: '',
      kinds: ['ServiceAccount'],
      namespace: ns,
      name: sa,
      consequence: 'the ServiceAccount admission plugin refuses the pods: none is created',
      rule: `${K} plugin/pkg/admission/serviceaccount: a pod's serviceAccountName must exist`,
    });
  }
  const keyed = (source: any, fieldBase: string, name: unknown, emit: Emit) => {
    if (source?.optional === true) return;
    const items = Array.isArray(source?.items) ? source.items : [];
    if (!items.length) emit(fieldBase, name);
    for (const [i, it] of items.entries()) emit(`${fieldBase}.items[${i}].key`, name, str(it?.key));
  };
  for (const [i, v] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
    if (v?.secret) keyed(v.secret, `${base}.volumes[${i}].secret`, v.secret.secretName, secret);
    if (v?.configMap) keyed(v.configMap, `${base}.volumes[${i}].configMap`, v.configMap.name, configMap);
    for (const [j, s] of (Array.isArray(v?.projected?.sources) ? v.projected.sources : []).entries()) {
      if (s?.secret) keyed(s.secret, `${base}.volumes[${i}].projected.sources[${j}].secret`, s.secret.name, secret);
      if (s?.configMap) keyed(s.configMap, `${base}.volumes[${i}].projected.sources[${j}].configMap`, s.configMap.name, configMap);
    }
  }
  for (const list of ['initContainers', 'containers']) {
    for (const [i, c] of (Array.isArray(spec[list]) ? spec[list] : []).entries()) {
      for (const [j, e] of (Array.isArray(c?.env) ? c.env : []).entries()) {
        const s = e?.valueFrom?.secretKeyRef;
        if (s && s.optional !== true) secret(`${base}.${list}[${i}].env[${j}].valueFrom.secretKeyRef`, s.name, str(s.key));
        const m = e?.valueFrom?.configMapKeyRef;
        if (m && m.optional !== true) configMap(`${base}.${list}[${i}].env[${j}].valueFrom.configMapKeyRef`, m.name, str(m.key));
      }
      for (const [j, e] of (Array.isArray(c?.envFrom) ? c.envFrom : []).entries()) {
        if (e?.secretRef && e.secretRef.optional !== true) secret(`${base}.${list}[${i}].envFrom[${j}].secretRef`, e.secretRef.name);
        if (e?.configMapRef && e.configMapRef.optional !== true) configMap(`${base}.${list}[${i}].envFrom[${j}].configMapRef`, e.configMapRef.name);
      }
    }
  }
  return refs(out);
}
