import { at, str, type UpstreamModel } from './upstream-model';
import type { ProducedObject } from '../private/cluster-state';

/** What one release-manifest artifact (pushed with `flux push artifact`, see README) holds. */
export interface ReleaseManifestContents {
  /** The component of the version matrix. */
  readonly component: string;
  /** What the artifact is built from (README "Release manifests" shows the command). */
  readonly builtFrom: string;
  /** The namespace its namespaced objects are in. */
  readonly namespace: string;
  /** Whether the artifact itself creates that namespace. */
  readonly bringsNamespace: boolean;
  /**
   * Images the artifact names without a tag (so a node pulls `:latest`, whatever the pinned
   * release): the Flux Kustomization that applies it pins them (`images`).
   */
  readonly untaggedImages: readonly string[];
}

/**
 * The release manifests the platform installs. A tree that applies one must provide its namespace
 * when the artifact does not: Flux's apply of the artifact fails otherwise, and with `wait: true`
 * every later layer waits forever.
 *
 * - kubevirt v1.9.0 `kubevirt-operator.yaml` (release asset) starts with `kind: Namespace` `kubevirt`.
 * - cdi v1.66.0 `cdi-operator.yaml` (release asset) starts with `kind: Namespace` `cdi`.
 * - baremetal-operator v0.13.2 `config/default` (kustomize; metal3-io/baremetal-operator
 *   2b3ea2e1349e config/default/kustomization.yaml sets `namespace: baremetal-operator-system` over
 *   `../base` and has no Namespace object: the Namespace is in `config/namespace`, which only
 *   `config/kustomization.yaml` adds). Tested against the pinned kustomize sources with kubectl.
 * - Ironic, `ironic-deployment/default` at the same tag: namespace `baremetal-operator-system`,
 *   no Namespace object.
 *
 * - kairos-operator v0.1.3, `config/default` of kairos-io/kairos-operator (554c054f47ae): its
 *   `namespace: operator-system` renames the Namespace `system` of `config/manager/manager.yaml`, so
 *   the artifact brings Namespace `operator-system`; it runs `quay.io/kairos/operator:v0.1.2` (tagged).
 *
 * Untagged images at 2b3ea2e1349e: `config/base/manager.yaml` runs `quay.io/metal3-io/baremetal-operator`
 * (only the e2e/fixture overlays set `newTag`); `ironic-deployment/base/ironic.yaml` runs
 * `quay.io/metal3-io/ironic` and `quay.io/metal3-io/ironic-ipa-downloader`. The KubeVirt and CDI
 * release assets name their operator images by digest or tag.
 */
export const RELEASE_MANIFESTS: readonly ReleaseManifestContents[] = [
  { component: 'kubevirt', builtFrom: 'kubevirt-operator.yaml of the kubevirt release', namespace: 'kubevirt', bringsNamespace: true, untaggedImages: [] },
  { component: 'cdi', builtFrom: 'cdi-operator.yaml of the containerized-data-importer release', namespace: 'cdi', bringsNamespace: true, untaggedImages: [] },
  { component: 'baremetal-operator', builtFrom: 'kustomize build config/default of metal3-io/baremetal-operator at the pinned tag', namespace: 'baremetal-operator-system', bringsNamespace: false, untaggedImages: ['quay.io/metal3-io/baremetal-operator'] },
  { component: 'kairos-operator', builtFrom: 'kustomize build config/default of kairos-io/kairos-operator at the pinned tag', namespace: 'operator-system', bringsNamespace: true, untaggedImages: [] },
  { component: 'ironic', builtFrom: 'kustomize build ironic-deployment/default of metal3-io/baremetal-operator at the pinned tag', namespace: 'baremetal-operator-system', bringsNamespace: false, untaggedImages: ['quay.io/metal3-io/ironic', 'quay.io/metal3-io/ironic-ipa-downloader'] },
];

/** The contents of a component's release manifests, if the platform installs it that way. */
export function releaseManifestContents(component: string): ReleaseManifestContents | undefined {
  return RELEASE_MANIFESTS.find((r) => r.component === component);
}

/** The release manifests a nested Flux Kustomization applies (its source is `<component>-manifests`). */
export function releaseManifestsApplied(
  o: { group: string; kind: string; manifest: any; layer: { bootstrap: boolean } },
): ReleaseManifestContents | undefined {
  if (o.group !== 'kustomize.toolkit.fluxcd.io' || o.kind !== 'Kustomization' || o.layer.bootstrap) return undefined;
  const source = str(at(o.manifest, 'spec', 'sourceRef', 'name'));
  return RELEASE_MANIFESTS.find((r) => source === `${r.component}-manifests`);
}

/** Release manifests: the namespaces the artifacts bring. */
export const releaseManifestsModel: UpstreamModel = {
  project: 'release manifests (kubevirt, cdi, baremetal-operator, ironic, kairos-operator)',
  produce(o): ProducedObject[] {
    const r = releaseManifestsApplied(o);
    const namespace = str(at(o.manifest, 'spec', 'targetNamespace')) ?? r?.namespace;
    return r && r.bringsNamespace && namespace ? [{ group: '', kind: 'Namespace', name: namespace, rule: `${r.component} release manifests (${r.builtFrom}) bring Namespace ${namespace}` }] : [];
  },
};
