/**
 * `npm run bench`: synthesizes fleets of 10 to 5,000 tenants three ways and writes
 * bench/results/README.md (table) and bench/results/synth-time.svg (plot).
 *
 *   npm run bench                      all sizes
 *   npm run bench -- --sizes 10,100    chosen sizes
 *   npm run bench -- --plain-max 1000  largest fleet plain cdk8s is run for (default: all; it is quadratic)
 *   npm run bench -- --render          rewrite README.md and the plot from results.json, measuring nothing
 *
 * Each measurement runs in its own process (run-one.ts) so that peak RSS is its own.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Measurement {
  readonly mode: string;
  readonly tenants: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly objects: number;
  readonly bytes: number;
  readonly files: number;
}

const repoRoot = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = arg('--sizes', '10,100,1000,5000').split(',').map(Number);
const plainMax = Number(arg('--plain-max', String(Math.max(...sizes))));
let work = '';
const tsNode = path.join(repoRoot, 'node_modules', '.bin', 'ts-node');

function run(mode: string, tenants: number): Measurement {
  // Flush the previous run's dirty pages first: otherwise the kernel's write-back of one run's
  // tens of thousands of files throttles the next run's writes, and the figures measure the disk's
  // history instead of the code.
  if (process.platform === 'linux') execFileSync('sync');
  const out = execFileSync(tsNode, ['--prefer-ts-exts', '--transpile-only', path.join('bench', 'run-one.ts'), mode, String(tenants), path.join(work, mode), path.join(work, `objects-${tenants}.json`)], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
    maxBuffer: 16 * 1024 * 1024,
  }).toString();
  return JSON.parse(out.trim().split('\n').pop()!);
}

const outDir = path.join(repoRoot, 'bench', 'results');
const resultsFile = path.join(outDir, 'results.json');
interface Results {
  readonly machine: string;
  readonly sizes: number[];
  readonly plainMax: number;
  readonly measurements: Measurement[];
}

let saved: Results;
if (args.includes('--render')) {
  saved = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
} else {
  const measurements: Measurement[] = [];
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-bench-'));
  try {
    for (const n of sizes) {
      for (const mode of ['ours', 'floor', 'plain']) {
        if (mode === 'plain' && n > plainMax) continue;
        const m = run(mode, n);
        measurements.push(m);
        console.log(`${String(n).padStart(5)} tenants  ${mode.padEnd(5)}  ${m.seconds.toFixed(2).padStart(7)} s  ${String(m.peakRssMiB).padStart(5)} MiB  ${m.objects} objects  ${m.files} files  ${(m.bytes / 1e6).toFixed(1)} MB`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
  saved = { machine, sizes, plainMax, measurements };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(saved, null, 2)}\n`);
}
render(saved);

function render({ machine, sizes: ns, plainMax: pmax, measurements: results }: Results): void {
  const get = (mode: string, n: number) => results.find((r) => r.mode === mode && r.tenants === n);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  // Growth exponent: least-squares slope of log(time) against log(tenants) over the measured sizes ≥ 100
  // (the smallest fleets are dominated by fixed costs), and between each pair of consecutive sizes.
  const slopeOf = (fit: Measurement[]) => {
    const xs = fit.map((m) => Math.log(m.tenants));
    const ys = fit.map((m) => Math.log(m.seconds));
    return fit.length >= 2
      ? xs.reduce((acc, x, i) => acc + (x - mean(xs)) * (ys[i] - mean(ys)), 0) / xs.reduce((acc, x) => acc + (x - mean(xs)) ** 2, 0)
      : NaN;
  };
  const series = (mode: string) => ns.map((n) => get(mode, n)).filter((m): m is Measurement => m !== undefined && m.tenants >= 100);
  const slope = slopeOf(series('ours'));
  const show = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  const exponentRows = ['ours', 'plain', 'floor'].map((mode) => {
    const pts = series(mode);
    const steps = pts.slice(1).map((m, i) => `${pts[i].tenants} → ${m.tenants}: ${show(slopeOf([pts[i], m]))}`);
    return `| ${mode === 'plain' ? 'plain cdk8s' : mode} | ${show(slopeOf(pts))} | ${steps.join('; ')} |`;
  });

  const rows = ns.map((n) => {
    const o = get('ours', n);
    const p = get('plain', n);
    const f = get('floor', n);
    const ratio = (a?: Measurement, b?: Measurement) => (a && b ? (a.seconds / b.seconds).toFixed(2) : 'n/a');
    return `| ${n} | ${o?.objects ?? ''} | ${o ? (o.bytes / 1e6).toFixed(1) : ''} | ${o?.seconds.toFixed(2) ?? ''} | ${o?.peakRssMiB ?? ''} | ${p ? p.seconds.toFixed(2) : `not run (> ${pmax})`} | ${p?.peakRssMiB ?? ''} | ${f?.seconds.toFixed(2) ?? ''} | ${ratio(o, p)} | ${ratio(o, f)} |`;
  });

  const md = [
    '# Synth benchmark',
    '',
    `Generated by \`npm run bench\` on ${machine}; raw figures in [results.json](results.json).`,
    'Each fleet is the reference platform scaled to N tenants (bench/fleet.ts): the under cluster with every component, network',
    'planes, a control-plane VIP pool, bare-metal hosts scaled to fit, one TenantClusterClass, a mandatory add-on profile and a',
    'billing hook; per tenant a Flux unit, a TenantVpc, a TenantCluster from the class on the VPC\'s subnet with governance and',
    'add-on labels (every tenth with a GPU pool). The platform policy pack is attached.',
    '',
    '- **ours**: construct + validate + policy pack + conformance check of every object (`FluxTree.synth` with `conformance`) + write the Flux tree.',
    '- **plain cdk8s**: the same final objects (every API object ours wrote, Flux Kustomizations included) as raw `ApiObject`s,',
    '  one `Chart` per folder, `App.synth()` (file per chart): what a user would write without this library, with no checks.',
    '- **floor**: the same objects written straight to YAML files with the `yaml` package, one file per object.',
    '',
    'Each measurement runs in its own process (peak RSS is its own), after `sync`. Times are wall-clock seconds of the work',
    'itself (module loading and, for the references, reading the object set excluded). *MB written* is what ours wrote',
    '(it also writes kustomize\'s kustomization.yaml per folder).',
    '',
    '| tenants | objects | MB written | ours (s) | ours peak RSS (MiB) | plain cdk8s (s) | plain peak RSS (MiB) | floor (s) | ours / plain | ours / floor |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Growth exponent of our time vs tenants (log-log slope, fleets ≥ 100): **${show(slope)}** (1 = linear, 2 = quadratic).`,
    '',
    '| path | exponent (fleets ≥ 100) | between consecutive sizes |',
    '|---|---:|---|',
    ...exponentRows,
    '',
    '![synth time vs tenants](synth-time.svg)',
    '',
  ].join('\n');

  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'README.md'), md);
  fs.writeFileSync(path.join(outDir, 'synth-time.svg'), plot(results, ns));
  console.log(`\ngrowth exponent ${show(slope)}; results in bench/results/`);
}

/** A small log-log line plot, written by hand so the bytes are deterministic for the same numbers. */
function plot(all: Measurement[], ns: number[]): string {
  const W = 640;
  const H = 400;
  const L = 70;
  const B = 50;
  const R = 150;
  const T = 20;
  const xmin = Math.log10(Math.min(...ns));
  const xmax = Math.log10(Math.max(...ns));
  const secs = all.map((m) => m.seconds).filter((s) => s > 0);
  const ymin = Math.floor(Math.log10(Math.min(...secs)));
  const ymax = Math.ceil(Math.log10(Math.max(...secs)));
  const x = (n: number) => L + ((Math.log10(n) - xmin) / Math.max(xmax - xmin, 1e-9)) * (W - L - R);
  const y = (s: number) => H - B - ((Math.log10(Math.max(s, 1e-3)) - ymin) / Math.max(ymax - ymin, 1e-9)) * (H - B - T);
  const lines: string[] = [];
  const series: Array<[string, string, string]> = [['ours', '#1f77b4', 'ours'], ['plain', '#d62728', 'plain cdk8s'], ['floor', '#2ca02c', 'floor (yaml only)']];
  for (const [i, [mode, color, label]] of series.entries()) {
    const pts = all.filter((m) => m.mode === mode).sort((a, b) => a.tenants - b.tenants);
    if (!pts.length) continue;
    lines.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.tenants).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) lines.push(`<circle cx="${x(p.tenants).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="3" fill="${color}"/>`);
    lines.push(`<text x="${W - R + 10}" y="${T + 20 + i * 20}" fill="${color}" font-size="13">${label}</text>`);
  }
  const axes: string[] = [];
  for (const n of ns) axes.push(`<text x="${x(n).toFixed(1)}" y="${H - B + 18}" text-anchor="middle" font-size="12">${n}</text>`);
  for (let e = ymin; e <= ymax; e++) {
    const v = 10 ** e;
    axes.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    axes.push(`<text x="${L - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="12">${v >= 1 ? v : v.toFixed(-e)} s</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    ...axes,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle" font-size="13">tenants (log)</text>`,
    `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${(T + H - B) / 2})">synth time (log)</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}
