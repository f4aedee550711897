/**
 * Labels kubelet sets on itself only when they are in its allowed set: kubelet refuses to start
 * with any other `--node-labels` key in the `kubernetes.io` or `k8s.io` namespaces (or their
 * subdomains), so the node would never join. The rule is kubelet's `ValidateKubeletFlags`
 * (kubernetes/kubernetes cmd/kubelet/app/options/options.go, `isKubernetesLabel`) with the allowed
 * labels and namespaces of `IsKubeletLabel` (k8s.io/kubelet/pkg/apis/well_known_labels.go); see
 * also https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction.
 */
const KUBELET_LABELS = [
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
];
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

function inNamespace(namespace: string, domain: string): boolean {
  return namespace === domain || namespace.endsWith(`.${domain}`);
}

/** Whether kubelet refuses `key` in `--node-labels` (see KUBELET_LABELS). @internal */
export function kubeletRefusesLabel(key: string): boolean {
  const namespace = key.includes('/') ? key.split('/')[0] : '';
  if (!inNamespace(namespace, 'kubernetes.io') && !inNamespace(namespace, 'k8s.io')) return false;
  if (KUBELET_LABELS.includes(key)) return false;
  return !KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(namespace, allowed));
}
