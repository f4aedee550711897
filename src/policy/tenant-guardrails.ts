import type { PlatformUnderCluster } from '../platform/platform-under-cluster';
import { VersionMatrix } from '../platform/version-matrix';
import { AUTOSCALER_MAX_SIZE_ANNOTATION } from '../tenancy/cluster-api-annotations';
import { PlatformBoundaries } from '../tenancy/governance/platform-boundaries';
import { KmetalValidationError } from '../util/errors';

/** Props of `TenantGuardrails`. */
export interface TenantGuardrailsProps {
  /**
   * Kubernetes versions tenant clusters may run: minors (`v1.33`, any patch) or exact releases
   * (`v1.33.2`), each within the range the pinned Kamaji supports.
   * @default - every minor the pinned Kamaji supports (`VersionMatrix.KAMAJI_KUBERNETES`)
   */
  readonly allowedKubernetesVersions?: string[];
  /** Fewest API server replicas of a tenant control plane. @default 2 */
  readonly minControlPlaneReplicas?: number;
  /** Most API server replicas of a tenant control plane. @default 5 */
  readonly maxControlPlaneReplicas?: number;
  /** Most worker VMs of one pool (`replicas`, or the autoscaler's maximum). @default - no limit */
  readonly maxReplicasPerPool?: number;
  /** Tenant control planes must run konnectivity (hosted control planes need it to reach kubelets). @default true */
  readonly requireKonnectivity?: boolean;
}

/** One CEL validation of an admission rule. */
export interface GuardrailValidation {
  /** CEL expression over `object` (true: admitted). */
  readonly expression: string;
  /** Message of a denial. */
  readonly message: string;
}

/** The validations of one kind, as a `ValidatingAdmissionPolicy` needs them. */
export interface GuardrailRule {
  /** Short name, used in the policy's name (e.g. `cluster`). */
  readonly name: string;
  /** API group of the kind. */
  readonly apiGroup: string;
  /** API versions matched. */
  readonly apiVersions: string[];
  /** Resource (plural) of the kind. */
  readonly resource: string;
  /** Kind. */
  readonly kind: string;
  /** The validations, all of which must hold. */
  readonly validations: GuardrailValidation[];
}

// Kamaji's CRD defaults spec.replicas to 2, and the API server defaults before admission: the CEL
// expressions spell the default out so that they and the synth-time rules read a missing value alike.
const CRD_DEFAULT_CONTROL_PLANE_REPLICAS = 2;
const AUTOSCALER_MAX = AUTOSCALER_MAX_SIZE_ANNOTATION;

/**
 * The boundaries of a tenant cluster, declared once and enforced twice: at synth time by the
 * `PlatformPolicyPack` rules (KM-TEN-001, KM-TEN-002, KM-TEN-003, KM-TEN-009) and at runtime, for objects created
 * outside git, by the `ValidatingAdmissionPolicy` objects `AdmissionGuardrails` emits from
 * `rules()`. Both read the same settings, and the tests evaluate the CEL against the same objects as
 * the synth rules, so the two cannot drift apart.
 */
export class TenantGuardrails {
  /**
   * Guardrails following a platform: its allowed Kubernetes minors, and the `PlatformBoundaries`
   * that apply to it (allowed versions, pool size), narrowed further by `props`.
   *
   * @param platform the platform
   * @param props further limits
   */
  public static fromPlatform(platform: PlatformUnderCluster, props: TenantGuardrailsProps = {}): TenantGuardrails {
    const boundaries = PlatformBoundaries.of(platform)?.limits;
    const sets = [platform.allowedKubernetesMinors, boundaries?.allowedKubernetesVersions, props.allowedKubernetesVersions]
      .filter((s): s is string[] => !!s);
    return new TenantGuardrails({
      ...props,
      allowedKubernetesVersions: intersectVersions(sets),
      maxReplicasPerPool: props.maxReplicasPerPool ?? boundaries?.maxReplicasPerPool,
    });
  }

  /** Allowed versions, normalized (`v1.33`, `v1.33.2`), sorted. */
  public readonly allowedKubernetesVersions: string[];
  /** Fewest API server replicas. */
  public readonly minControlPlaneReplicas: number;
  /** Most API server replicas. */
  public readonly maxControlPlaneReplicas: number;
  /** Most worker VMs per pool, if limited. */
  public readonly maxReplicasPerPool?: number;
  /** Whether konnectivity is required. */
  public readonly requireKonnectivity: boolean;

  constructor(props: TenantGuardrailsProps = {}) {
    const range = VersionMatrix.KAMAJI_KUBERNETES;
    const given = props.allowedKubernetesVersions ?? Array.from({ length: range.maxMinor - range.minMinor + 1 }, (_, i) => `v1.${range.minMinor + i}`);
    this.allowedKubernetesVersions = [...new Set(given.map((v) => {
      const m = /^v?1\.(\d+)(\.\d+)?$/.exec(String(v ?? '').trim());
      if (!m) throw new KmetalValidationError('TenantGuardrails', 'allowedKubernetesVersions', `${JSON.stringify(v)} is neither a minor nor a release`, 'write minors like "v1.33" or releases like "v1.33.2"');
      const minor = Number(m[1]);
      if (minor < range.minMinor || minor > range.maxMinor) {
        throw new KmetalValidationError('TenantGuardrails', 'allowedKubernetesVersions', `${v} is outside what the pinned Kamaji supports`, `allow versions from v1.${range.minMinor} to v1.${range.maxMinor}`);
      }
      return `v1.${minor}${m[2] ?? ''}`;
    }))].sort();
    if (this.allowedKubernetesVersions.length === 0) throw new KmetalValidationError('TenantGuardrails', 'allowedKubernetesVersions', 'the list is empty, which would refuse every cluster', 'allow at least one version, or leave it unset for every version the pinned Kamaji supports');
    this.minControlPlaneReplicas = count('minControlPlaneReplicas', props.minControlPlaneReplicas ?? 2, 1);
    this.maxControlPlaneReplicas = count('maxControlPlaneReplicas', props.maxControlPlaneReplicas ?? 5, this.minControlPlaneReplicas);
    if (props.maxReplicasPerPool !== undefined) this.maxReplicasPerPool = count('maxReplicasPerPool', props.maxReplicasPerPool, 1);
    this.requireKonnectivity = props.requireKonnectivity ?? true;
  }

  /**
   * Whether a tenant cluster may run a version (`v1.33.2`): exactly the test the admission policy makes.
   *
   * @param version the version as written in the object
   */
  public allowsVersion(version: string): boolean {
    return this.allowedKubernetesVersions.some((a) => version === a || version.startsWith(`${a}.`));
  }

  /**
   * The API server replica count an object ends up with (the CRD default when unset).
   *
   * @param replicas the value in the object, if any
   */
  public effectiveControlPlaneReplicas(replicas?: number): number {
    return replicas ?? CRD_DEFAULT_CONTROL_PLANE_REPLICAS;
  }

  /**
   * Whether a control plane with this many replicas is within the guardrails (unset: the CRD default).
   *
   * @param replicas the value in the object, if any
   */
  public allowsControlPlaneReplicas(replicas?: number): boolean {
    const n = this.effectiveControlPlaneReplicas(replicas);
    return n >= this.minControlPlaneReplicas && n <= this.maxControlPlaneReplicas;
  }

  /**
   * Whether a pool of at most this many VMs is within the guardrails.
   *
   * @param replicas the pool's most VMs
   */
  public allowsPoolSize(replicas: number): boolean {
    return this.maxReplicasPerPool === undefined || replicas <= this.maxReplicasPerPool;
  }

  /** The admission rules (CEL) enforcing these guardrails, one per kind. */
  public rules(): GuardrailRule[] {
    const versions = `[${this.allowedKubernetesVersions.map((v) => `'${v}'`).join(', ')}]`;
    const allowed = (field: string) => `${versions}.exists(v, ${field} == v || ${field}.startsWith(v + '.'))`;
    const versionText = this.allowedKubernetesVersions.join(', ');
    const min = this.minControlPlaneReplicas;
    const max = this.maxControlPlaneReplicas;
    const replicas = (field: string, has: string) => `(${has} ? ${field} : ${CRD_DEFAULT_CONTROL_PLANE_REPLICAS})`;
    const cpReplicas = (r: string) => `${r} >= ${min} && ${r} <= ${max}`;
    const pool = this.maxReplicasPerPool;
    const topo = 'object.spec.topology';

    const cluster: GuardrailValidation[] = [
      { expression: `!has(${topo}) || !has(${topo}.version) || ${allowed(`${topo}.version`)}`, message: `spec.topology.version must be one of the platform's Kubernetes versions (${versionText})` },
      {
        expression: `!has(${topo}) || !has(${topo}.controlPlane) || (${cpReplicas(replicas(`${topo}.controlPlane.replicas`, `has(${topo}.controlPlane.replicas)`))})`,
        message: `spec.topology.controlPlane.replicas must be between ${min} and ${max}`,
      },
    ];
    if (pool !== undefined) {
      cluster.push({
        expression: `!has(${topo}) || !has(${topo}.workers) || !has(${topo}.workers.machineDeployments) || ${topo}.workers.machineDeployments.all(md, `
          + `(!has(md.replicas) || md.replicas <= ${pool}) && (!has(md.metadata) || !has(md.metadata.annotations) `
          + `|| !('${AUTOSCALER_MAX}' in md.metadata.annotations) || int(md.metadata.annotations['${AUTOSCALER_MAX}']) <= ${pool}))`,
        message: `a machine deployment of spec.topology.workers may have at most ${pool} replicas (or autoscaler maximum)`,
      });
    }
    const kcp: GuardrailValidation[] = [
      { expression: `!has(object.spec.version) || ${allowed('object.spec.version')}`, message: `spec.version must be one of the platform's Kubernetes versions (${versionText})` },
      { expression: cpReplicas(replicas('object.spec.replicas', 'has(object.spec.replicas)')), message: `spec.replicas must be between ${min} and ${max}` },
    ];
    const rules: GuardrailRule[] = [
      { name: 'cluster', apiGroup: 'cluster.x-k8s.io', apiVersions: ['v1beta2'], resource: 'clusters', kind: 'Cluster', validations: cluster },
      { name: 'kamaji-control-plane', apiGroup: 'controlplane.cluster.x-k8s.io', apiVersions: ['v1alpha2'], resource: 'kamajicontrolplanes', kind: 'KamajiControlPlane', validations: kcp },
    ];
    if (this.requireKonnectivity) {
      kcp.push({ expression: 'has(object.spec.addons) && has(object.spec.addons.konnectivity)', message: 'spec.addons.konnectivity must be set: hosted control planes reach kubelets through konnectivity' });
      rules.push({
        name: 'kamaji-control-plane-template',
        apiGroup: 'controlplane.cluster.x-k8s.io',
        apiVersions: ['v1alpha2'],
        resource: 'kamajicontrolplanetemplates',
        kind: 'KamajiControlPlaneTemplate',
        validations: [{ expression: 'has(object.spec.template.spec.addons) && has(object.spec.template.spec.addons.konnectivity)', message: 'spec.template.spec.addons.konnectivity must be set: hosted control planes reach kubelets through konnectivity' }],
      });
    }
    const md: GuardrailValidation[] = [
      { expression: `!has(object.spec.template.spec.version) || ${allowed('object.spec.template.spec.version')}`, message: `spec.template.spec.version must be one of the platform's Kubernetes versions (${versionText})` },
    ];
    if (pool !== undefined) {
      md.push({ expression: `!has(object.spec.replicas) || object.spec.replicas <= ${pool}`, message: `spec.replicas may be at most ${pool}` });
      md.push({
        expression: `!has(object.metadata.annotations) || !('${AUTOSCALER_MAX}' in object.metadata.annotations) || int(object.metadata.annotations['${AUTOSCALER_MAX}']) <= ${pool}`,
        message: `the autoscaler maximum (${AUTOSCALER_MAX}) may be at most ${pool}`,
      });
    }
    rules.push({ name: 'machine-deployment', apiGroup: 'cluster.x-k8s.io', apiVersions: ['v1beta2'], resource: 'machinedeployments', kind: 'MachineDeployment', validations: md });
    return rules;
  }
}

function count(field: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new KmetalValidationError('TenantGuardrails', field, `${JSON.stringify(v)} is not a whole number of at least ${min}`, `give a whole number of at least ${min}`);
  return v;
}

function matches(version: string, allowed: string[]): boolean {
  return allowed.some((a) => version === a || version.startsWith(`${a}.`));
}

/** Versions allowed by every set: an exact release allowed by all, or a minor allowed by all. */
function intersectVersions(sets: string[][]): string[] {
  const norm = sets.map((s) => s.map((v) => (v.startsWith('v') ? v : `v${v}`)));
  const candidates = [...new Set(norm.flat())];
  return candidates.filter((c) => norm.every((set) => matches(c, set))).sort();
}
