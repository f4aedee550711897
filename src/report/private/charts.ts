// SVG charts of the fleet report, rendered in Node by Apache ECharts' server-side renderer (no
// browser, no DOM, no network, synchronous). Internal: not part of the jsii API.
import type * as EChartsModule from 'echarts';
import type { FleetReportCapacity, FleetReportData } from '../fleet-report-data';

/** One rendered chart. */
export interface RenderedChart {
  readonly fileName: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly svg: string;
}

let loaded: typeof EChartsModule | undefined;

function echarts(): typeof EChartsModule {
  // Loaded on first use: half a second that apps writing no report should not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('echarts') as typeof EChartsModule;
  return loaded;
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

/**
 * ECharts numbers SVG classes and ids with per-process counters (`zr3-cls-7`), so the same chart
 * rendered twice differs. Renumbering them in order of appearance makes the bytes depend on the
 * chart alone. The hover styles and metadata attributes serve interactive pages only: dropped.
 */
function normalize(svg: string): string {
  const ids = new Map<string, string>();
  const perKind = new Map<string, number>();
  let out = svg.replace(/\bzr\d+-([a-z]+)-?(\d+)\b/g, (token, kind: string) => {
    let id = ids.get(token);
    if (id === undefined) {
      const n = perKind.get(kind) ?? 0;
      perKind.set(kind, n + 1);
      id = `k-${kind}-${n}`;
      ids.set(token, id);
    }
    return id;
  });
  out = out.replace(/ ecmeta_[a-z_]+="[^"]*"/g, '').replace(/ pointer-events="visible"/g, '');
  out = out.replace(/<style[^>]*>[\s\S]*?<\/style>/g, '').replace(/ class="k-cls-\d+"/g, '');
  return `${out.trim()}\n`;
}

function render(width: number, height: number, option: any): string {
  const e = echarts();
  const chart = e.init(null as any, null as any, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: FONT, color: COLORS.text }, ...option });
    return normalize(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function title(text: string, subtext?: string): any {
  return { text, subtext, left: 16, top: 12, textStyle: { fontSize: 16, fontWeight: 'bold', fontFamily: FONT, color: COLORS.text }, subtextStyle: { fontSize: 12, fontFamily: FONT, color: COLORS.muted } };
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
  const categories = rows.map((r) => r.label).reverse();
  const data = [...rows].reverse();
  const used = data.map((r) => pct(r.used, r.capacity));
  const maxUsed = Math.max(100, ...used.filter((u) => u < 999));
  const axisMax = Math.ceil(Math.min(maxUsed, 400) / 25) * 25;
  const height = 110 + Math.max(1, rows.length) * 36;
  // Room for the longest category name (about 7 px per character at 12 px) and the figures on the right.
  const left = Math.min(360, Math.max(90, 24 + Math.max(0, ...categories.map((c) => c.length)) * 7.2));
  const option = {
    title: title(titleText, subtext),
    grid: { left, right: 200, top: 76, bottom: 36 },
    xAxis: {
      type: 'value',
      min: 0,
      max: axisMax,
      interval: 25,
      axisLabel: { formatter: '{value} %', color: COLORS.muted, fontFamily: FONT },
      splitLine: { lineStyle: { color: '#eceef1' } },
    },
    yAxis: { type: 'category', data: categories, axisTick: { show: false }, axisLabel: { color: COLORS.text, fontSize: 12, fontFamily: FONT } },
    series: [
      {
        name: 'allocated',
        type: 'bar',
        stack: 'use',
        barWidth: 18,
        silent: true,
        data: data.map((r, i) => ({ value: Math.min(used[i], axisMax), itemStyle: { color: used[i] > 100 ? COLORS.over : r.color } })),
        markLine: rows.length ? { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: COLORS.over, type: 'dashed', width: 1 }, data: [{ xAxis: 100 }] } : undefined,
      },
      {
        name: 'free',
        type: 'bar',
        stack: 'use',
        barWidth: 18,
        silent: true,
        itemStyle: { color: COLORS.free },
        data: used.map((u) => Math.max(0, 100 - u)),
        label: {
          show: true,
          position: 'right',
          fontSize: 11,
          fontFamily: FONT,
          formatter: (p: any) => {
            const r = data[p.dataIndex];
            const u = used[p.dataIndex];
            return `${fmt(r.used)} / ${fmt(r.capacity)} ${r.unit} (${u >= 999 ? 'no capacity' : `${fmt(u)} %`})`;
          },
          color: COLORS.text,
        },
      },
    ],
  };
  return { svg: render(WIDTH, height, option), height };
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

function versionChart(d: FleetReportData): RenderedChart {
  const k = d.kubernetesVersions;
  const minors = k.minors.map((m) => m.version);
  const colorOf = (minor: string) => MINOR_COLORS[Math.max(0, minors.indexOf(minor)) % MINOR_COLORS.length];
  const height = 380;
  const subtext = k.minors.length
    ? `${d.summary.tenants} tenants on ${k.minors.length} minor(s), ${k.versions.length} release(s); minor skew ${k.minorSkew}; allowed: ${k.allowedMinors.join(', ')}`
    : 'no tenants';
  const option = {
    title: title('Tenants per Kubernetes version', subtext),
    grid: { left: 64, right: 32, top: 96, bottom: 48 },
    xAxis: { type: 'category', data: k.versions.map((v) => v.version), axisTick: { alignWithLabel: true }, axisLabel: { color: COLORS.text, fontFamily: FONT } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: COLORS.muted, fontFamily: FONT }, splitLine: { lineStyle: { color: '#eceef1' } } },
    series: [{
      type: 'bar',
      barMaxWidth: 56,
      silent: true,
      data: k.versions.map((v) => ({ value: v.tenantCount, itemStyle: { color: colorOf(v.version.split('.').slice(0, 2).join('.')) } })),
      label: { show: true, position: 'top', color: COLORS.text, fontFamily: FONT },
    }],
  };
  return { fileName: 'kubernetes-versions.svg', title: 'Tenants per Kubernetes version', width: WIDTH, height, svg: render(WIDTH, height, option) };
}

function savingsChart(d: FleetReportData): RenderedChart {
  const s = d.savings;
  const metrics = [
    { label: 'control-plane machines', dedicated: s.dedicatedMachines, hosted: s.hostedNodes, unit: '' },
    { label: 'vCPU', dedicated: s.dedicatedCpuCores, hosted: s.hostedCpuCores, unit: '' },
    { label: 'memory (GiB)', dedicated: s.dedicatedMemoryGiB, hosted: s.hostedMemoryGiB, unit: '' },
  ].reverse();
  const share = (v: number, of: number) => (of > 0 ? Math.round((v / of) * 1000) / 10 : 0);
  const height = 310;
  const label = (which: 'dedicated' | 'hosted') => ({
    show: true,
    position: 'right',
    fontSize: 11,
    fontFamily: FONT,
    color: COLORS.text,
    formatter: (p: any) => fmt(metrics[p.dataIndex][which]),
  });
  const option = {
    title: title('Hosted control planes vs dedicated machines',
      `${s.tenantCount} tenants × ${s.dedicatedMachinesPerTenant} dedicated machines vs ${s.hostedNodes} shared nodes: ${fmt(s.savedMachines)} machines (${fmt(s.savedMachinesPercent)} %) saved`),
    legend: { top: 58, left: 16, itemGap: 48, textStyle: { fontFamily: FONT, color: COLORS.text }, data: [`dedicated (${s.dedicatedMachinesPerTenant} per tenant)`, 'hosted (shared nodes)'] },
    grid: { left: 170, right: 90, top: 100, bottom: 36 },
    xAxis: { type: 'value', max: 100, interval: 25, axisLabel: { formatter: '{value} %', color: COLORS.muted, fontFamily: FONT }, splitLine: { lineStyle: { color: '#eceef1' } } },
    yAxis: { type: 'category', data: metrics.map((m) => m.label), axisTick: { show: false }, axisLabel: { color: COLORS.text, fontFamily: FONT } },
    series: [
      { name: `dedicated (${s.dedicatedMachinesPerTenant} per tenant)`, type: 'bar', barWidth: 14, silent: true, itemStyle: { color: COLORS.dedicated }, data: metrics.map((m) => (m.dedicated > 0 ? 100 : 0)), label: label('dedicated') },
      { name: 'hosted (shared nodes)', type: 'bar', barWidth: 14, silent: true, itemStyle: { color: COLORS.hosted }, data: metrics.map((m) => share(m.hosted, m.dedicated)), label: label('hosted') },
    ],
  };
  return { fileName: 'savings.svg', title: 'Hosted control planes vs dedicated machines', width: WIDTH, height, svg: render(WIDTH, height, option) };
}

/** Every chart of the report. */
export function renderCharts(d: FleetReportData): RenderedChart[] {
  return [capacityChart(d), vipChart(d), versionChart(d), savingsChart(d)];
}
