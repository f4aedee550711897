/**
 * What the reconcile check costs at synth: the benchmark fleet (bench/fleet.ts) written twice, with
 * and without `reconcile`, to a memory file system; CPU seconds of each, and the check alone over the
 * rendered tree in memory (what FluxTree.synth adds).
 *
 *   ts-node --transpile-only bench/reconcile-check.ts 1000 5000
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FluxTree } from '../lib';
import { buildFleet } from './fleet';
import { DiskTreeFiles } from '../lib/gitops/private/tree-files';
import { checkTreeFiles } from '../lib/reconcile/reconcile-checker';

function cpuSeconds(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
for (const tenants of process.argv.slice(2).map(Number)) {
  const outdir = fs.mkdtempSync(path.join(base, 'kmetal-reconcile-bench-'));
  try {
    const without = cpuSeconds(() => FluxTree.synth(buildFleet(tenants).app, { outdir, appName: 'off', reconcile: false }));
    let objects = 0;
    const withCheck = cpuSeconds(() => { objects = FluxTree.synth(buildFleet(tenants).app, { outdir, appName: 'on' }).objectCount; });
    // The check alone, over the tree read back (the `kmetal check` path: YAML parsing included).
    let findings = 0;
    const onDisk = cpuSeconds(() => { findings = checkTreeFiles(new DiskTreeFiles(path.join(outdir, 'on')), 'on').length; });
    const synthCpuSeconds = { reconcileOff: +without.toFixed(2), reconcileOn: +withCheck.toFixed(2), added: +(withCheck - without).toFixed(2) };
    console.log(JSON.stringify({ tenants, objects, synthCpuSeconds, checkOnDiskCpuSeconds: +onDisk.toFixed(2), findings }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
