/**
 * Where our synth's time and memory go, by phase, for one fleet size (not part of `npm run bench`):
 *
 *   ts-node --prefer-ts-exts --transpile-only bench/profile-phases.ts <tenants> <outdir>
 *
 * Measures `lib/` (run `npx jsii` first). Wraps the writer's phases (module exports of lib/, so the
 * library itself is unchanged) and prints CPU seconds (user + system, whole process), wall seconds
 * and the heap after each phase. Nested phases (renders and conformance inside validation) are
 * counted once, in the innermost phase.
 */
import * as fs from 'fs';
import { ConformanceChecker, FluxTree } from '../lib';
import { buildFleet } from './fleet';

interface Phase { cpu: number; wall: number; calls: number }
const phases = new Map<string, Phase>();
const stack: Array<{ name: string; cpu: number; wall: number; childCpu: number; childWall: number }> = [];

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
function wallNow(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}
// process.cpuUsage() costs ~10 µs: phases called per object (renders, conformance) take wall time
// only, and count it as CPU (they run on the main thread; the GC's helper threads are not in them).
const FINE = new Set<string>();
function timed<T>(name: string, fn: () => T): T {
  const fine = FINE.has(name);
  const frame = { name, cpu: fine ? 0 : cpuNow(), wall: wallNow(), childCpu: 0, childWall: 0 };
  stack.push(frame);
  try {
    return fn();
  } finally {
    stack.pop();
    const wall = wallNow() - frame.wall;
    const cpu = fine ? wall : cpuNow() - frame.cpu;
    const p = phases.get(name) ?? { cpu: 0, wall: 0, calls: 0 };
    p.cpu += cpu - frame.childCpu;
    p.wall += wall - frame.childWall;
    p.calls++;
    phases.set(name, p);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.childCpu += cpu;
      parent.childWall += wall;
    }
  }
}
function wrap(modulePath: string, exportName: string, phase: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require(modulePath);
  const original = m[exportName];
  m[exportName] = function (this: unknown, ...args: unknown[]) {
    const result = timed(phase, () => original.apply(this, args));
    if (!FINE.has(phase)) mark(`after ${phase}`);
    return result;
  };
}
function wrapMethod(proto: any, method: string, phase: string): void {
  const original = proto[method];
  proto[method] = function (this: unknown, ...args: unknown[]) {
    return timed(phase, () => original.apply(this, args));
  };
}
const mib = (n: number) => Math.round(n / 1048576);
const heap: string[] = [];
// With KMETAL_PROFILE_LIVE=1 (and node --expose-gc), a full collection before each mark: the live set.
const live = process.env.KMETAL_PROFILE_LIVE === '1' && typeof (globalThis as any).gc === 'function';
function mark(label: string): void {
  if (live) (globalThis as any).gc();
  const m = process.memoryUsage();
  heap.push(`${label}: heapUsed ${mib(m.heapUsed)} MiB, rss ${mib(m.rss)} MiB`);
}

wrap('../lib/gitops/private/construct-scan', 'scanConstructTree', 'scan + construct validations + policy pack');
wrap('../lib/gitops/private/unit-plan', 'planUnits', 'plan units');
wrap('../lib/gitops/private/tree-render', 'renderTree', 'render tree (identity, file names, Flux Kustomizations)');
FINE.add('render objects (cdk8s toJson)').add('conformance check');
wrap('../lib/util/errors', 'toJsonOf', 'render objects (cdk8s toJson)');
wrap('../lib/gitops/private/tree-reconcile', 'reconcileRenderedTree', 'reconcile check');
wrap('../lib/gitops/private/tree-render', 'serializeTree', 'YAML text');
wrap('../lib/gitops/private/folder-sync', 'syncFolder', 'write files');
wrapMethod(ConformanceChecker.prototype, 'validateObject', 'conformance check');

const [tenantsText, outdir] = process.argv.slice(2);
fs.rmSync(outdir, { recursive: true, force: true });
const cpu0 = cpuNow();
const wall0 = wallNow();
mark('start');
const { app } = timed('construct fleet', () => buildFleet(Number(tenantsText)));
mark('constructed');
const result = timed('other (FluxTree.synth outside the phases)', () => FluxTree.synth(app, { outdir, appName: 'fleet', conformance: ConformanceChecker.default() }));
mark('written');
const totalCpu = cpuNow() - cpu0;
const totalWall = wallNow() - wall0;
const rows = [...phases.entries()].sort((a, b) => b[1].cpu - a[1].cpu);
console.log(`${tenantsText} tenants, ${result.objectCount} objects; CPU ${totalCpu.toFixed(2)} s, wall ${totalWall.toFixed(2)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
console.log('| phase | CPU (s) | wall (s) | calls |\n|---|---:|---:|---:|');
for (const [name, p] of rows) console.log(`| ${name} | ${p.cpu.toFixed(2)} | ${p.wall.toFixed(2)} | ${p.calls} |`);
for (const h of heap) console.log(h);
