/**
 * Child process that runs `kmetal` commands for the CLI tests (started by KmetalHost).
 *
 * Why a child: @kubernetes/client-node is an ES module, which Jest's CommonJS runtime cannot load
 * without --experimental-vm-modules. Here, under plain Node (+ ts-node), the CLI loads it exactly
 * as the installed `kmetal` does, through a dynamic import(). One child serves every command of a
 * test file, so Node and ts-node start once.
 */
import { runKmetal } from '../../../src/cli/main';

interface RunMessage {
  readonly id: number;
  readonly argv: string[];
  readonly env: { [name: string]: string };
  readonly cwd: string;
  readonly tty: boolean;
}

process.on('message', (msg: RunMessage) => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: (t: string) => { stdout.push(t); },
    stderr: (t: string) => { stderr.push(t); },
    stderrIsTTY: msg.tty,
    columns: 100,
    env: msg.env,
    cwd: msg.cwd,
  };
  runKmetal(msg.argv, io).then(
    (code) => process.send!({ id: msg.id, code, stdout: stdout.join(''), stderr: stderr.join('') }),
    (e) => process.send!({ id: msg.id, code: -1, stdout: stdout.join(''), stderr: `${stderr.join('')}host: runKmetal threw: ${e}` }),
  );
});
process.send!({ ready: true });
