/**
 * @kubernetes/client-node, loaded on first use.
 *
 * client-node 1.x is an ES module and this package compiles to CommonJS: a dynamic `import()`
 * (which TypeScript's node16 module mode keeps as is) loads it on every Node version the package
 * supports, where a `require()` would need Node's require(esm). Types are imported with
 * `resolution-mode: import` for the same reason; nothing here reaches the jsii API.
 */
export type ClientNode = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });
export type KubeConfig = import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } }).KubeConfig;

let loading: Promise<ClientNode> | undefined;

/** The client-node module (loaded once). */
export function loadClientNode(): Promise<ClientNode> {
  loading ??= import('@kubernetes/client-node');
  return loading;
}
