import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';

/** What one `kmetal` run produced. */
export interface KmetalRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one run. */
export interface RunOptions {
  /** Environment of the command (default: none besides what is given, so no KUBECONFIG or HOME leaks in). */
  readonly env?: { [name: string]: string };
  /** Whether standard error is a terminal. */
  readonly tty?: boolean;
  readonly cwd?: string;
  /** Bound of the run (default 60 s). */
  readonly timeoutMs?: number;
}

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * Runs `kmetal` commands in one child process (see cli-host.ts for why), one at a time.
 */
export class KmetalHost {
  /** Starts the child and waits until it is ready (the first start transpiles src on the way: allow ~20 s). */
  public static async start(): Promise<KmetalHost> {
    const child = fork(path.join(__dirname, 'cli-host.ts'), [], {
      cwd: REPO_ROOT,
      // ts-node's transpile-only mode with a content-keyed disk cache: later starts skip the transpile.
      execArgv: ['-r', path.join(REPO_ROOT, 'test', 'support', 'ts-register-cached.js')],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json') },
    });
    const host = new KmetalHost(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kmetal test host did not start within 60 s: ${host.childOutput}`)), 60_000);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`kmetal test host exited (${code}): ${host.childOutput}`)); });
      child.once('message', () => { clearTimeout(timer); resolve(); });
    });
    return host;
  }

  /** What the child printed outside the protocol (nothing, normally). */
  public childOutput = '';
  private nextId = 1;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d) => { this.childOutput += d; });
    child.stderr?.on('data', (d) => { this.childOutput += d; });
  }

  /** Runs `kmetal <argv>`. */
  public run(argv: string[], options: RunOptions = {}): Promise<KmetalRun> {
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? 60_000;
    return new Promise<KmetalRun>((resolve, reject) => {
      const onMessage = (msg: any) => {
        if (msg?.id !== id) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve({ code: msg.code, stdout: msg.stdout, stderr: msg.stderr });
      };
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error(`kmetal ${argv.join(' ')} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      this.child.on('message', onMessage);
      this.child.send({ id, argv, env: options.env ?? {}, cwd: options.cwd ?? REPO_ROOT, tty: options.tty ?? false });
    });
  }

  /** Ends the child. */
  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill();
    });
  }
}
