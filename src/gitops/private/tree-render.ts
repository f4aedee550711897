import { IConstruct } from 'constructs';
import type { TreeContent } from './folder-sync';
import { objectFileNames } from './object-file-names';
import { compare, describeUnit, UnitPlan } from './unit-plan';
import { FastYamlWriter } from './yaml-document';
import type { ConformanceChecker } from '../../conformance/conformance-checker';
import type { ConformanceFinding } from '../../conformance/finding';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/kustomize.toolkit.fluxcd.io';
import { KmetalValidationError } from '../../util/errors';
import { renderOnce } from '../../util/render-session';

/** Settings of the tree that every Flux Kustomization shares. */
export interface TreeSettings {
  readonly appName: string;
  /** Cluster of units without their own; its folders are written even when it has no unit. */
  readonly defaultCluster: string;
  /** Path of the app folder as Flux sees it, without trailing `/` (e.g. `./dist/kmetal`). */
  readonly repoPath: string;
  readonly fluxNamespace: string;
  readonly sourceRef: { readonly kind: string; readonly name: string; readonly namespace?: string; readonly apiVersion?: string };
  /** Checks every object before it is serialized, when set. */
  readonly conformance?: ConformanceChecker;
}

/** A conformance finding on an object of the tree, with the construct that made the object. */
export interface PlacedFinding {
  readonly scope: IConstruct;
  readonly finding: ConformanceFinding;
}

/** The rendered tree: files by path relative to the app folder, plus counts for the result. */
export interface RenderedTree {
  /** The documents of every file, as rendered (the objects the YAML is written from; `serializeTree` writes it). */
  readonly documents: Map<string, unknown[]>;
  /** The construct each file was rendered from (the unit for its kustomization and Flux Kustomization; none for a cluster without units). */
  readonly owners: Map<string, IConstruct>;
  readonly objectsPerKind: Map<string, number>;
  readonly objectCount: number;
  readonly clusters: string[];
  /** Conformance findings (none when not checked), in tree order. */
  readonly findings: PlacedFinding[];
}

const KUSTOMIZE_CONFIG = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
// Interval of the root Kustomization; it only applies the per-unit Kustomizations.
const ROOT_INTERVAL = '10m';

/**
 * Resolves every object (`toJson()`: Lazy values, chart labels and namespace, JSON patches) and
 * renders the whole tree in memory, so that nothing is written when any object is in error.
 */
export function renderTree(plans: UnitPlan[], settings: TreeSettings): RenderedTree {
  const documents = new Map<string, unknown[]>();
  const owners = new Map<string, IConstruct>();
  const put = (file: string, doc: unknown, owner: IConstruct | undefined) => {
    documents.set(file, [doc]);
    if (owner) owners.set(file, owner);
  };
  const objectsPerKind = new Map<string, number>();
  const seen = new Map<string, IConstruct>();
  const findings: PlacedFinding[] = [];
  const check = (scope: IConstruct, json: any): void => {
    if (!settings.conformance) return;
    for (const finding of settings.conformance.validateObject(json)) findings.push({ scope, finding });
  };
  let objectCount = 0;

  // The default cluster is always written: when its last unit goes, an empty clusters/<name> folder
  // lets Flux prune what it applied, where a missing folder would only make the root Kustomization fail.
  const byCluster = new Map<string, UnitPlan[]>([[settings.defaultCluster, []]]);
  for (const plan of [...plans].sort((a, b) => compare(a.path, b.path))) {
    const list = byCluster.get(plan.cluster) ?? [];
    list.push(plan);
    byCluster.set(plan.cluster, list);

    const docs = plan.objects.map(o => {
      const json = renderOnce(o.apiObject);
      const identity = identityOf(o.apiObject, json);
      // Two objects with the same identity would be one object in the cluster, the second silently
      // overwriting the first. Scoped per cluster: the same object on two clusters is legitimate.
      const key = `${plan.cluster}\u0000${identity.group}\u0000${identity.kind}\u0000${identity.namespace ?? ''}\u0000${identity.name}`;
      const first = seen.get(key);
      if (first) {
        const where = identity.namespace ? ` in namespace "${identity.namespace}"` : '';
        throw new KmetalValidationError(o.apiObject, 'metadata.name', `${identity.kind} "${identity.name}"${where} (API group ${identity.group}) is defined twice for cluster "${plan.cluster}": at ${first.node.path} and at ${o.apiObject.node.path}`, 'give one of them another name or namespace, or remove the duplicate');
      }
      seen.set(key, o.apiObject);
      objectsPerKind.set(identity.kind, (objectsPerKind.get(identity.kind) ?? 0) + 1);
      objectCount++;
      check(o.apiObject, json);
      return { json, identity, scope: o.apiObject as IConstruct };
    });
    const names = objectFileNames(docs.map(d => d.identity));
    docs.forEach((d, i) => put(`${plan.path}/${names[i]}`, d.json, d.scope));
    put(`${plan.path}/kustomization.yaml`, kustomizeConfig(names), plan.owner);
  }

  for (const [cluster, clusterPlans] of byCluster) {
    const names: string[] = [];
    for (const plan of clusterPlans) {
      const file = `${plan.name}.yaml`;
      names.push(file);
      const kustomization = unitKustomization(plan, settings);
      check(plan.owner, kustomization);
      put(`clusters/${cluster}/${file}`, kustomization, plan.owner);
    }
    const root = clusterPlans[0]?.owner;
    put(`clusters/${cluster}/kustomization.yaml`, kustomizeConfig(names), root);
    put(`bootstrap/${cluster}.yaml`, fluxKustomization(settings, settings.appName, {
      interval: ROOT_INTERVAL,
      path: `${settings.repoPath}/clusters/${cluster}`,
      prune: true,
    }), root);
  }
  return { documents, owners, objectsPerKind, objectCount, clusters: [...byCluster.keys()].sort(compare), findings };
}

/**
 * The YAML text of every file of a rendered tree, by path (in the tree's order), made on demand:
 * `get` writes the file's text each time it is called and keeps none of it. The writer asks once per
 * file and writes it right away, so the text of a fleet's tree (tens of MB) is never held at once,
 * and each file's text dies young instead of growing the heap (which set the peak memory of a synth).
 */
export function serializeTree(tree: RenderedTree): TreeContent {
  const yaml = new FastYamlWriter();
  const documents = tree.documents;
  return {
    has: (file: string) => documents.has(file),
    get: (file: string) => {
      const docs = documents.get(file);
      return docs === undefined ? undefined : yaml.document(docs[0]);
    },
    keys: () => documents.keys(),
  };
}

interface Identity {
  readonly kind: string;
  readonly group: string;
  readonly namespace?: string;
  readonly name: string;
}

function identityOf(scope: IConstruct, json: any): Identity {
  const apiVersion = json?.apiVersion;
  const kind = json?.kind;
  const name = json?.metadata?.name;
  for (const [field, value] of [['apiVersion', apiVersion], ['kind', kind], ['metadata.name', name]] as const) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new KmetalValidationError(scope, field, `the synthesized object has no ${field} (a JSON patch may have removed it)`, `make sure the object keeps a non-empty ${field}`);
    }
  }
  const slash = apiVersion.indexOf('/');
  const namespace = json.metadata.namespace;
  return {
    kind,
    group: slash < 0 ? 'core' : apiVersion.slice(0, slash),
    name,
    ...(typeof namespace === 'string' && namespace.length > 0 ? { namespace } : {}),
  };
}

function kustomizeConfig(fileNames: string[]): any {
  return { ...KUSTOMIZE_CONFIG, resources: [...fileNames].sort(compare) };
}

function unitKustomization(plan: UnitPlan, settings: TreeSettings): any {
  const dependsOn = [...plan.dependsOn].map(d => d.name).sort(compare).map(name => ({ name }));
  const healthChecks = plan.healthChecks.map(h => {
    if (!h.apiVersion || !h.kind || !h.name) {
      throw new KmetalValidationError(plan.owner, 'healthChecks', `a health check of unit ${describeUnit(plan)} resolved to ${JSON.stringify(h)}`, 'health checks need an apiVersion, kind and name');
    }
    return { apiVersion: h.apiVersion, kind: h.kind, name: h.name, namespace: h.namespace };
  });
  return fluxKustomization(settings, plan.name, {
    interval: plan.interval,
    retryInterval: plan.retryInterval,
    timeout: plan.timeout,
    path: `${settings.repoPath}/${plan.path}`,
    prune: plan.prune,
    wait: plan.wait,
    ...(dependsOn.length > 0 ? { dependsOn } : {}),
    ...(healthChecks.length > 0 ? { healthChecks } : {}),
    ...(plan.healthCheckExpressions.length > 0 ? { healthCheckExprs: plan.healthCheckExpressions.map(e => ({ ...e })) } : {}),
    ...(plan.targetNamespace !== undefined ? { targetNamespace: plan.targetNamespace } : {}),
  });
}

interface SpecFields {
  readonly interval: string;
  readonly path: string;
  readonly prune: boolean;
  readonly retryInterval?: string;
  readonly timeout?: string;
  readonly wait?: boolean;
  readonly dependsOn?: Array<{ name: string }>;
  readonly healthChecks?: Array<{ apiVersion: string; kind: string; name: string; namespace?: string }>;
  readonly healthCheckExprs?: Array<{ apiVersion: string; kind?: string; current: string; inProgress?: string; failed?: string }>;
  readonly targetNamespace?: string;
}

/**
 * A kustomize.toolkit.fluxcd.io/v1 Kustomization, rendered through the generated L1's `manifest()`
 * so field names and nesting are exactly those of the pinned CRD (no construct is added to the app).
 */
function fluxKustomization(settings: TreeSettings, name: string, spec: SpecFields): any {
  return Kustomization.manifest({
    metadata: { name, namespace: settings.fluxNamespace },
    spec: {
      ...spec,
      sourceRef: { ...settings.sourceRef, kind: settings.sourceRef.kind as KustomizationSpecSourceRefKind },
    },
  });
}
