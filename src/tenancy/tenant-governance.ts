import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Tenant } from '../imports/capsule.clastix.io';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkKnownProps } from '../util/props';
import {
  clusterShape, ClusterShape, CONTROL_PLANE_CPU_MILLI, CONTROL_PLANE_MEMORY_MIB, demandOf, ETCD_CPU_MILLI, ETCD_MEMORY_MIB,
  ResourceDemand, VM_MEMORY_OVERHEAD_MIB,
} from './governance/cluster-shape';
import { FleetRegistry } from './governance/fleet-registry';
import { checkGovernanceOptions } from './governance/governance-options';
import { formatCpu, formatGiB, formatMemory, parseQuantity } from './governance/quantities';
import { SynthWarning, SynthWarnings } from './governance/synth-warnings';
import type { TenantCluster } from './tenant-cluster';

/** Who can own a Capsule tenant. */
export enum TenantOwnerKind {
  /** A user, by the name the API server authenticates. */
  USER = 'User',
  /** A group. */
  GROUP = 'Group',
  /** A service account, named `system:serviceaccount:<namespace>:<name>`. */
  SERVICE_ACCOUNT = 'ServiceAccount',
}

/** An owner of the tenant: Capsule binds its cluster roles in every namespace of the tenant. */
export interface TenantOwner {
  /** Kind of subject. */
  readonly kind: TenantOwnerKind;
  /** Subject name (`system:serviceaccount:<ns>:<name>` for service accounts). */
  readonly name: string;
  /**
   * Cluster roles bound to the owner in the tenant's namespaces.
   *
   * The namespaces hold the tenant's control plane, datastore and VM objects: an owner with
   * `admin` there can edit them directly, around the platform's boundaries. Bind `view` (or a
   * narrower role) for tenants who should only self-serve through this program.
   * @default - Capsule's default: `admin` and `capsule-namespace-deleter`
   */
  readonly clusterRoles?: string[];
}

/**
 * A hard limit of the tenant, summed over all its namespaces (Capsule `resourceQuotas` at scope
 * `Tenant`). Each field left out is derived from the tenant's clusters; every field given must
 * cover what the clusters need at their largest (an error otherwise).
 */
export interface TenantQuota {
  /** CPU requests in cores. @default - derived */
  readonly cpuCores?: number;
  /** Memory requests in GiB. @default - derived */
  readonly memoryGiB?: number;
  /** Persistent volume requests in GiB (root disks, etcd volumes). @default - derived */
  readonly storageGiB?: number;
  /** KubeVirt VirtualMachines. @default - derived */
  readonly virtualMachines?: number;
  /**
   * Devices by resource name, e.g. `{ 'nvidia.com/GA102GL_A10': 4 }` (quota key
   * `requests.<name>`).
   * @default - derived from the pools' GPUs
   */
  readonly gpus?: { [deviceName: string]: number };
  /** Further hard limits in Kubernetes quota syntax, e.g. `{ pods: '200', 'requests.nvidia.com/gpu': '2' }`. @default - none */
  readonly additional?: { [resource: string]: string };
}

/** The kinds of object a limit range constrains. */
export enum LimitRangeType {
  /** Each container. */
  CONTAINER = 'Container',
  /** Each pod (sum of its containers). */
  POD = 'Pod',
  /** Each PersistentVolumeClaim. */
  PERSISTENT_VOLUME_CLAIM = 'PersistentVolumeClaim',
}

/** One limit of a LimitRange every namespace of the tenant inherits. Values are quantities (`500m`, `2Gi`). */
export interface TenantLimitRange {
  /** What the limit applies to. */
  readonly type: LimitRangeType;
  /** Minimum per resource name. @default - none */
  readonly min?: { [resource: string]: string };
  /** Maximum per resource name. @default - none */
  readonly max?: { [resource: string]: string };
  /** Limit given to containers that set none (LimitRange `default`). @default - none */
  readonly defaultLimit?: { [resource: string]: string };
  /** Request given to containers that set none. @default - none */
  readonly defaultRequest?: { [resource: string]: string };
  /** Largest limit/request ratio. @default - none */
  readonly maxLimitRequestRatio?: { [resource: string]: string };
}

/** Governance of a platform tenant; used as `TenantClusterProps.governance` and by `TenantGovernance`. */
export interface TenantGovernanceOptions {
  /** Name of the Capsule Tenant (cluster-scoped). @default - the cluster's name, or the construct id */
  readonly tenantName?: string;
  /** Owners of the tenant. @default - none (the platform alone manages the namespaces) */
  readonly owners?: TenantOwner[];
  /**
   * Most namespaces the tenant may have. The tenant's clusters' namespaces count.
   * @default - exactly the namespaces of the tenant's clusters
   */
  readonly namespaceQuota?: number;
  /** Hard limits at tenant scope. @default - derived from the clusters (see `TenantGovernance`) */
  readonly quota?: TenantQuota;
  /** Storage classes PVCs of the tenant may use. @default - any */
  readonly allowedStorageClasses?: string[];
  /** Storage class given to PVCs that name none (must be allowed). @default - the under cluster's default */
  readonly defaultStorageClass?: string;
  /** LimitRanges every namespace of the tenant gets. @default - none */
  readonly limitRanges?: TenantLimitRange[];
  /**
   * NetworkPolicies every namespace of the tenant gets, as `NetworkPolicySpec`s in upstream field
   * names (checked against the schema by the conformance tests). Remember that the control-plane
   * Service must stay reachable from outside (it is a LoadBalancer) and from Cluster API.
   * @default - none
   */
  readonly networkPolicies?: Array<{ [key: string]: any }>;
  /** Node selector on all pods of the tenant (VMs, control plane, etcd): e.g. a host pool label. @default - none */
  readonly nodeSelector?: { [key: string]: string };
  /** Refuse deletion of the Tenant (Capsule `preventDeletion`). @default false */
  readonly preventDeletion?: boolean;
}

/** Props of `TenantGovernance`. */
export interface TenantGovernanceProps extends TenantGovernanceOptions {
  /** The clusters whose namespaces the tenant owns (more with `addCluster()`). @default - none */
  readonly clusters?: TenantCluster[];
}

const CAPSULE_TENANT_LABEL = 'capsule.clastix.io/tenant';

/** Every property of `TenantGovernanceOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const TENANT_GOVERNANCE_OPTIONS_KEYS: readonly string[] = [
  'allowedStorageClasses', 'defaultStorageClass', 'limitRanges', 'namespaceQuota', 'networkPolicies', 'nodeSelector', 'owners', 'preventDeletion', 'quota', 'tenantName',
];
/** Every property of `TenantGovernanceProps`. */
export const TENANT_GOVERNANCE_PROPS_KEYS: readonly string[] = [...TENANT_GOVERNANCE_OPTIONS_KEYS, 'clusters'];

/**
 * Capsule governance of one platform tenant: a `Tenant` owning the namespaces on the under cluster
 * where the tenant's control planes, etcd, VMs and VPC objects live, with quotas, allowed storage
 * classes, limit ranges, network policies and a node selector.
 *
 * Capsule is governance, not isolation (the isolation is the dedicated control plane and network):
 * its job here is to tie what the infrastructure hands a tenant (vCPUs, memory, disks, GPUs) to a
 * boundary that is enforced on every request.
 *
 * **Quota formula** (for every field of `quota` left out), summed over the tenant's clusters:
 * - per pool, with n = its most VMs (`replicas`, or `maxReplicas` when autoscaled) + its
 *   rolling-update surge (`rollout.maxSurge`, at least 1): n × vCPUs, n × (guest memory + `VM_MEMORY_OVERHEAD_MIB`), n × persistent root
 *   disk, n × devices per VM (`requests.<device>`), n VirtualMachines;
 * - per API server replica (+1 surge): `CONTROL_PLANE_CPU_MILLICORES` and `CONTROL_PLANE_MEMORY_MIB`;
 * - per dedicated etcd member: `ETCD_CPU_MILLICORES`, `ETCD_MEMORY_MIB` and its volume.
 *
 * A quota given explicitly must cover the same sum *without* the surge allowance, or synth fails:
 * a tenant whose own pools cannot fit its quota is a mistake, not a policy.
 *
 * **Namespaces.** A TenantCluster keeps emitting its Namespace (its Cluster API objects need it
 * before Capsule would ever create it); the governance labels it `capsule.clastix.io/tenant=<name>`
 * and orders it after the Tenant. Capsule then adopts it, provided the identity that applies the
 * manifests (Flux's kustomize-controller) is listed in `CapsuleConfiguration` `administrators`
 * (Capsule ignores label-based assignment from anyone else). A cluster with
 * `createNamespace: false` gets a warning instead: whoever creates its namespace must set the label.
 */
export class TenantGovernance extends Construct {
  /** CPU per API server replica counted in derived quotas. */
  public static readonly CONTROL_PLANE_CPU_MILLICORES = CONTROL_PLANE_CPU_MILLI;
  /** Memory per API server replica counted in derived quotas. */
  public static readonly CONTROL_PLANE_MEMORY_MIB = CONTROL_PLANE_MEMORY_MIB;
  /** CPU per dedicated etcd member counted in derived quotas. */
  public static readonly ETCD_CPU_MILLICORES = ETCD_CPU_MILLI;
  /** Memory per dedicated etcd member counted in derived quotas. */
  public static readonly ETCD_MEMORY_MIB = ETCD_MEMORY_MIB;
  /** Memory of virt-launcher per VM on top of the guest memory, counted in derived quotas. */
  public static readonly VM_MEMORY_OVERHEAD_MIB = VM_MEMORY_OVERHEAD_MIB;

  /** Name of the Capsule Tenant. */
  public readonly tenantName: string;
  /** The Capsule Tenant (escape hatch). */
  public readonly tenant: ApiObject;

  private readonly options: TenantGovernanceOptions;
  private readonly governed: TenantCluster[] = [];

  constructor(scope: Construct, id: string, props: TenantGovernanceProps = {}) {
    super(scope, id);
    checkKnownProps(this, '', props, TENANT_GOVERNANCE_PROPS_KEYS, 'TenantGovernanceProps');
    const firstCluster = props.clusters?.[0];
    this.tenantName = validateDnsLabel(this, 'tenantName', props.tenantName ?? firstCluster?.clusterName ?? id);
    this.options = props;
    checkGovernanceOptions(this, props);
    const taken = FleetRegistry.of(this).claimName('Tenant', this.tenantName, this);
    if (taken) {
      throw new KmetalValidationError(this, 'tenantName', `Capsule Tenant ${showValue(this.tenantName)} is already declared by ${taken.node.path} (Tenants are cluster-scoped)`, 'give the tenant another tenantName, or govern both clusters with one TenantGovernance');
    }

    this.tenant = new ApiObject(this, 'Tenant', {
      ...Tenant.GVK,
      metadata: { name: this.tenantName, labels: { 'kmetal.io/tenant': this.tenantName } },
      // Plain upstream JSON (quota maps hold quantities as strings, which the L1 converters drop),
      // produced at synth so that pools and clusters added later are counted.
      spec: Lazy.any({ produce: () => this.tenantSpec() }),
    });

    for (const c of props.clusters ?? []) this.addCluster(c);
    this.node.addValidation({ validate: () => this.validateQuota() });
    SynthWarnings._registerSource(this, () => this.warnings());
  }

  /** The clusters this tenant governs. */
  public get clusters(): TenantCluster[] {
    return [...this.governed];
  }

  /**
   * Puts a cluster's namespace under this tenant and counts its pools in the derived quota.
   */
  public addCluster(cluster: TenantCluster): void {
    if (this.governed.includes(cluster)) return;
    if (cluster.node.root !== this.node.root) {
      throw new KmetalValidationError(this, 'clusters', `cluster ${cluster.node.path} belongs to another App`, 'declare the governance in the same App as its clusters');
    }
    const owner = GOVERNED_BY.get(cluster);
    if (owner) {
      throw new KmetalValidationError(this, 'clusters', `cluster ${cluster.node.path} is already governed by ${owner.node.path}`, 'a namespace belongs to one Capsule tenant: create the cluster with createGovernance: false to govern it here');
    }
    GOVERNED_BY.set(cluster, this);
    this.governed.push(cluster);
    const ns = cluster.namespaceObject;
    if (ns) {
      ns.metadata.addLabel(CAPSULE_TENANT_LABEL, this.tenantName);
      // Capsule's webhook refuses a namespace labelled for a tenant that does not exist yet.
      ns.node.addDependency(this.tenant);
    }
  }

  /** What the tenant's clusters need at their largest, with and without the surge allowance. @internal */
  public _demand(surge: boolean): ResourceDemand {
    return demandOf(this.shapes(), surge);
  }

  private shapes(): ClusterShape[] {
    return this.governed.map((c) => clusterShape(c));
  }

  private namespaces(): string[] {
    return [...new Set(this.governed.map((c) => c.namespace))].sort();
  }

  private tenantSpec(): any {
    const o = this.options;
    const hard = this.hardQuota();
    const namespaceQuota = o.namespaceQuota ?? Math.max(1, this.namespaces().length);
    return {
      ...(o.owners?.length ? {
        owners: o.owners.map((w) => ({ kind: w.kind, name: w.name, ...(w.clusterRoles ? { clusterRoles: [...w.clusterRoles] } : {}) })),
      } : {}),
      namespaceOptions: { quota: namespaceQuota },
      ...(Object.keys(hard).length ? { resourceQuotas: { scope: 'Tenant', items: [{ hard }] } } : {}),
      ...(o.allowedStorageClasses?.length || o.defaultStorageClass ? {
        storageClasses: {
          ...(o.allowedStorageClasses?.length ? { allowed: [...o.allowedStorageClasses] } : {}),
          ...(o.defaultStorageClass ? { default: o.defaultStorageClass } : {}),
        },
      } : {}),
      ...(o.limitRanges?.length ? {
        limitRanges: {
          items: [{
            limits: o.limitRanges.map((l) => ({
              type: l.type,
              ...(l.min ? { min: { ...l.min } } : {}),
              ...(l.max ? { max: { ...l.max } } : {}),
              ...(l.defaultLimit ? { default: { ...l.defaultLimit } } : {}),
              ...(l.defaultRequest ? { defaultRequest: { ...l.defaultRequest } } : {}),
              ...(l.maxLimitRequestRatio ? { maxLimitRequestRatio: { ...l.maxLimitRequestRatio } } : {}),
            })),
          }],
        },
      } : {}),
      ...(o.networkPolicies?.length ? { networkPolicies: { items: o.networkPolicies.map((p) => JSON.parse(JSON.stringify(p))) } } : {}),
      ...(o.nodeSelector && Object.keys(o.nodeSelector).length ? { nodeSelector: { ...o.nodeSelector } } : {}),
      ...(o.preventDeletion ? { preventDeletion: true } : {}),
    };
  }

  /** The `hard` map: given fields as given, the others derived with the surge allowance. */
  private hardQuota(): { [resource: string]: string } {
    const q = this.options.quota ?? {};
    const derived = this.governed.length ? this._demand(true) : undefined;
    const hard: { [resource: string]: string } = {};
    const cpuMilli = q.cpuCores !== undefined ? q.cpuCores * 1000 : derived?.cpuMilli;
    if (cpuMilli !== undefined) hard['requests.cpu'] = formatCpu(cpuMilli);
    const memMiB = q.memoryGiB !== undefined ? q.memoryGiB * 1024 : derived?.memoryMiB;
    if (memMiB !== undefined) hard['requests.memory'] = formatMemory(memMiB);
    const storage = q.storageGiB ?? (derived && derived.storageGiB > 0 ? derived.storageGiB : undefined);
    if (storage !== undefined) hard['requests.storage'] = formatGiB(storage);
    const vms = q.virtualMachines ?? (derived?.virtualMachines || undefined);
    if (vms !== undefined) hard['count/virtualmachines.kubevirt.io'] = String(vms);
    const gpus = new Map<string, number>(derived?.gpus ?? []);
    for (const [d, n] of Object.entries(q.gpus ?? {})) gpus.set(d, n);
    for (const d of [...gpus.keys()].sort()) hard[`requests.${d}`] = String(gpus.get(d));
    for (const k of Object.keys(q.additional ?? {}).sort()) hard[k] = q.additional![k];
    return hard;
  }

  /** Validation: explicit limits must cover the clusters' steady-state needs. */
  private validateQuota(): string[] {
    SynthWarnings._print(this, this.warnings());
    const out: string[] = [];
    const o = this.options;
    const namespaces = this.namespaces();
    if (o.namespaceQuota !== undefined && o.namespaceQuota < namespaces.length) {
      out.push(`namespaceQuota: ${o.namespaceQuota} is less than the ${namespaces.length} namespaces of the tenant's own clusters (${namespaces.join(', ')}). Fix: raise namespaceQuota to at least ${namespaces.length}`);
    }
    const shapes = this.shapes();
    const need = demandOf(shapes, false);
    const q = o.quota ?? {};
    const breakdown = () => shapes.map((s) => `${s.cluster.clusterName}: ${s.pools.map((p) => `${p.name} ${p.vms}×(${p.cpuCores} vCPU, ${p.memoryGiB} GiB${p.diskGiB ? `, ${p.diskGiB} GiB disk` : ''}${p.gpus.length ? `, ${p.gpus.map((g) => `${g.count} ${g.deviceName}`).join(', ')}` : ''})`).join(' + ') || 'no pools'} + ${s.controlPlaneReplicas} API server(s)${s.etcd ? ` + ${s.etcd.replicas} etcd` : ''}`).join('; ');
    const short = (field: string, given: string, needed: string) =>
      out.push(`quota.${field}: ${given} is less than the tenant's own clusters request (${needed}: ${breakdown()}). Fix: raise quota.${field} to at least ${needed}, or leave it out to derive it`);
    if (q.cpuCores !== undefined && q.cpuCores * 1000 < need.cpuMilli) short('cpuCores', `${q.cpuCores} cores`, formatCpu(need.cpuMilli));
    if (q.memoryGiB !== undefined && q.memoryGiB * 1024 < need.memoryMiB) short('memoryGiB', `${q.memoryGiB} GiB`, formatMemory(need.memoryMiB));
    if (q.storageGiB !== undefined && q.storageGiB < need.storageGiB) short('storageGiB', `${q.storageGiB} GiB`, formatGiB(need.storageGiB));
    if (q.virtualMachines !== undefined && q.virtualMachines < need.virtualMachines) short('virtualMachines', `${q.virtualMachines}`, `${need.virtualMachines} VMs`);
    for (const [device, n] of need.gpus) {
      const given = q.gpus?.[device];
      if (given !== undefined && given < n) short(`gpus.${device}`, `${given}`, `${n} devices`);
    }
    for (const [key, value] of Object.entries(q.additional ?? {})) {
      const device = key.startsWith('requests.') ? key.slice('requests.'.length) : undefined;
      const n = device ? need.gpus.get(device) : undefined;
      if (n !== undefined && (parseQuantity(value) ?? 0) < n) short(`additional.${key}`, value, `${n} devices`);
    }

    // Capsule would refuse the PVCs of the clusters' own disks and etcd volumes.
    const allowed = o.allowedStorageClasses;
    if (allowed?.length) {
      for (const s of shapes) {
        const used = [...s.pools.filter((p) => p.diskGiB > 0).map((p) => ({ what: `pool ${p.name}`, sc: p.storageClassName })), ...(s.etcd ? [{ what: 'etcd', sc: s.etcd.storageClassName }] : [])];
        for (const u of used) {
          const sc = u.sc ?? o.defaultStorageClass;
          if (sc !== undefined && !allowed.includes(sc)) {
            out.push(`allowedStorageClasses: cluster ${s.cluster.clusterName}'s ${u.what} uses storage class ${showValue(sc)}, which the tenant does not allow (${allowed.join(', ')}). Fix: allow it, or give the ${u.what} an allowed storageClassName`);
          }
        }
        // The CSI controller carves the cluster's volumes from the mapped infra classes, in this namespace.
        for (const sc of s.cluster.csiController?.infraStorageClassNames ?? []) {
          if (!allowed.includes(sc)) {
            out.push(`allowedStorageClasses: cluster ${s.cluster.clusterName}'s persistent volumes (tenant storage) use the infra storage class ${showValue(sc)}, which the tenant does not allow (${allowed.join(', ')}). Fix: allow it, or opt the cluster out with storage: { enabled: false }`);
          }
        }
      }
    }

    // A LimitRange below the biggest VM would make KubeVirt's virt-launcher pods unschedulable.
    for (const l of o.limitRanges ?? []) {
      if (l.type === LimitRangeType.PERSISTENT_VOLUME_CLAIM) continue;
      for (const s of shapes) {
        for (const p of s.pools) {
          const memMax = l.max?.memory !== undefined ? parseQuantity(l.max.memory) : undefined;
          const cpuMax = l.max?.cpu !== undefined ? parseQuantity(l.max.cpu) : undefined;
          const vmBytes = (p.memoryGiB * 1024 + VM_MEMORY_OVERHEAD_MIB) * 2 ** 20;
          if (memMax !== undefined && memMax < vmBytes) {
            out.push(`limitRanges: ${l.type} max memory ${l.max!.memory} is below the VMs of ${s.cluster.clusterName}/${p.name} (${formatMemory(vmBytes / 2 ** 20)} with virt-launcher overhead). Fix: raise it, or make the VMs smaller`);
          }
          if (cpuMax !== undefined && cpuMax < p.cpuCores) {
            out.push(`limitRanges: ${l.type} max cpu ${l.max!.cpu} is below the ${p.cpuCores} vCPUs of ${s.cluster.clusterName}/${p.name}. Fix: raise it, or use smaller VMs`);
          }
        }
      }
    }
    return out;
  }

  private warnings(): SynthWarning[] {
    const out: SynthWarning[] = [];
    for (const c of this.governed) {
      if (!c.namespaceObject) {
        out.push({
          path: c.node.path,
          message: `namespace ${c.namespace} is not emitted by the cluster (createNamespace: false), so it is not labelled for Capsule tenant ${this.tenantName}: whoever creates it must set ${CAPSULE_TENANT_LABEL}=${this.tenantName}`,
        });
      }
    }
    return out;
  }
}

// Which governance owns a cluster (a namespace belongs to one Capsule tenant).
const GOVERNED_BY = new WeakMap<TenantCluster, TenantGovernance>();
