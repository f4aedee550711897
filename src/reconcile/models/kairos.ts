import { releaseManifestsApplied } from './release-manifests';
import type { UpstreamModel } from './upstream-model';
import { findingOn } from '../private/cluster-state';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';

/**
 * Kairos: an OSArtifact is built by the Kairos operator (kairos-io/kairos-operator v0.1.3
 * `internal/controller/osartifact_controller.go` reconciles build.kairos.io OSArtifacts); without
 * it nothing builds the node image, and bare-metal hosts and VMs wait for a disk image that never
 * appears.
 */
export const kairosModel: UpstreamModel = {
  project: 'kairos-operator v0.1.3',
  check(state): ReconcileFinding[] {
    const artifacts = state.objects.filter((o) => o.group === 'build.kairos.io' && o.kind === 'OSArtifact');
    if (artifacts.length === 0) return [];
    if (state.objects.some((o) => releaseManifestsApplied(o)?.component === 'kairos-operator')) return [];
    return [findingOn(state, artifacts[0], {
      severity: ReconcileSeverity.ERROR,
      code: 'dangling-reference',
      field: 'spec',
      target: 'kairos-operator',
      message: `${artifacts.length} OSArtifact(s) on cluster "${state.cluster}", but nothing installs the Kairos operator there: no node image is ever built`,
      fix: 'set PlatformUnderCluster kairosOperator: true (installs the kairos-operator release manifests), or install the operator yourself',
      rule: 'kairos-operator v0.1.3: OSArtifacts are built by its controller',
    })];
  },
};
