import { findingOn, type ClusterObject, type ClusterState } from './cluster-state';
import { capiTemplateData, evaluateEnabledIf, renderPatchValue } from '../capi-template-data';
import { loadBalancerAllocation } from '../models/metallb';
import { at, list, str } from '../models/upstream-model';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';

const CAPI = 'cluster.x-k8s.io';
const RULE = 'Cluster API v1.14.0 core/reconcilers/topology/cluster/patches/inline/json_patch_generator.go: enabledIf and valueFrom.template are Go templates over the variables (numbers as float64), their output parsed as YAML';

/**
 * Every patch of every class-based cluster's ClusterClass, evaluated as Cluster API would for that
 * cluster (and for each of its MachineDeployments, for patches that select worker classes): the
 * `enabledIf` must render, and every `valueFrom.template` of an enabled patch must render to YAML and
 * every `valueFrom.variable` must be set. A patch that fails stops the whole topology reconcile of
 * the cluster. With the rendered values, the control plane's LoadBalancer Service is checked against
 * the MetalLB pools, as for a plain KamajiControlPlane.
 */
export function checkClassTemplates(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  for (const cluster of state.objectsOf(CAPI, 'Cluster')) {
    const topology = at(cluster.manifest, 'spec', 'topology');
    const classRef = at(topology, 'classRef');
    if (!classRef) continue;
    const provision = state.lookup(CAPI, ['ClusterClass'], str(classRef.namespace) ?? cluster.namespace, classRef.name);
    if (!provision || provision.rule) continue;
    const cc = provision.by;
    const defaults = classDefaults(cc);
    const variables: Record<string, unknown> = { ...defaults };
    for (const v of list(at(topology, 'variables'))) if (typeof v?.name === 'string') variables[v.name] = v.value;
    const builtinCluster = {
      name: cluster.name,
      namespace: cluster.namespace,
      topology: { version: at(topology, 'version'), class: classRef.name, classNamespace: str(classRef.namespace) ?? cluster.namespace },
    };
    const controlPlane = { version: at(topology, 'version'), replicas: at(topology, 'controlPlane', 'replicas') };
    const scopes: Array<{ label: string; data: unknown; workerClass?: string; variables: Record<string, unknown> }> = [
      { label: 'the control plane and cluster templates', data: capiTemplateData(variables, { cluster: builtinCluster, controlPlane }), variables },
    ];
    for (const md of list(at(topology, 'workers', 'machineDeployments'))) {
      const mdVariables = { ...variables };
      for (const v of list(at(md, 'variables', 'overrides'))) if (typeof v?.name === 'string') mdVariables[v.name] = v.value;
      const builtin = { cluster: builtinCluster, controlPlane, machineDeployment: { class: md?.class, name: md?.name, topologyName: md?.name, replicas: md?.replicas, version: at(topology, 'version') } };
      scopes.push({ label: `MachineDeployment ${md?.name} (class ${md?.class})`, data: capiTemplateData(mdVariables, builtin), workerClass: md?.class, variables: mdVariables });
    }

    const annotations: Record<string, unknown> = { ...(kcpTemplateNetwork(state, cc)?.serviceAnnotations ?? {}) };
    let serviceAddress: string | undefined = str(kcpTemplateNetwork(state, cc)?.serviceAddress);
    list(at(cc.manifest, 'spec', 'patches')).forEach((patch, p) => {
      for (const scope of scopes) {
        const definitions = list(at(patch, 'definitions')).filter((d) => appliesTo(d, scope.workerClass));
        if (definitions.length === 0 && patch?.enabledIf === undefined) continue;
        if (definitions.length === 0) continue;
        const field = `spec.patches[${p}] (${patch?.name})`;
        const enabled = evaluateEnabledIf(str(patch?.enabledIf), scope.data);
        if (!enabled.ok) {
          out.push(renderFinding(state, cluster, cc, `${field}.enabledIf`, scope.label, enabled.error, enabled.unsupported === true));
          continue;
        }
        if (!enabled.enabled) continue;
        definitions.forEach((d) => list(d?.jsonPatches).forEach((jp, j) => {
          const where = `${field}.definitions.jsonPatches[${j}] ${jp?.path}`;
          const template = str(at(jp, 'valueFrom', 'template'));
          const variable = str(at(jp, 'valueFrom', 'variable'));
          let value: unknown = jp?.value;
          if (template !== undefined) {
            const rendered = renderPatchValue(template, scope.data);
            if (!rendered.ok) {
              out.push(renderFinding(state, cluster, cc, where, scope.label, rendered.error, rendered.unsupported === true));
              return;
            }
            value = rendered.value;
          } else if (variable !== undefined) {
            const root = variable.split('.')[0];
            if (!(root in scope.variables) && !root.startsWith('builtin')) {
              out.push(renderFinding(state, cluster, cc, where, scope.label, `variable "${variable}" is not set on the cluster and has no default in the class`, false));
              return;
            }
            value = variableValue(scope.variables, variable);
          }
          if (scope.workerClass === undefined && jp?.path === '/spec/template/spec/network/serviceAnnotations' && value && typeof value === 'object') Object.assign(annotations, value);
          if (scope.workerClass === undefined && jp?.path === '/spec/template/spec/network/serviceAddress' && typeof value === 'string') serviceAddress = value;
        }));
      }
    });
    const network = kcpTemplateNetwork(state, cc);
    if (network && (network.serviceType ?? 'LoadBalancer') === 'LoadBalancer' && variables.siteControlPlane === undefined) {
      const f = loadBalancerAllocation(state, cluster, 'spec.topology.variables', annotations, serviceAddress);
      if (f) out.push(f);
    }
  }
  return out;
}

// Defaults of the class's variables (Cluster API's webhook writes them into the Cluster on create).
function classDefaults(cc: ClusterObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of list(at(cc.manifest, 'spec', 'variables'))) {
    const d = at(v, 'schema', 'openAPIV3Schema', 'default');
    if (typeof v?.name === 'string' && d !== undefined) out[v.name] = d;
  }
  return out;
}

function variableValue(variables: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as any)[k] : undefined), variables);
}

// A definition applies to the control plane / cluster templates (no worker class) or to a worker class.
function appliesTo(definition: any, workerClass: string | undefined): boolean {
  const match = at(definition, 'selector', 'matchResources');
  if (workerClass === undefined) return match?.controlPlane === true || match?.infrastructureCluster === true;
  return list(at(match, 'machineDeploymentClass', 'names')).includes(workerClass);
}

function kcpTemplateNetwork(state: ClusterState, cc: ClusterObject): any {
  const ref = at(cc.manifest, 'spec', 'controlPlane', 'templateRef');
  if (ref?.kind !== 'KamajiControlPlaneTemplate') return undefined;
  const t = state.lookup('controlplane.cluster.x-k8s.io', ['KamajiControlPlaneTemplate'], cc.namespace, ref.name);
  return t && !t.rule ? at(t.by.manifest, 'spec', 'template', 'spec', 'network') ?? {} : undefined;
}

function renderFinding(
  state: ClusterState, cluster: ClusterObject, cc: ClusterObject, field: string, scope: string, error: string, unsupported: boolean,
): ReconcileFinding {
  return findingOn(state, cluster, {
    severity: unsupported ? ReconcileSeverity.WARNING : ReconcileSeverity.ERROR,
    code: 'template-render',
    field: `ClusterClass ${cc.namespace}/${cc.name} ${field}`,
    target: scope,
    message: unsupported
      ? `cannot be checked for this cluster (${error}): the template uses something the checker does not model`
      : `fails to render for this cluster (${scope}): ${error}; Cluster API stops reconciling the cluster's topology`,
    fix: unsupported ? 'keep patch templates to the forms the checker models, or check them against a live Cluster API' : 'fix the template (Cluster API passes numbers as float64: compare with 0.0 or convert with int)',
    rule: RULE,
  });
}
