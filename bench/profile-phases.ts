/**
 * Where our synth's time and memory go, by phase, for one fleet size (not part of `npm run bench`):
 *
 *   ts-node --prefer-ts-exts --transpile-only bench/profile-phases.ts <tenants> <outdir>
 *
 * Measures `lib/` (run `npx jsii` first). Wraps the writer's phases (module exports of lib/, so the
 * library itself is unchanged) and prints CPU seconds (user + system, whole process: the GC's helper
 * threads included), wall seconds and the heap after each phase. Nested phases (renders and
 * conformance inside validation) are counted once, in the innermost phase.
 *
 * `KMETAL_PROFILE_LIVE=1 node --expose-gc ...`: a full collection before each heap figure, so that
 * it is the live set (the times are then not representative).
 */
import * as fs from 'fs';
import { ConformanceChecker, FluxTree } from '../lib';
import { buildFleet } from './fleet';

interface Phase { cpu: number; wall: number; calls: number }
const phases = new Map<string, Phase>();
interface Frame { name: string; cpu: number; wall: number; childCpu: number; childWall: number; fineWall: Map<string, number> }
const stack: Frame[] = [];

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
function wallNow(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}
function add(name: string, cpu: number, wall: number, calls: number): void {
  const p = phases.get(name) ?? { cpu: 0, wall: 0, calls: 0 };
  p.cpu += cpu;
  p.wall += wall;
  p.calls += calls;
  phases.set(name, p);
}
// process.cpuUsage() costs ~10 µs, too much per object: phases called per object (renders,
// conformance) are timed by wall clock only, and charged the share of their enclosing phase's CPU
// time that their wall time is of its wall time (a machine shared with other jobs slows both alike).
const FINE = new Set<string>();
const fineCalls = new Map<string, number>();
let fineDepth = 0;
function timed<T>(name: string, fn: () => T): T {
  if (FINE.has(name)) {
    // A fine phase inside another (a render inside a conformance check) is counted in the outer one.
    if (fineDepth > 0 || stack.length === 0) return fn();
    const t0 = wallNow();
    fineDepth++;
    try {
      return fn();
    } finally {
      fineDepth--;
      const top = stack[stack.length - 1];
      top.fineWall.set(name, (top.fineWall.get(name) ?? 0) + wallNow() - t0);
      fineCalls.set(name, (fineCalls.get(name) ?? 0) + 1);
    }
  }
  const frame: Frame = { name, cpu: cpuNow(), wall: wallNow(), childCpu: 0, childWall: 0, fineWall: new Map() };
  stack.push(frame);
  try {
    return fn();
  } finally {
    stack.pop();
    const wall = wallNow() - frame.wall;
    const cpu = cpuNow() - frame.cpu;
    let ownCpu = cpu - frame.childCpu;
    let ownWall = wall - frame.childWall;
    const share = ownWall > 0 ? ownCpu / ownWall : 0;
    for (const [fine, fineWall] of frame.fineWall) {
      add(fine, fineWall * share, fineWall, 0);
      ownCpu -= fineWall * share;
      ownWall -= fineWall;
    }
    add(name, ownCpu, ownWall, 1);
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

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FastYamlWriter } = require('../lib/gitops/private/yaml-document');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PolicyEngine } = require('../lib/policy/private/engine');
wrap('../lib/gitops/private/construct-scan', 'scanConstructTree', 'construct validations (scan; policy pack apart)');
wrapMethod(PolicyEngine.prototype, 'run', 'policy pack: rules + prune protection (renders apart)');
wrap('../lib/gitops/private/unit-plan', 'planUnits', 'plan units');
wrap('../lib/gitops/private/tree-render', 'renderTree', 'tree render: identity, file names, Flux Kustomizations');
FINE.add('render objects: cdk8s toJson + deep freeze').add('conformance check: schema + CEL').add('YAML text');
wrap('../lib/util/render-session', 'renderOnce', 'render objects: cdk8s toJson + deep freeze');
wrap('../lib/gitops/private/tree-reconcile', 'reconcileRenderedTree', 'reconcile check');
wrap('../lib/gitops/private/folder-sync', 'syncFolder', 'write files + manifest (YAML text apart)');
wrapMethod(ConformanceChecker.prototype, 'validateObject', 'conformance check: schema + CEL');
wrapMethod(FastYamlWriter.prototype, 'document', 'YAML text');

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
for (const [name, p] of rows) console.log(`| ${name} | ${p.cpu.toFixed(2)} | ${p.wall.toFixed(2)} | ${fineCalls.get(name) ?? p.calls} |`);
for (const h of heap) console.log(h);
