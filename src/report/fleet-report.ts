import * as fs from 'fs';
import * as path from 'path';
import type { FleetReportData, FleetReportMachineSize } from './fleet-report-data';
import type { PlatformUnderCluster } from '../platform/platform-under-cluster';
import { renderCharts, RenderedChart } from './private/charts';
import { computeReport } from './private/fleet-figures';
import { renderMarkdown } from './private/markdown';
import { Policy } from '../policy/policy';
import type { CapacityPolicyOptions } from '../policy/rules/capacity/capacity-options';
import { KmetalValidationError, showValue } from '../util/errors';
import { outputsDeferred, writeOutput } from '../util/synth-outputs';

/** Options of a `FleetReport`. */
export interface FleetReportOptions {
  /**
   * How VM capacity is computed: overcommit ratios, per-host reserves, which hosts run VMs, GPU
   * models. The same struct as `PlatformPolicyPackProps.capacity`: pass one object to both so the
   * report's headroom and policy rule KM-CAP-001 agree.
   * @default - 4 vCPU per core, memory × 1, 2 cores and 8 GiB reserved per host; VM hosts: every
   * host not selected by `controlPlaneHostLabels`
   */
  readonly capacity?: CapacityPolicyOptions;
  /**
   * Labels of the hosts that run the hosted control planes (the under cluster's shared nodes).
   * @default { 'kmetal.io/role': 'control-plane' }
   */
  readonly controlPlaneHostLabels?: { [key: string]: string };
  /**
   * Dedicated control-plane machines a tenant would need without hosted control planes (etcd quorum).
   * @default 3
   */
  readonly dedicatedControlPlaneMachinesPerTenant?: number;
  /**
   * Size of one dedicated control-plane machine.
   * @default - each tenant's worker size: its class's default worker size, else its first pool's VM size
   */
  readonly dedicatedControlPlaneMachine?: FleetReportMachineSize;
  /** Report title. @default 'Fleet report: <under cluster name>' */
  readonly title?: string;
  /** Render the SVG charts. @default true */
  readonly charts?: boolean;
}

/** One SVG chart of the report. */
export interface FleetReportChart {
  /** File name in the report folder, e.g. `capacity.svg`. */
  readonly fileName: string;
  /** What the chart shows. */
  readonly title: string;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** The SVG document (deterministic: the same platform gives the same bytes). */
  readonly svg: string;
}

/**
 * What the fleet asks of the hardware and what hosted control planes save, computed from the
 * construct tree (tenants, node pools, bare-metal pools, VIP pools, governance), never by reading
 * the YAML back. Written as `report.json` (schema: `FleetReportData`), `README.md` (tables) and
 * SVG charts (capacity use per pool, VIP pools, tenants per Kubernetes version, savings).
 *
 * ```ts
 * FleetReport.writeAtSynth(platform, 'dist/kmetal/report', { capacity });
 * FluxTree.synth(app, { appName: 'kmetal' });
 * ```
 *
 * Per bare-metal pool: hosts, physical CPU, memory and GPUs; the VM hosts' schedulable capacity
 * (overcommit and reserve as in `CapacityPolicyOptions`) against the worker VMs at their largest,
 * and the control-plane hosts against the hosted control planes and etcds; headroom (negative
 * when over-committed). Savings: `dedicatedControlPlaneMachinesPerTenant` dedicated machines per
 * tenant against the shared control-plane hosts. The report states its assumptions.
 */
export class FleetReport {
  /** File name of the JSON report. */
  public static readonly JSON_FILE = 'report.json';
  /** File name of the Markdown report. */
  public static readonly MARKDOWN_FILE = 'README.md';

  /**
   * Computes the report of a platform now. Call it when the app is complete (typically after
   * synthesis): it reads values produced at synth time (VIPs, class variables, quotas).
   *
   * @param platform the platform
   * @param options how capacity and savings are computed
   */
  public static of(platform: PlatformUnderCluster, options: FleetReportOptions = {}): FleetReport {
    return new FleetReport(platform, options);
  }

  /**
   * Computes the report and writes it into a folder now.
   *
   * @param platform the platform
   * @param directory the folder, e.g. `dist/kmetal/report`
   * @param options how capacity and savings are computed
   * @returns the report
   */
  public static writeFor(platform: PlatformUnderCluster, directory: string, options: FleetReportOptions = {}): FleetReport {
    const report = FleetReport.of(platform, options);
    report.writeTo(directory);
    return report;
  }

  /**
   * Writes the report into a folder at every synthesis of the app that succeeds. With
   * `FluxTree.synth` the report is written after the tree, and only if every check passed: a failed
   * synthesis leaves the folder as it was (the error lists the findings; for a report of a failing
   * fleet call `FleetReport.writeFor` yourself). With `app.synth()`, which has no step after its
   * checks, it is written when the policy packs of the run found no error. The report lists the
   * findings of the policy packs of that run. With `FluxTree.synth`, write into
   * `<outdir>/<appName>/report` (the tree writer never deletes files it did not write).
   *
   * @param platform the platform
   * @param directory the folder
   * @param options how capacity and savings are computed
   */
  public static writeAtSynth(platform: PlatformUnderCluster, directory: string, options: FleetReportOptions = {}): void {
    if (typeof directory !== 'string' || directory.trim() === '') throw new KmetalValidationError(platform, 'FleetReport.writeAtSynth directory', `${showValue(directory)} is not a folder`, 'give the folder the report is written to, e.g. "dist/kmetal/report"');
    // A validation of the platform runs after the app root's (pre-order), so the policy packs
    // attached to the root have run and their report is current.
    platform.node.addValidation({
      validate: () => {
        let files: Map<string, string>;
        try {
          files = FleetReport.of(platform, options).files();
        } catch (e) {
          return [`fleet report: ${e instanceof Error ? e.message : String(e)}`];
        }
        if (!outputsDeferred() && (Policy.of(platform.node.root).lastReport?.errors.length ?? 0) > 0) return [];
        writeOutput(`fleet-report:${path.resolve(directory)}`, () => writeFiles(directory, files));
        return [];
      },
    });
  }

  /** The figures (what `report.json` holds). */
  public readonly data: FleetReportData;
  private renderedCharts?: RenderedChart[];
  private readonly withCharts: boolean;

  private constructor(platform: PlatformUnderCluster, options: FleetReportOptions) {
    this.data = computeReport(platform, options);
    this.withCharts = options.charts ?? true;
  }

  /** The SVG charts (none when `charts` is false). */
  public get charts(): FleetReportChart[] {
    if (!this.withCharts) return [];
    this.renderedCharts ??= renderCharts(this.data);
    return this.renderedCharts.map((c) => ({ ...c }));
  }

  /** The report as JSON (what `report.json` holds). */
  public toJson(): any {
    return JSON.parse(JSON.stringify(this.data));
  }

  /** The report as Markdown tables (what `README.md` holds). */
  public toMarkdown(): string {
    return renderMarkdown(this.data, this.charts);
  }

  /**
   * Writes `report.json`, `README.md` and the charts into a folder (created if needed). Files
   * whose content is unchanged are left alone.
   *
   * @param directory the folder
   * @returns the files written or kept, relative to the folder
   */
  public writeTo(directory: string): string[] {
    return writeFiles(directory, this.files());
  }

  /** The files of the report, by name (rendered now, so that a write cannot fail on them). */
  private files(): Map<string, string> {
    return new Map<string, string>([
      [FleetReport.JSON_FILE, `${JSON.stringify(this.toJson(), null, 2)}\n`],
      [FleetReport.MARKDOWN_FILE, this.toMarkdown()],
      ...this.charts.map((c): [string, string] => [c.fileName, c.svg]),
    ]);
  }
}

/** Writes `files` into `directory` (created if needed), leaving files whose content is unchanged alone. */
function writeFiles(directory: string, files: Map<string, string>): string[] {
  fs.mkdirSync(directory, { recursive: true });
  for (const [file, content] of files) {
    const target = path.join(directory, file);
    if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) continue;
    fs.writeFileSync(target, content, 'utf8');
  }
  return [...files.keys()].sort();
}
