import type { ResourceScope } from './bundle-model';
import type { NameRule } from './k8s-names';

/** What the checker knows of a built-in Kubernetes kind: no schema, only enough to check metadata. */
export interface BuiltinKind {
  readonly scope: ResourceScope;
  /** Versions a current (1.30+) API server serves. */
  readonly versions: readonly string[];
  readonly nameRule: NameRule;
}

const N: ResourceScope = 'Namespaced';
const C: ResourceScope = 'Cluster';

function kinds(versions: string[], entries: Record<string, ResourceScope | [ResourceScope, NameRule | string[]]>): Record<string, BuiltinKind> {
  const out: Record<string, BuiltinKind> = {};
  for (const [kind, entry] of Object.entries(entries)) {
    const [scope, extra] = Array.isArray(entry) ? entry : [entry, undefined];
    out[kind] = {
      scope,
      versions: Array.isArray(extra) ? extra : versions,
      nameRule: typeof extra === 'string' ? extra : 'dns1123-subdomain',
    };
  }
  return out;
}

/**
 * Built-in kinds by API group (`''` is the core group). Names follow Kubernetes' own validation:
 * namespaces are DNS-1123 labels, services DNS-1035 labels, RBAC objects path segments
 * (`system:...`), everything else DNS-1123 subdomains.
 */
export const BUILTIN_KINDS: Record<string, Record<string, BuiltinKind>> = {
  '': kinds(['v1'], {
    Namespace: [C, 'dns1123-label'],
    Node: C,
    PersistentVolume: C,
    ComponentStatus: C,
    Service: [N, 'dns1035-label'],
    Pod: N,
    ConfigMap: N,
    Secret: N,
    ServiceAccount: N,
    PersistentVolumeClaim: N,
    Endpoints: N,
    LimitRange: N,
    ResourceQuota: N,
    ReplicationController: N,
    Event: N,
    PodTemplate: N,
    Binding: N,
  }),
  'apps': kinds(['v1'], {
    Deployment: N,
    StatefulSet: N,
    DaemonSet: N,
    ReplicaSet: N,
    ControllerRevision: N,
  }),
  'batch': kinds(['v1'], {
    Job: N,
    CronJob: N,
  }),
  'autoscaling': kinds(['v2', 'v1'], {
    HorizontalPodAutoscaler: N,
  }),
  'policy': kinds(['v1'], {
    PodDisruptionBudget: N,
  }),
  'rbac.authorization.k8s.io': kinds(['v1'], {
    Role: [N, 'path-segment'],
    RoleBinding: [N, 'path-segment'],
    ClusterRole: [C, 'path-segment'],
    ClusterRoleBinding: [C, 'path-segment'],
  }),
  'networking.k8s.io': kinds(['v1'], {
    NetworkPolicy: N,
    Ingress: N,
    IngressClass: C,
    IPAddress: [C, ['v1', 'v1beta1']],
    ServiceCIDR: [C, ['v1', 'v1beta1']],
  }),
  'admissionregistration.k8s.io': kinds(['v1'], {
    ValidatingWebhookConfiguration: C,
    MutatingWebhookConfiguration: C,
    ValidatingAdmissionPolicy: [C, ['v1', 'v1beta1']],
    ValidatingAdmissionPolicyBinding: [C, ['v1', 'v1beta1']],
    MutatingAdmissionPolicy: [C, ['v1beta1', 'v1alpha1']],
    MutatingAdmissionPolicyBinding: [C, ['v1beta1', 'v1alpha1']],
  }),
  'apiextensions.k8s.io': kinds(['v1'], {
    CustomResourceDefinition: C,
  }),
  'apiregistration.k8s.io': kinds(['v1'], {
    APIService: C,
  }),
  'storage.k8s.io': kinds(['v1'], {
    StorageClass: C,
    CSIDriver: C,
    CSINode: C,
    VolumeAttachment: C,
    CSIStorageCapacity: N,
  }),
  'scheduling.k8s.io': kinds(['v1'], {
    PriorityClass: C,
  }),
  'coordination.k8s.io': kinds(['v1'], {
    Lease: N,
  }),
  'node.k8s.io': kinds(['v1'], {
    RuntimeClass: C,
  }),
  'discovery.k8s.io': kinds(['v1'], {
    EndpointSlice: N,
  }),
  'certificates.k8s.io': kinds(['v1'], {
    CertificateSigningRequest: C,
  }),
  'flowcontrol.apiserver.k8s.io': kinds(['v1'], {
    FlowSchema: C,
    PriorityLevelConfiguration: C,
  }),
};
