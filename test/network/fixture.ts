import { App, Chart } from 'cdk8s';
import { ControlPlaneVipPool, NetworkPlanes, NetworkPlanesProps } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';
import { newChart } from '../support/platform';

/** The planes most tests share: public 203.0.113.0/24 on VLAN 204, node network 192.168.10.0/24. */
export const PLANES: NetworkPlanesProps = {
  publicPlane: {
    nic: 'bond0.204',
    vlanId: 204,
    cidr: '203.0.113.0/24',
    gatewayNodes: ['node-1', 'node-2', 'node-3'],
    reservedAddresses: ['203.0.113.2..203.0.113.9'],
  },
  managementPlane: { nodeCidrs: ['192.168.10.0/24'] },
};

export interface Platform {
  readonly app: App;
  readonly chart: Chart;
  readonly planes: NetworkPlanes;
  readonly pool: ControlPlaneVipPool;
}

/** A chart with the planes and a VIP pool 203.0.113.64/27 on the public plane. */
export function platform(props: Partial<NetworkPlanesProps> = {}): Platform {
  const { app, chart } = newChart();
  const planes = new NetworkPlanes(chart, 'Planes', { ...PLANES, ...props });
  const pool = new ControlPlaneVipPool(chart, 'TenantVips', { name: 'tenant-vips', planes, addresses: ['203.0.113.64/27'] });
  return { app, chart, planes, pool };
}

/** Runs `fn`, expects a KmetalValidationError naming the construct path, the field and a fix; returns its message. */
export function expectError(fn: () => unknown, path: string, field: string, text: RegExp): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof KmetalValidationError)) {
    throw new Error(`expected a KmetalValidationError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  expect(error.message).toMatch(text);
  expect(error.constructPath).toBe(path);
  expect(error.field).toBe(field);
  expect(error.message).toContain(`[${path}] ${field}: `);
  expect(error.message).toContain('Fix: ');
  return error.message;
}
