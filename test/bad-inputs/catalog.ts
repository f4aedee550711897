// The catalog of bad inputs: one wrong input per entry, across every construct, with the exact
// construct path and field the error must name, what it must say is wrong, and the fix it must
// give. catalog.test.ts runs every entry; build-tools/errors-doc.ts renders the catalog, with the
// messages the library actually gives, into docs/errors.md ("Errors you may see").
import { App } from 'cdk8s';
import { isKmetalValidationError } from '../../src';
import { ADDON_ENTRIES } from './entries/addons';
import { BAREMETAL_ENTRIES } from './entries/baremetal';
import { EDGE_ENTRIES } from './entries/edge';
import { NETWORK_ENTRIES } from './entries/network';
import { OS_ENTRIES } from './entries/os';
import { PLATFORM_ENTRIES } from './entries/platform';
import { POLICY_ENTRIES } from './entries/policy';
import { TENANCY_ENTRIES } from './entries/tenancy';
import { BadInput } from './fixture';
import { KmetalValidationError } from '../../src/util/errors';
import { synthInMemory } from '../reliability/support/synth';

export type { BadInput } from './fixture';

/** What an entry gave: the error line for its construct, and when it came. */
export interface BadInputResult {
  readonly path: string;
  readonly field: string;
  /** `[<path>] <field>: <problem>. Fix: <fix>` */
  readonly line: string;
  readonly when: 'while declaring' | 'at synth';
  /** True when FluxTree reported it among the failed validations. */
  readonly aggregated: boolean;
}

/** Every entry, grouped by area. */
export const CATALOG: BadInput[] = [
  ...PLATFORM_ENTRIES,
  ...TENANCY_ENTRIES,
  ...NETWORK_ENTRIES,
  ...BAREMETAL_ENTRIES,
  ...OS_ENTRIES,
  ...ADDON_ENTRIES,
  ...EDGE_ENTRIES,
  ...POLICY_ENTRIES,
];

/**
 * Declares and synthesizes an entry's platform and returns the error for the entry's construct
 * (from FluxTree's list of failed validations when it was aggregated there). Throws when nothing
 * was refused, or when what was thrown is not the library's validation error.
 */
export function runEntry(entry: BadInput): BadInputResult {
  const app = new App();
  let error: unknown;
  let when: BadInputResult['when'] = 'while declaring';
  try {
    entry.declare(app);
    when = 'at synth';
    synthInMemory(app);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`${entry.id}: the platform synthesized; nothing was refused`);
  if (!isKmetalValidationError(error)) throw new Error(`${entry.id}: not a KmetalValidationError: ${error instanceof Error ? error.stack : String(error)}`);
  const e = error as KmetalValidationError;
  if (e.constructPath === '<app>' && e.field === 'validation') {
    const lines = e.message.split('\n').slice(1, -1).map((l) => l.trim());
    const mine = lines.find((l) => l.startsWith(`[${entry.path}] ${entry.field}: `)) ?? lines[0];
    const m = /^\[([^\]]+)\] ([^:]+): /.exec(mine);
    return { path: m?.[1] ?? '?', field: m?.[2] ?? '?', line: mine, when, aggregated: true };
  }
  return { path: e.constructPath, field: e.field, line: e.message, when, aggregated: false };
}
