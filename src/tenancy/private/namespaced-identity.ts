import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** A controller's identity on the under cluster: a ServiceAccount, its Role and the binding. */
export interface NamespacedIdentity {
  readonly serviceAccount: ApiObject;
  readonly role: ApiObject;
  readonly roleBinding: ApiObject;
}

/**
 * The ServiceAccount, Role and RoleBinding (all named `name`, in `namespace`) of a controller that
 * runs beside a tenant's control plane with rights in the tenant's namespace only: the cluster
 * autoscaler, the KubeVirt CCM and the KubeVirt CSI controller. Construct ids `ServiceAccount`,
 * `Role` and `RoleBinding` under `scope`.
 */
export function namespacedIdentity(
  scope: Construct, name: string, namespace: string, labels: { [key: string]: string }, rules: unknown[],
): NamespacedIdentity {
  const metadata = { name, namespace, labels };
  const serviceAccount = new ApiObject(scope, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata });
  const role = new ApiObject(scope, 'Role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules });
  const roleBinding = new ApiObject(scope, 'RoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  return { serviceAccount, role, roleBinding };
}
