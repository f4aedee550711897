/**
 * The annotation by which an object says which of the objects it references are created outside the
 * tree (a Secret made with SOPS, by hand or by a tool the tree does not show): a comma-separated list
 * of `Kind/name` (same namespace) or `Kind/namespace/name`. The reconcile check reports such
 * references as `info` instead of dangling.
 */
export const OUT_OF_BAND_ANNOTATION = 'reconcile.kmetal.io/out-of-band';

/**
 * The annotation by which an object says its selector may select nothing today (value: the reason).
 * The reconcile check then does not report the empty selection.
 */
export const ALLOW_EMPTY_SELECTION_ANNOTATION = 'reconcile.kmetal.io/allow-empty-selection';
