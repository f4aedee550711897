// Input checks of IslandSiteProps that need nothing but the props. Internal.
import { IConstruct } from 'constructs';
import { ISLAND_COMPONENTS } from './island-components';
import type { PermittedPciDevice } from '../../platform/platform-under-cluster';
import { parseAddressRange } from '../../util/cidr';
import { KmetalValidationError, showValue } from '../../util/errors';

/** Checks the site's devices; returns their resource names. */
export function checkDevices(scope: IConstruct, devices: PermittedPciDevice[]): string[] {
  devices.forEach((d, i) => {
    if (typeof d?.pciVendorSelector !== 'string' || !/^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$/.test(d.pciVendorSelector)) {
      throw new KmetalValidationError(scope, `permittedPciDevices[${i}].pciVendorSelector`, `${showValue(d?.pciVendorSelector)} is not a PCI vendor:device id`, 'write it as four hex digits, a colon and four hex digits, e.g. "10DE:2236" (see lspci -nn)');
    }
    if (typeof d.resourceName !== 'string' || !d.resourceName.includes('/')) {
      throw new KmetalValidationError(scope, `permittedPciDevices[${i}].resourceName`, `${showValue(d.resourceName)} is not a resource name`, 'use a vendor-prefixed name, e.g. "nvidia.com/GA102GL_A10"');
    }
  });
  return devices.map((d) => d.resourceName);
}

/** Checks the site's VIP ranges (the pool checks overlaps within itself). */
export function checkVips(scope: IConstruct, vips: string[] | undefined): void {
  if (!Array.isArray(vips) || vips.length === 0) {
    throw new KmetalValidationError(scope, 'controlPlaneVips', `${showValue(vips)} holds no address`, 'give the site\'s VIP range, e.g. ["10.20.0.64/27"]');
  }
  vips.forEach((text, i) => {
    if (typeof text !== 'string' || text.includes('..') || !parseAddressRange(text)) {
      throw new KmetalValidationError(scope, `controlPlaneVips[${i}]`, `${showValue(text)} is neither a CIDR nor an address range`, 'write "10.20.0.64/27" or "10.20.0.64-10.20.0.95"');
    }
  });
}

/** Checks that values are given only for components the island runs. */
export function checkValues(scope: IConstruct, values: { [component: string]: any } | undefined): void {
  for (const name of Object.keys(values ?? {})) {
    if (!ISLAND_COMPONENTS.includes(name)) {
      throw new KmetalValidationError(scope, `values.${name}`, `${showValue(name)} is not a component the island runs`, `use one of: ${ISLAND_COMPONENTS.join(', ')}`);
    }
  }
}
