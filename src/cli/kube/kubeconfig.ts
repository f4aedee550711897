import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { loadClientNode, type KubeConfig } from './client-node';
import { CliFatalError } from '../errors';
import type { CliIo } from '../io';
import { displayUrl, type SecretScrubber } from '../redact';

/** The cluster a command talks to, as selected from the kubeconfig. */
export interface KubeTarget {
  /** client-node's configuration, with the context selected. */
  readonly kubeConfig: KubeConfig;
  /** The context used. */
  readonly contextName: string;
  /** The kubeconfig's name of the cluster. */
  readonly clusterName: string;
  /** The kubeconfig's name of the user (never its credentials). */
  readonly userName: string;
  /** The API server URL, without user information. */
  readonly server: string;
  /** Where the configuration came from (files, or `in-cluster`), for messages. */
  readonly source: string;
}

/** How the kubeconfig is chosen. */
export interface KubeTargetOptions {
  /** `--kubeconfig`: this file only. */
  readonly kubeconfig?: string;
  /** `--context`: this context instead of the current one. */
  readonly context?: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
// Keys under `users[].user` whose values are names, paths or settings, not credentials. Every other
// string there (token, password, client-key-data, auth-provider config, exec args and env values)
// is registered with the scrubber before anything could print it.
const NOT_SECRET = new Set(['username', 'client-certificate', 'client-key', 'tokenFile', 'token-file', 'command', 'apiVersion', 'installHint', 'interactiveMode', 'name', 'as', 'as-uid', 'provideClusterInfo', 'client-certificate-data']);

/**
 * Reads the kubeconfig the way kubectl chooses it (`--kubeconfig`, else `KUBECONFIG`, merged
 * first-wins, else `~/.kube/config`, else the in-cluster service account) and selects the context.
 * Every secret value of the file is registered with `scrubber` before client-node parses it.
 *
 * @throws CliFatalError with one line naming the file or context: none found, not YAML, invalid, unknown context
 */
export async function loadKubeTarget(options: KubeTargetOptions, io: CliIo, scrubber: SecretScrubber): Promise<KubeTarget> {
  const k8s = await loadClientNode();
  const files = kubeconfigFiles(options, io);
  const kc = new k8s.KubeConfig();
  let source: string;
  if (files === 'in-cluster') {
    kc.loadFromCluster();
    source = 'in-cluster service account';
  } else {
    const parts = files.map((file) => {
      const text = readKubeconfigText(file, scrubber);
      const part = new k8s.KubeConfig();
      try {
        part.loadFromString(text);
        part.makePathsAbsolute(path.dirname(file));
      } catch (e) {
        throw new CliFatalError(`kubeconfig ${file} is not valid: ${scrubber.scrub(e instanceof Error ? e.message : String(e))}`);
      }
      return part;
    });
    mergeFirstWins(kc, parts);
    source = files.join(path.delimiter);
  }

  const contexts = kc.getContexts().map((c) => c.name);
  const contextName = options.context ?? kc.getCurrentContext();
  if (!contextName) {
    throw new CliFatalError(`kubeconfig ${source} has no current-context: pass --context (contexts: ${contexts.join(', ') || 'none'})`);
  }
  const context = kc.getContextObject(contextName);
  if (!context) {
    throw new CliFatalError(`context "${contextName}" is not in kubeconfig ${source} (contexts: ${contexts.join(', ') || 'none'})`);
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster) {
    throw new CliFatalError(`context "${contextName}" names cluster "${context.cluster}", which kubeconfig ${source} does not define`);
  }
  if (!/^https?:\/\/[^\s]+$/.test(cluster.server)) {
    throw new CliFatalError(`cluster "${cluster.name}" of kubeconfig ${source} has server ${JSON.stringify(displayUrl(cluster.server))}, which is not an http(s) URL`);
  }
  return {
    kubeConfig: kc,
    contextName,
    clusterName: cluster.name,
    userName: context.user ?? '',
    server: displayUrl(cluster.server),
    source,
  };
}

function kubeconfigFiles(options: KubeTargetOptions, io: CliIo): string[] | 'in-cluster' {
  if (options.kubeconfig !== undefined) {
    const file = path.resolve(io.cwd, options.kubeconfig);
    if (!fs.existsSync(file)) throw new CliFatalError(`kubeconfig ${options.kubeconfig} not found (--kubeconfig)`);
    return [file];
  }
  const fromEnv = io.env.KUBECONFIG;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const listed = fromEnv.split(path.delimiter).filter((f) => f.trim() !== '').map((f) => path.resolve(io.cwd, f));
    const existing = listed.filter((f) => fs.existsSync(f));
    if (existing.length === 0) throw new CliFatalError(`no kubeconfig: KUBECONFIG names ${listed.join(path.delimiter)}, which does not exist`);
    return existing;
  }
  const home = io.env.HOME ?? io.env.USERPROFILE;
  const defaultFile = home ? path.join(home, '.kube', 'config') : undefined;
  if (defaultFile !== undefined && fs.existsSync(defaultFile)) return [defaultFile];
  if (io.env.KUBERNETES_SERVICE_HOST && fs.existsSync(SERVICE_ACCOUNT_TOKEN)) return 'in-cluster';
  throw new CliFatalError('no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config');
}

/** The file's text, after registering its secrets; the YAML is checked here so a parser's snippet of the file never reaches a message. */
function readKubeconfigText(file: string, scrubber: SecretScrubber): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliFatalError(`kubeconfig ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // prettyErrors adds the line number; the message (which quotes the file) is never used.
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const line = doc.errors[0].linePos?.[0]?.line;
    throw new CliFatalError(`kubeconfig ${file} is not valid YAML${line !== undefined ? ` (line ${line})` : ''}`);
  }
  const config = doc.toJS();
  for (const user of Array.isArray(config?.users) ? config.users : []) registerSecrets(user?.user, scrubber);
  return text;
}

function registerSecrets(value: unknown, scrubber: SecretScrubber, key = ''): void {
  if (typeof value === 'string') {
    if (key === 'args') {
      // Exec plugin arguments are mostly words ("get-token"); a credential among them is a long value or `--flag=value`.
      const eq = value.indexOf('=');
      if (eq > 0) scrubber.add(value.slice(eq + 1));
      else if (value.length >= 16) scrubber.add(value);
    } else if (!NOT_SECRET.has(key)) {
      scrubber.add(value);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) registerSecrets(v, scrubber, key);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) registerSecrets(v, scrubber, k);
  }
}

/** Merges kubeconfig files as kubectl does: the first file defining a name wins, and its current-context. */
function mergeFirstWins(kc: KubeConfig, parts: KubeConfig[]): void {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  kc.loadFromOptions({
    clusters: firstByName(parts.map((p) => p.getClusters())),
    users: firstByName(parts.map((p) => p.getUsers())),
    contexts: firstByName(parts.map((p) => p.getContexts())),
    currentContext: parts.map((p) => p.getCurrentContext()).find((c) => !!c) ?? '',
  });
}
