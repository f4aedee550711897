/**
 * Labels that say an object belongs to a kmetal app, for `kmetal drift`'s orphan search.
 *
 * The library's own labels: `app.kubernetes.io/managed-by: cdk8s-kmetal` (the recommended
 * Kubernetes label, naming the tool) and `kmetal.io/app: <app name>` (which of possibly several
 * apps on one cluster). The Flux tree writer does not stamp them yet (see the CLI's README section);
 * until it does, orphans are found through the labels Flux's kustomize-controller puts on every
 * object it applies, which name the Flux Kustomization (one per layer of the tree).
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Value of `app.kubernetes.io/managed-by` on objects of this library. */
export const MANAGED_BY_VALUE = 'cdk8s-kmetal';
/** Label naming the app (the Flux tree) an object belongs to. */
export const APP_LABEL = 'kmetal.io/app';
/** Set by Flux's kustomize-controller: name of the Kustomization that applied the object. */
export const FLUX_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
/** Set by Flux's kustomize-controller: namespace of that Kustomization. */
export const FLUX_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

/** `cluster.x-k8s.io/v1beta2` → `cluster.x-k8s.io`, `v1` → `''`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
