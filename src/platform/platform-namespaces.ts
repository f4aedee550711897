// The namespaces of the under cluster that belong to Kubernetes itself or to a platform component.
// A tenant put into one would be governed (Capsule), labelled and pruned as a tenant, next to the
// platform's own objects, so tenants are refused those namespaces.
import { VersionMatrix } from './version-matrix';

/** Namespaces Kubernetes creates and owns. */
const KUBERNETES_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * What owns `namespace` on the under cluster (`Kubernetes` or `the platform component <id>`), or
 * undefined when it is free for a tenant. @internal
 */
export function platformNamespaceOwner(namespace: string): string | undefined {
  if (KUBERNETES_NAMESPACES.includes(namespace)) return 'Kubernetes itself';
  const owners = VersionMatrix.COMPONENTS.filter((c) => c.namespace === namespace).map((c) => c.component);
  return owners.length ? `the platform component${owners.length > 1 ? 's' : ''} ${owners.join(', ')}` : undefined;
}
