import { IConstruct } from 'constructs';
import { FleetRegistry } from './fleet-registry';

/** Something worth a look that does not stop synthesis (e.g. an add-on profile that selects no declared cluster). */
export interface SynthWarning {
  /** Construct path of the construct the warning is about. */
  readonly path: string;
  /** What is wrong and what to do about it. */
  readonly message: string;
}

/**
 * Warnings of the fleet checks.
 *
 * cdk8s has no annotations (only validations, which are errors), so the constructs of this library
 * that can warn register a warning source; the sources are evaluated together with the
 * validations at synth, and each warning is printed once per app to stderr as
 * `[kmetal] warning [<path>] <message>` (set the environment variable `KMETAL_WARNINGS=off` to
 * silence the printing). `SynthWarnings.of(app)` returns them as data, e.g. for tests or CI gates
 * that want to fail on warnings.
 */
export class SynthWarnings {
  /**
   * Every current warning of the app that `scope` belongs to, sorted by construct path.
   *
   * @param scope any construct of the app
   */
  public static of(scope: IConstruct): SynthWarning[] {
    const registry = FleetRegistry.of(scope);
    const out: SynthWarning[] = [];
    for (const compute of registry.warningSources.values()) out.push(...compute());
    return sortWarnings(out);
  }

  /**
   * Registers a construct's warning computation. @internal
   */
  public static _registerSource(source: IConstruct, compute: () => SynthWarning[]): void {
    FleetRegistry.of(source).warningSources.set(source, compute);
  }

  /**
   * Prints warnings not printed before (called from validations, which run at synth). @internal
   */
  public static _print(scope: IConstruct, warnings: SynthWarning[]): void {
    if (process.env.KMETAL_WARNINGS === 'off') return;
    const printed = FleetRegistry.of(scope).printedWarnings;
    for (const w of sortWarnings(warnings)) {
      const line = `[kmetal] warning [${w.path}] ${w.message}`;
      if (printed.has(line)) continue;
      printed.add(line);
      console.warn(line);
    }
  }

  private constructor() {}
}

function sortWarnings(list: SynthWarning[]): SynthWarning[] {
  return [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
