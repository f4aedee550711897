import { cdk8s, javascript, JsonFile } from 'projen';

// cdk8s-kmetal: typed cdk8s constructs for bare-metal, multi-tenant Kubernetes platforms (kMetal).
//
// Layout decisions worth knowing before editing this file (see README "Contributing"):
// - `dist/` is the synthesized platform (the product's output, committed for GitOps), so the
//   jsii/pacmak artifacts go to `dist-packages/` instead of projen's default `dist/`.
// - jsii compiles only `src/`, so the generated L1 classes live in `src/imports/`; the top-level
//   `imports/` holds what the import task reads and writes besides code: the kind selection, the
//   lock of the pinned CRD files and the schema bundle the conformance checker ships with.
const project = new cdk8s.ConstructLibraryCdk8s({
  author: 'cdk8s-kmetal maintainers',
  authorAddress: 'maintainers@cdk8s-kmetal.dev',
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.4.2',
  jsiiVersion: '~6.0.0',
  name: 'cdk8s-kmetal',
  description: 'Typed cdk8s constructs for bare-metal, multi-tenant Kubernetes platforms: Kamaji hosted control planes, KubeVirt workers, Metal3, Kube-OVN, Capsule, Sveltos, synthesized for Flux.',
  keywords: ['cdk8s', 'kubernetes', 'kamaji', 'cluster-api', 'kubevirt', 'metal3', 'kube-ovn', 'capsule', 'sveltos', 'flux', 'bare-metal', 'multi-tenancy'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  defaultReleaseBranch: 'main',
  repositoryUrl: 'https://github.com/cdk8s-kmetal/cdk8s-kmetal.git',
  license: 'Apache-2.0',

  github: false,
  release: false,
  artifactsDirectory: 'dist-packages',

  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  // Non-jsii runtime dependencies must be bundled into the jsii package.
  // @bufbuild/protobuf is a peer of @bufbuild/cel that cel loads at run time: bundle it too.
  // The fleet report's SVG charts are written by src/report/private/svg.ts (no charting library: see there why).
  bundledDeps: ['@bufbuild/cel@^0.6.1', '@bufbuild/protobuf@^2.17.0', 'yaml@^2.9.1'],
  devDeps: [
    'cdk8s-cli@^2.207.60',
    '@types/node@^20',
    'json-schema-to-typescript@^16.0.0',
    'fast-check@^4.10.2',
    // Rasterizes the report's SVG charts in tests (prebuilt binary shipped inside the npm package).
    '@resvg/resvg-js@^2.6.2',
    // Only `kmetal verify|drift|inventory` talk to a cluster; they load it on first use and, when it is absent,
    // say to install it beside cdk8s-kmetal (src/cli/kube/client-node.ts), so an app that only synthesizes YAML
    // does not install its 57 MB. Not a peer dependency: jsii refuses a peer that is not a jsii module, even an
    // optional one. A dev dependency here for the CLI tests. 2.x needs Node >= 22.19, so 1.x.
    '@kubernetes/client-node@^1.4.0',
  ],

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'build-tools', 'examples', 'bench'],
    // Generated L1 bindings are not ours to lint.
    ignorePatterns: ['src/imports/**', '*.d.ts', '*.js', 'node_modules/'],
  },
  jestOptions: {
    // Snapshots are assertions: a run never rewrites them (`npx projen test:update` does, on purpose).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // Generated L1 bindings are tens of thousands of lines nobody tests line by line.
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/dist-packages/'],
      testTimeout: 120_000,
      // Coverage instruments every loaded file (the generated imports and the schema bundle included)
      // and cost a third of the suite's time; nothing reads the report. Jest's default of one worker
      // per core less one leaves one of CI's two cores idle.
      collectCoverage: false,
      maxWorkers: '100%',
      // The minutes-long suites first, so that two workers finish together (test/support/slow-first-sequencer.js).
      testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
    },
  },
  tsconfig: {
    compilerOptions: {
      // projen's default inlines a source map with the full TypeScript source into every lib/*.js: 16 MB of the
      // package, most of it the generated L1 bindings. Users debug their own programs, not lib/; tests run src/.
      inlineSourceMap: false,
      inlineSources: false,
    },
  },
  tsconfigDev: {
    compilerOptions: {
      // ts-jest type checking the generated imports on every run costs more than it finds:
      // `jsii` type-checks all of src/ in the compile step anyway.
      isolatedModules: true,
    },
  },
  // `/node_modules` without the slash too: a worktree's node_modules symlinked to another checkout's
  // is a file to git, which `node_modules/` does not ignore (one was committed once).
  gitignore: ['/dist-packages/', '/.tmp/', '/node_modules'],
  npmignoreEnabled: true,
});

// dist/ is the synthesized platform: committed for GitOps (projen ignores it by default).
project.gitignore.removePatterns('/dist/', '/dist/changelog.md', '/dist/version.txt');
project.gitignore.addPatterns('!/dist/');

// `kmetal check|verify|drift|inventory`: read-only towards clusters.
project.addBins({ kmetal: 'lib/cli/kmetal.js' });

// `cdk8s-kmetal/plugin`: the cdk8s CLI validation plugin (not part of the jsii API). The `./lib/*`
// entries keep documented deep imports (lib/util/errors, lib/policy/testing) working.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './plugin': { types: './lib/plugin/index.d.ts', default: './lib/plugin/index.js' },
  './lib/*.js': { types: './lib/*.d.ts', default: './lib/*.js' },
  './lib/*': { types: './lib/*.d.ts', default: './lib/*.js' },
  './.jsii': './.jsii',
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': { plugin: ['lib/plugin/index.d.ts'] } });

project.npmignore?.addPatterns('/examples/', '/bench/', '/build-tools/', '/dist/', '/.ci/', '/.tmp/');
// Only what a program importing the library needs: lib/ has no maps (tsconfig above), these keep a stray
// local build (tsc --sourceMap, an incremental build) out of the tarball too. .d.ts stay: jsii and TypeScript users need them.
// `dist-packages` spelt as jsii-pacmak writes it: otherwise `projen package` appends it and leaves .npmignore modified.
project.npmignore?.addPatterns('*.js.map', '*.d.ts.map', '*.tsbuildinfo', 'dist-packages', '/coverage/');
project.npmignore?.addPatterns('!/imports/crds.lock.json', '!/imports/schemas/');
// The tenant request schema: editors load it from the package (README, "Tenant self-service"); the loader reads it.
project.npmignore?.addPatterns('!/schemas/');

// Type-checking (and eslint's project service) for the TypeScript outside src/ and test/.
for (const dir of ['build-tools', 'examples', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..', isolatedModules: true },
      include: ['**/*.ts'],
    },
  });
}

const tsNode = 'ts-node --prefer-ts-exts --transpile-only';

// Regenerates src/imports (L1 classes) and imports/schemas (the conformance bundle) from ../shared/crds.
project.addTask('import', {
  description: 'Regenerate L1 bindings and the schema bundle from the pinned CRDs in ../shared/crds (checks the lock).',
  exec: `${tsNode} build-tools/import-crds.ts`,
  receiveArgs: true,
});
project.addTask('import:check', {
  description: 'Fail when the pinned CRDs changed without the lock, or when generated code is stale.',
  exec: `${tsNode} build-tools/import-crds.ts --check`,
});
// The tenant request format (self-service): its JSON Schema is the source, the types are generated.
project.addTask('selfservice-types', {
  description: 'Regenerate src/selfservice/tenant-request.generated.ts from schemas/tenant-request.schema.json (--check: fail when stale).',
  exec: `${tsNode} build-tools/tenant-request-types.ts`,
  receiveArgs: true,
});
project.addTask('chart-values', {
  description: 'Regenerate src/addons/values (TypeScript types of chart values) from the schemas in ../shared/charts.',
  exec: `${tsNode} build-tools/chart-values-types.ts`,
  receiveArgs: true,
});
const bench = project.addTask('bench', {
  description: 'Synth benchmark: 10 to 10,000 tenants, ours vs plain cdk8s vs the YAML floor, wall and CPU time and peak RSS (bench/results/).',
});
// The benchmark measures the compiled library (what users run), so it is compiled first.
bench.spawn(project.compileTask);
bench.exec(`${tsNode} bench/synth-benchmark.ts`, { receiveArgs: true });
project.addTask('synth:examples', {
  description: 'Synthesize every example under examples/ into dist/<example>/.',
  exec: `${tsNode} build-tools/synth-examples.ts`,
  receiveArgs: true,
});

project.synth();
