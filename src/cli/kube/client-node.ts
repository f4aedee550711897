/**
 * @kubernetes/client-node, loaded on first use.
 *
 * It is not a dependency of cdk8s-kmetal (a dev dependency only: jsii refuses a peer that is not a
 * jsii module): only `kmetal verify`, `drift` and `inventory` talk to a cluster, and an app that
 * only synthesizes YAML should not install its 57 MB. Nothing the library's entry point (lib/index.js) imports reaches this module;
 * when the package is absent, the command that needs it ends with one line saying what to install.
 *
 * client-node 1.x is an ES module and this package compiles to CommonJS: a dynamic `import()`
 * (which TypeScript's node16 module mode keeps as is) loads it on every Node version the package
 * supports, where a `require()` would need Node's require(esm). Types are imported with
 * `resolution-mode: import` for the same reason; nothing here reaches the jsii API.
 */
import { CliFatalError, ExitCode } from '../errors';

export type ClientNode = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });
export type KubeConfig = import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } }).KubeConfig;

/** The line (after `kmetal: `) a command that needs a cluster ends with when client-node is not installed. */
export const CLIENT_NODE_MISSING =
  'this command talks to the cluster through @kubernetes/client-node, which is not installed: run `npm install @kubernetes/client-node@1` beside cdk8s-kmetal';

type Importer = () => Promise<ClientNode>;

// Not a runtime dependency on purpose (see above): resolved from the user's node_modules when installed.
// eslint-disable-next-line import/no-extraneous-dependencies
const importPackage: Importer = () => import('@kubernetes/client-node');
let importer: Importer = importPackage;
let loading: Promise<ClientNode> | undefined;

/**
 * True when `e` says the client-node package itself cannot be resolved (ESM: ERR_MODULE_NOT_FOUND,
 * `Cannot find package`; CommonJS: MODULE_NOT_FOUND, `Cannot find module`). A module missing
 * *inside* an installed client-node names that module instead: a broken install, not this case.
 */
export function isClientNodeMissing(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && /Cannot find (package|module) '@kubernetes\/client-node'/.test(message);
}

/**
 * The client-node module (loaded once).
 *
 * @throws CliFatalError (`CLIENT_NODE_MISSING`, exit code 2) when the package is not installed
 */
export function loadClientNode(): Promise<ClientNode> {
  loading ??= importer().catch((e: unknown) => {
    // Not cached: a later call (after an install, in a long-lived test host) tries again.
    loading = undefined;
    throw isClientNodeMissing(e) ? new CliFatalError(CLIENT_NODE_MISSING, ExitCode.FATAL) : e;
  });
  return loading;
}

/**
 * Replaces how the package is imported (tests simulate a missing package with it); no argument
 * restores the real `import()`. Internal: the CLI is not part of the jsii API.
 */
export function setClientNodeImporterForTesting(replacement?: Importer): void {
  importer = replacement ?? importPackage;
  loading = undefined;
}
