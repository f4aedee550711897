import { IConstruct } from 'constructs';

/**
 * A pool of VIPs for tenant API servers (a MetalLB `IPAddressPool` on the under cluster).
 *
 * Tenant clusters register with the pool when they are constructed; addresses are decided at synth
 * time, when every tenant is known, so the allocation does not depend on declaration order.
 * Implemented by `ControlPlaneVipPool`.
 */
export interface IControlPlaneVipPool {
  /** Name of the MetalLB IPAddressPool (the `metallb.io/address-pool` annotation). */
  readonly poolName: string;
  /**
   * Registers a tenant's control plane. `fixedAddress` pins its VIP (it must lie in the pool).
   * Duplicate and out-of-pool addresses are reported when addresses are resolved.
   */
  registerTenant(tenant: IConstruct, tenantName: string, fixedAddress?: string): void;
  /** The VIP of a registered tenant (allocates the whole pool on first call after a change). */
  addressOf(tenant: IConstruct): string;
}
