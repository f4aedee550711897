import type { UpstreamModel } from './upstream-model';

/**
 * Namespaces every Kubernetes cluster has: kube-apiserver creates `default`, `kube-system`,
 * `kube-public` and `kube-node-lease` at start-up (kubernetes/kubernetes pkg/controlplane/controller/
 * systemnamespaces: `metav1.NamespaceSystem, metav1.NamespacePublic, v1.NamespaceNodeLease` plus
 * `metav1.NamespaceDefault`).
 */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Kubernetes itself: nothing produced per object; the system namespaces are known to the namespace check. */
export const kubernetesModel: UpstreamModel = {
  project: 'Kubernetes',
};
