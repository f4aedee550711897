import { IConstruct } from 'constructs';
import { PolicyPack } from './policy-pack';
import { IPolicyRule } from './policy-rule';
import { PruneProtection } from './prune-protection';
import {
  BmcCredentialsReferenceRule, BmcTlsVerificationRule, CapacityPolicyOptions, ChartPinnedRule, ControlPlaneHostLossRule, ControlPlaneReplicasRule,
  CredentialValuesRule, DedicatedDataStoreRule, EtcdQuorumRule, GovernedTenantRule, GpuCapacityRule, GpuQuotaRule, SurgeCapacityRule,
  GuardrailsAdmitOutputRule, ImagePinnedRule, KonnectivityRule, KubernetesVersionRule, MandatoryAddonsRule, PeeredVpcOverlapRule,
  PoolSizeRule, PoolSpreadRule, PruneProtectedRule, SubnetOverlapInVpcRule, TenantSubnetPlaneRule, ValidatedComponentsRule, VipDuplicateRule,
  VipPoolExhaustedRule, VipPoolNearlyExhaustedRule, VmCapacityRule,
} from './rules';
import { resolveCapacityOptions } from './rules/capacity/fleet-capacity';
import { StatefulKind } from './stateful-objects';
import { TenantGuardrails } from './tenant-guardrails';
import { parseCidr } from '../util/cidr';
import { KmetalValidationError } from '../util/errors';

/** Props of `PlatformPolicyPack`. */
export interface PlatformPolicyPackProps {
  /**
   * Tenant boundaries (versions, control-plane replicas, konnectivity, pool size); pass the same
   * object to `AdmissionGuardrails` to enforce them at runtime too.
   * @default - each tenant's platform's (`TenantGuardrails.fromPlatform`), else the defaults
   */
  readonly guardrails?: TenantGuardrails;
  /** How capacity is compared (overcommit, reserves, VM hosts, GPU models). @default - see `CapacityPolicyOptions` */
  readonly capacity?: CapacityPolicyOptions;
  /** Add-on profiles every tenant cluster must be selected by, besides the mandatory ones. @default - the mandatory profiles */
  readonly requiredAddonProfiles?: string[];
  /** Share of a VIP pool in use from which KM-NET-006 warns. @default 0.9 */
  readonly vipPoolWarnAtUsage?: number;
  /** Management ranges besides those of the app's NetworkPlanes (KM-NET-003). @default - none */
  readonly additionalManagementCidrs?: string[];
  /**
   * Protect stateful objects under the scope the pack is attached to from Flux pruning
   * (`PruneProtection.applyTo`).
   * @default true
   */
  readonly pruneProtection?: boolean;
  /** Stateful kinds besides `StatefulObjects.DEFAULT_KINDS` (prune protection and KM-DATA-001). @default - none */
  readonly additionalStatefulKinds?: StatefulKind[];
  /** Rule ids to leave out of the pack (prefer suppressions, which need a reason and are reported). @default - none */
  readonly excludeRules?: string[];
}

/**
 * The built-in rules for a kMetal platform (`kmetal-platform`): network (KM-NET), tenancy
 * (KM-TEN), capacity (KM-CAP), secrets and supply chain (KM-SEC, KM-SUP), bare metal (KM-BM) and
 * data (KM-DATA). Attached to the App, it also protects stateful objects from Flux pruning.
 *
 * ```ts
 * Policy.of(app).addPack(new PlatformPolicyPack({ capacity: { cpuOvercommitRatio: 4 } }));
 * ```
 *
 * Many rules repeat what constructors already refuse: here they are the whole-platform second
 * line, reading the synthesized objects, so objects changed or added through escape hatches are
 * checked too.
 */
export class PlatformPolicyPack extends PolicyPack {
  private readonly protect: boolean;
  private readonly statefulKinds: StatefulKind[];

  constructor(props: PlatformPolicyPackProps = {}) {
    super({ name: 'kmetal-platform', description: 'Safety, capacity and hygiene of a kMetal platform' });
    resolveCapacityOptions(props.capacity);
    // The rules check these too; checked here first so that the error names the pack's own props.
    const usage = props.vipPoolWarnAtUsage;
    if (usage !== undefined && !(typeof usage === 'number' && usage > 0 && usage <= 1)) {
      throw new KmetalValidationError('PlatformPolicyPack', 'vipPoolWarnAtUsage', `${JSON.stringify(usage)} is not a share between 0 and 1`, 'give a share such as 0.8 (warn at 80 % use)');
    }
    for (const [i, c] of (props.additionalManagementCidrs ?? []).entries()) {
      if (typeof c !== 'string' || !parseCidr(c)) {
        throw new KmetalValidationError('PlatformPolicyPack', `additionalManagementCidrs[${i}]`, `${JSON.stringify(c)} is not a CIDR`, 'write IPv4 ranges such as "192.168.10.0/24"');
      }
    }
    const g = { guardrails: props.guardrails };
    const rules: IPolicyRule[] = [
      new SubnetOverlapInVpcRule(),
      new PeeredVpcOverlapRule(),
      new TenantSubnetPlaneRule({ additionalManagementCidrs: props.additionalManagementCidrs }),
      new VipDuplicateRule(),
      new VipPoolExhaustedRule(),
      new VipPoolNearlyExhaustedRule({ warnAtUsage: props.vipPoolWarnAtUsage }),
      new KubernetesVersionRule(g),
      new ControlPlaneReplicasRule(g),
      new KonnectivityRule(g),
      new DedicatedDataStoreRule(),
      new GovernedTenantRule(),
      new MandatoryAddonsRule({ requiredProfiles: props.requiredAddonProfiles }),
      new EtcdQuorumRule(),
      new GuardrailsAdmitOutputRule(),
      new PoolSizeRule(g),
      new VmCapacityRule(props.capacity),
      new GpuCapacityRule(props.capacity),
      new GpuQuotaRule(props.capacity),
      new PoolSpreadRule(props.capacity),
      new ControlPlaneHostLossRule(props.capacity),
      new SurgeCapacityRule(props.capacity),
      new CredentialValuesRule(),
      new ImagePinnedRule(),
      new ChartPinnedRule(),
      new ValidatedComponentsRule(),
      new BmcTlsVerificationRule(),
      new BmcCredentialsReferenceRule(),
      new PruneProtectedRule({ additionalKinds: props.additionalStatefulKinds }),
    ];
    const excluded = new Set(props.excludeRules ?? []);
    const ids = new Set(rules.map((r) => r.id));
    for (const id of excluded) {
      if (!ids.has(id)) throw new KmetalValidationError('PlatformPolicyPack', 'excludeRules', `${JSON.stringify(id)} is not a rule of the pack`, `name rules the pack has: ${[...ids].join(', ')}`);
    }
    for (const r of rules) if (!excluded.has(r.id)) this.addRule(r);
    this.protect = props.pruneProtection ?? true;
    this.statefulKinds = [...(props.additionalStatefulKinds ?? [])];
  }

  /** Applies the prune protection where the pack is attached (unless turned off). */
  public onAttach(scope: IConstruct): void {
    if (this.protect) PruneProtection.applyTo(scope, { additionalKinds: this.statefulKinds });
  }
}
