import { at, list, refs, str, type UpstreamModel } from './upstream-model';
import type { ClusterObject, ObjectReference, ProducedObject } from '../private/cluster-state';

const KS = 'kustomize.toolkit.fluxcd.io';
const HELM = 'helm.toolkit.fluxcd.io';
const SOURCE = 'source.toolkit.fluxcd.io';

// flux2 v2.9.4 cmd/flux/bootstrap*.go (via pkg/bootstrap): `flux bootstrap` installs Flux into its
// namespace and creates the GitRepository `flux-system` there, which the root Kustomization reads.
const BOOTSTRAP_RULE = 'flux2 v2.9.4 flux bootstrap: creates namespace flux-system and GitRepository flux-system/flux-system';
// helm-controller v1.5.3 (61606cd29a11) internal/action/install.go L88-103: `install.createNamespace`
// takes effect only with `spec.targetNamespace`, and then creates that namespace; without a target
// namespace the flag is ignored (the release goes to the HelmRelease's namespace, which must exist).
const CREATE_NAMESPACE_RULE = 'helm-controller v1.5.3 internal/action/install.go: install.createNamespace creates spec.targetNamespace (ignored without one)';

/** The namespace a HelmRelease installs its chart into (helm-controller `GetReleaseNamespace`). */
export function helmReleaseNamespace(o: ClusterObject): string {
  return str(at(o.manifest, 'spec', 'targetNamespace')) ?? o.namespace ?? 'default';
}

/**
 * The Helm release name helm-controller uses (api/v2 `GetReleaseName`): `spec.releaseName`, else
 * `<targetNamespace>-<name>` when a target namespace is set, else the HelmRelease's name.
 */
export function helmReleaseName(o: ClusterObject): string {
  const explicit = str(at(o.manifest, 'spec', 'releaseName'));
  if (explicit) return explicit;
  const target = str(at(o.manifest, 'spec', 'targetNamespace'));
  return target ? `${target}-${o.name}` : o.name;
}

/** The chart a HelmRelease installs (`spec.chart.spec.chart`). */
export function helmReleaseChart(o: ClusterObject): string | undefined {
  return str(at(o.manifest, 'spec', 'chart', 'spec', 'chart'));
}

// Kustomizations and HelmReleases apply to a remote cluster through the same `spec.kubeConfig.secretRef`.
function kubeConfigSecret(o: ClusterObject, consequence: string, rule: string): ObjectReference | undefined {
  const ref = at(o.manifest, 'spec', 'kubeConfig', 'secretRef');
  if (!str(ref?.name)) return undefined;
  return { field: 'spec.kubeConfig.secretRef', group: '', kinds: ['Secret'], namespace: o.namespace, name: ref.name, key: str(ref.key), consequence, rule };
}

/** Flux: Kustomization and HelmRelease references, bootstrap, createNamespace. */
export const fluxModel: UpstreamModel = {
  project: 'Flux v2.9.4',

  produce(o): ProducedObject[] {
    if (o.group === KS && o.kind === 'Kustomization' && o.layer.bootstrap && o.tree.file.startsWith('bootstrap/')) {
      const ref = at(o.manifest, 'spec', 'sourceRef');
      // The root Kustomization is applied by hand once; the source it reads is made by the same
      // bootstrap (flux bootstrap's GitRepository flux-system, or the user's own source for a custom sourceRef).
      const out: ProducedObject[] = [{ group: '', kind: 'Namespace', name: o.namespace ?? 'flux-system', rule: BOOTSTRAP_RULE, createIfAbsent: true }];
      if (str(ref?.name)) {
        out.push({ group: SOURCE, kind: str(ref.kind) ?? 'GitRepository', namespace: str(ref.namespace) ?? o.namespace, name: ref.name, rule: BOOTSTRAP_RULE, createIfAbsent: true });
      }
      return out;
    }
    const target = str(at(o.manifest, 'spec', 'targetNamespace'));
    if (o.group === HELM && o.kind === 'HelmRelease' && target && at(o.manifest, 'spec', 'install', 'createNamespace') === true) {
      return [{ group: '', kind: 'Namespace', name: target, rule: CREATE_NAMESPACE_RULE, createIfAbsent: true }];
    }
    return [];
  },

  references(o): ObjectReference[] {
    const m = o.manifest;
    if (o.group === KS && o.kind === 'Kustomization') {
      const rule = 'kustomize-controller api/v1 KustomizationSpec: sourceRef and dependsOn (namespace defaults to the Kustomization\'s)';
      const src = at(m, 'spec', 'sourceRef');
      return refs([
        src && { field: 'spec.sourceRef', group: SOURCE, kinds: [str(src.kind) ?? 'GitRepository'], namespace: str(src.namespace) ?? o.namespace, name: src.name, consequence: 'Flux reports "Source not found" and applies nothing', rule },
        ...list(at(m, 'spec', 'dependsOn')).map((d, i) => ({
          field: `spec.dependsOn[${i}]`,
          group: KS,
          kinds: ['Kustomization'],
          namespace: str(d?.namespace) ?? o.namespace,
          name: d?.name,
          consequence: 'Flux waits for it forever ("dependency not found")',
          rule,
        })),
        kubeConfigSecret(o, 'Flux cannot reach the remote cluster', rule),
      ]);
    }
    if (o.group === HELM && o.kind === 'HelmRelease') {
      const rule = 'helm-controller api/v2 HelmReleaseSpec: chart.spec.sourceRef, chartRef, dependsOn, valuesFrom (namespace defaults to the HelmRelease\'s)';
      const src = at(m, 'spec', 'chart', 'spec', 'sourceRef');
      const chartRef = at(m, 'spec', 'chartRef');
      return refs([
        src && { field: 'spec.chart.spec.sourceRef', group: SOURCE, kinds: [str(src.kind) ?? 'HelmRepository'], namespace: str(src.namespace) ?? o.namespace, name: src.name, consequence: 'the chart is never fetched; the release stays not ready', rule },
        chartRef && { field: 'spec.chartRef', group: SOURCE, kinds: [str(chartRef.kind) ?? 'OCIRepository'], namespace: str(chartRef.namespace) ?? o.namespace, name: chartRef.name, consequence: 'the chart is never fetched; the release stays not ready', rule },
        ...list(at(m, 'spec', 'dependsOn')).map((d, i) => ({
          field: `spec.dependsOn[${i}]`,
          group: HELM,
          kinds: ['HelmRelease'],
          namespace: str(d?.namespace) ?? o.namespace,
          name: d?.name,
          consequence: 'helm-controller waits for it forever',
          rule,
        })),
        ...list(at(m, 'spec', 'valuesFrom')).filter((v) => v?.optional !== true).map((v, i) => ({
          field: `spec.valuesFrom[${i}]`,
          group: '',
          kinds: [str(v?.kind) ?? 'ConfigMap'],
          namespace: o.namespace,
          name: v?.name,
          key: str(v?.valuesKey) ?? 'values.yaml',
          consequence: 'the release fails ("could not find ... valuesFrom")',
          rule,
        })),
        kubeConfigSecret(o, 'helm-controller cannot reach the remote cluster', rule),
      ]);
    }
    return [];
  },
};
