/**
 * One measurement, in its own process (so peak RSS belongs to it alone):
 *
 *   run-one.ts ours   <tenants> <outdir> <objects.json>   our path: construct + validate + policy + conformance + synth + write
 *   run-one.ts plain  <tenants> <outdir> <objects.json>   the same objects as raw ApiObjects, one Chart per unit, App.synth()
 *   run-one.ts floor  <tenants> <outdir> <objects.json>   the same objects straight to YAML files with the `yaml` package
 *
 * Prints one JSON line: { mode, tenants, seconds, cpuSeconds, peakRssMiB, objects, bytes, files }.
 * `seconds` is wall time of the work; `cpuSeconds` the process's user + system CPU time over the same
 * region (the GC's and libuv's threads included, so it can exceed the wall time on several cores).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import * as YAML from 'yaml';
import { ConformanceChecker, FluxTree } from '../lib';
import { buildFleet } from './fleet';

interface UnitDump {
  readonly path: string;
  readonly objects: any[];
}

function folderStats(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        stack.push(p);
      } else {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  }
  return { bytes, files };
}

/** The API objects of a written tree, by folder (kustomize's own kustomization.yaml files left out). */
function readTree(root: string): UnitDump[] {
  const units: UnitDump[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    const objects: any[] = [];
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        stack.push(p);
      } else if (e.name.endsWith('.yaml')) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(p, 'utf8'))) {
          const o = doc.toJS();
          if (o && o.apiVersion !== 'kustomize.config.k8s.io/v1beta1') objects.push(o);
        }
      }
    }
    if (objects.length) units.push({ path: path.relative(root, dir).split(path.sep).join('/'), objects });
  }
  return units;
}

function main(): void {
  const [mode, tenantsText, outdir, dumpFile] = process.argv.slice(2);
  const tenants = Number(tenantsText);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  let objects = 0;

  if (mode === 'ours') {
    const { app } = buildFleet(tenants);
    // Validation, the policy pack and the conformance check of every object run inside the write.
    const result = FluxTree.synth(app, { outdir, appName: 'fleet', conformance: ConformanceChecker.default() });
    if (result.objectCount === 0) throw new Error('nothing was written');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuSeconds = cpuOf(cpuStarted);
    // Peak RSS of the synth, taken before the object set is read back and dumped below: at 10,000
    // tenants that re-parse and its JSON text would otherwise be most of the peak it reports.
    const peakRssMiB = peakRss();
    // Hand the exact object set written to the reference runs, outside the timed region: every API
    // object of the tree, grouped by folder (a folder is one chart for plain cdk8s).
    const units = readTree(path.join(outdir, 'fleet'));
    fs.writeFileSync(dumpFile, JSON.stringify(units));
    // Counted like the references count: every API object written, the Flux Kustomizations included.
    objects = units.reduce((n, u) => n + u.objects.length, 0);
    report({ mode, tenants, seconds, cpuSeconds, peakRssMiB, objects }, outdir);
    return;
  }
  const units: UnitDump[] = JSON.parse(fs.readFileSync(dumpFile, 'utf8'));
  const parseDone = process.hrtime.bigint();
  const cpuParseDone = process.cpuUsage();
  if (mode === 'plain') {
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    for (const [i, unit] of units.entries()) {
      const chart = new Chart(app, `u${i}-${unit.path}`);
      for (const [j, o] of unit.objects.entries()) {
        new ApiObject(chart, `o${j}`, o);
        objects++;
      }
    }
    app.synth();
  } else if (mode === 'floor') {
    for (const unit of units) {
      const dir = path.join(outdir, unit.path);
      fs.mkdirSync(dir, { recursive: true });
      for (const o of unit.objects) {
        fs.writeFileSync(path.join(dir, `${o.kind.toLowerCase()}-${o.metadata.namespace ?? ''}-${o.metadata.name}.yaml`), YAML.stringify(o));
        objects++;
      }
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const seconds = Number(process.hrtime.bigint() - parseDone) / 1e9;
  report({ mode, tenants, seconds, cpuSeconds: cpuOf(cpuParseDone), peakRssMiB: peakRss(), objects }, outdir);
}

/** User + system CPU seconds of this process since `since`. */
function cpuOf(since: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
}

function peakRss(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

interface Figures {
  readonly mode: string;
  readonly tenants: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  readonly objects: number;
}

function report(f: Figures, outdir: string): void {
  const { bytes, files } = folderStats(outdir);
  console.log(JSON.stringify({
    mode: f.mode,
    tenants: f.tenants,
    seconds: Number(f.seconds.toFixed(3)),
    cpuSeconds: Number(f.cpuSeconds.toFixed(3)),
    peakRssMiB: f.peakRssMiB,
    objects: f.objects,
    bytes,
    files,
  }));
}

main();
