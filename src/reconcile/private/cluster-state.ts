import type { FluxTreeModel, TreeLayer, TreeObject } from '../../gitops/private/tree-model';
import type { ReconcileFinding } from '../reconcile-finding';

/** An object of the tree as it lands on its cluster: the layer's `targetNamespace` applied. */
export interface ClusterObject {
  readonly tree: TreeObject;
  /** The parsed manifest (never modified). */
  readonly manifest: any;
  /** API group (`''` for the core group). */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** Namespace as applied; `undefined` for cluster-scoped objects. */
  readonly namespace?: string;
  readonly layer: TreeLayer;
  /** `metadata.labels`, `{}` when none. */
  readonly labels: Readonly<Record<string, string>>;
}

/** An object a controller or chart creates at run time, by a modelled rule. */
export interface ProducedObject {
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Labels the producer puts on it (for selectors). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** The rule, as cited in findings: `<project> <version> <file>: <what>`. */
  readonly rule: string;
  /** Keys of a produced Secret or ConfigMap, when the rule knows them. @default - not known: any key is accepted */
  readonly keys?: readonly string[];
  /** The producer only creates it when it does not exist (Helm's createNamespace), so it never fights an owner. @default false */
  readonly createIfAbsent?: boolean;
}

/** Something that makes an object exist on the cluster: an object of the tree, or a modelled rule. */
export interface Provision {
  /** Name of the provided object. */
  readonly name: string;
  /** Namespace of the provided object; `undefined` when cluster-scoped. */
  readonly namespace?: string;
  /** The tree object itself, or the tree object whose controller/chart produces it. */
  readonly by: ClusterObject;
  /** Set when produced at run time. */
  readonly rule?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Keys of a Secret or ConfigMap; `undefined` when not known. */
  readonly keys?: readonly string[];
  /** Created only when absent. */
  readonly createIfAbsent?: boolean;
}

/** A reference from an object to another object by name. */
export interface ObjectReference {
  /** Field path of the reference, e.g. `spec.tlsConfig.clientCertificate.certificate.secretReference.name`. */
  readonly field: string;
  readonly group: string;
  /** The kinds it may name (first one used in messages). */
  readonly kinds: readonly string[];
  /** Namespace of the target; `undefined` for cluster-scoped targets. */
  readonly namespace?: string;
  readonly name: string;
  /** A key the target Secret or ConfigMap must hold. @default - none checked */
  readonly key?: string;
  /** What the controller does when the target is missing, for the message. */
  readonly consequence: string;
  /** The upstream rule that makes this field a reference. */
  readonly rule: string;
}

/** The objects one cluster of the tree receives, indexed by identity, plus what the models say controllers create. */
export class ClusterState {
  public readonly objects: ClusterObject[] = [];
  private readonly provided = new Map<string, Provision[]>();
  private readonly byKind = new Map<string, Provision[]>();
  /** The tree's objects by `group kind` (the models ask per object: a scan each time was quadratic in the fleet). */
  private readonly objectsByKind = new Map<string, ClusterObject[]>();

  constructor(
    public readonly tree: FluxTreeModel,
    namespacedOf: (apiVersion: string, kind: string, manifest: any, targetNamespace?: string) => boolean,
  ) {
    for (const o of tree.objects) {
      const namespaced = namespacedOf(o.apiVersion, o.kind, o.manifest, o.layer.targetNamespace);
      const slash = o.apiVersion.indexOf('/');
      const object: ClusterObject = {
        tree: o,
        manifest: o.manifest,
        group: slash < 0 ? '' : o.apiVersion.slice(0, slash),
        kind: o.kind,
        name: o.name,
        namespace: namespaced ? o.layer.targetNamespace ?? o.namespace ?? 'default' : undefined,
        layer: o.layer,
        labels: labelsOf(o.manifest),
      };
      this.objects.push(object);
      const kk = `${object.group}\u0000${object.kind}`;
      const same = this.objectsByKind.get(kk);
      if (same) same.push(object);
      else this.objectsByKind.set(kk, [object]);
      const provision = { name: object.name, namespace: object.namespace, by: object, labels: object.labels, keys: keysOf(object) };
      this.add(object.group, object.kind, object.namespace, object.name, provision);
    }
  }

  public get cluster(): string {
    return this.tree.cluster;
  }

  /** Records an object a controller or chart creates at run time. */
  public produce(by: ClusterObject, p: ProducedObject): void {
    const provision = {
      name: p.name, namespace: p.namespace, by, rule: p.rule, labels: p.labels ?? {}, keys: p.keys, createIfAbsent: p.createIfAbsent,
    };
    this.add(p.group, p.kind, p.namespace, p.name, provision);
  }

  /** What makes `group/kind namespace/name` exist, emitted objects first. */
  public lookup(group: string, kinds: readonly string[], namespace: string | undefined, name: string): Provision | undefined {
    for (const kind of kinds) {
      const found = this.provided.get(key(group, kind, namespace, name));
      if (found) return found[0];
    }
    return undefined;
  }

  /**
   * Every provision of one identity (emitted objects and produced ones, in the order they were
   * recorded). The key folds an absent namespace into `''`: callers compare `namespace` themselves.
   */
  public provisionsOf(group: string, kind: string, namespace: string | undefined, name: string): readonly Provision[] {
    return this.provided.get(key(group, kind, namespace, name)) ?? [];
  }

  /** Every provision of a kind (emitted and produced), e.g. all `cluster.x-k8s.io/Cluster`s. */
  public allOf(group: string, kind: string): readonly Provision[] {
    return this.byKind.get(`${group}\u0000${kind}`) ?? [];
  }

  /** Objects of the tree of one kind. */
  public objectsOf(group: string, kind: string): ClusterObject[] {
    return [...(this.objectsByKind.get(`${group}\u0000${kind}`) ?? [])];
  }

  private add(group: string, kind: string, namespace: string | undefined, name: string, p: Provision): void {
    const k = key(group, kind, namespace, name);
    const list = this.provided.get(k);
    if (list) list.push(p);
    else this.provided.set(k, [p]);
    const kk = `${group}\u0000${kind}`;
    const byKind = this.byKind.get(kk);
    if (byKind) byKind.push(p);
    else this.byKind.set(kk, [p]);
  }
}

function key(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

// The keys of an emitted Secret or ConfigMap (data and stringData/binaryData).
function keysOf(o: ClusterObject): string[] | undefined {
  if (o.group !== '' || (o.kind !== 'Secret' && o.kind !== 'ConfigMap')) return undefined;
  const m = o.manifest;
  return [m.data, m.stringData, m.binaryData].flatMap((d) => (d && typeof d === 'object' ? Object.keys(d) : []));
}

function labelsOf(m: any): Record<string, string> {
  const l = m?.metadata?.labels;
  return l && typeof l === 'object' && !Array.isArray(l) ? l : {};
}

/** A finding on an object of `state`, with the object's identity filled in. */
export function findingOn(state: ClusterState, o: ClusterObject, f: Omit<ReconcileFinding, 'cluster' | 'apiVersion' | 'kind' | 'namespace' | 'name' | 'file'>): ReconcileFinding {
  return {
    cluster: state.cluster,
    apiVersion: o.tree.apiVersion,
    kind: o.kind,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    name: o.name,
    file: o.tree.file,
    ...f,
  };
}

/** `Secret tenant-acme/acme-etcd-certs`. */
export function describeTarget(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
