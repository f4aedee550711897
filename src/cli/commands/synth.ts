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
 * Runs the user's program as `cdk8s synth` runs an app (a TypeScript program through ts-node, from
 * the program's own project), with a handler installed first (`synth-preload`) that turns a
 * failure into lines on standard error: findings (a KmetalValidationError, cdk8s's validation
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
  const needsTsNode = /\.[cm]?tsx?$/.test(program) || self === '.ts';
  const requires: string[] = [];
  if (needsTsNode) requires.push(resolveTsNode(program, io.cwd));
  requires.push(path.join(__dirname, '..', `synth-preload${self}`));

  const child = spawn(process.execPath, [...requires.flatMap((r) => ['-r', r]), program, ...options.args], {
    cwd: io.cwd,
    env: { ...io.env } as NodeJS.ProcessEnv,
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

function resolveTsNode(program: string, cwd: string): string {
  try {
    return require.resolve('ts-node/register', { paths: [path.dirname(program), cwd, __dirname] });
  } catch {
    throw new CliFatalError(`synth: ${path.basename(program)} is TypeScript and ts-node is not installed in its project: npm install --save-dev ts-node, or compile the program and pass the .js`);
  }
}
