import type { CliIo } from '../../src/cli/io';
import { Progress } from '../../src/cli/progress';

function io(tty: boolean): CliIo & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => undefined, stderr: (t) => { err.push(t); }, stderrIsTTY: tty, columns: 60, env: {}, cwd: '/' };
}

describe('Progress', () => {
  test('on a terminal, rewrites one line with a carriage return and clears it at the end', () => {
    const out = io(true);
    const p = new Progress(out, 'verify', 3);
    p.tick('a');
    p.tick('b');
    p.tick('c');
    p.finish();
    expect(out.err.slice(0, 3)).toEqual(['\rverify: 1/3 a', '\rverify: 2/3 b', '\rverify: 3/3 c']);
    expect(out.err.join('')).not.toContain('\n');
    expect(out.err[3]).toMatch(/^\r +\r$/);
  });

  test('elsewhere, prints plain lines, about twenty for a long run', () => {
    const out = io(false);
    const p = new Progress(out, 'drift', 1000);
    for (let i = 0; i < 1000; i++) p.tick(`object ${i}`);
    p.finish();
    expect(out.err.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(out.err.length).toBeLessThanOrEqual(22);
    expect(out.err[out.err.length - 1]).toBe('drift: 1000/1000\n');
  });

  test('cuts terminal lines to the terminal width', () => {
    const out = io(true);
    new Progress(out, 'verify', 1).tick('x'.repeat(200));
    expect(out.err[0].length).toBeLessThanOrEqual(60);
  });
});
