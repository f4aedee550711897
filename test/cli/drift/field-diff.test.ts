import { diffDesiredFields, parseQuantity } from '../../../src/cli/drift/field-diff';

const live = {
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'MachineDeployment',
  metadata: {
    name: 'md',
    namespace: 't',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kustomize-controller' }],
    labels: { 'a': '1', 'added-by-server': 'x' },
  },
  spec: {
    replicas: 3,
    minReadySeconds: 0, // a server default
    template: { spec: { containers: [{ name: 'c', image: 'i:1', imagePullPolicy: 'IfNotPresent', resources: { limits: { cpu: '500m', memory: '1Gi' } } }] } },
  },
  status: { replicas: 2 },
};

describe('diffDesiredFields', () => {
  test('compares only the fields the tree sets: server defaults, status and server-managed metadata are not drift', () => {
    const desired = {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name: 'md', namespace: 't', labels: { a: '1' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', image: 'i:1', resources: { limits: { cpu: 0.5, memory: '1024Mi' } } }] } } },
      status: { replicas: 99 },
    };
    expect(diffDesiredFields(desired, live)).toEqual([]);
  });

  test('reports a changed value with its path, matching list entries by name', () => {
    const desired = { metadata: { labels: { a: '2' } }, spec: { replicas: 5, template: { spec: { containers: [{ name: 'c', image: 'i:2' }] } } } };
    expect(diffDesiredFields(desired, live)).toEqual([
      { path: 'metadata.labels.a', desired: '"2"', live: '"1"' },
      { path: 'spec.replicas', desired: '5', live: '3' },
      { path: 'spec.template.spec.containers[name=c].image', desired: '"i:2"', live: '"i:1"' },
    ]);
  });

  test('reports fields and list entries the cluster lacks; empty values the server prunes are not drift', () => {
    const desired = { spec: { paused: true, strategy: {}, selector: { matchLabels: {} }, template: { spec: { containers: [{ name: 'sidecar', image: 's' }] } } } };
    expect(diffDesiredFields(desired, live)).toEqual([
      { path: 'spec.paused', desired: 'true', live: '(absent)' },
      { path: 'spec.template.spec.containers[name=sidecar]', desired: '{"name":"sidecar","image":"s"}', live: '(absent)' },
    ]);
  });

  test('never shows values of Secrets or of fields named like credentials', () => {
    const secret = diffDesiredFields({ data: { password: 'bmV3' } }, { data: { password: 'b2xk' } }, { hideValues: true });
    expect(secret).toEqual([{ path: 'data.password', desired: '(hidden)', live: '(hidden)' }]);
    const token = diffDesiredFields({ spec: { auth: { token: 'new-token-value' } } }, { spec: { auth: { token: 'old-token-value' } } });
    expect(JSON.stringify(token)).not.toMatch(/token-value/);
  });

  test('compares unnamed lists by position and length', () => {
    expect(diffDesiredFields({ spec: { cidrBlocks: ['10.0.0.0/16'] } }, { spec: { cidrBlocks: ['10.0.0.0/16'] } })).toEqual([]);
    expect(diffDesiredFields({ spec: { cidrBlocks: ['10.0.0.0/16'] } }, { spec: { cidrBlocks: ['10.1.0.0/16', '10.2.0.0/16'] } })).toHaveLength(1);
  });
});

describe('parseQuantity', () => {
  test.each([['500m', 0.5], ['1Gi', 2 ** 30], ['1.5k', 1500], ['2e3', 2000], ['8', 8], ['100Mi', 100 * 2 ** 20]])('%s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value as number, 9);
  });
  test('is undefined for text that is no quantity', () => {
    expect(parseQuantity('v1.33.2')).toBeUndefined();
    expect(parseQuantity('10.0.0.0/16')).toBeUndefined();
  });
});
