import type { ClusterState } from './cluster-state';
import type { ReconcileFinding } from '../reconcile-finding';

/** Every ClusterClass patch of every class-based cluster renders (filled in below). */
export function checkClassTemplates(_state: ClusterState): ReconcileFinding[] {
  return [];
}
