/** A node of the dependency graph: a Flux Kustomization of the tree. */
export interface LayerNode {
  /** `namespace/name` of the Kustomization. */
  readonly key: string;
  /** Its name (ties are broken by name, so the order is stable). */
  readonly name: string;
  /** `namespace/name` of the Kustomizations it depends on (`spec.dependsOn`). */
  readonly dependsOn: readonly string[];
}

/** The order Flux applies the layers in, and what stood in the way of a clean order. */
export interface LayerOrder<T extends LayerNode> {
  /** The layers, dependencies first: by depth (how many layers must be ready before), then by name. */
  readonly ordered: Array<T & { readonly depth: number }>;
  /** Keys depended on that no layer of the tree has (Flux waits for them forever, unless they exist on the cluster). */
  readonly unknownDependencies: Array<{ readonly from: string; readonly missing: string }>;
  /** Layers on a dependency cycle (Flux never applies them), each cycle once. */
  readonly cycles: string[][];
}

/**
 * Orders layers the way Flux reaches them: a layer waits for every layer in its `dependsOn`, and
 * layers whose dependencies are ready are applied together (same depth). A cycle is reported and
 * broken at the edge that closes it, so every layer still gets a place.
 */
export function orderLayers<T extends LayerNode>(nodes: readonly T[]): LayerOrder<T> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const unknownDependencies: Array<{ from: string; missing: string }> = [];
  for (const n of nodes) {
    for (const d of n.dependsOn) if (!byKey.has(d)) unknownDependencies.push({ from: n.key, missing: d });
  }

  const depth = new Map<string, number>();
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  // Iterative depth computation would obscure the cycle report; trees have tens of layers, not
  // thousands, so recursion depth is no concern.
  const visit = (key: string): number => {
    const seen = state.get(key);
    if (seen === 'done') return depth.get(key)!;
    if (seen === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(key)), key]);
      return -1; // the edge closing the cycle is ignored
    }
    state.set(key, 'visiting');
    stack.push(key);
    let d = 0;
    for (const dep of [...byKey.get(key)!.dependsOn].sort()) {
      if (!byKey.has(dep)) continue;
      d = Math.max(d, visit(dep) + 1);
    }
    stack.pop();
    state.set(key, 'done');
    depth.set(key, d);
    return d;
  };
  for (const n of [...nodes].sort((a, b) => compare(a.key, b.key))) visit(n.key);

  const ordered = nodes
    .map((n) => ({ ...n, depth: depth.get(n.key)! }))
    .sort((a, b) => a.depth - b.depth || compare(a.name, b.name) || compare(a.key, b.key));
  return { ordered, unknownDependencies, cycles };
}

/** Every key `key` depends on, directly or through other layers (never itself, even on a cycle). */
export function transitiveDependencies(nodes: readonly LayerNode[] | ReadonlyMap<string, LayerNode>, key: string): Set<string> {
  // Callers asking for every node pass the map once: building it per call was quadratic in the fleet.
  const byKey = nodes instanceof Map ? nodes : new Map((nodes as readonly LayerNode[]).map((n) => [n.key, n]));
  const out = new Set<string>();
  const todo = [...(byKey.get(key)?.dependsOn ?? [])];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (out.has(next) || next === key) continue;
    out.add(next);
    todo.push(...(byKey.get(next)?.dependsOn ?? []));
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
