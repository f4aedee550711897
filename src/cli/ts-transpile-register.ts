// Loaded (`node -r`) by `kmetal synth` before a TypeScript program: compiles each .ts file of the
// user's program with the TypeScript of the program's own project, transpile-only (the way cdk8s
// apps are usually run), as CommonJS whatever the project's tsconfig says. ts-node is not used: with
// no tsconfig it picks options TypeScript 6 rejects ("moduleResolution=node10 is deprecated"), and
// TypeScript 7 has no compiler API for it at all. `runSynth` resolves the compiler and passes its
// path in KMETAL_TYPESCRIPT.
import * as fs from 'fs';
import * as path from 'path';

interface TranspileApi {
  ModuleKind: { CommonJS: number };
  ScriptTarget: { ES2022: number };
  transpileModule(input: string, options: { fileName: string; compilerOptions: object; reportDiagnostics?: boolean }): { outputText: string };
  findConfigFile(dir: string, exists: (f: string) => boolean): string | undefined;
  readConfigFile(file: string, read: (f: string) => string | undefined): { config?: any };
  convertCompilerOptionsFromJson(options: object, basePath: string): { options: { [k: string]: unknown } };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiler is found at run time, in the user's project
const ts: TranspileApi = require(process.env.KMETAL_TYPESCRIPT!);
const programDir = path.dirname(path.resolve(process.argv[1] ?? '.'));

/** The project's own compiler options (decorators, JSX, paths...), with the module system forced to CommonJS. */
function compilerOptions(): object {
  const file = ts.findConfigFile(programDir, fs.existsSync);
  const json = file ? ts.readConfigFile(file, (f) => fs.readFileSync(f, 'utf8')).config?.compilerOptions ?? {} : {};
  const own = ts.convertCompilerOptionsFromJson(json, file ? path.dirname(file) : programDir).options;
  const { module: _module, moduleResolution: _resolution, noEmit: _noEmit, declaration: _declaration, composite: _composite, ...kept } = own;
  return { target: ts.ScriptTarget.ES2022, esModuleInterop: true, ...kept, module: ts.ModuleKind.CommonJS, inlineSourceMap: true };
}

const options = compilerOptions();
const compileJs = require.extensions['.js'];
for (const ext of ['.ts', '.cts', '.mts', '.tsx']) {
  require.extensions[ext] = (module: any, filename: string) => {
    // Packages ship JavaScript; a .ts file inside node_modules is someone else's source, run as-is by its own tooling.
    if (filename.split(path.sep).includes('node_modules')) return compileJs(module, filename);
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: options });
    module._compile(outputText, filename);
  };
}
