// Writes every complete program of README.md (a ```ts block that imports 'cdk8s-kmetal' and calls
// FluxTree.synth) to <folder>/readme-<n>/main.ts, and prints one line per program: its folder and
// the app it writes (dist/<appName>). package-smoke.sh runs each the way README says users run
// them (`npx kmetal synth main.ts`) against the packed library, so the README cannot drift from the
// package.
const fs = require('fs');
const path = require('path');

const [readme, folder] = process.argv.slice(2);
const text = fs.readFileSync(readme, 'utf8');
const blocks = [...text.matchAll(/^([ \t]*)```ts\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
  body.split('\n').map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n'));
const programs = blocks.filter((b) => /from 'cdk8s-kmetal'/.test(b) && /FluxTree\.synth\(/.test(b));
if (programs.length < 2) {
  console.error(`${readme}: expected the quick start and the own-chart program, found ${programs.length} complete program(s)`);
  process.exit(1);
}
programs.forEach((program, i) => {
  const dir = path.join(folder, `readme-${i + 1}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.ts'), program);
  const app = /appName: '([^']+)'/.exec(program);
  if (!app) {
    console.error(`${readme}: program ${i + 1} names no appName`);
    process.exit(1);
  }
  console.log(`${dir} ${app[1]}`);
});
