// What every entry of the bad-input catalog shares: the shape of an entry and the valid platform
// each entry starts from (so that an entry differs from a working platform by its one mistake).
import { App } from 'cdk8s';
import {
  ControlPlaneVipPool, MachineImage, NetworkPlanes, NetworkPlanesProps, PlatformUnderCluster, PlatformUnderClusterProps,
} from '../../src';

/** One wrong input and what the library must say about it. */
export interface BadInput {
  /** Stable id (kebab-case), used in docs/errors.md. */
  readonly id: string;
  /** The construct (class) whose rule the input breaks; docs/errors.md groups entries by it. */
  readonly construct: string;
  /** What is wrong, in a few words. */
  readonly title: string;
  /** Declares a platform with exactly this mistake (the error may come while declaring or at synth). */
  readonly declare: (app: App) => void;
  /** The construct path the error must name. */
  readonly path: string;
  /** The field the error must name. */
  readonly field: string;
  /** What the message must say is wrong. */
  readonly message: RegExp;
  /** What the fix (after "Fix: ") must say. */
  readonly fix: RegExp;
  /** A credential the input carries, which the message must not quote. */
  readonly secret?: string;
}

export const IMAGE = 'quay.io/capk/ubuntu-2404-container-disk:v1.33.0';
export const A10 = 'nvidia.com/GA102GL_A10';

export const PLANES: NetworkPlanesProps = {
  publicPlane: { nic: 'eno2', cidr: '203.0.113.0/24', gatewayNodes: ['metal-01', 'metal-02', 'metal-03'], reservedAddresses: ['203.0.113.2..203.0.113.9'] },
  managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
  tenantCidrs: ['10.0.0.0/8'],
};

/** The valid platform every entry starts from: the under cluster, its planes and a VIP pool 203.0.113.64/27. */
export interface Base {
  readonly platform: PlatformUnderCluster;
  readonly planes: NetworkPlanes;
  readonly pool: ControlPlaneVipPool;
}

export function base(app: App, props: Partial<PlatformUnderClusterProps> = {}, planes: Partial<NetworkPlanesProps> = {}): Base {
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk(IMAGE),
    permittedPciDevices: [{ resourceName: A10, pciVendorSelector: '10DE:2236' }],
    ...props,
  });
  const networkPlanes = new NetworkPlanes(platform.configs, 'planes', { ...PLANES, ...planes });
  const pool = new ControlPlaneVipPool(platform.configs, 'tenant-api', { addresses: ['203.0.113.64/27'], planes: networkPlanes });
  platform.controlPlaneVipPool = pool;
  return { platform, planes: networkPlanes, pool };
}
