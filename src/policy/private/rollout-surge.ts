// How many machines Cluster API creates above a MachineDeployment's size while it rolls, read from
// a rollout strategy as written (v1beta2 `spec.rollout.strategy`, or a topology entry's
// `rollout.strategy`). Shared by the capacity rule (KM-CAP-006) and `kmetal plan`. Upstream, at
// kubernetes-sigs/cluster-api v1.14.0 (560d4acf507bc7cac34b2da449fa5cd53eaeb149):
// - core/webhooks/admission/machinedeployment.go (Default): type defaults to RollingUpdate, and
//   then maxSurge to 1 and maxUnavailable to 0;
// - core/reconcilers/machinedeployment/mdutil/util.go (ResolveFenceposts): a percentage of the
//   desired replicas, the surge rounded up; `OnDelete` creates a new machine only after one is deleted;
// - same file (NewMSNewReplicas): the new MachineSet never exceeds the desired replicas, so at most
//   `desired` machines are created beyond it, whatever maxSurge says.

/** Machines created above `desired` while the deployment rolls with `strategy` (undefined: Cluster API's defaults). */
export function surgeMachines(strategy: any, desired: number): number {
  const type = strategy?.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') return 0;
  const value = strategy?.rollingUpdate?.maxSurge ?? 1;
  let surge = 0;
  if (typeof value === 'number') {
    surge = Number.isInteger(value) && value > 0 ? value : 0;
  } else if (typeof value === 'string') {
    const m = /^(\d+)%$/.exec(value);
    // A digit string is not valid for Cluster API; counted anyway, the larger case.
    surge = m ? Math.ceil((Number(m[1]) * desired) / 100) : /^\d+$/.test(value) ? Number(value) : 0;
  }
  return Math.max(0, Math.min(surge, desired));
}

/**
 * The rollout strategy a class-based pool rolls with: its topology entry's, else its worker class's
 * in the ClusterClass (the topology controller takes the topology's whole `rollout` when it sets one,
 * else the class's: exp/topology/desiredstate/desired_state.go, computeMachineDeployment, v1.14.0).
 */
export function topologyStrategy(entry: any, clusterClass: any): any {
  if (entry?.rollout?.strategy !== undefined) return entry.rollout.strategy;
  const worker = (clusterClass?.spec?.workers?.machineDeployments ?? []).find((w: any) => w?.class === entry?.class);
  return worker?.rollout?.strategy;
}
