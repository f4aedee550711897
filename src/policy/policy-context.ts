import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AdmissionGuardrails } from './admission-guardrails';
import type { PolicyObjectReference } from './policy-rule';
import { AddonProfile } from '../addons/addon-profile';
import { BareMetalHost } from '../baremetal/bare-metal-host';
import { BareMetalPool } from '../baremetal/bare-metal-pool';
import { ControlPlaneVipPool } from '../network/control-plane-vip-pool';
import { NetworkPlanes } from '../network/network-planes';
import { PeeringRequest } from '../network/peering-request';
import { TenantSubnet } from '../network/tenant-subnet';
import { TenantVpc } from '../network/tenant-vpc';
import { PlatformUnderCluster } from '../platform/platform-under-cluster';
import { NodePool } from '../tenancy/node-pool';
import { TenantCluster } from '../tenancy/tenant-cluster';
import { TenantClusterClass } from '../tenancy/tenant-cluster-class';
import { TenantGovernance } from '../tenancy/tenant-governance';
import { renderOnce } from '../util/render-session';

/**
 * One object as it will be written: the `ApiObject` and its rendered manifest (`toJson()`, with
 * every Lazy value, chart label and JSON patch applied), rendered once per policy run.
 */
export class SynthesizedObject {
  /** @internal */
  public static _of(apiObject: ApiObject, json: any): SynthesizedObject {
    return new SynthesizedObject(apiObject, json);
  }

  /** The construct that emits the object (its path is the finding's path). */
  public readonly apiObject: ApiObject;
  /**
   * The rendered manifest. Read it, never change it: during `FluxTree.synth` it is the very object
   * that is written, and it is frozen (a rule that assigns to it fails with a TypeError).
   */
  public readonly json: any;
  /** API version, e.g. `cluster.x-k8s.io/v1beta2`. */
  public readonly apiVersion: string;
  /** API group (`''` for the core group). */
  public readonly apiGroup: string;
  /** Kind. */
  public readonly kind: string;
  /** Name. */
  public readonly name: string;
  /** Namespace, if set. */
  public readonly namespace?: string;

  private constructor(apiObject: ApiObject, json: any) {
    this.apiObject = apiObject;
    this.json = json ?? {};
    this.apiVersion = String(this.json.apiVersion ?? apiObject.apiVersion ?? '');
    this.apiGroup = this.apiVersion.includes('/') ? this.apiVersion.split('/')[0] : '';
    this.kind = String(this.json.kind ?? apiObject.kind ?? '');
    this.name = String(this.json.metadata?.name ?? '');
    const ns = this.json.metadata?.namespace;
    if (typeof ns === 'string' && ns !== '') this.namespace = ns;
  }

  /** The object's identity, for findings. */
  public get reference(): PolicyObjectReference {
    return { apiVersion: this.apiVersion, kind: this.kind, name: this.name, ...(this.namespace ? { namespace: this.namespace } : {}) };
  }

  /** The object's labels (empty when it has none). */
  public get labels(): { [key: string]: string } {
    return this.json.metadata?.labels ?? {};
  }

  /** The object's annotations (empty when it has none). */
  public get annotations(): { [key: string]: string } {
    return this.json.metadata?.annotations ?? {};
  }

  /** `<Kind> <namespace>/<name>` (or `<Kind> <name>`), for messages. */
  public get displayName(): string {
    return `${this.kind} ${this.namespace ? `${this.namespace}/` : ''}${this.name}`;
  }
}

/** An object whose rendering failed during the policy run (its own validation reports why). */
export interface UnrenderedObject {
  /** Construct path of the ApiObject. */
  readonly path: string;
  /** Why (the rendering error's message). */
  readonly reason: string;
}

/**
 * What rules see: the construct tree walked once (constructs grouped by type) and every object
 * rendered once, with indexes by kind. Built by the policy engine for each run and shared by all
 * rules of all packs, so a rule costs what its own logic costs, never another tree walk.
 */
export class PolicyContext {
  /**
   * Walks the tree under `root` once, lets `beforeRender` see every construct (steps that change
   * objects, such as the prune protection, run there), then renders every ApiObject.
   * @internal
   */
  public static _build(root: IConstruct, beforeRender?: (constructs: IConstruct[]) => void): PolicyContext {
    return new PolicyContext(root, beforeRender);
  }

  /** The root the context was built for (the App). */
  public readonly root: IConstruct;
  /** Every construct, in pre-order (parents before children, children in declaration order). */
  public readonly constructs: IConstruct[] = [];
  /** Every object, in pre-order. */
  public readonly objects: SynthesizedObject[] = [];
  /** Objects whose rendering threw (skipped by the rules; their own validations report them). */
  public readonly unrenderedObjects: UnrenderedObject[] = [];

  private readonly byType = new Map<Function, IConstruct[]>();
  private readonly byKind = new Map<string, SynthesizedObject[]>();
  private readonly byApiObject = new Map<ApiObject, SynthesizedObject>();
  private readonly byIdentity = new Map<string, SynthesizedObject>();

  private constructor(root: IConstruct, beforeRender?: (constructs: IConstruct[]) => void) {
    this.root = root;
    const types: Function[] = [
      TenantCluster, TenantClusterClass, TenantGovernance, NodePool, PlatformUnderCluster, NetworkPlanes,
      TenantVpc, TenantSubnet, PeeringRequest, ControlPlaneVipPool, BareMetalPool, BareMetalHost, AddonProfile,
      AdmissionGuardrails,
    ];
    for (const t of types) this.byType.set(t, []);
    // Iterative pre-order walk: deep trees cannot overflow the stack.
    const stack: IConstruct[] = [root];
    const apiObjects: ApiObject[] = [];
    while (stack.length > 0) {
      const c = stack.pop()!;
      this.constructs.push(c);
      if (c instanceof ApiObject) {
        apiObjects.push(c);
      } else {
        for (const t of types) {
          if (c instanceof (t as any)) {
            this.byType.get(t)!.push(c);
            break;
          }
        }
      }
      const children = c.node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
    beforeRender?.(this.constructs);
    for (const o of apiObjects) this.addObject(o);
  }

  /** Every TenantCluster. */
  public get tenantClusters(): TenantCluster[] { return this.ofType(TenantCluster); }
  /** Every TenantClusterClass. */
  public get tenantClusterClasses(): TenantClusterClass[] { return this.ofType(TenantClusterClass); }
  /** Every TenantGovernance. */
  public get tenantGovernances(): TenantGovernance[] { return this.ofType(TenantGovernance); }
  /** Every NodePool emitted as objects (pools of class-based clusters are in `TenantCluster.nodePoolOptions`). */
  public get nodePools(): NodePool[] { return this.ofType(NodePool); }
  /** Every PlatformUnderCluster. */
  public get platforms(): PlatformUnderCluster[] { return this.ofType(PlatformUnderCluster); }
  /** Every NetworkPlanes. */
  public get networkPlanes(): NetworkPlanes[] { return this.ofType(NetworkPlanes); }
  /** Every TenantVpc. */
  public get tenantVpcs(): TenantVpc[] { return this.ofType(TenantVpc); }
  /** Every TenantSubnet. */
  public get tenantSubnets(): TenantSubnet[] { return this.ofType(TenantSubnet); }
  /** Every PeeringRequest. */
  public get peeringRequests(): PeeringRequest[] { return this.ofType(PeeringRequest); }
  /** Every ControlPlaneVipPool. */
  public get vipPools(): ControlPlaneVipPool[] { return this.ofType(ControlPlaneVipPool); }
  /** Every BareMetalPool. */
  public get bareMetalPools(): BareMetalPool[] { return this.ofType(BareMetalPool); }
  /** Every BareMetalHost. */
  public get bareMetalHosts(): BareMetalHost[] { return this.ofType(BareMetalHost); }
  /** Every AddonProfile. */
  public get addonProfiles(): AddonProfile[] { return this.ofType(AddonProfile); }
  /** Every AdmissionGuardrails. */
  public get admissionGuardrails(): AdmissionGuardrails[] { return this.ofType(AdmissionGuardrails); }

  /**
   * The objects of a kind, in pre-order.
   *
   * @param kind the kind, e.g. `Cluster`
   * @param apiGroup the API group (`''` for core), e.g. `cluster.x-k8s.io`; any group when left out
   */
  public objectsOfKind(kind: string, apiGroup?: string): SynthesizedObject[] {
    return [...(this.byKind.get(apiGroup === undefined ? kind : `${apiGroup}/${kind}`) ?? [])];
  }

  /**
   * One object by identity.
   *
   * @param apiGroup API group (`''` for core)
   * @param kind kind
   * @param name name
   * @param namespace namespace (leave out for cluster-scoped objects)
   */
  public findObject(apiGroup: string, kind: string, name: string, namespace?: string): SynthesizedObject | undefined {
    return this.byIdentity.get(identityKey(apiGroup, kind, namespace, name));
  }

  /**
   * The rendered form of an ApiObject of the app.
   *
   * @param apiObject the object
   */
  public objectFor(apiObject: ApiObject): SynthesizedObject | undefined {
    return this.byApiObject.get(apiObject);
  }

  /**
   * The TenantCluster a construct belongs to (the construct itself or its nearest enclosing one).
   *
   * @param construct any construct
   */
  public tenantClusterOf(construct: IConstruct): TenantCluster | undefined {
    for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
      if (c instanceof TenantCluster) return c;
    }
    return undefined;
  }

  private ofType<T>(t: Function): T[] {
    return [...(this.byType.get(t) ?? [])] as unknown as T[];
  }

  private addObject(apiObject: ApiObject): void {
    let json: any;
    try {
      json = renderOnce(apiObject);
    } catch (e) {
      this.unrenderedObjects.push({ path: apiObject.node.path, reason: e instanceof Error ? e.message : String(e) });
      return;
    }
    const o = SynthesizedObject._of(apiObject, json);
    this.objects.push(o);
    this.byApiObject.set(apiObject, o);
    push(this.byKind, o.kind, o);
    push(this.byKind, `${o.apiGroup}/${o.kind}`, o);
    const key = identityKey(o.apiGroup, o.kind, o.namespace, o.name);
    if (!this.byIdentity.has(key)) this.byIdentity.set(key, o);
  }
}

function identityKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
