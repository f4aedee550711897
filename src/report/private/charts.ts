// SVG charts of the fleet report, drawn by our own small SVG writer (./svg): synchronous, no DOM,
// no network, and the same data gives the same bytes. Internal: not part of the jsii API.
import type { FleetReportCapacity, FleetReportData } from '../fleet-report-data';
import { SvgDocument } from './svg';

/** One rendered chart. */
export interface RenderedChart {
  readonly fileName: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly svg: string;
}

const WIDTH = 800;
const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';
const COLORS = {
  cpu: '#3b6fd8',
  memory: '#2a9d8f',
  gpu: '#8e5bd0',
  over: '#d62828',
  free: '#e3e6ea',
  text: '#2b2d31',
  muted: '#6b6f76',
  dedicated: '#9aa0a6',
  hosted: '#2a9d8f',
};
const MINOR_COLORS = ['#3b6fd8', '#2a9d8f', '#e09f3e', '#8e5bd0', '#d1495b', '#00798c', '#6a994e'];

const GRID = '#eceef1';
const AXIS = '#54555a';

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A chart's canvas with its title (16 px, bold) and the line under it (12 px, muted). */
function canvas(width: number, height: number, text: string, subtext?: string): SvgDocument {
  const svg = new SvgDocument(width, height, FONT);
  svg.text(16, 22, text, { size: 16, bold: true, color: COLORS.text });
  if (subtext) svg.text(16, 44, subtext, { size: 12, color: COLORS.muted });
  return svg;
}

/** The plot area of a chart: pixels between the margins. */
interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Vertical grid lines and `N %` labels every 25 % from 0 to `max`, under horizontal bars. */
function percentAxis(svg: SvgDocument, plot: Plot, max: number): (v: number) => number {
  const x = (v: number) => plot.left + ((plot.right - plot.left) * v) / max;
  for (let v = 0; v <= max; v += 25) {
    svg.line(x(v), plot.top, x(v), plot.bottom, GRID);
    svg.text(x(v), plot.bottom + 14, `${v} %`, { anchor: 'middle', color: COLORS.muted });
  }
  svg.line(plot.left, plot.top, plot.left, plot.bottom, AXIS);
  return x;
}

interface UseRow {
  readonly label: string;
  readonly used: number;
  readonly capacity: number;
  readonly unit: string;
  readonly color: string;
}

function rowsOf(prefix: string, c: FleetReportCapacity, cpuUnit: string): UseRow[] {
  if (c.hostCount === 0 && c.cpuAllocated === 0 && c.memoryAllocatedGiB === 0) return [];
  const rows: UseRow[] = [
    { label: `${prefix} · CPU`, used: c.cpuAllocated, capacity: c.cpuCapacity, unit: cpuUnit, color: COLORS.cpu },
    { label: `${prefix} · memory`, used: c.memoryAllocatedGiB, capacity: c.memoryCapacityGiB, unit: 'GiB', color: COLORS.memory },
  ];
  for (const g of c.gpus) rows.push({ label: `${prefix} · GPU ${shortModel(g.model)}`, used: g.allocated, capacity: g.capacity, unit: 'GPUs', color: COLORS.gpu });
  return rows;
}

function shortModel(model: string): string {
  const short = model.includes('/') ? model.slice(model.indexOf('/') + 1) : model;
  return short.length > 22 ? `${short.slice(0, 21)}…` : short;
}

function pct(used: number, capacity: number): number {
  if (capacity <= 0) return used > 0 ? 999 : 0;
  return Math.round((used / capacity) * 1000) / 10;
}

/** Horizontal bars of used share (0–100 %, more when over-committed) with the figures written out. */
function useChart(titleText: string, subtext: string, rows: UseRow[]): { svg: string; height: number } {
  const used = rows.map((r) => pct(r.used, r.capacity));
  const maxUsed = Math.max(100, ...used.filter((u) => u < 999));
  const axisMax = Math.ceil(Math.min(maxUsed, 400) / 25) * 25;
  const height = 110 + Math.max(1, rows.length) * 36;
  // Room for the longest row name (about 7 px per character at 12 px); the figures go on the right.
  const left = Math.min(360, Math.max(90, 24 + Math.max(0, ...rows.map((r) => r.label.length)) * 7.2));
  const plot: Plot = { left, right: WIDTH - 200, top: 76, bottom: height - 36 };
  const svg = canvas(WIDTH, height, titleText, subtext);
  const x = percentAxis(svg, plot, axisMax);
  const band = (plot.bottom - plot.top) / Math.max(1, rows.length);
  rows.forEach((r, i) => {
    const mid = plot.top + band * (i + 0.5);
    const u = used[i];
    const shown = Math.min(u, axisMax);
    svg.text(left - 8, mid, r.label, { anchor: 'end', color: COLORS.text });
    // Used share in the resource's colour (red past 100 %), then the free share up to 100 % in grey.
    svg.rect(x(0), mid - 9, x(shown) - x(0), 18, u > 100 ? COLORS.over : r.color);
    if (shown < 100) svg.rect(x(shown), mid - 9, x(100) - x(shown), 18, COLORS.free);
    const figures = `${fmt(r.used)} / ${fmt(r.capacity)} ${r.unit} (${u >= 999 ? 'no capacity' : `${fmt(u)} %`})`;
    svg.text(x(Math.max(shown, 100)) + 6, mid, figures, { size: 11, color: COLORS.text });
  });
  if (rows.length) svg.line(x(100), plot.top, x(100), plot.bottom, COLORS.over, { dashed: true });
  return { svg: svg.toString(), height };
}

function capacityChart(d: FleetReportData): RenderedChart {
  const rows: UseRow[] = [];
  for (const p of d.bareMetalPools) {
    rows.push(...rowsOf(`${p.name} VMs`, p.vms, 'vCPU'));
    rows.push(...rowsOf(`${p.name} control planes`, p.controlPlanes, 'cores'));
  }
  const vm = d.vmCapacity;
  const subtext = `VM hosts: ${vm.cpuOvercommitRatio} vCPU per core, memory × ${vm.memoryOvercommitRatio}, after per-host reserve; dashed line: 100 %`;
  const { svg, height } = useChart('Capacity use per bare-metal pool', subtext, rows);
  return { fileName: 'capacity.svg', title: 'Capacity use per bare-metal pool', width: WIDTH, height, svg };
}

function vipChart(d: FleetReportData): RenderedChart {
  const rows: UseRow[] = d.vipPools.map((p) => ({ label: p.name, used: p.used, capacity: p.capacity, unit: 'VIPs', color: COLORS.cpu }));
  const { svg, height } = useChart('Control-plane VIP pools', 'one VIP per tenant API server', rows);
  return { fileName: 'vip-pools.svg', title: 'Control-plane VIP pools', width: WIDTH, height, svg };
}

/** A step of 1, 2 or 5 × 10^n that splits `max` into at most about five intervals (integers only: tenants are counted). */
function countStep(max: number): number {
  let step = 1;
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const m of [1, 2, 5]) {
      step = m * magnitude;
      if (max / step <= 5) return step;
    }
  }
}

function versionChart(d: FleetReportData): RenderedChart {
  const k = d.kubernetesVersions;
  const minors = k.minors.map((m) => m.version);
  const colorOf = (minor: string) => MINOR_COLORS[Math.max(0, minors.indexOf(minor)) % MINOR_COLORS.length];
  const height = 380;
  const subtext = k.minors.length
    ? `${d.summary.tenants} tenants on ${k.minors.length} minor(s), ${k.versions.length} release(s); minor skew ${k.minorSkew}; allowed: ${k.allowedMinors.join(', ')}`
    : 'no tenants';
  const svg = canvas(WIDTH, height, 'Tenants per Kubernetes version', subtext);
  const plot: Plot = { left: 64, right: WIDTH - 32, top: 96, bottom: height - 48 };
  const maxCount = Math.max(1, ...k.versions.map((v) => v.tenantCount));
  const step = countStep(maxCount);
  const axisMax = Math.ceil(maxCount / step) * step;
  const y = (v: number) => plot.bottom - ((plot.bottom - plot.top) * v) / axisMax;
  for (let v = 0; v <= axisMax; v += step) {
    svg.line(plot.left, y(v), plot.right, y(v), GRID);
    svg.text(plot.left - 8, y(v), String(v), { anchor: 'end', color: COLORS.muted });
  }
  svg.line(plot.left, plot.bottom, plot.right, plot.bottom, AXIS);
  const band = (plot.right - plot.left) / Math.max(1, k.versions.length);
  const barWidth = Math.min(56, band * 0.6);
  k.versions.forEach((v, i) => {
    const mid = plot.left + band * (i + 0.5);
    svg.rect(mid - barWidth / 2, y(v.tenantCount), barWidth, y(0) - y(v.tenantCount), colorOf(v.version.split('.').slice(0, 2).join('.')));
    svg.text(mid, y(v.tenantCount) - 10, String(v.tenantCount), { anchor: 'middle', color: COLORS.text });
    svg.text(mid, plot.bottom + 16, v.version, { anchor: 'middle', color: COLORS.text });
  });
  return { fileName: 'kubernetes-versions.svg', title: 'Tenants per Kubernetes version', width: WIDTH, height, svg: svg.toString() };
}

function savingsChart(d: FleetReportData): RenderedChart {
  const s = d.savings;
  const metrics = [
    { label: 'control-plane machines', dedicated: s.dedicatedMachines, hosted: s.hostedNodes },
    { label: 'vCPU', dedicated: s.dedicatedCpuCores, hosted: s.hostedCpuCores },
    { label: 'memory (GiB)', dedicated: s.dedicatedMemoryGiB, hosted: s.hostedMemoryGiB },
  ];
  const share = (v: number, of: number) => (of > 0 ? Math.round((v / of) * 1000) / 10 : 0);
  const height = 310;
  const svg = canvas(WIDTH, height, 'Hosted control planes vs dedicated machines',
    `${s.tenantCount} tenants × ${s.dedicatedMachinesPerTenant} dedicated machines vs ${s.hostedNodes} shared nodes: ${fmt(s.savedMachines)} machines (${fmt(s.savedMachinesPercent)} %) saved`);
  const series = [
    { name: `dedicated (${s.dedicatedMachinesPerTenant} per tenant)`, color: COLORS.dedicated },
    { name: 'hosted (shared nodes)', color: COLORS.hosted },
  ];
  // Legend: a swatch and the series' name, side by side (about 7 px per character at 12 px).
  let lx = 16;
  for (const { name, color } of series) {
    svg.rect(lx, 66, 25, 14, color);
    svg.text(lx + 30, 73, name, { color: COLORS.text });
    lx += 30 + name.length * 7.2 + 48;
  }
  const plot: Plot = { left: 170, right: WIDTH - 90, top: 100, bottom: height - 36 };
  const x = percentAxis(svg, plot, 100);
  const band = (plot.bottom - plot.top) / metrics.length;
  metrics.forEach((m, i) => {
    const mid = plot.top + band * (i + 0.5);
    svg.text(plot.left - 8, mid, m.label, { anchor: 'end', color: COLORS.text });
    // Dedicated is the 100 % reference; hosted is drawn as its share of it, each labelled with its own figure.
    const bars = [{ value: m.dedicated > 0 ? 100 : 0, figure: m.dedicated }, { value: share(m.hosted, m.dedicated), figure: m.hosted }];
    bars.forEach((b, j) => {
      const top = mid - 16 + j * 18;
      const end = x(Math.min(b.value, 100));
      svg.rect(x(0), top, end - x(0), 14, series[j].color);
      svg.text(end + 6, top + 7, fmt(b.figure), { size: 11, color: COLORS.text });
    });
  });
  return { fileName: 'savings.svg', title: 'Hosted control planes vs dedicated machines', width: WIDTH, height, svg: svg.toString() };
}

/** Every chart of the report. */
export function renderCharts(d: FleetReportData): RenderedChart[] {
  return [capacityChart(d), vipChart(d), versionChart(d), savingsChart(d)];
}
