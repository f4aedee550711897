import * as fs from 'fs';
import * as path from 'path';
import { OUT_OF_BAND_ANNOTATION } from './annotations';
import { ConformanceChecker } from '../conformance/conformance-checker';
import { capkModel } from './models/capk';
import { capsuleModel } from './models/capsule';
import { admissionModel, certManagerModel, externalSecretsModel } from './models/cert-manager';
import { clusterApiModel } from './models/cluster-api';
import { fluxModel } from './models/flux';
import { kairosModel } from './models/kairos';
import { kamajiModel, remoteDataStores } from './models/kamaji';
import { kamajiEtcdModel } from './models/kamaji-etcd';
import { kubeOvnModel } from './models/kube-ovn';
import { SYSTEM_NAMESPACES } from './models/kubernetes';
import { kubernetesWorkloadsModel } from './models/kubernetes-workloads';
import { metal3Model } from './models/metal3';
import { metallbModel } from './models/metallb';
import { releaseManifestsApplied, releaseManifestsModel } from './models/release-manifests';
import { sveltosModel } from './models/sveltos';
import type { UpstreamModel } from './models/upstream-model';
import { checkClassTemplates } from './private/class-templates';
import { ClusterState, describeTarget, findingOn, type ClusterObject, type ObjectReference, type Provision } from './private/cluster-state';
import { ReconcileSeverity, type ReconcileFinding } from './reconcile-finding';
import { DiskTreeFiles, type TreeFiles } from '../gitops/private/tree-files';
import { readTreeModel, treeClusters, type FluxTreeModel } from '../gitops/private/tree-model';

/** Every modelled upstream project, in the order their products are computed. */
const MODELS: readonly UpstreamModel[] = [
  fluxModel, releaseManifestsModel, kamajiEtcdModel, clusterApiModel, kamajiModel, capkModel, metallbModel,
  kubeOvnModel, capsuleModel, metal3Model, kairosModel, certManagerModel, externalSecretsModel, admissionModel, sveltosModel,
  kubernetesWorkloadsModel,
];

/**
 * The reconcile check: what the controllers and charts of the platform will do with a Flux tree.
 *
 * Schema and CEL checks say what an API server admits; this says whether it comes up. Per cluster
 * of the tree (each `clusters/<cluster>/` and the layers its Kustomizations apply):
 * - every reference names an object the tree applies to that cluster, or one a controller or chart
 *   creates at run time by a modelled rule (e.g. Cluster API's `<cluster>-kubeconfig`, the kamaji-etcd
 *   chart's `<fullname>-certs`), with the keys it needs;
 * - every namespace exists before the objects in it are applied;
 * - selectors (Sveltos clusters, MetalLB pools, health checks, event triggers) select something;
 * - admission webhooks that act on Flux's requests are configured to (Capsule);
 * - every ClusterClass patch renders for every cluster of the class, with Cluster API's semantics;
 * - no object is applied twice, no file is left out of its kustomization, every layer's path and
 *   dependency exists.
 *
 * It reads only the tree: objects inside OCI artifacts and charts it does not model are not seen.
 */
export class ReconcileChecker {
  /**
   * Checks a tree written by `FluxTree` (`<outdir>/<appName>`).
   *
   * @param dir the app folder
   * @returns the findings, errors first
   */
  public static checkDirectory(dir: string): ReconcileFinding[] {
    const root = path.resolve(dir);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      throw new Error(`${dir}: no such folder (give the folder of a synthesized app, e.g. dist/quickstart)`);
    }
    return checkTreeFiles(new DiskTreeFiles(root), dir);
  }
}

/** Checks every cluster of a tree held in `files`. */
export function checkTreeFiles(files: TreeFiles, label: string): ReconcileFinding[] {
  const trees = treeClusters(files).map((c) => readTreeModel(files, label, c));
  return checkTrees(trees);
}

/** Checks the clusters of a tree, read already. */
export function checkTrees(trees: readonly FluxTreeModel[]): ReconcileFinding[] {
  const conformance = ConformanceChecker.default();
  // A kind's scope, looked up once per apiVersion and kind rather than once per object.
  const scopes = new Map<string, string | undefined>();
  const scopeOf = (apiVersion: string, kind: string): string | undefined => {
    const k = `${apiVersion}\u0000${kind}`;
    if (scopes.has(k)) return scopes.get(k);
    const scope = conformance.scopeOf(apiVersion, kind);
    scopes.set(k, scope);
    return scope;
  };
  const namespaced = (apiVersion: string, kind: string, m?: any, targetNamespace?: string): boolean => {
    const scope = scopeOf(apiVersion, kind);
    if (scope !== undefined) return scope === 'Namespaced';
    return typeof m?.metadata?.namespace === 'string' || targetNamespace !== undefined;
  };
  const states = trees.map((t) => new ClusterState(t, namespaced));
  const findings: ReconcileFinding[] = [];
  for (const state of states) {
    findings.push(...treeProblems(state));
    for (const o of state.objects) for (const m of MODELS) for (const p of m.produce?.(o, state) ?? []) state.produce(o, p);
    findings.push(...appliedTwice(state));
    findings.push(...references(state));
    findings.push(...namespaces(state));
    for (const m of MODELS) findings.push(...(m.check?.(state) ?? []));
    findings.push(...checkClassTemplates(state));
  }
  findings.push(...remoteDataStores(states));
  const rank = (s: string) => (s === ReconcileSeverity.ERROR ? 0 : s === ReconcileSeverity.WARNING ? 1 : 2);
  return findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f.severity) - rank(b.f.severity) || a.i - b.i).map((x) => x.f);
}

function treeProblems(state: ClusterState): ReconcileFinding[] {
  return state.tree.problems.map((p) => ({
    severity: p.severity,
    code: p.code,
    cluster: state.cluster,
    ...(p.file ? { file: p.file } : {}),
    message: p.message,
    fix: p.code === 'tree-orphan-file' ? 'list the file in its kustomization.yaml, or delete it' : 'fix the tree (FluxTree writes it consistently; was it edited by hand?)',
  }));
}

// One object, two owners: two layers applying it fight over it (and pruning one deletes it); an
// object a chart or controller also creates is overwritten back and forth.
function appliedTwice(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  const seen = new Map<string, ClusterObject>();
  for (const o of state.objects) {
    const k = `${o.group}\u0000${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}`;
    const first = seen.get(k);
    if (first) {
      out.push(findingOn(state, o, {
        severity: ReconcileSeverity.ERROR,
        code: 'applied-twice',
        field: 'metadata.name',
        target: `${first.tree.file} (layer ${first.layer.name})`,
        message: `is also applied by ${first.tree.file} (layer ${first.layer.name}): two Flux layers own one object and undo each other's changes; pruning one deletes it`,
        fix: 'keep the object in one unit only',
      }));
      continue;
    }
    seen.set(k, o);
    // The provisions of this identity only: scanning every provision of the kind per object was
    // quadratic in the fleet (thousands of Clusters, Secrets...).
    const produced = state.provisionsOf(o.group, o.kind, o.namespace, o.name)
      .find((p) => p.rule !== undefined && !p.createIfAbsent && p.name === o.name && p.namespace === o.namespace && p.by !== o);
    if (produced) {
      out.push(findingOn(state, o, {
        severity: ReconcileSeverity.ERROR,
        code: 'applied-twice',
        field: 'metadata.name',
        target: describeTarget(produced.by.kind, produced.by.namespace, produced.by.name),
        message: `is also created by ${describeTarget(produced.by.kind, produced.by.namespace, produced.by.name)} (${produced.rule}): Flux and that controller overwrite each other`,
        fix: 'emit it once: turn off the controller\'s copy (e.g. the chart value that creates it) or drop this object',
        rule: produced.rule,
      }));
    }
  }
  return out;
}

function references(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  for (const o of state.objects) {
    const outOfBand = outOfBandOf(o);
    for (const m of MODELS) {
      for (const ref of m.references?.(o, state) ?? []) {
        const f = resolve(state, o, ref, outOfBand);
        if (f) out.push(f);
      }
    }
  }
  return out;
}

function resolve(state: ClusterState, o: ClusterObject, ref: ObjectReference, outOfBand: ReadonlySet<string>): ReconcileFinding | undefined {
  const found = state.lookup(ref.group, ref.kinds, ref.namespace, ref.name);
  // Most references resolve with nothing to report: the target's text is made only for a finding.
  if (found && (ref.key === undefined || found.keys === undefined || found.keys.includes(ref.key))) return undefined;
  const target = describeTarget(ref.kinds[0], ref.namespace, ref.name);
  if (!found) {
    if (ref.kinds.some((k) => outOfBand.has(`${k}/${ref.name}`) || outOfBand.has(`${k}/${ref.namespace ?? ''}/${ref.name}`))) {
      return findingOn(state, o, {
        severity: ReconcileSeverity.INFO,
        code: 'out-of-band',
        field: ref.field,
        target,
        message: `expects ${target} to be created outside this tree (declared in ${OUT_OF_BAND_ANNOTATION})`,
        fix: 'create it before the platform needs it (SOPS, ExternalSecrets or by hand); never commit its value',
        rule: ref.rule,
      });
    }
    return findingOn(state, o, {
      severity: ReconcileSeverity.ERROR,
      code: 'dangling-reference',
      field: ref.field,
      target,
      message: `names ${target}, which nothing on cluster "${state.cluster}" creates: ${ref.consequence}`,
      fix: `create ${target} in the tree, fix the name, or (for credentials made outside the tree) list "${ref.kinds[0]}/${ref.name}" in the object's ${OUT_OF_BAND_ANNOTATION} annotation`,
      rule: ref.rule,
    });
  }
  if (ref.key !== undefined && found.keys !== undefined && !found.keys.includes(ref.key)) {
    return findingOn(state, o, {
      severity: ReconcileSeverity.ERROR,
      code: 'dangling-reference',
      field: ref.field,
      target: `${target} key ${ref.key}`,
      message: `reads key "${ref.key}" of ${target}, which holds ${found.keys.length ? found.keys.map((k) => `"${k}"`).join(', ') : 'no keys'}${found.rule ? ` (${found.rule})` : ''}: ${ref.consequence}`,
      fix: `read one of the keys it has, or write "${ref.key}" into it`,
      rule: ref.rule,
    });
  }
  return undefined;
}

const NONE: ReadonlySet<string> = new Set<string>();

function outOfBandOf(o: ClusterObject): ReadonlySet<string> {
  const v = o.manifest?.metadata?.annotations?.[OUT_OF_BAND_ANNOTATION];
  return typeof v === 'string' ? new Set(v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) : NONE;
}

// Namespaces must exist before Flux applies what is in them: created in the same layer (Flux applies a
// layer's Namespaces first) or in a layer this one waits for (dependsOn), or by a release there.
function namespaces(state: ClusterState): ReconcileFinding[] {
  const out: ReconcileFinding[] = [];
  const system = new Set(SYSTEM_NAMESPACES);
  // The Namespace provisions by name, in recording order: a scan of every Namespace per object was
  // quadratic in the fleet (one namespace per tenant).
  const creatorsByName = new Map<string, Provision[]>();
  for (const p of state.allOf('', 'Namespace')) {
    const same = creatorsByName.get(p.name);
    if (same) same.push(p);
    else creatorsByName.set(p.name, [p]);
  }
  const creatorsOf = (namespace: string): readonly Provision[] => creatorsByName.get(namespace) ?? [];
  const available = (namespace: string, o: ClusterObject): boolean => {
    if (system.has(namespace)) return true;
    return creatorsOf(namespace).some((p) => state.tree.isReadyBefore(p.by.layer, o.layer));
  };
  const missing = (o: ClusterObject, namespace: string, field: string, why: string): ReconcileFinding => {
    const creators = creatorsOf(namespace);
    const late = creators.length > 0 ? ` (it is created by ${creators.map((p) => `${p.by.kind} ${p.by.name} in layer ${p.by.layer.name}`).join(', ')}, which layer ${o.layer.name} does not wait for)` : '';
    return findingOn(state, o, {
      severity: ReconcileSeverity.ERROR,
      code: 'missing-namespace',
      field,
      target: `Namespace ${namespace}`,
      message: `${why} namespace "${namespace}", which does not exist when Flux applies layer ${o.layer.name}${late}: the apply fails`,
      fix: creators.length > 0 ? `make layer ${o.layer.name} depend on the layer that creates it` : `create Namespace ${namespace} in this layer or one it depends on`,
      rule: 'Kubernetes: objects cannot be created in a namespace that does not exist; Flux applies a layer\'s Namespaces first',
    });
  };
  for (const o of state.objects) {
    if (o.namespace !== undefined && !available(o.namespace, o)) out.push(missing(o, o.namespace, 'metadata.namespace', 'is applied into'));
    const release = releaseManifestsApplied(o);
    if (release && !release.bringsNamespace && o.manifest?.spec?.targetNamespace === undefined && !available(release.namespace, o)) {
      out.push(missing(o, release.namespace, 'spec.sourceRef', `applies the ${release.component} release manifests (${release.builtFrom}), which put everything into`));
    }
  }
  return out;
}
