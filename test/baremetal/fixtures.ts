import { BareMetalHostSpec } from '../../src';
import { KmetalValidationError } from '../../src/util/errors';

/** Runs `fn` and returns the KmetalValidationError it throws (fails the test otherwise). */
export function catchValidation(fn: () => unknown): KmetalValidationError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KmetalValidationError);
  return error as KmetalValidationError;
}

/** Asserts a KmetalValidationError with construct path, field, message and a fix. */
export function expectError(fn: () => unknown, path: string, field: string, text: RegExp): KmetalValidationError {
  const v = catchValidation(fn);
  expect(v.constructPath).toBe(path);
  expect(v.field).toBe(field);
  expect(v.message).toMatch(text);
  expect(v.message).toContain('Fix:');
  return v;
}

/** A Redfish virtual-media host (no boot MAC needed) numbered `n`. */
export function redfishHost(n: number, extra: Partial<BareMetalHostSpec> = {}): BareMetalHostSpec {
  return {
    name: `node-${n}`,
    bmc: { address: `redfish-virtualmedia://10.10.0.${n}/redfish/v1/Systems/1`, credentialsName: `node-${n}-bmc` },
    capacity: { cpuCores: 64, memoryGiB: 512 },
    ...extra,
  };
}

/** An IPMI host with a boot MAC, numbered `n`. */
export function ipmiHost(n: number, extra: Partial<BareMetalHostSpec> = {}): BareMetalHostSpec {
  const octet = n.toString(16).padStart(2, '0');
  return {
    name: `ipmi-${n}`,
    bmc: { address: `ipmi://10.20.0.${n}`, credentialsName: `ipmi-${n}-bmc` },
    bootMacAddress: `0c:c4:7a:00:00:${octet}`,
    capacity: { cpuCores: 32, memoryGiB: 256 },
    ...extra,
  };
}
