import * as YAML from 'yaml';
import { emptySelectionAllowed } from './cluster-api';
import { helmReleaseChart } from './flux';
import { at, list, refs, str, type UpstreamModel } from './upstream-model';
import { findingOn, type ClusterObject, type ClusterState, type ObjectReference, type ProducedObject } from '../private/cluster-state';
import { matchesSelector } from '../private/selectors';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';

const CONFIG = 'config.projectsveltos.io';
const LIB = 'lib.projectsveltos.io';
const V = 'Sveltos v1.13.0';

/**
 * The labels the platform gives the management cluster's SveltosCluster (through the chart's
 * register-mgmt-cluster job), so that event hooks and profiles can select it.
 */
export const MANAGEMENT_CLUSTER_LABELS: Readonly<Record<string, string>> = { 'kmetal.io/cluster-role': 'management' };

/** The chart that installs Sveltos. */
export const SVELTOS_CHART = 'projectsveltos';

/**
 * The labels the chart's `register-mgmt-cluster` job puts on the management cluster's SveltosCluster:
 * the `--labels=k1=v1,k2=v2` argument of `registerMgmtClusterJob.registerMgmtCluster.args`
 * (projectsveltos/helm-charts projectsveltos-1.13.0 (ea41204c45a3) charts/projectsveltos/templates/
 * register-mgmt-cluster-job.yaml and values.yaml: default args `--labels=` and `--service-account-token=false`).
 */
export function managementClusterLabels(values: any): Record<string, string> {
  const args = at(values, 'registerMgmtClusterJob', 'registerMgmtCluster', 'args');
  const list_: unknown[] = Array.isArray(args) ? args : ['--labels=', '--service-account-token=false'];
  const labels: Record<string, string> = {};
  for (const a of list_) {
    if (typeof a !== 'string' || !a.startsWith('--labels=')) continue;
    for (const pair of a.slice('--labels='.length).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return labels;
}

/** The `--labels=` argument that gives the management cluster these labels. */
export function managementClusterLabelsArg(labels: Readonly<Record<string, string>>): string {
  return `--labels=${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}`;
}

/** Sveltos: the management cluster's registration, profiles, event triggers. */
export const sveltosModel: UpstreamModel = {
  project: V,

  produce(o, state): ProducedObject[] {
    if (o.group === 'helm.toolkit.fluxcd.io' && o.kind === 'HelmRelease' && helmReleaseChart(o) === SVELTOS_CHART) {
      const rule = `${V} chart register-mgmt-cluster job: SveltosCluster mgmt/mgmt labelled from --labels=`;
      return [
        { group: '', kind: 'Namespace', name: 'mgmt', rule, createIfAbsent: true },
        { group: LIB, kind: 'SveltosCluster', namespace: 'mgmt', name: 'mgmt', labels: managementClusterLabels(at(o.manifest, 'spec', 'values')), rule },
      ];
    }
    // `deploymentType: Local` deploys the referenced content into the management cluster itself, once
    // per matching cluster (addon-controller controllers/handlers_resources.go, deployContentOfConfigMap
    // with the management cluster's client). Templated names are not modelled: only literal ones.
    if (o.group === CONFIG && o.kind === 'ClusterProfile') {
      if (!selectsAnyCluster(state, at(o.manifest, 'spec', 'clusterSelector'))) return [];
      return list(at(o.manifest, 'spec', 'policyRefs')).filter((p) => p?.deploymentType === 'Local').flatMap((p) => {
        const source = state.lookup('', [str(p.kind) ?? 'ConfigMap'], str(p.namespace), p.name);
        if (!source || source.rule) return [];
        return contentObjects(source.by).map((c) => ({ ...c, rule: `${V} ClusterProfile policyRefs deploymentType Local: content of ${p.kind} ${p.namespace}/${p.name} applied to the management cluster` }));
      });
    }
    return [];
  },

  references(o): ObjectReference[] {
    const m = o.manifest;
    if (o.group === CONFIG && (o.kind === 'ClusterProfile' || o.kind === 'Profile')) {
      const rule = `${V} api/v1beta1 Spec.policyRefs/dependsOn`;
      return refs([
        ...list(at(m, 'spec', 'policyRefs')).map((p, i) => ({
          field: `spec.policyRefs[${i}]`,
          group: '',
          kinds: [str(p?.kind) ?? 'ConfigMap'],
          namespace: str(p?.namespace) ?? o.namespace,
          name: p?.name,
          consequence: 'the profile stays "Failed: referenced resource not found" and deploys nothing',
          rule,
        })),
        ...list(at(m, 'spec', 'dependsOn')).map((d, i) => ({ field: `spec.dependsOn[${i}]`, group: CONFIG, kinds: [o.kind], namespace: o.namespace, name: d, consequence: 'the profile waits for it forever', rule })),
        ...list(at(m, 'spec', 'templateResourceRefs')).filter((t) => !String(t?.resource?.name ?? '').includes('{{')).map((t, i) => ({
          field: `spec.templateResourceRefs[${i}].resource`,
          group: String(t?.resource?.apiVersion ?? 'v1').includes('/') ? String(t.resource.apiVersion).split('/')[0] : '',
          kinds: [str(t?.resource?.kind) ?? '?'],
          namespace: str(t?.resource?.namespace),
          name: t?.resource?.name,
          consequence: 'templates that read it fail to render',
          rule: `${V} api/v1beta1 TemplateResourceRef`,
        })),
      ]);
    }
    if (o.group === LIB && o.kind === 'EventTrigger') {
      const rule = `${V} api/v1beta1 EventTriggerSpec`;
      return refs([
        { field: 'spec.eventSourceName', group: LIB, kinds: ['EventSource'], name: at(m, 'spec', 'eventSourceName'), consequence: 'no event is ever watched', rule },
        ...list(at(m, 'spec', 'policyRefs')).filter((p) => !String(p?.name ?? '').includes('{{')).map((p, i) => ({
          field: `spec.policyRefs[${i}]`,
          group: '',
          kinds: [str(p?.kind) ?? 'ConfigMap'],
          namespace: str(p?.namespace) ?? o.namespace,
          name: p?.name,
          consequence: 'the trigger fires but deploys nothing',
          rule,
        })),
      ]);
    }
    return [];
  },

  check(state): ReconcileFinding[] {
    const out: ReconcileFinding[] = [];
    const select = (o: ClusterObject, field: string, selector: any, what: string) => {
      if (selector === undefined || selectsAnyCluster(state, selector) || emptySelectionAllowed(o)) return;
      out.push(findingOn(state, o, {
        severity: ReconcileSeverity.WARNING,
        code: 'empty-selection',
        field,
        message: `selects no cluster: no Cluster API Cluster or SveltosCluster on this cluster has labels matching ${JSON.stringify(selector)}, so ${what}`,
        fix: `label the clusters it is meant for, or fix the selector; if nothing should match yet, annotate it with ${'reconcile.kmetal.io/allow-empty-selection'}: "<reason>"`,
        rule: `${V}: cluster selectors match clusters.cluster.x-k8s.io and SveltosCluster labels`,
      }));
    };
    for (const p of [...state.objectsOf(CONFIG, 'ClusterProfile'), ...state.objectsOf(CONFIG, 'Profile')]) {
      select(p, 'spec.clusterSelector', at(p.manifest, 'spec', 'clusterSelector'), 'nothing is deployed anywhere');
    }
    for (const t of state.objectsOf(LIB, 'EventTrigger')) {
      const selector = at(t.manifest, 'spec', 'sourceClusterSelector');
      if (selector === undefined || selectsAnyCluster(state, selector) || emptySelectionAllowed(t)) continue;
      // A trigger watching the management cluster only fires if Sveltos registered it with those labels.
      out.push(findingOn(state, t, {
        severity: ReconcileSeverity.ERROR,
        code: 'empty-selection',
        field: 'spec.sourceClusterSelector',
        message: `selects no cluster (${JSON.stringify(selector)}): the events it waits for are never seen, so it never fires`,
        fix: 'select labels the management cluster\'s SveltosCluster (mgmt/mgmt) carries: PlatformUnderCluster passes them to the Sveltos chart\'s register-mgmt-cluster job (--labels)',
        rule: `${V} EventTrigger sourceClusterSelector; chart register-mgmt-cluster job --labels`,
      }));
    }
    return out;
  },
};

/** Whether a Sveltos cluster selector matches a CAPI Cluster or SveltosCluster of the state. */
export function selectsAnyCluster(state: ClusterState, selector: any): boolean {
  if (selector === undefined || selector === null) return false;
  return [...state.allOf('cluster.x-k8s.io', 'Cluster'), ...state.allOf(LIB, 'SveltosCluster')].some((c) => matchesSelector(selector, c.labels));
}

// The objects a ConfigMap/Secret carries for Sveltos (each data value is YAML, maybe several documents).
function contentObjects(source: ClusterObject): Array<Omit<ProducedObject, 'rule'>> {
  const out: Array<Omit<ProducedObject, 'rule'>> = [];
  const data = at(source.manifest, 'data') ?? {};
  for (const value of Object.values(data)) {
    if (typeof value !== 'string') continue;
    let docs: unknown[];
    try {
      // Template expressions are values here (`{{ ... }}`); replace them so the YAML parses.
      docs = YAML.parseAllDocuments(value.replace(/\{\{[^}]*\}\}/g, 'templated')).map((d) => d.toJS());
    } catch {
      continue;
    }
    for (const d of docs as any[]) {
      if (!d || typeof d.kind !== 'string' || typeof d.metadata?.name !== 'string' || d.metadata.name.includes('templated')) continue;
      const group = typeof d.apiVersion === 'string' && d.apiVersion.includes('/') ? d.apiVersion.split('/')[0] : '';
      const keys = d.data ? Object.keys(d.data) : undefined;
      out.push({ group, kind: d.kind, namespace: str(d.metadata.namespace), name: d.metadata.name, labels: d.metadata.labels ?? {}, keys });
    }
  }
  return out;
}
