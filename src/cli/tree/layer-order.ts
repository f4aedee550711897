// The layer order is the tree model's (src/gitops/private/layer-order.ts); re-exported for the CLI.
export { orderLayers, transitiveDependencies, type LayerNode, type LayerOrder } from '../../gitops/private/layer-order';
