// Where a tenant's workloads land on the under cluster's hosts: worker VMs of a pool, API server
// pods and etcd members. Resolved once per pool / control plane / etcd and read by the VM spec, the
// Kamaji deployment, the etcd chart values, the policy rules (KM-CAP-004, KM-CAP-005) and the docs.
//
// Upstream facts the emitted selectors rely on:
// - CAPK v0.11.2 (kubernetes-sigs/cluster-api-provider-kubevirt, commit 2c2bb5beb8ef7265d2a0694e9fa75b73354b9484),
//   pkg/kubevirt/utils.go buildVirtualMachineInstanceTemplate: the VMI template's labels are the machine
//   template's `virtualMachineTemplate.spec.template.metadata.labels`, plus `kubevirt.io/vm` and
//   `name` (the machine's own name), `cluster.x-k8s.io/role` and `cluster.x-k8s.io/cluster-name`.
//   KubeVirt puts a VMI's labels on its virt-launcher pod, which is what the scheduler places, so a
//   pool's VMs are selected by `cluster.x-k8s.io/cluster-name` plus the pool label set in the template.
// - Kamaji 26.8.2-edge (clastix/kamaji, commit ddbabd87ed0e8d7c319414383e153c46f21733a9),
//   internal/builders/controlplane/deployment.go: the API server pods carry `kamaji.clastix.io/name:
//   <TenantControlPlane>`, `setTopologySpreadConstraints` fills a constraint's missing labelSelector
//   with the Deployment's selector (that label), and `setAffinity` copies `deployment.affinity`.
//   The CAPI provider (clastix/cluster-api-control-plane-provider-kamaji v0.20.0, commit
//   ce629592d4b2e159950c1941fa1e18dff3d2a832, controllers/kamajicontrolplane_controller_tcp.go)
//   names the TenantControlPlane after the KamajiControlPlane and copies `deployment.affinity` and
//   `deployment.topologySpreadConstraints`.
// - kamaji-etcd chart v0.17.0 (clastix/kamaji-etcd, commit 92f31f016f4e91eae69797a538f88d768ddc7099):
//   templates/etcd_sts.yaml renders `.Values.affinity` into the pods, whose labels include the
//   selector label `app.kubernetes.io/instance: <release>` (templates/_helpers.tpl `etcd.selectorLabels`).
// - KubeVirt v1.9.0 (kubevirt/kubevirt, commit 79d34c1762169e5b0370ec491cef5ca12e6b504c),
//   pkg/virt-handler/vm.go calculateLiveMigrationCondition / checkVolumesForMigration: a VMI with PCI
//   host devices (GPU passthrough) is not live-migratable (HostDeviceNotLiveMigratable); a PVC or
//   DataVolume disk must be ReadWriteMany ("live migration requires that all PVCs must be shared");
//   local writable disks (containerDisk, CAPK's cloud-init config drive) are block-migrated.
import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { isLabelKey } from '../util/names';
import { checkEnum, checkKnownProps } from '../util/props';

/** How replicas spread across the under cluster's hosts. */
export enum SpreadMode {
  /**
   * At most one replica per host (a hard scheduling rule): a replica that finds no free host stays
   * Pending. The platform policy pack refuses more replicas than eligible hosts.
   */
  REQUIRED = 'required',
  /** The scheduler prefers distinct hosts but co-locates replicas when it must. */
  PREFERRED = 'preferred',
  /** No spreading rule. */
  NONE = 'none',
}

/** Where a pool's worker VMs run (`NodePoolOptions.placement`). */
export interface NodePoolPlacement {
  /**
   * How the pool's VMs spread across hosts (`kubernetes.io/hostname`). With `REQUIRED` the pool
   * rolls one VM at a time (MachineDeployment `maxSurge: 0`, `maxUnavailable: 1`), since a surge VM
   * would find no free host when every host already runs one.
   * @default SpreadMode.PREFERRED
   */
  readonly spread?: SpreadMode;
  /**
   * The node label naming a host's zone (e.g. `topology.kubernetes.io/zone`): the VMs also spread
   * evenly across zones (at most one more VM in any zone than in another; a hard rule with
   * `REQUIRED`, a preference otherwise). The policy pack checks that the eligible hosts carry it.
   * @default - no zone spreading
   */
  readonly zoneLabel?: string;
  /**
   * Live-migrate the VMs off a draining host instead of shutting them down (KubeVirt
   * `evictionStrategy: LiveMigrate`). A persistent root disk is then requested ReadWriteMany (the
   * storage class must offer it); a containerDisk root disk is block-migrated by KubeVirt. Pools
   * with GPUs or host devices cannot migrate and are refused.
   * @default false
   */
  readonly liveMigration?: boolean;
}

/** Every property of `NodePoolPlacement` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const NODE_POOL_PLACEMENT_KEYS: readonly string[] = ['spread', 'zoneLabel', 'liveMigration'];

/** The placement of a pool with defaults applied. */
export interface ResolvedPoolPlacement {
  /** Spread across hosts. */
  readonly spread: SpreadMode;
  /** Zone label to spread across, if any. */
  readonly zoneLabel?: string;
  /** Whether VMs live-migrate on drain. */
  readonly liveMigration: boolean;
}

/** The topology key of hosts: kubelet sets it on every node. */
export const HOST_TOPOLOGY_KEY = 'kubernetes.io/hostname';
/** The label a pool's VMs carry (machine template → VMI → virt-launcher pod), with `cluster.x-k8s.io/cluster-name`. */
export const POOL_VM_LABEL = 'kmetal.io/node-pool';

/**
 * Checks a pool's placement and applies the defaults (the one place, for `NodePool` and
 * `ClassNodePool`).
 *
 * @param gpus whether the pool's VMs have GPUs or host devices (which cannot live-migrate)
 * @internal
 */
export function resolvePoolPlacement(scope: IConstruct, placement: NodePoolPlacement | undefined, gpus: boolean): ResolvedPoolPlacement {
  checkKnownProps(scope, 'placement', placement, NODE_POOL_PLACEMENT_KEYS, 'NodePoolPlacement');
  if (placement !== undefined && (placement === null || typeof placement !== 'object')) {
    throw new KmetalValidationError(scope, 'placement', `${showValue(placement)} is not a placement`, 'give e.g. { spread: SpreadMode.REQUIRED }');
  }
  const p = placement ?? {};
  const spread = checkEnum(scope, 'placement.spread', p.spread ?? SpreadMode.PREFERRED, SpreadMode, 'SpreadMode');
  if (p.zoneLabel !== undefined && (typeof p.zoneLabel !== 'string' || !isLabelKey(p.zoneLabel))) {
    throw new KmetalValidationError(scope, 'placement.zoneLabel', `${showValue(p.zoneLabel)} is not a label key`, 'name the node label holding the zone, e.g. "topology.kubernetes.io/zone"');
  }
  if (p.zoneLabel !== undefined && spread === SpreadMode.NONE) {
    throw new KmetalValidationError(scope, 'placement.zoneLabel', 'zone spreading was asked with spread: SpreadMode.NONE', 'drop zoneLabel, or choose SpreadMode.PREFERRED or REQUIRED');
  }
  if (p.liveMigration !== undefined && typeof p.liveMigration !== 'boolean') {
    throw new KmetalValidationError(scope, 'placement.liveMigration', `${showValue(p.liveMigration)} is not true or false`, 'give a boolean');
  }
  const liveMigration = p.liveMigration ?? false;
  if (liveMigration && gpus) {
    throw new KmetalValidationError(scope, 'placement.liveMigration', 'VMs with GPUs or host devices cannot live-migrate (KubeVirt marks them HostDeviceNotLiveMigratable), so a drain would never finish',
      'drop liveMigration for this pool (its VMs restart on another host when one drains), or move the GPUs to a pool of their own');
  }
  return { spread, ...(p.zoneLabel !== undefined ? { zoneLabel: p.zoneLabel } : {}), liveMigration };
}

/**
 * The scheduling fields of a pool's VMs (`affinity`, `topologySpreadConstraints`, upstream field
 * names) for the pod labels `selector`. Empty for `SpreadMode.NONE`.
 * @internal
 */
export function vmSpreadFields(placement: ResolvedPoolPlacement, selector: { [key: string]: string }): any {
  if (placement.spread === SpreadMode.NONE) return {};
  const term = { labelSelector: { matchLabels: selector }, topologyKey: HOST_TOPOLOGY_KEY };
  const affinity = placement.spread === SpreadMode.REQUIRED
    ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
    : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
  return {
    affinity,
    ...(placement.zoneLabel ? {
      topologySpreadConstraints: [{
        maxSkew: 1,
        topologyKey: placement.zoneLabel,
        whenUnsatisfiable: placement.spread === SpreadMode.REQUIRED ? 'DoNotSchedule' : 'ScheduleAnyway',
        labelSelector: { matchLabels: selector },
      }],
    } : {}),
  };
}

/**
 * The API server pods' spread (KamajiControlPlane `deployment` fields): one topology spread
 * constraint across hosts without a labelSelector, which Kamaji fills with the Deployment's own
 * selector (so it also works for class-based clusters, whose control plane's name is generated).
 * @internal
 */
export function controlPlaneSpreadFields(spread: SpreadMode): any {
  if (spread === SpreadMode.NONE) return {};
  return {
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: HOST_TOPOLOGY_KEY,
      whenUnsatisfiable: spread === SpreadMode.REQUIRED ? 'DoNotSchedule' : 'ScheduleAnyway',
    }],
  };
}

/**
 * The etcd members' anti-affinity (kamaji-etcd chart value `affinity`), selecting the release's
 * pods by the chart's selector label.
 * @internal
 */
export function etcdAffinityValue(spread: SpreadMode, releaseName: string): any {
  if (spread === SpreadMode.NONE) return undefined;
  const term = { labelSelector: { matchLabels: { 'app.kubernetes.io/instance': releaseName } }, topologyKey: HOST_TOPOLOGY_KEY };
  return spread === SpreadMode.REQUIRED
    ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
    : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}
