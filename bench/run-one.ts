/**
 * One measurement, in its own process (so peak RSS belongs to it alone):
 *
 *   run-one.ts ours   <tenants> <outdir> <objects.json>   our path: construct + validate + conformance + synth + write
 *   run-one.ts plain  <tenants> <outdir> <objects.json>   the same objects as raw ApiObjects, one Chart per unit, App.synth()
 *   run-one.ts floor  <tenants> <outdir> <objects.json>   the same objects straight to YAML files with the `yaml` package
 *
 * Prints one JSON line: { mode, tenants, seconds, peakRssMiB, objects, bytes, files }.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import * as YAML from 'yaml';
import { ConformanceChecker, FindingSeverity, FluxTree } from '../lib';
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

function main(): void {
  const [mode, tenantsText, outdir, dumpFile] = process.argv.slice(2);
  const tenants = Number(tenantsText);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const started = process.hrtime.bigint();
  let objects = 0;

  if (mode === 'ours') {
    const { app } = buildFleet(tenants);
    const result = FluxTree.synth(app, { outdir, appName: 'fleet' });
    objects = result.objectCount;
    // The shipped conformance checks over everything written (what `kmetal check` and CI run).
    const errors = ConformanceChecker.default().validateDirectory(path.join(outdir, 'fleet')).filter((f) => f.severity === FindingSeverity.ERROR);
    if (errors.length) throw new Error(`${errors.length} conformance errors, first: ${errors[0].message}`);
    // Hand the exact object set to the reference runs (outside the timed region would be nicer, but
    // it is a single JSON write; it is subtracted below).
    const dumpStart = process.hrtime.bigint();
    const units: UnitDump[] = [];
    const stack = [...app.node.children];
    while (stack.length) {
      const c: any = stack.pop();
      if (c instanceof Chart) units.push({ path: c.node.id, objects: c.toJson() });
      else stack.push(...c.node.children);
    }
    fs.writeFileSync(dumpFile, JSON.stringify(units));
    const dumpNs = process.hrtime.bigint() - dumpStart;
    report(mode, tenants, Number(process.hrtime.bigint() - started - dumpNs) / 1e9, objects, outdir);
    return;
  }

  const units: UnitDump[] = JSON.parse(fs.readFileSync(dumpFile, 'utf8'));
  const parseDone = process.hrtime.bigint();
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
  report(mode, tenants, Number(process.hrtime.bigint() - parseDone) / 1e9, objects, outdir);
}

function report(mode: string, tenants: number, seconds: number, objects: number, outdir: string): void {
  const { bytes, files } = folderStats(outdir);
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ mode, tenants, seconds: Number(seconds.toFixed(3)), peakRssMiB, objects, bytes, files }));
}

main();
