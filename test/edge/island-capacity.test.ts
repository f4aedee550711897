import { addSite, edgePlatform, TENANT } from './fixture';

describe('island capacity', () => {
  test('the formula: nodes but the spare ones, less reserves, against control planes, etcd and worker VMs', () => {
    const { platform } = edgePlatform();
    // 4 nodes of 16 cores / 64 GiB, one spare: 3 × (16000 − 500) − 2000 = 44500 m; 3 × (65536 − 1024) − 4096 = 189440 MiB.
    const site = addSite(platform, 'a');
    site.addTenantCluster('line-1', TENANT);
    site.addTenantCluster('line-2', {
      version: 'v1.33.2',
      controlPlane: { replicas: 3 },
      etcd: { replicas: 1 },
      nodePools: [{ name: 'w', minReplicas: 1, maxReplicas: 3, cpuCores: 2, memoryGiB: 4 }],
    });
    const r = site.capacityReport();
    expect(r.nodes).toBe(4);
    expect(r.spareNodes).toBe(1);
    expect(r.available).toEqual({ cpuMillicores: 44500, memoryMiB: 189440 });
    // Control planes: (2 + 3) × 1000 m / 2048 MiB; etcd: (3 + 1) × 500 m / 1024 MiB.
    expect(r.controlPlanes).toEqual({ cpuMillicores: 5000, memoryMiB: 10240 });
    expect(r.datastores).toEqual({ cpuMillicores: 2000, memoryMiB: 4096 });
    // Workers: 2 × (4 cores, 8 GiB + 256 MiB) and, autoscaled at its maximum, 3 × (2 cores, 4 GiB + 256 MiB).
    expect(r.workers).toEqual({ cpuMillicores: 8000 + 6000, memoryMiB: 2 * (8192 + 256) + 3 * (4096 + 256) });
    expect(r.required).toEqual({ cpuMillicores: 21000, memoryMiB: 10240 + 4096 + 16896 + 13056 });
    expect(r.fits).toBe(true);
    expect(site.node.validate()).toEqual([]);
  });

  test('the figures can be declared per site; autoscaled island pools count at their minimum', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a', {
      island: {
        version: 'v1.33.2',
        nodePools: [{ name: 'big', replicas: 1, cpuCores: 32, memoryGiB: 128 }, { name: 'small', minReplicas: 2, maxReplicas: 5, cpuCores: 8, memoryGiB: 32 }],
      },
      capacity: {
        spareNodes: 1,
        nodeReserve: { cpuMillicores: 0, memoryMiB: 0 },
        platformReserve: { cpuMillicores: 1000, memoryMiB: 1024 },
        controlPlaneReplica: { cpuMillicores: 500, memoryMiB: 1024 },
      },
    });
    site.addTenantCluster('line-1', TENANT);
    const r = site.capacityReport();
    // The big node is the spare one: 2 × 8 cores − 1 core, 2 × 32 GiB − 1 GiB.
    expect(r.nodes).toBe(3);
    expect(r.available).toEqual({ cpuMillicores: 15000, memoryMiB: 64512 });
    expect(r.controlPlanes).toEqual({ cpuMillicores: 1000, memoryMiB: 2048 });
  });

  test('an island too small for what is placed on it fails synth with the breakdown and a fix', () => {
    const { platform } = edgePlatform();
    const site = addSite(platform, 'a', { island: { version: 'v1.33.2', nodePools: [{ name: 'site', replicas: 3, cpuCores: 9, memoryGiB: 32 }] } });
    site.addTenantCluster('line-1', TENANT);
    // 2 × 8.5 − 2 = 15 cores: a tenant (11.5) and a second without workers (3.5) just fit; a pool added later does not.
    expect(site.node.validate()).toEqual([]);
    const second = site.addTenantCluster('line-2', { version: 'v1.33.2' });
    expect(site.node.validate()).toEqual([]);
    second.addNodePool({ name: 'late', replicas: 1, cpuCores: 4, memoryGiB: 8 });
    const [message] = site.node.validate();
    expect(message).toBe('capacity: the island "island-factory-a" of site "factory-a" cannot hold what is placed on it: 2 cluster(s) need 19.0 cores / 38.8 GiB '
      + '(control planes 4.0 cores / 8.0 GiB, etcd 3.0 cores / 6.0 GiB, worker VMs 12.0 cores / 24.8 GiB), the island offers 15.0 cores / 58.0 GiB '
      + '(3 node(s), 1 kept spare, less node and platform reserves). Fix: add island nodes (or larger ones) to the island\'s pools, move a tenant cluster to another site, or adjust the site\'s capacity figures');
  });
});
