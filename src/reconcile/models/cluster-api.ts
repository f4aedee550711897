import { at, list, refs, str, type UpstreamModel } from './upstream-model';
import { ALLOW_EMPTY_SELECTION_ANNOTATION } from '../annotations';
import { describeTarget, findingOn, type ClusterObject, type ClusterState, type ObjectReference, type ProducedObject } from '../private/cluster-state';
import { matchesSelector } from '../private/selectors';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';

const CAPI = 'cluster.x-k8s.io';
const V = 'Cluster API v1.14.0';
const REF_RULE = `${V} api/core/v1beta2 (ContractVersionedObjectReference: apiGroup, kind, name in the referrer's namespace)`;

function contractRef(field: string, ref: any, namespace: string | undefined, consequence: string): ObjectReference | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  const group = str(ref.apiGroup) ?? (str(ref.apiVersion)?.split('/')[0] ?? '');
  return { field, group, kinds: [str(ref.kind) ?? '?'], namespace, name: ref.name, consequence, rule: REF_RULE };
}

// ClusterClass v1beta2 templateRef: apiVersion, kind, name; in the ClusterClass's namespace.
function templateRef(field: string, ref: any, namespace: string | undefined): ObjectReference | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  return {
    field,
    group: str(ref.apiVersion)?.split('/')[0] ?? '',
    kinds: [str(ref.kind) ?? '?'],
    namespace,
    name: ref.name,
    consequence: 'the ClusterClass never becomes ready ("variablesReady"/"RefVersionsUpToDate" false) and no cluster of the class reconciles',
    rule: `${V} api/core/v1beta2 ClusterClassTemplateReference (templates live in the ClusterClass namespace)`,
  };
}

/**
 * The labels Cluster API puts on the Machines of a MachineDeployment: the template's labels plus
 * `cluster.x-k8s.io/cluster-name` and `cluster.x-k8s.io/deployment-name` (Cluster API v1.14.0
 * internal/controllers/machinedeployment/machinedeployment_sync.go, computeDesiredMachineSet: the
 * MachineSet template gets `MachineDeploymentNameLabel`; machineset_controller.go copies the template
 * labels and `ClusterNameLabel` to each Machine).
 */
export function machineLabelsOf(md: ClusterObject): Record<string, string> {
  const template = at(md.manifest, 'spec', 'template', 'metadata', 'labels') ?? {};
  return {
    ...(typeof template === 'object' ? template : {}),
    'cluster.x-k8s.io/cluster-name': String(at(md.manifest, 'spec', 'clusterName') ?? ''),
    'cluster.x-k8s.io/deployment-name': md.name,
  };
}

/** Cluster API core: clusters, machine deployments, health checks, classes. */
export const clusterApiModel: UpstreamModel = {
  project: V,

  produce(o): ProducedObject[] {
    if (o.group !== CAPI || o.kind !== 'Cluster') return [];
    // The control-plane contract: the control plane provider writes `<cluster>-kubeconfig` (key
    // `value`) in the Cluster's namespace (Cluster API docs/book/src/developer/providers/contracts/
    // control-plane.md "Kubeconfig management"; util/secret/consts.go Kubeconfig purpose). Kamaji's
    // provider does (clastix/cluster-api-control-plane-provider-kamaji controllers/kamajicontrolplane_controller_kubeconfig.go).
    const hasControlPlane = at(o.manifest, 'spec', 'controlPlaneRef') !== undefined || at(o.manifest, 'spec', 'topology') !== undefined;
    if (!hasControlPlane) return [];
    const rule = `${V} control-plane contract: the control plane provider writes Secret <cluster>-kubeconfig (key value)`;
    return [
      { group: '', kind: 'Secret', namespace: o.namespace, name: `${o.name}-kubeconfig`, keys: ['value'], rule },
      // cluster-api-control-plane-provider-kamaji v0.20.0 (ce629592d4b2) controllers/kamajicontrolplane_controller_resources.go:
      // `<cluster>-ca` copied from Kamaji's `<tcp>-ca` with keys tls.crt/tls.key.
      { group: '', kind: 'Secret', namespace: o.namespace, name: `${o.name}-ca`, rule: 'cluster-api-control-plane-provider-kamaji v0.20.0 controllers/kamajicontrolplane_controller_resources.go: Secret <cluster>-ca' },
    ];
  },

  references(o): ObjectReference[] {
    if (o.group !== CAPI) return [];
    const m = o.manifest;
    const ns = o.namespace;
    switch (o.kind) {
      case 'Cluster': {
        const classRef = at(m, 'spec', 'topology', 'classRef');
        return refs([
          contractRef('spec.infrastructureRef', at(m, 'spec', 'infrastructureRef'), ns, 'the Cluster never gets infrastructure ("InfrastructureReady" false)'),
          contractRef('spec.controlPlaneRef', at(m, 'spec', 'controlPlaneRef'), ns, 'the Cluster never gets a control plane'),
          classRef && {
            field: 'spec.topology.classRef',
            group: CAPI,
            kinds: ['ClusterClass'],
            namespace: str(classRef.namespace) ?? ns,
            name: classRef.name,
            consequence: 'the topology controller cannot compute the cluster ("ClusterClass not found")',
            rule: `${V} api/core/v1beta2 ClusterClassRef (namespace defaults to the Cluster's)`,
          },
        ]);
      }
      case 'MachineDeployment':
      case 'MachineSet':
      case 'MachinePool': {
        const spec = at(m, 'spec', 'template', 'spec');
        return refs([
          { field: 'spec.clusterName', group: CAPI, kinds: ['Cluster'], namespace: ns, name: at(m, 'spec', 'clusterName'), consequence: 'no machine is ever created (the owner Cluster is missing)', rule: REF_RULE },
          contractRef('spec.template.spec.bootstrap.configRef', at(spec, 'bootstrap', 'configRef'), ns, 'machines never get bootstrap data and never join'),
          contractRef('spec.template.spec.infrastructureRef', at(spec, 'infrastructureRef'), ns, 'no infrastructure machine (VM or host) is ever created'),
        ]);
      }
      case 'MachineHealthCheck':
        return refs([{ field: 'spec.clusterName', group: CAPI, kinds: ['Cluster'], namespace: ns, name: at(m, 'spec', 'clusterName'), consequence: 'the health check watches nothing', rule: REF_RULE }]);
      case 'ClusterClass': {
        const spec = at(m, 'spec');
        return refs([
          templateRef('spec.infrastructure.templateRef', at(spec, 'infrastructure', 'templateRef'), ns),
          templateRef('spec.controlPlane.templateRef', at(spec, 'controlPlane', 'templateRef'), ns),
          templateRef('spec.controlPlane.machineInfrastructure.templateRef', at(spec, 'controlPlane', 'machineInfrastructure', 'templateRef'), ns),
          ...list(at(spec, 'workers', 'machineDeployments')).flatMap((w, i) => [
            templateRef(`spec.workers.machineDeployments[${i}].bootstrap.templateRef`, at(w, 'bootstrap', 'templateRef'), ns),
            templateRef(`spec.workers.machineDeployments[${i}].infrastructure.templateRef`, at(w, 'infrastructure', 'templateRef'), ns),
          ]),
        ]);
      }
      default:
        return [];
    }
  },

  check(state): ReconcileFinding[] {
    return [...healthChecksSelect(state), ...drainRulesSelect(state), ...topologyWorkerClasses(state)];
  },
};

// A MachineHealthCheck whose selector matches no MachineDeployment's machines remediates nothing.
function healthChecksSelect(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  const mds = state.objectsOf(CAPI, 'MachineDeployment');
  for (const mhc of state.objectsOf(CAPI, 'MachineHealthCheck')) {
    const selector = at(mhc.manifest, 'spec', 'selector');
    const cluster = at(mhc.manifest, 'spec', 'clusterName');
    const candidates = mds.filter((md) => md.namespace === mhc.namespace && at(md.manifest, 'spec', 'clusterName') === cluster);
    // Class-based clusters: the topology controller creates the MachineDeployments; their machines
    // carry `topology.cluster.x-k8s.io/deployment-name` etc., which a health check of ours never selects on.
    if (candidates.some((md) => matchesSelector(selector, machineLabelsOf(md)))) continue;
    if (emptySelectionAllowed(mhc)) continue;
    out.push(findingOn(state, mhc, {
      severity: ReconcileSeverity.ERROR,
      code: 'empty-selection',
      field: 'spec.selector',
      target: `machines of cluster ${cluster}`,
      message: `selects no machine: no MachineDeployment of cluster "${cluster}" in namespace ${mhc.namespace} gives its machines labels matching ${JSON.stringify(selector ?? {})}, so no unhealthy machine is ever remediated`,
      fix: 'select on cluster.x-k8s.io/deployment-name of an existing MachineDeployment (NodePool does this), or remove the health check',
      rule: `${V} machinedeployment/machineset controllers: machine labels = template labels + cluster-name + deployment-name`,
    }));
  }
  return out;
}

// A MachineDrainRule applies to Machines of its own namespace only, of the Clusters its
// machines[].clusterSelector select (config/crd/bases/cluster.x-k8s.io_machinedrainrules.yaml v1.14.0:
// "Machines will be selected from all Clusters in the Namespace"): one that selects no Cluster there
// changes no drain, silently.
function drainRulesSelect(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  const clusters = state.objectsOf(CAPI, 'Cluster');
  for (const rule of state.objectsOf(CAPI, 'MachineDrainRule')) {
    const here = clusters.filter((c) => c.namespace === rule.namespace);
    const entries = list(at(rule.manifest, 'spec', 'machines'));
    const selects = entries.length === 0
      ? here.length > 0
      : entries.some((m) => here.some((c) => m?.clusterSelector === undefined || matchesSelector(m.clusterSelector, c.labels)));
    if (selects || emptySelectionAllowed(rule)) continue;
    out.push(findingOn(state, rule, {
      severity: ReconcileSeverity.ERROR,
      code: 'empty-selection',
      field: 'spec.machines',
      target: `Clusters in namespace ${rule.namespace}`,
      message: here.length === 0
        ? `selects no machine: there is no Cluster in namespace ${rule.namespace}, and a MachineDrainRule applies only to Machines of its own namespace`
        : `selects no machine: no Cluster in namespace ${rule.namespace} has labels matching ${JSON.stringify(entries.map((m) => m?.clusterSelector ?? {}))}, so no drain follows the rule`,
      fix: 'put the rule in the namespace of the tenant\'s Cluster and select that Cluster\'s labels (TenantCluster.addDrainRule() does both)',
      rule: `${V} MachineDrainRule: Machines of the rule's namespace, of the Clusters machines[].clusterSelector selects`,
    }));
  }
  return out;
}

// Every worker of a class-based cluster names a worker class of its ClusterClass.
function topologyWorkerClasses(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  for (const c of state.objectsOf(CAPI, 'Cluster')) {
    const classRef = at(c.manifest, 'spec', 'topology', 'classRef');
    if (!classRef) continue;
    const cc = state.lookup(CAPI, ['ClusterClass'], str(classRef.namespace) ?? c.namespace, classRef.name);
    if (!cc || cc.rule) continue;
    const classes = new Set(list(at(cc.by.manifest, 'spec', 'workers', 'machineDeployments')).map((w) => w?.class));
    list(at(c.manifest, 'spec', 'topology', 'workers', 'machineDeployments')).forEach((md, i) => {
      if (classes.has(md?.class)) return;
      out.push(findingOn(state, c, {
        severity: ReconcileSeverity.ERROR,
        code: 'dangling-reference',
        field: `spec.topology.workers.machineDeployments[${i}].class`,
        target: `worker class ${md?.class} of ${describeTarget('ClusterClass', cc.by.namespace, cc.by.name)}`,
        message: `the ClusterClass has no worker class "${md?.class}" (it has: ${[...classes].join(', ') || 'none'}); the topology controller refuses the cluster`,
        fix: 'use a worker class the ClusterClass declares, or add it to the class',
        rule: `${V} topology webhook: MachineDeploymentTopology.class must name a ClusterClass worker class`,
      }));
    });
  }
  return out;
}

/** Whether the object says its selector may select nothing today. */
export function emptySelectionAllowed(o: ClusterObject): boolean {
  return typeof at(o.manifest, 'metadata', 'annotations', ALLOW_EMPTY_SELECTION_ANNOTATION) === 'string';
}
