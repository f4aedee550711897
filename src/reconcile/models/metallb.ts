import { at, list, refs, str, type UpstreamModel } from './upstream-model';
import { parseAddressRange, parseIp } from '../../util/cidr';
import { findingOn, type ClusterObject, type ClusterState, type ObjectReference } from '../private/cluster-state';
import { matchesSelector } from '../private/selectors';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';
import { emptySelectionAllowed } from './cluster-api';

const METALLB = 'metallb.io';
const V = 'MetalLB v0.16.1';

/** The Service annotations MetalLB reads (internal/k8s/controllers/service_controller.go, v0.16.1). */
export const METALLB_POOL_ANNOTATION = 'metallb.io/address-pool';
/** The Service annotation that asks for specific addresses. */
export const METALLB_IPS_ANNOTATION = 'metallb.io/loadBalancerIPs';

/** MetalLB: pools, advertisements and LoadBalancer Services. */
export const metallbModel: UpstreamModel = {
  project: V,

  references(o): ObjectReference[] {
    if (o.group !== METALLB || (o.kind !== 'L2Advertisement' && o.kind !== 'BGPAdvertisement')) return [];
    return refs(list(at(o.manifest, 'spec', 'ipAddressPools')).map((p, i) => ({
      field: `spec.ipAddressPools[${i}]`,
      group: METALLB,
      kinds: ['IPAddressPool'],
      namespace: o.namespace,
      name: p,
      consequence: 'the pool\'s addresses are never announced',
      rule: `${V} api/v1beta1 L2Advertisement/BGPAdvertisement ipAddressPools (same namespace)`,
    })));
  },

  check(state): ReconcileFinding[] {
    const out: ReconcileFinding[] = [];
    const pools = state.objectsOf(METALLB, 'IPAddressPool');
    const ads = [...state.objectsOf(METALLB, 'L2Advertisement'), ...state.objectsOf(METALLB, 'BGPAdvertisement')];
    for (const ad of ads) {
      list(at(ad.manifest, 'spec', 'ipAddressPoolSelectors')).forEach((sel, i) => {
        if (pools.some((p) => p.namespace === ad.namespace && matchesSelector(sel, p.labels)) || emptySelectionAllowed(ad)) return;
        out.push(findingOn(state, ad, {
          severity: ReconcileSeverity.WARNING,
          code: 'empty-selection',
          field: `spec.ipAddressPoolSelectors[${i}]`,
          message: `selects no IPAddressPool in ${ad.namespace}`,
          fix: 'label the pools it should announce, or fix the selector',
          rule: `${V} api/v1beta1 ipAddressPoolSelectors`,
        }));
      });
    }
    // A pool no advertisement announces hands out addresses nobody can reach
    // (v0.16.1 speaker: an L2/BGP advertisement with neither ipAddressPools nor selectors announces every pool).
    for (const pool of pools) {
      const announced = ads.some((ad) => ad.namespace === pool.namespace && advertises(ad, pool));
      if (announced) continue;
      // A warning, not an error: the advertisement may come from outside the tree (a site's own BGP setup).
      out.push(findingOn(state, pool, {
        severity: ReconcileSeverity.WARNING,
        code: 'empty-selection',
        field: 'metadata.name',
        message: 'no L2Advertisement or BGPAdvertisement announces this pool: Services get its addresses, but no node answers for them',
        fix: 'add an advertisement for the pool (ControlPlaneVipPool emits one)',
        rule: `${V} speaker: only advertised pools are announced`,
      }));
    }
    for (const kcp of state.objects.filter((o) => o.group === 'controlplane.cluster.x-k8s.io' && o.kind === 'KamajiControlPlane')) {
      if (at(kcp.manifest, 'spec', 'network', 'serviceType') !== 'LoadBalancer') continue;
      // A control plane placed on another cluster gets its address there (checked on that cluster's pools).
      if (at(kcp.manifest, 'spec', 'deployment', 'externalClusterReference') !== undefined) continue;
      const finding = loadBalancerAllocation(state, kcp, 'spec.network.serviceAnnotations', at(kcp.manifest, 'spec', 'network', 'serviceAnnotations') ?? {}, str(at(kcp.manifest, 'spec', 'network', 'serviceAddress')));
      if (finding) out.push(finding);
    }
    return out;
  },
};

function advertises(ad: ClusterObject, pool: ClusterObject): boolean {
  const names = list(at(ad.manifest, 'spec', 'ipAddressPools'));
  const selectors = list(at(ad.manifest, 'spec', 'ipAddressPoolSelectors'));
  if (names.length === 0 && selectors.length === 0) return true;
  return names.includes(pool.name) || selectors.some((s) => matchesSelector(s, pool.labels));
}

/**
 * Whether MetalLB gives a LoadBalancer Service with these annotations an address on this cluster:
 * the pool it names exists, the addresses it asks for are in a pool (the named one, if named), and
 * without either some pool allows automatic assignment (`autoAssign`, default true). MetalLB v0.16.1
 * internal/allocator/allocator.go (`Allocate`, `AllocateFromPool`, pool `AutoAssign`).
 *
 * @returns a finding when the Service would stay Pending, else undefined
 */
export function loadBalancerAllocation(
  state: ClusterState, o: ClusterObject, field: string, annotations: Record<string, unknown>, requestedAddress?: string,
): ReconcileFinding | undefined {
  const pools = state.objectsOf(METALLB, 'IPAddressPool');
  const poolName = str(annotations[METALLB_POOL_ANNOTATION]);
  const ips = (str(annotations[METALLB_IPS_ANNOTATION]) ?? requestedAddress ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const rule = `${V} internal/allocator/allocator.go: a LoadBalancer Service gets an address from the pool it names, the pool holding the address it asks for, or an autoAssign pool`;
  const fail = (message: string, fix: string): ReconcileFinding => findingOn(state, o, {
    severity: ReconcileSeverity.ERROR, code: 'dangling-reference', field, target: poolName ? `IPAddressPool ${poolName}` : 'an IPAddressPool', message, fix, rule,
  });
  if (pools.length === 0) {
    return fail('the control plane\'s LoadBalancer Service never gets an address: the cluster has no MetalLB IPAddressPool', 'declare a ControlPlaneVipPool (IPAddressPool + L2Advertisement) on this cluster');
  }
  const candidates = poolName ? pools.filter((p) => p.name === poolName) : pools;
  if (poolName && candidates.length === 0) {
    return fail(`names pool "${poolName}", which is not on this cluster (pools: ${pools.map((p) => p.name).join(', ')})`, 'name an existing pool');
  }
  if (ips.length > 0) {
    for (const ip of ips) {
      if (!candidates.some((p) => poolContains(p, ip))) {
        return fail(`asks for ${ip}, which no ${poolName ? `address range of pool "${poolName}"` : 'pool'} holds`, 'take the address from the pool\'s ranges (ControlPlaneVipPool allocates them)');
      }
    }
    return undefined;
  }
  if (!poolName && !pools.some((p) => at(p.manifest, 'spec', 'autoAssign') !== false)) {
    return fail('asks for no pool and no address, and every pool has autoAssign: false, so MetalLB assigns nothing', 'give the control plane a VIP from a ControlPlaneVipPool, or allow autoAssign on a pool');
  }
  return undefined;
}

function poolContains(pool: ClusterObject, ip: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed) return false;
  return list(at(pool.manifest, 'spec', 'addresses')).some((a) => {
    const r = typeof a === 'string' ? parseAddressRange(a) : undefined;
    return r !== undefined && r.family === parsed.family && r.first <= parsed.value && parsed.value <= r.last;
  });
}
