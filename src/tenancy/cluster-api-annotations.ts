// Annotation keys Cluster API's controllers read, in one place for the constructs that write them
// and the rules and `kmetal plan` that read them (cluster-api v1.14.0, commit 560d4acf,
// api/core/v1beta2/common_types.go; the autoscaler's keys from the Cluster API provider of
// kubernetes/autoscaler, cloudprovider/clusterapi/README.md).

/** The autoscaler's lower bound on a MachineDeployment (or its topology entry). */
export const AUTOSCALER_MIN_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
/** The autoscaler's upper bound on a MachineDeployment (or its topology entry). */
export const AUTOSCALER_MAX_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';

/**
 * On a topology entry (`Cluster.spec.topology.workers.machineDeployments[].metadata`): the
 * topology controller does not upgrade that MachineDeployment while the annotation is there
 * (exp/topology/desiredstate/desired_state.go isMachineDeploymentDeferred).
 */
export const DEFER_UPGRADE_ANNOTATION = 'topology.cluster.x-k8s.io/defer-upgrade';
/** On a topology entry: holds the upgrade of that entry and of every entry after it in the list. */
export const HOLD_UPGRADE_SEQUENCE_ANNOTATION = 'topology.cluster.x-k8s.io/hold-upgrade-sequence';
/**
 * On a class-based Cluster: how many of its MachineDeployments upgrade at once. The Cluster
 * webhook takes a whole number of at least 1 (core/webhooks/admission/cluster.go); without it the
 * topology controller upgrades one at a time (exp/topology/scope/upgradetracker.go NewUpgradeTracker).
 */
export const UPGRADE_CONCURRENCY_ANNOTATION = 'topology.cluster.x-k8s.io/upgrade-concurrency';

/**
 * Whether a topology entry's upgrade is held, by its own annotations or a hold on an entry before
 * it: the rule of isMachineDeploymentDeferred, for `kmetal plan` and the reports.
 */
export function topologyEntryDeferred(entries: ReadonlyArray<any>, index: number): boolean {
  const has = (e: any, key: string) => typeof e?.metadata?.annotations === 'object' && e.metadata.annotations !== null && key in e.metadata.annotations;
  if (has(entries[index], DEFER_UPGRADE_ANNOTATION)) return true;
  for (let i = 0; i <= index; i++) if (has(entries[i], HOLD_UPGRADE_SEQUENCE_ANNOTATION)) return true;
  return false;
}
