import { parseArgs } from 'util';
import type { CheckOptions } from './commands/check';
import type { DriftOptions } from './commands/drift';
import type { InventoryOptions } from './commands/inventory';
import type { PlanOptions } from './commands/plan';
import type { SynthOptions } from './commands/synth';
import type { VerifyOptions } from './commands/verify';
import { UsageError } from './errors';

/** A command line, understood. */
export type CommandLine =
  | { readonly command: 'help'; readonly topic: string }
  /** No command at all: the usage goes to standard error, as a usage error (exit 2). */
  | { readonly command: 'usage' }
  | { readonly command: 'version' }
  | { readonly command: 'check'; readonly options: CheckOptions }
  | { readonly command: 'plan'; readonly options: PlanOptions }
  | { readonly command: 'verify'; readonly options: VerifyOptions }
  | { readonly command: 'drift'; readonly options: DriftOptions }
  | { readonly command: 'inventory'; readonly options: InventoryOptions }
  | { readonly command: 'synth'; readonly options: SynthOptions };

type OptionSpec = { type: 'string' | 'boolean'; short?: string };
const CLUSTER: { [name: string]: OptionSpec } = {
  'kubeconfig': { type: 'string' },
  'context': { type: 'string' },
  'request-timeout': { type: 'string' },
};
const OPTIONS: { [command: string]: { [name: string]: OptionSpec } } = {
  check: { json: { type: 'boolean' }, policy: { type: 'string' } },
  plan: { json: { type: 'boolean' }, markdown: { type: 'boolean' }, at: { type: 'string' } },
  verify: { ...CLUSTER, 'cluster': { type: 'string' }, 'json': { type: 'boolean' }, 'quiet': { type: 'boolean' }, 'fallback-namespace': { type: 'string' } },
  drift: { ...CLUSTER, 'cluster': { type: 'string' }, 'json': { type: 'boolean' }, 'quiet': { type: 'boolean' }, 'orphans-dir': { type: 'string' } },
  // The inventory is JSON already: --json only makes a failure a JSON document too (see main.ts).
  inventory: { ...CLUSTER, output: { type: 'string', short: 'o' }, namespace: { type: 'string', short: 'n' }, json: { type: 'boolean' } },
  // Everything after the program is the program's own (see below).
  synth: {},
};
const DEFAULT_TIMEOUT_SECONDS = 30;

/** Reads `kmetal <command> [options]`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [command, ...rest] = argv;
  if (command === undefined) return { command: 'usage' };
  if (command === '--help' || command === '-h' || command === 'help') {
    return { command: 'help', topic: command === 'help' && rest[0] && OPTIONS[rest[0]] ? rest[0] : '' };
  }
  if (command === '--version') return { command: 'version' };
  const spec = OPTIONS[command];
  if (!spec) throw new UsageError(`unknown command "${command}" (commands: synth, check, plan, verify, drift, inventory; see kmetal --help)`);
  if (command === 'synth') {
    // kmetal synth <program> [--] [program arguments]: only a leading --help is kmetal's.
    if (rest[0] === undefined) throw new UsageError('synth needs the program that builds the app, e.g. kmetal synth main.ts (see kmetal synth --help)');
    if (rest[0] === '--help' || rest[0] === '-h') return { command: 'help', topic: command };
    const args = rest.slice(1);
    return { command, options: { program: rest[0], args: args[0] === '--' ? args.slice(1) : args } };
  }
  if (rest.includes('--help') || rest.includes('-h')) return { command: 'help', topic: command };

  let parsed: { values: { [k: string]: string | boolean | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: spec, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    const option = /'(-[^' ]*)/.exec((e as Error).message)?.[1];
    const what = (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? `option ${option ?? ''} needs a value` : `unknown option ${option ?? (e as Error).message}`;
    throw new UsageError(`${command}: ${what} (see kmetal ${command} --help)`);
  }
  const v = parsed.values;
  const str = (name: string) => (typeof v[name] === 'string' ? v[name] as string : undefined);
  const positionals = parsed.positionals;

  if (command === 'inventory') {
    if (positionals.length > 0) throw new UsageError(`inventory takes no folder (got ${positionals.join(' ')}; see kmetal inventory --help)`);
    return { command, options: { ...clusterOptions(str), output: str('output'), namespace: str('namespace') } };
  }
  if (command === 'plan') {
    if (positionals.length !== 2) {
      throw new UsageError(`plan needs two trees: before and after, e.g. kmetal plan origin/main dist/quickstart or kmetal plan old/quickstart dist/quickstart (got ${positionals.length}; see kmetal plan --help)`);
    }
    if (v.json === true && v.markdown === true) throw new UsageError('plan: --json and --markdown exclude each other (see kmetal plan --help)');
    let at: Date | undefined;
    if (v.at !== undefined) {
      // An ISO 8601 time with its zone, so that the answer does not depend on the machine's zone.
      at = typeof v.at === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v.at) ? new Date(v.at) : undefined;
      if (!at || Number.isNaN(at.getTime())) throw new UsageError(`plan: --at ${JSON.stringify(v.at)} is not a time; give ISO 8601 with a zone, e.g. --at 2026-12-05T03:00Z`);
    }
    return {
      command,
      options: { before: positionals[0], after: positionals[1], format: v.json === true ? 'json' : v.markdown === true ? 'markdown' : 'text', ...(at ? { at } : {}) },
    };
  }
  if (positionals.length !== 1) {
    throw new UsageError(`${command} needs one folder: the synthesized tree, e.g. kmetal ${command} dist/quickstart (see kmetal ${command} --help)`);
  }
  const dir = positionals[0];
  const json = v.json === true;
  if (command === 'check') {
    const policy = str('policy') ?? 'on';
    if (policy !== 'on' && policy !== 'off') throw new UsageError(`check: --policy takes on or off, not ${JSON.stringify(policy)}`);
    return { command, options: { dir, json, policy: policy === 'on' } };
  }
  const common = { ...clusterOptions(str), dir, cluster: str('cluster'), json, quiet: v.quiet === true };
  if (command === 'drift') return { command, options: { ...common, orphansDir: str('orphans-dir') } };
  const fallback = str('fallback-namespace') ?? 'default';
  return { command: 'verify', options: { ...common, fallbackNamespace: fallback === 'none' || fallback === '' ? undefined : fallback } };
}

function clusterOptions(str: (name: string) => string | undefined) {
  return {
    kubeconfig: str('kubeconfig'),
    context: str('context'),
    requestTimeoutSeconds: parseDuration(str('request-timeout')),
  };
}

/**
 * Whether the command line asks for `--json` (before a `--`), read without parsing it: a command line
 * that does not parse still gets its usage error as JSON.
 */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** `30`, `30s`, `1.5m`, `500ms` → seconds. */
export function parseDuration(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1) : NaN;
  if (!(seconds > 0)) throw new UsageError(`--request-timeout ${JSON.stringify(text)} is not a duration: give e.g. 30, 30s or 2m`);
  return seconds;
}
