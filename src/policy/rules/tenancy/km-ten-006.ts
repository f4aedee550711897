import type { PolicyContext, SynthesizedObject } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get, selectorMatches } from '../helpers';

const MANDATORY_LABEL = 'kmetal.io/mandatory-addon';

/** Options of `MandatoryAddonsRule`. */
export interface MandatoryAddonsRuleProps {
  /** Names of ClusterProfiles every tenant cluster must be selected by (besides every mandatory one). @default - the mandatory profiles only */
  readonly requiredProfiles?: string[];
}

/**
 * KM-TEN-006: every tenant cluster is selected by every mandatory add-on profile (Sveltos
 * `ClusterProfile`s labelled `kmetal.io/mandatory-addon=true`, e.g. CNI, CSI, monitoring), and the
 * platform declares at least one. Selectors are evaluated against the labels of the
 * synthesized `Cluster` objects, as Sveltos does; cost: clusters × mandatory profiles.
 */
export class MandatoryAddonsRule extends PolicyRule {
  private readonly required: string[];

  constructor(props: MandatoryAddonsRuleProps = {}) {
    super({
      id: 'KM-TEN-006',
      severity: PolicySeverity.ERROR,
      description: 'Every tenant cluster is matched by the mandatory add-ons',
      remediation: 'declare the platform\'s required add-ons as AddonProfile({ mandatory: true }) selecting every tenant cluster',
    });
    this.required = [...(props.requiredProfiles ?? [])];
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const clusters = context.objectsOfKind('Cluster', 'cluster.x-k8s.io');
    if (clusters.length === 0) return [];
    const profiles = context.objectsOfKind('ClusterProfile', 'config.projectsveltos.io');
    const byName = new Map(profiles.map((p) => [p.name, p]));
    const out: PolicyViolation[] = [];
    const mandatory: SynthesizedObject[] = profiles.filter((p) => p.labels[MANDATORY_LABEL] === 'true');
    for (const name of this.required) {
      const p = byName.get(name);
      if (!p) out.push({ message: `the required add-on profile "${name}" is not declared`, fix: `declare AddonProfile "${name}" (mandatory: true)` });
      else if (!mandatory.includes(p)) mandatory.push(p);
    }
    if (mandatory.length === 0) {
      out.push({ message: `none of the ${clusters.length} tenant clusters gets mandatory add-ons: no mandatory AddonProfile is declared` });
      return out;
    }
    for (const cl of clusters) {
      const missing = mandatory.filter((p) => !selectorMatches(get(p.json, 'spec.clusterSelector'), cl.labels)).map((p) => p.name);
      if (missing.length) {
        out.push(this.violationOf(cl, `cluster ${cl.namespace}/${cl.name} is not selected by the mandatory add-on profile(s) ${missing.join(', ')}`,
          'select every tenant cluster in the mandatory profiles (ClusterSelector.allTenantClusters()), or give the cluster the labels they select'));
      }
    }
    return out;
  }
}
