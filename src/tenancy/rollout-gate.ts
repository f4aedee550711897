// The Flux gate between two rollout waves: one Kustomization per wave (but the last) whose health
// checks are the wave's Cluster objects; the units of the next wave's clusters depend on it. So a
// change reaches wave n+1 only once Flux finds every cluster of wave n healthy, with N + M edges
// (each cluster's unit depends on one gate) instead of N × M. Internal to RolloutPlan.
import * as crypto from 'crypto';
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { RolloutPlan, RolloutWave } from './rollout-plan';
import type { TenantCluster } from './tenant-cluster';
import { GitOpsHealthCheck, GitOpsHealthCheckExpression, GitOpsUnit } from '../gitops/gitops-unit';
import { FleetRegistry } from './governance/fleet-registry';

/**
 * Flux cannot judge a Cluster API v1beta2 Cluster with kstatus: kstatus reads the Reconciling and
 * Stalled conditions, then a `Ready` one (fluxcd/cli-utils pkg/kstatus/status/status.go, Compute,
 * v1.2.1 967855fb), and a v1beta2 Cluster has neither (api/core/v1beta2/cluster_types.go at
 * kubernetes-sigs/cluster-api v1.14.0, 560d4acf), so kstatus would call it current at once. The
 * expressions read the v1beta2 conditions instead (same file): `Available` (control plane and
 * workers available), `TopologyReconciled` (False while an upgrade is pending, reason
 * `ReconcileFailed` when the topology controller fails) and `WorkerMachinesUpToDate` (False while
 * workers roll; True with reason NoReplicas when there are none). Flux's `healthCheckExprs`:
 * docs/spec/v1/kustomizations.md of fluxcd/kustomize-controller v1.9.4 (1324b615).
 */
export const CLUSTER_HEALTH: GitOpsHealthCheckExpression = {
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'Cluster',
  current: ['Available', 'TopologyReconciled', 'WorkerMachinesUpToDate'].map((t) => `status.conditions.exists(c, c.type == '${t}' && c.status == 'True')`).join(' && '),
  failed: "status.conditions.exists(c, c.type == 'TopologyReconciled' && c.status == 'False' && c.reason == 'ReconcileFailed')",
};

/** A Kustomization name of at most 63 characters, with a digest when the plain one is longer. */
function gateName(className: string, namespace: string, wave: string): string {
  const plain = `rollout-${className}-${wave}`;
  if (plain.length <= 63) return plain;
  const digest = crypto.createHash('sha256').update(`${namespace}/${className}/${wave}`).digest('hex').slice(0, 8);
  return `${plain.slice(0, 54).replace(/-+$/, '')}-${digest}`;
}

/** The gate after one wave. @internal */
export class RolloutGate extends GitOpsUnit {
  constructor(scope: Construct, id: string, private readonly plan: RolloutPlan, private readonly wave: RolloutWave, cluster: string | undefined) {
    const cc = plan.clusterClass;
    super(scope, id, {
      path: `rollout/${cc.namespace}/${cc.className}/${wave.name}`,
      kustomizationName: gateName(cc.className, cc.namespace, wave.name),
      ...(cluster !== undefined ? { cluster } : {}),
      interval: '5m',
      // Clusters take minutes to upgrade: the gate reports not ready, then tries again.
      timeout: '10m',
    });
    this.addHealthCheckExpression(CLUSTER_HEALTH);
    // What Flux applies for the gate: a record of the wave, in the class's namespace (so the gate
    // comes after the class's unit, which creates that namespace).
    const record = new ApiObject(this, 'Wave', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: gateName(cc.className, cc.namespace, wave.name), namespace: cc.namespace, labels: { 'kmetal.io/rollout-wave': wave.name } },
      data: {
        clusterClass: cc.className,
        wave: wave.name,
        clusters: Lazy.any({ produce: () => this.clusters().map((c) => `${c.namespace}/${c.clusterName}`).join('\n') }),
      },
    });
    record.node.addDependency(cc);
  }

  /** The wave's clusters Flux applies on the gate's cluster (read at synth: membership is by labels). */
  public clusters(): TenantCluster[] {
    return FleetRegistry.of(this).clusters
      .filter((c) => c.clusterClass === this.plan.clusterClass && this.plan.waveOf(c) === this.wave && sameFluxCluster(c, this))
      .sort((a, b) => (a.namespace + a.clusterName).localeCompare(b.namespace + b.clusterName));
  }

  public override get healthChecks(): GitOpsHealthCheck[] {
    const own = super.healthChecks;
    return [...own, ...this.clusters().map((c) => ({ apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', name: c.clusterName, namespace: c.namespace }))];
  }
}

/** Whether a cluster's objects are applied by the gate's Flux (units of one cluster only depend on each other). @internal */
export function sameFluxCluster(cluster: TenantCluster, gate: GitOpsUnit): boolean {
  return GitOpsUnit.tryOf(cluster)?.cluster === gate.cluster;
}
