import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CliFatalError, ExitCode } from '../errors';
import type { CliIo } from '../io';

/** Options of `kmetal synth`. */
export interface SynthOptions {
  /** The program (`main.ts` or `main.js`), relative to the working directory. */
  readonly program: string;
  /** Arguments passed on to the program. */
  readonly args: readonly string[];
}

/**
 * Runs the user's program as `cdk8s synth` runs an app (a TypeScript program is compiled with the
 * TypeScript of its own project, transpile-only: `ts-transpile-register`), with a handler installed
 * first (`synth-preload`) that turns a failure into lines on standard error: findings (a KmetalValidationError, cdk8s's validation
 * error) one per line and exit code 1, any other error as one line and exit code 2; never stack
 * frames (KMETAL_DEBUG=1 shows them for errors that are not findings).
 *
 * @returns the program's exit code
 */
export async function runSynth(options: SynthOptions, io: CliIo): Promise<number> {
  const program = path.resolve(io.cwd, options.program);
  if (!fs.existsSync(program) || !fs.statSync(program).isFile()) {
    throw new CliFatalError(`synth: ${options.program} does not exist (give the program that builds the app, e.g. kmetal synth main.ts)`);
  }
  const self = path.extname(__filename);
  // This file is .ts when kmetal itself runs from its sources (its tests): the preload is then .ts too.
  const requires: string[] = [];
  const env: { [name: string]: string | undefined } = { ...io.env };
  // Run from its own sources (kmetal's tests), kmetal's loader is itself TypeScript: ts-node loads
  // it, and from then on the loader compiles the preload, the library's sources and the program.
  if (self === '.ts') requires.push(require.resolve('ts-node/register/transpile-only'));
  if (self === '.ts' || /\.[cm]?tsx?$/.test(program)) {
    env.KMETAL_TYPESCRIPT = resolveTypeScript(program, io.cwd);
    requires.push(path.join(__dirname, '..', `ts-transpile-register${self}`));
  }
  requires.push(path.join(__dirname, '..', `synth-preload${self}`));

  const child = spawn(process.execPath, [...requires.flatMap((r) => ['-r', r]), program, ...options.args], {
    cwd: io.cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ['inherit', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (text: string) => io.stdout(text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => io.stderr(text));
  return new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new CliFatalError(`synth: cannot run ${process.execPath}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (signal) io.stderr(`kmetal synth: ${options.program} was stopped by ${signal}\n`);
      resolve(code ?? ExitCode.FATAL);
    });
  });
}

/**
 * The TypeScript compiler of the program's project (else of the working directory), which must offer
 * the JavaScript compiler API (TypeScript 5 and 6; TypeScript 7 is a native binary without it).
 */
function resolveTypeScript(program: string, cwd: string): string {
  const name = path.basename(program);
  let resolved: string;
  try {
    resolved = require.resolve('typescript', { paths: [path.dirname(program), cwd] });
  } catch {
    throw new CliFatalError(`synth: ${name} is TypeScript and its project has no TypeScript compiler: npm install --save-dev typescript@~6.0, or compile the program and pass the .js`);
  }
  let api: { transpileModule?: unknown; version?: string };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiler is found at run time, in the user's project
    api = require(resolved);
  } catch (e) {
    throw new CliFatalError(`synth: cannot load TypeScript from ${resolved} (${(e as Error).message.split('\n')[0]}): npm install --save-dev typescript@~6.0, or compile the program and pass the .js`);
  }
  if (typeof api.transpileModule !== 'function') {
    throw new CliFatalError(`synth: the project's TypeScript ${api.version ?? ''} (${resolved}) has no JavaScript compiler API to run ${name} with (TypeScript 7 is a native compiler): npm install --save-dev typescript@~6.0 beside it, or compile with tsc and pass the .js`.replace('  ', ' '));
  }
  return resolved;
}
