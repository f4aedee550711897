// A drop-in for `-r ts-node/register/transpile-only` in the child processes the tests start (the
// `kmetal` entry file, the CLI test host): the same per-file `ts.transpileModule` that ts-node's
// transpile-only mode runs, with the emitted JavaScript kept on disk. Every child would otherwise
// transpile the library's ~25 MB of TypeScript again (5 s per start on 2 cores, the generated
// imports most of it); with the cache a start costs what loading lib/ costs.
//
// The cache is keyed by content only: the sha256 of the TypeScript version, the compiler options,
// the file's path and its source. An edited file gets a new key, so a stale entry can never be
// used; entries are written to a temporary name and renamed, so parallel workers never read half
// a file. Source maps are inline and Node's own support is on, so stack traces name .ts lines as
// they do under ts-node.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.join(__dirname, '..', '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'kmetal-test-transpile');

function compilerOptions() {
  const project = process.env.TS_NODE_PROJECT || path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(project, ts.sys.readFile);
  if (read.error) throw new Error(`ts-register-cached: cannot read ${project}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(project));
  // What ts-node changes for emitting CommonJS modules one file at a time.
  return {
    ...parsed.options,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    declaration: false,
    declarationMap: false,
    noEmit: false,
    noEmitOnError: false,
    outDir: undefined,
    rootDir: undefined,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    isolatedModules: true,
  };
}

const options = compilerOptions();
const optionsKey = `${ts.version}\u0000${JSON.stringify(options)}`;
process.setSourceMapsEnabled(true);

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(optionsKey).update('\u0000').update(filename).update('\u0000').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const out = ts.transpileModule(source, { compilerOptions: options, fileName: filename, reportDiagnostics: false }).outputText;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached);
  } catch {
    // A read-only or full disk only costs the cache.
  }
  return out;
}

require.extensions['.ts'] = function registerTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  module._compile(transpile(source, filename), filename);
};
