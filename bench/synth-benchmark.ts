/**
 * `npm run bench`: synthesizes fleets of 10 to 10,000 tenants three ways and writes
 * bench/results/README.md (table) and bench/results/synth-time.svg (plot).
 *
 *   npm run bench                        all sizes
 *   npm run bench -- --sizes 10,100      chosen sizes
 *   npm run bench -- --plain-max 5000    largest fleet plain cdk8s is run for (default 1000: it is quadratic)
 *   npm run bench -- --workdir /var/tmp  where the trees are written (default /dev/shm, else the OS temp folder)
 *   npm run bench -- --render            rewrite README.md and the plot from results.json, measuring nothing
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
  /** User + system CPU seconds (absent in results from before it was measured). */
  readonly cpuSeconds?: number;
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
const sizes = arg('--sizes', '10,100,1000,5000,10000').split(',').map(Number);
const plainMax = Number(arg('--plain-max', '1000'));
let work = '';
const tsNode = path.join(repoRoot, 'node_modules', '.bin', 'ts-node');

/**
 * Where the trees are written. A memory file system by default: at thousands of tenants every path
 * creates tens of thousands of files, and on a disk the figures then measure the disk (ratios swung
 * from 0.6x to 2.2x between runs), not the library.
 */
function workRoot(): string {
  const chosen = arg('--workdir', '');
  if (chosen) return chosen;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

function run(mode: string, tenants: number): Measurement {
  // Flush the previous run's dirty pages first (when the trees are on a disk): otherwise the kernel's
  // write-back of one run's tens of thousands of files throttles the next run's writes, and the
  // figures measure the disk's history instead of the code.
  if (process.platform === 'linux') execFileSync('sync');
  const out = execFileSync(tsNode, ['--prefer-ts-exts', '--transpile-only', path.join('bench', 'run-one.ts'), mode, String(tenants), path.join(work, mode), path.join(work, `objects-${tenants}.json`)], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
    maxBuffer: 16 * 1024 * 1024,
  }).toString();
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** The type of the file system `dir` is on (`tmpfs`, `ext4`...), from /proc/mounts; `unknown` elsewhere. */
function fileSystemOf(dir: string): string {
  try {
    const real = fs.realpathSync(dir);
    let best = { mount: '', type: 'unknown' };
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (!mount || !type) continue;
      const inside = real === mount || real.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
      if (inside && mount.length >= best.mount.length) best = { mount, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}

/** `uptime`'s load averages, to tell a quiet machine from a shared one. */
function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}

const outDir = path.join(repoRoot, 'bench', 'results');
const resultsFile = path.join(outDir, 'results.json');
interface Results {
  readonly machine: string;
  /** The file system the trees were written to, e.g. `/dev/shm (tmpfs)`. */
  readonly workdir?: string;
  /** Load averages (1, 5, 15 min) when the run started and when it ended. */
  readonly loadBefore?: string;
  readonly loadAfter?: string;
  readonly sizes: number[];
  readonly plainMax: number;
  readonly measurements: Measurement[];
}

let saved: Results;
if (args.includes('--render')) {
  saved = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
} else {
  const measurements: Measurement[] = [];
  const root = workRoot();
  const workdir = `${root} (${fileSystemOf(root)})`;
  const loadBefore = load();
  console.log(`writing to ${workdir}; load average ${loadBefore}`);
  work = fs.mkdtempSync(path.join(root, 'kmetal-bench-'));
  try {
    for (const n of sizes) {
      for (const mode of ['ours', 'floor', 'plain']) {
        if (mode === 'plain' && n > plainMax) continue;
        const m = run(mode, n);
        measurements.push(m);
        console.log(`${String(n).padStart(5)} tenants  ${mode.padEnd(5)}  ${m.seconds.toFixed(2).padStart(7)} s  ${(m.cpuSeconds ?? NaN).toFixed(2).padStart(7)} s CPU  ${String(m.peakRssMiB).padStart(5)} MiB  ${m.objects} objects  ${m.files} files  ${(m.bytes / 1e6).toFixed(1)} MB`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
  saved = { machine, workdir, loadBefore, loadAfter: load(), sizes, plainMax, measurements };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(saved, null, 2)}\n`);
}
render(saved);

function render({ machine, workdir, loadBefore, loadAfter, sizes: ns, plainMax: pmax, measurements: results }: Results): void {
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

  const wall = (m?: Measurement) => (m ? m.seconds.toFixed(2) : '');
  const cpu = (m?: Measurement) => (m?.cpuSeconds !== undefined ? m.cpuSeconds.toFixed(2) : '');
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : 'n/a');
  const rows = ns.map((n) => {
    const o = get('ours', n);
    const p = get('plain', n);
    const f = get('floor', n);
    const plain = p ? `${wall(p)} | ${cpu(p)} | ${p.peakRssMiB}` : `not run (> ${pmax}) | | `;
    return `| ${n} | ${o?.objects ?? ''} | ${o ? (o.bytes / 1e6).toFixed(1) : ''} | ${wall(o)} | ${cpu(o)} | ${o?.peakRssMiB ?? ''} | ${wall(f)} | ${cpu(f)} | ${f?.peakRssMiB ?? ''} | ${plain} | ${ratio(o?.seconds, f?.seconds)} | ${ratio(o?.cpuSeconds, f?.cpuSeconds)} | ${ratio(o?.seconds, p?.seconds)} |`;
  });

  const md = [
    '# Synth benchmark',
    '',
    `Generated by \`npm run bench\` on ${machine}; raw figures in [results.json](results.json).`,
    `Trees written to ${workdir ?? 'the OS temp folder (on disk)'}; load average (1, 5, 15 min) ${loadBefore ?? 'not recorded'} at the start${loadAfter ? `, ${loadAfter} at the end` : ''}.`,
    'Each fleet is the reference platform scaled to N tenants (bench/fleet.ts): the under cluster with every component, network',
    'planes, a control-plane VIP pool, bare-metal hosts scaled to fit, one TenantClusterClass, a mandatory add-on profile and a',
    'billing hook; per tenant a Flux unit, a TenantVpc, a TenantCluster from the class on the VPC\'s subnet with governance and',
    'add-on labels (every tenth with a GPU pool). The platform policy pack is attached.',
    '',
    '- **ours**: construct + validate + policy pack + conformance check of every object (`FluxTree.synth` with `conformance`)',
    '  + reconcile check of the rendered tree + write the Flux tree.',
    '- **plain cdk8s**: the same final objects (every API object ours wrote, Flux Kustomizations included) as raw `ApiObject`s,',
    '  one `Chart` per folder, `App.synth()` (file per chart): what a user would write without this library, with no checks.',
    '  Quadratic in the fleet, so only run up to the size given by `--plain-max`.',
    '- **floor**: the same objects written straight to YAML files with the `yaml` package, one file per object.',
    '',
    'Each measurement runs in its own process (peak RSS is its own), after `sync`. The trees go to a memory file system by',
    'default (`--workdir` to choose): on a disk, creating tens of thousands of files dominates every path and the ratios',
    'measure the disk. *wall* is the wall-clock seconds of the work itself (module loading and, for the references, reading',
    'the object set excluded); *CPU* is the process\'s user + system CPU seconds over the same region (V8\'s GC threads',
    'included, so it can exceed wall time on several cores). Peak RSS is the process\'s maximum resident set (for ours taken',
    'right after the synth, before the object set is read back for the references). *MB written* is what ours wrote (it also',
    'writes kustomize\'s kustomization.yaml per folder).',
    '',
    '| tenants | objects | MB written | ours wall (s) | ours CPU (s) | ours peak RSS (MiB) | floor wall (s) | floor CPU (s) | floor peak RSS (MiB) | plain cdk8s wall (s) | plain CPU (s) | plain peak RSS (MiB) | ours / floor (wall) | ours / floor (CPU) | ours / plain (wall) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Growth exponent of our wall time vs tenants (log-log slope, fleets ≥ 100): **${show(slope)}** (1 = linear, 2 = quadratic).`,
    '',
    '| path | exponent (fleets ≥ 100) | between consecutive sizes |',
    '|---|---:|---|',
    ...exponentRows,
    '',
    '![synth time vs tenants](synth-time.svg)',
    '',
  ].join('\n');

  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'README.md'), `${md}${readmeTail()}`);
  fs.writeFileSync(path.join(outDir, 'synth-time.svg'), plot(results, ns));
  console.log(`\ngrowth exponent ${show(slope)}; results in bench/results/`);
}

// The README's sections after the plot (other benchmarks' results, written by hand) are kept.
function readmeTail(): string {
  const file = path.join(outDir, 'README.md');
  if (!fs.existsSync(file)) return '';
  const text = fs.readFileSync(file, 'utf8');
  const marker = '![synth time vs tenants](synth-time.svg)\n';
  const i = text.indexOf(marker);
  const tail = i < 0 ? '' : text.slice(i + marker.length).replace(/^\n+/, '');
  return tail ? `\n${tail}` : '';
}

/**
 * A small log-log line plot, written by hand so the bytes are deterministic for the same numbers:
 * wall time solid, CPU time dashed, one colour per path.
 */
function plot(all: Measurement[], ns: number[]): string {
  const W = 640;
  const H = 400;
  const L = 70;
  const B = 50;
  const R = 200;
  const T = 20;
  const xmin = Math.log10(Math.min(...ns));
  const xmax = Math.log10(Math.max(...ns));
  const secs = all.flatMap((m) => [m.seconds, m.cpuSeconds ?? m.seconds]).filter((s) => s > 0);
  const ymin = Math.floor(Math.log10(Math.min(...secs)));
  const ymax = Math.ceil(Math.log10(Math.max(...secs)));
  const x = (n: number) => L + ((Math.log10(n) - xmin) / Math.max(xmax - xmin, 1e-9)) * (W - L - R);
  const y = (s: number) => H - B - ((Math.log10(Math.max(s, 1e-3)) - ymin) / Math.max(ymax - ymin, 1e-9)) * (H - B - T);
  const lines: string[] = [];
  const series: Array<[string, string, string]> = [['ours', '#1f77b4', 'ours'], ['plain', '#d62728', 'plain cdk8s'], ['floor', '#2ca02c', 'floor (yaml only)']];
  let legend = 0;
  for (const [mode, color, label] of series) {
    const pts = all.filter((m) => m.mode === mode).sort((a, b) => a.tenants - b.tenants);
    if (!pts.length) continue;
    const measures: Array<[string, (m: Measurement) => number | undefined, string]> = [['wall', (m) => m.seconds, ''], ['CPU', (m) => m.cpuSeconds, ' stroke-dasharray="5,4"']];
    for (const [what, value, dash] of measures) {
      const shown = pts.filter((p) => value(p) !== undefined);
      if (!shown.length) continue;
      lines.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${shown.map((p) => `${x(p.tenants).toFixed(1)},${y(value(p)!).toFixed(1)}`).join(' ')}"/>`);
      for (const p of shown) lines.push(`<circle cx="${x(p.tenants).toFixed(1)}" cy="${y(value(p)!).toFixed(1)}" r="3" fill="${color}"/>`);
      const ly = T + 20 + legend++ * 20;
      lines.push(`<line x1="${W - R + 10}" x2="${W - R + 34}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
      lines.push(`<text x="${W - R + 40}" y="${ly}" fill="${color}" font-size="13">${label}, ${what}</text>`);
    }
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
    `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${(T + H - B) / 2})">seconds (log)</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}
