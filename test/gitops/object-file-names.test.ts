import { objectFileNames } from '../../src/gitops/private/object-file-names';

describe('objectFileNames', () => {
  test('<kind>-<name>.yaml, lowercase, when nothing collides', () => {
    expect(objectFileNames([
      { kind: 'Deployment', group: 'apps', namespace: 'web', name: 'api' },
      { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io', name: 'widgets.example.com' },
    ])).toEqual(['deployment-api.yaml', 'customresourcedefinition-widgets.example.com.yaml']);
  });

  test('adds the namespace, then the API group, only to the colliding objects', () => {
    expect(objectFileNames([
      { kind: 'ConfigMap', group: 'core', namespace: 'a', name: 'cfg' },
      { kind: 'ConfigMap', group: 'core', namespace: 'b', name: 'cfg' },
      { kind: 'ConfigMap', group: 'core', namespace: 'a', name: 'other' },
      { kind: 'Cluster', group: 'cluster.x-k8s.io', namespace: 'a', name: 'c' },
      { kind: 'Cluster', group: 'kamaji.example', namespace: 'a', name: 'c' },
    ])).toEqual([
      'configmap-a-cfg.yaml',
      'configmap-b-cfg.yaml',
      'configmap-other.yaml',
      'cluster.cluster.x-k8s.io-a-c.yaml',
      'cluster.kamaji.example-a-c.yaml',
    ]);
  });

  test('a name made longer never steals the name of another object', () => {
    // "configmap-a-cfg" for ns a/cfg would collide with the plain name of cluster-scoped "a-cfg".
    const names = objectFileNames([
      { kind: 'ConfigMap', group: 'core', namespace: 'a', name: 'cfg' },
      { kind: 'ConfigMap', group: 'core', namespace: 'b', name: 'cfg' },
      { kind: 'ConfigMap', group: 'core', name: 'a-cfg' },
    ]);
    expect(new Set(names).size).toBe(3);
  });

  test('names that differ only in characters unsafe for files are separated by a hash', () => {
    const names = objectFileNames([
      { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', name: 'system:controller' },
      { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', name: 'system-controller' },
    ]);
    expect(names[0]).toMatch(/^clusterrole\.rbac\.authorization\.k8s\.io-system-controller-[0-9a-f]{8}\.yaml$/);
    expect(names[1]).toMatch(/^clusterrole\.rbac\.authorization\.k8s\.io-system-controller-[0-9a-f]{8}\.yaml$/);
    expect(names[0]).not.toBe(names[1]);
  });

  test('very long names are cut to fit file systems, keeping them unique', () => {
    const long = 'x'.repeat(253);
    const [name] = objectFileNames([{ kind: 'Secret', group: 'core', name: long }]);
    expect(name.length).toBeLessThanOrEqual(205);
    expect(name).toMatch(/-[0-9a-f]{8}\.yaml$/);
  });

  test('names do not depend on the order of the objects', () => {
    const objs = [
      { kind: 'ConfigMap', group: 'core', namespace: 'a', name: 'cfg' },
      { kind: 'ConfigMap', group: 'core', namespace: 'b', name: 'cfg' },
      { kind: 'Secret', group: 'core', name: 'cfg' },
    ];
    const forward = objectFileNames(objs);
    const backward = objectFileNames([...objs].reverse()).reverse();
    expect(backward).toEqual(forward);
  });
});
