import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { get } from '../helpers';

// An exact version (semver with optional pre-release/build); ranges, wildcards and `latest` are not.
const EXACT = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * KM-SUP-002: every chart and artifact Flux or Sveltos pulls is pinned: Flux `HelmRelease` chart
 * versions and Sveltos `ClusterProfile` chart versions are exact (no `*`, `>=`, `~`, `^` ranges),
 * Flux `OCIRepository`s pin a tag other than `latest`, a semver version or a digest.
 */
export class ChartPinnedRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-SUP-002',
      severity: PolicySeverity.ERROR,
      description: 'Helm charts and OCI artifacts are pinned to exact versions',
      remediation: 'pin the exact chart version or artifact tag/digest',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const hr of context.objectsOfKind('HelmRelease', 'helm.toolkit.fluxcd.io')) {
      const spec = get(hr.json, 'spec.chart.spec');
      if (!spec) continue; // chartRef: the referenced source pins the version
      const v = spec.version;
      if (typeof v !== 'string' || !EXACT.test(v)) {
        out.push(this.violationOf(hr, `${hr.displayName} installs chart ${spec.chart} at ${v === undefined ? 'no version (the latest)' : `version ${JSON.stringify(v)}`}, not an exact version`));
      }
    }
    for (const repo of context.objectsOfKind('OCIRepository', 'source.toolkit.fluxcd.io')) {
      const ref = get(repo.json, 'spec.ref') ?? {};
      const pinned = (typeof ref.digest === 'string' && ref.digest !== '') || (typeof ref.semver === 'string' && EXACT.test(ref.semver))
        || (typeof ref.tag === 'string' && ref.tag !== '' && ref.tag !== 'latest');
      if (!pinned) out.push(this.violationOf(repo, `${repo.displayName} follows ${ref.semver ? `the range ${JSON.stringify(ref.semver)}` : ref.tag ? 'tag "latest"' : 'no tag (latest)'}`));
    }
    for (const p of context.objectsOfKind('ClusterProfile', 'config.projectsveltos.io')) {
      for (const c of get(p.json, 'spec.helmCharts') ?? []) {
        if (typeof c?.chartVersion !== 'string' || !EXACT.test(c.chartVersion)) {
          out.push(this.violationOf(p, `${p.displayName} installs chart ${c?.chartName} at ${JSON.stringify(c?.chartVersion)}, not an exact version`));
        }
      }
    }
    return out;
  }
}
