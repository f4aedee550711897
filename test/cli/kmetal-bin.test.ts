import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './support/fixture';

// The installed command: the entry file run as its own process (here from src through the tests'
// cached transpiler, test/support/ts-register-cached.js, as package.json's bin runs lib/cli/kmetal.js),
// so exit codes and the shebang are those a shell sees.
const ENTRY = path.join(REPO_ROOT, 'src', 'cli', 'kmetal.ts');
const TS_REGISTER = path.join(REPO_ROOT, 'test', 'support', 'ts-register-cached.js');

function kmetal(args: string[], env: { [k: string]: string } = {}) {
  return spawnSync(process.execPath, ['-r', TS_REGISTER, ENTRY, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 90_000,
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'), ...env },
  });
}

test('the entry file starts with a node shebang (package.json bin)', () => {
  expect(fs.readFileSync(ENTRY, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
});

test('kmetal --help says that the command never changes a cluster (exit 0)', () => {
  const r = kmetal(['--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('kmetal never creates, changes or deletes anything in a cluster');
  expect(r.stdout).toMatch(/check <dist-dir>[\s\S]*verify <dist-dir>[\s\S]*drift <dist-dir>[\s\S]*inventory/);
});

test('kmetal with no arguments prints the usage on standard error and exits 2 (a usage error)', () => {
  const r = kmetal([]);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^kmetal: checks a synthesized cdk8s-kmetal tree[\s\S]*Usage: kmetal <command> \[options\]/);
});

test('with --json, a fatal error is also a JSON document on standard output; the exit code stays 2', () => {
  const r = kmetal(['drift', 'dist/quickstart', '--json'], { KUBECONFIG: '/nonexistent/kubeconfig' });
  expect(r.status).toBe(2);
  expect(JSON.parse(r.stdout)).toEqual({
    command: 'drift',
    error: { kind: 'fatal', message: 'no kubeconfig: KUBECONFIG names /nonexistent/kubeconfig, which does not exist', exitCode: 2 },
  });
  expect(r.stderr).toBe('kmetal: no kubeconfig: KUBECONFIG names /nonexistent/kubeconfig, which does not exist\n');
});

test('a fatal error is one line and exit code 2', () => {
  const r = kmetal(['verify', 'dist/quickstart'], { KUBECONFIG: '/nonexistent/kubeconfig' });
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('kmetal: no kubeconfig: KUBECONFIG names /nonexistent/kubeconfig, which does not exist\n');
});
