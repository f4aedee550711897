// One resolver for every node pool: the same pool options get the same verdict (accepted, or
// refused with the same construct path and field) on a cluster built object by object and on a
// cluster built from a class. The options are drawn from what both kinds of cluster can express;
// what only one can (root disks, taints) is refused by the class on purpose and tested in
// tenant-cluster-class.test.ts.
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ClassNodePool, MachineImage, NodePool, NodePoolOptions, TenantCluster, TenantClusterClass } from '../../src';
import { isKmetalValidationError, KmetalValidationError } from '../../src/util/errors';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

type Verdict = { accepted: true } | { accepted: false; path: string; field: string };

function verdict(classBased: boolean, pool: NodePoolOptions): Verdict {
  const chart = new Chart(Testing.app(), 'test');
  const clusterClass = classBased ? new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE }) : undefined;
  try {
    new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, clusterClass, nodePools: [pool] });
    return { accepted: true };
  } catch (e) {
    if (!isKmetalValidationError(e)) throw e;
    const err = e as KmetalValidationError;
    return { accepted: false, path: err.constructPath, field: err.field };
  }
}

// Numbers as JavaScript callers pass them: good ones, bounds, and the wrong kinds.
const count = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom<any>(0, -1, 1.5, NaN, '3', null) },
);
const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom<any>(0, -2, NaN, Infinity, '8Gi', '8') },
);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const poolOptions: fc.Arbitrary<NodePoolOptions> = fc.record({
  name: fc.constantFrom('general', 'gpu', 'Bad_Name', 'x'.repeat(40)),
  replicas: optional(count),
  minReplicas: optional(count),
  maxReplicas: optional(count),
  cpuCores: optional(size),
  memoryGiB: optional(size),
  gpus: optional(fc.array(fc.record({
    deviceName: fc.constantFrom<any>('nvidia.com/GA102GL_A10', 'GA102GL_A10', 42),
    count: optional(count),
  }), { maxLength: 1 })),
  healthCheck: optional(fc.record({
    enabled: optional(fc.boolean()),
    nodeStartupTimeoutMinutes: optional(count),
    unhealthyTimeoutMinutes: optional(count),
    maxUnhealthy: optional(fc.constantFrom<any>('40%', '100%', '101%', '250%', '2', 'half', 3)),
  })),
  extra: optional(fc.constantFrom<any>({ nodepools: [] }, { cpu: 4 }, { replica: 3 })),
}).map(({ extra, ...p }) => ({ ...p, ...(extra ?? {}) }) as NodePoolOptions);

describe('node-pool resolver', () => {
  test('plain and class-based clusters give the same verdict, path and field for the same pool', () => {
    fc.assert(fc.property(poolOptions, (pool) => {
      expect(verdict(true, pool)).toEqual(verdict(false, pool));
    }), { numRuns: 300 });
  });

  test.each<[string, NodePoolOptions, string, RegExp]>([
    ['minReplicas above maxReplicas', { name: 'general', minReplicas: 5, maxReplicas: 2 }, 'maxReplicas', /2 is below minReplicas 5/],
    ['minReplicas 0', { name: 'general', minReplicas: 0, maxReplicas: 3 }, 'minReplicas', /0 is not a whole number of at least 1/],
    ['replicas with bounds', { name: 'general', replicas: 2, minReplicas: 1, maxReplicas: 3 }, 'replicas', /autoscaler owns the count/],
    ['maxUnhealthy over 100%', { name: 'general', healthCheck: { maxUnhealthy: '150%' } }, 'healthCheck.maxUnhealthy', /more than the whole pool/],
    ['memory as a quantity', { name: 'general', memoryGiB: '8Gi' as any }, 'memoryGiB', /"8Gi" is not a number of GiB/],
    ['a misspelt option', { name: 'general', replica: 3 } as any, 'replica', /not a property of NodePoolOptions/],
  ])('%s is refused on both kinds of cluster', (_, pool, field, message) => {
    for (const classBased of [false, true]) {
      const chart = new Chart(Testing.app(), 'test');
      const clusterClass = classBased ? new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE }) : undefined;
      expect(() => new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, clusterClass, nodePools: [pool] }))
        .toThrow(new RegExp(`^\\[test/acme/Pool-general\\] ${field.replace(/\./g, '\\.')}: .*${message.source}`));
    }
  });

  test('addNodePool() returns the pool on both kinds of cluster', () => {
    const chart = new Chart(Testing.app(), 'test');
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
    const plain = new TenantCluster(chart, 'plain', { version: 'v1.33.2', defaultImage: IMAGE }).addNodePool({ name: 'general', replicas: 3 });
    const fromClass = new TenantCluster(chart, 'classy', { clusterClass: golden }).addNodePool({ name: 'general', minReplicas: 1, maxReplicas: 4 });
    expect(plain).toBeInstanceOf(NodePool);
    expect(fromClass).toBeInstanceOf(ClassNodePool);
    expect([plain.poolName, plain.replicas, fromClass.poolName, fromClass.minReplicas, fromClass.maxReplicas]).toEqual(['general', 3, 'general', 1, 4]);
  });

  test('a class-based pool\'s health check reaches its topology', () => {
    const chart = new Chart(Testing.app(), 'test');
    const golden = new TenantClusterClass(chart, 'golden', { defaultVersion: 'v1.33.2', defaultImage: IMAGE });
    new TenantCluster(chart, 'acme', { clusterClass: golden, nodePools: [{ name: 'a', healthCheck: { maxUnhealthy: '2', unhealthyTimeoutMinutes: 10 } }, { name: 'b', healthCheck: { enabled: false } }, { name: 'c' }] });
    const mds = chart.toJson().find((o: any) => o.kind === 'Cluster').spec.topology.workers.machineDeployments;
    expect(mds[0].healthCheck.remediation).toEqual({ triggerIf: { unhealthyLessThanOrEqualTo: 2 } });
    expect(mds[0].healthCheck.checks.unhealthyNodeConditions[0].timeoutSeconds).toBe(600);
    expect(mds[1].healthCheck).toEqual({ enabled: false });
    expect(mds[2].healthCheck).toBeUndefined();
  });
});
