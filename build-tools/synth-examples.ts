/**
 * The README's main job: synthesizes every example (examples/<name>/main.ts) into dist/<name>/.
 * Each example runs in its own process, as a user's program would.
 *
 *   npx projen synth:examples            all examples
 *   npx projen synth:examples quickstart  only the named ones
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '..');
const examplesDir = path.join(repoRoot, 'examples');
const wanted = process.argv.slice(2);
const examples = fs.readdirSync(examplesDir)
  .filter((d) => fs.existsSync(path.join(examplesDir, d, 'main.ts')))
  .filter((d) => wanted.length === 0 || wanted.includes(d))
  .sort();
if (wanted.length && examples.length !== wanted.length) {
  console.error(`synth:examples: unknown example(s): ${wanted.filter((w) => !examples.includes(w)).join(', ')}`);
  process.exit(1);
}
const tsNode = path.join(repoRoot, 'node_modules', '.bin', 'ts-node');
for (const name of examples) {
  const started = Date.now();
  process.stdout.write(`${name}: `);
  try {
    execFileSync(tsNode, ['--prefer-ts-exts', '--transpile-only', path.join('examples', name, 'main.ts')], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, KMETAL_OUTDIR: path.join(repoRoot, 'dist') },
    });
  } catch {
    console.error(`synth:examples: example "${name}" failed (see above)`);
    process.exit(1);
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
