// A set of labels (a selector's matchLabels, a pool's hostSelector) in one canonical form, so that
// writing it and grouping by it agree whatever order the keys were declared in.

/** The labels with their keys sorted (for output that must not depend on declaration order). */
export function sortedLabels(labels: { readonly [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** A text equal for two label sets exactly when they hold the same keys with the same values. */
export function labelSetKey(labels: { readonly [key: string]: string } | undefined): string {
  return JSON.stringify(Object.entries(sortedLabels(labels ?? {})));
}
