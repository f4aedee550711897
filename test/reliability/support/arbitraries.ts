// fast-check arbitraries of whole platforms (PlatformSpec). Two flavours:
// - `platformSpec({ bad: false })`: every field from its valid domain. Platforms may still be
//   refused, and should be: CIDRs are drawn from a small space so subnets and peered VPCs overlap,
//   VIP pools are small, peering link blocks run out, quotas and boundaries are random.
// - `platformSpec({ bad: true })`: each field may also take a wrong value (bad names, lengths,
//   versions, CIDRs, MACs, BMC URLs, plaintext credentials, unpinned images, ...), rarely enough
//   per field that a quarter of the platforms still synthesize (about 70% do in valid mode).
// Platforms stay small on average (most have 1-3 tenants, some up to 10, one in ~25 up to 50), to
// keep 1,000 runs per property within CI time.
import * as fc from 'fast-check';
import { GPU_CATALOG } from './build';
import {
  AddonSpec, BoundariesSpec, ClassSpec, GovernanceSpec, HookSpec, HostPoolSpec, HostSpec, ImageSpec, NodePoolSpec,
  PeeringSpec, PlanesSpec, PlatformSpec, PolicySpec, SiteSpec, SubnetSpec, TenantSpec, UnderSpec, VersionSpec, VipPoolSpec, VpcSpec, CANARY,
} from './platform-spec';

export interface SpecOptions {
  /** Let fields take wrong values too. */
  readonly bad: boolean;
}

/** Of every field, the share of wrong values in bad mode is 1 / (GOOD_WEIGHT + 1). */
const GOOD_WEIGHT = 80;

function orBad<T>(o: SpecOptions, good: fc.Arbitrary<T>, ...bad: Array<fc.Arbitrary<T>>): fc.Arbitrary<T> {
  if (!o.bad || bad.length === 0) return good;
  return fc.oneof({ weight: GOOD_WEIGHT, arbitrary: good }, { weight: 1, arbitrary: fc.oneof(...bad) });
}

/** `arb` one time in `n`, else undefined. */
function maybe<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/** undefined one time in `n`, else `arb`. */
function usually<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: n - 1, arbitrary: arb });
}

interface ListConstraints<T> {
  readonly minLength?: number;
  readonly maxLength: number;
  readonly selector?: (t: T) => unknown;
  readonly size?: fc.SizeForArbitrary;
}

/** A list; in bad mode sometimes one without the constraints (duplicates by `selector`, fewer than `minLength`). */
function list<T>(o: SpecOptions, arb: fc.Arbitrary<T>, c: ListConstraints<T>): fc.Arbitrary<T[]> {
  const good = c.selector ? fc.uniqueArray(arb, { ...c, selector: c.selector }) : fc.array(arb, c);
  return orBad(o, good, fc.array(arb, { maxLength: c.maxLength, size: c.size }));
}

const WORDS = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne', 'soylent', 'oscorp',
  'vandelay', 'dunder', 'monarch', 'aperture', 'blackmesa', 'gringotts', 'nakatomi', 'prestige', 'virtucon', 'massive',
  'krusty', 'duff', 'bluth', 'pied-piper', 'sterling', 'wernham', 'vision', 'llm',
];

/** A valid DNS label of at most `max` characters (often a familiar word, so names repeat). */
export function label(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...WORDS.filter((w) => w.length <= max)) },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6})?$/).filter((s) => s.length <= max) },
  );
}

/** Names Kubernetes refuses, or too long for the field (`max`); and "constructor", valid but an inherited property name in JavaScript. */
export function badLabel(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', 'Acme', 'acme_corp', '-acme', 'acme-', 'acme.corp', 'a b', 'tenant/one', 'ünïcode', '__proto__', 'constructor'),
    fc.constant('a'.repeat(max + 1)),
    fc.stringMatching(/^[a-z][a-z0-9-]{63,70}[a-z]$/),
    fc.string({ maxLength: 10 }),
  );
}

const name = (o: SpecOptions, max: number) => orBad(o, label(max), badLabel(max));

function version(o: SpecOptions): fc.Arbitrary<VersionSpec> {
  return orBad<VersionSpec>(o,
    fc.record({ kind: fc.constantFrom('allowed' as const, 'default' as const), minor: fc.nat(11), patch: fc.nat(9) }),
    fc.record({ kind: fc.constant('literal' as const), text: fc.oneof(fc.constantFrom('v1.29.3', 'v1.36.0', '1.33', 'v1.33', 'latest', 'v2.33.0', ' v1.33.1'), fc.string({ maxLength: 8 })) }),
  );
}

function under(o: SpecOptions): fc.Arbitrary<UnderSpec> {
  return fc.record({
    clusterName: maybe(name(o, 63), 4),
    allowedMinors: maybe(fc.array(orBad<number | string>(o, fc.nat(5), fc.constantFrom('v1.29', '1.33', 'v1.36', 'v1.33.2')), { minLength: 1, maxLength: 4 }), 3),
    permittedGpus: orBad(o, fc.subarray(GPU_CATALOG),
      fc.constant([{ resourceName: 'nvidia.com/GA102GL_A10', pciVendorSelector: '10DE-2236' }]),
      fc.constant([{ resourceName: 'a100', pciVendorSelector: '10DE:20B5' }])),
    chartMirror: maybe(orBad(o, fc.constant('oci://harbor.example.com/kmetal-charts'), fc.constantFrom('https://harbor.example.com/charts', 'oci://', 'oci://harbor example', `oci://robot:${CANARY}@harbor.example.com/charts`)), 5),
    metal3: fc.boolean(),
    releaseManifestsRegistry: orBad<string | undefined>(o, fc.constant('oci://registry.example.com/kmetal-manifests'), fc.constantFrom(undefined, 'registry.example.com/kmetal', 'oci://a b', `oci://robot:${CANARY}@registry.example.com/kmetal`)),
    versions: maybe(orBad<{ [k: string]: string }>(o,
      fc.constantFrom<{ [k: string]: string }>({ metallb: 'v0.16.2' }, { capsule: 'v0.14.1' }, { kubevirt: 'v1.9.1' }),
      fc.constantFrom<{ [k: string]: string }>({ kubevirt: 'latest' }, { nginx: 'v1.0.0' }, { metallb: '0.16' })), 6),
  });
}

function planes(o: SpecOptions): fc.Arbitrary<PlanesSpec> {
  return fc.record({
    publicCidr: orBad(o, fc.constantFrom('203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24', '198.51.100.0/23'),
      fc.constantFrom('203.0.113.7/24', '203.0.113.0/31', '192.168.10.0/24', 'public', '2001:db8::/64', '10.20.0.0/24', '203.0.113.0/25')),
    gatewayOffset: maybe(orBad(o, fc.constantFrom(1, 10, 11), fc.integer({ min: 0, max: 300 })), 6),
    nic: orBad(o, fc.constantFrom('eno2', 'bond0.204', 'eth1'), fc.constantFrom('this-nic-is-too-long', 'eth 1', '', 'br/0')),
    vlanId: maybe(orBad(o, fc.integer({ min: 0, max: 4094 }), fc.constantFrom(4095, -1, 1.5)), 2),
    gatewayNodes: orBad<string[]>(o, fc.constantFrom<string[]>(['metal-01'], ['metal-01', 'metal-02', 'metal-03']), fc.constantFrom<string[]>([], ['Metal_01'], [''])),
    reserved: orBad(o, fc.constantFrom<Array<[number, number]>>([[2, 9]], []), fc.array(fc.tuple(fc.nat(255), fc.nat(255)), { maxLength: 2 })),
    nodeCidrs: orBad<string[]>(o, fc.constantFrom<string[]>(['192.168.10.0/24'], ['192.168.10.0/24', '192.168.11.0/24']), fc.constantFrom<string[]>(['192.168.10.1/24'], [], ['10.0.0.0/8'], ['nodes'])),
    tenantCidrs: maybe(fc.constantFrom<string[]>(['10.0.0.0/8'], ['10.0.0.0/12'], ['10.0.0.0/9', '172.16.0.0/12']), 2),
    peeringLinkCidr: maybe(orBad(o, fc.constantFrom('169.254.64.0/18', '169.254.64.0/29', '169.254.0.0/24'), fc.constantFrom('169.254.64.0/31', '192.168.10.0/30', 'fd00::/64', '169.254.64.1/30')), 3),
  });
}

function vipPools(o: SpecOptions): fc.Arbitrary<VipPoolSpec[]> {
  const pool = fc.record({
    name: fc.oneof(fc.constantFrom('tenant-api', 'tenant-api-b'), name(o, 63)),
    ranges: fc.array(orBad<VipPoolSpec['ranges'][number]>(o,
      // 64-127 is the VIP region (off the reserved low addresses and the broadcast); a pool may still be too small.
      fc.record({
        offset: fc.integer({ min: 64, max: 127 }),
        prefix: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 26, max: 29 }) }, { weight: 1, arbitrary: fc.integer({ min: 30, max: 32 }) }),
      }),
      fc.record({ literal: fc.constantFrom('bogus', '203.0.113.300/32', 'fd00::10', '203.0.113.70-203.0.113.60', '') })), { minLength: 1, maxLength: 1 }).chain((one) => orBad(o, fc.constant(one), fc.array(fc.constantFrom(...one, { literal: '203.0.113.96/28' }), { maxLength: 2 }))),
    joinPlanes: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    l2: fc.boolean(),
  });
  return orBad(o,
    fc.oneof(
      { weight: 4, arbitrary: pool.map((p) => [p]) },
      // Two pools: each in its own /27 of the VIP region (overlapping pools are bad input).
      {
        weight: 1,
        arbitrary: fc.uniqueArray(pool, { minLength: 2, maxLength: 2, selector: (p) => p.name }).map((two) => two.map((p, i) => ({
          ...p,
          ranges: p.ranges.map((r) => ('offset' in r ? { offset: 64 + 32 * i + (r.offset % 32), prefix: Math.max(r.prefix, 27) } : r)),
        }))),
      },
    ),
    fc.array(pool, { maxLength: 2 }));
}

function image(o: SpecOptions): fc.Arbitrary<ImageSpec> {
  return orBad<ImageSpec>(o,
    fc.oneof(
      fc.constant<ImageSpec>({ kind: 'containerDisk', ref: 'quay.io/capk/ubuntu-2404-container-disk:v1.33.0' }),
      fc.constant<ImageSpec>({ kind: 'nodeImage', version: 'v1.33.2', containerDisk: 'registry.example.com/kmetal/ubuntu-2404-kubeadm:{version}' }),
    ),
    fc.constantFrom<ImageSpec>(
      { kind: 'containerDisk', ref: 'quay.io/capk/ubuntu-2404-container-disk' },
      { kind: 'containerDisk', ref: 'quay.io/capk/ubuntu-2404-container-disk:latest' },
      { kind: 'nodeImage', version: 'latest', containerDisk: 'registry.example.com/kmetal/ubuntu:{version}' },
      { kind: 'nodeImage', version: 'v1.33.2', containerDisk: 'registry.example.com/kmetal/ubuntu:v1.0.0' },
      { kind: 'dataVolume', url: 'https://images.example.com/ubuntu-2404.qcow2', sizeGiB: 20 },
      { kind: 'none' },
    ));
}

function classes(o: SpecOptions): fc.Arbitrary<ClassSpec[]> {
  const worker = fc.record({
    name: fc.constantFrom('worker', 'large', 'gpu'),
    cpuCores: maybe(orBad(o, fc.integer({ min: 1, max: 16 }), fc.constantFrom(0, 2.5)), 2),
    memoryGiB: maybe(orBad(o, fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, 0.5)), 2),
  });
  const cls = fc.record({
    name: fc.oneof(fc.constantFrom('golden', 'silver'), name(o, 50)),
    version: version(o),
    workerClasses: list(o, worker, { minLength: 1, maxLength: 2, selector: (w) => w.name }),
    controlPlaneReplicas: maybe(orBad(o, fc.integer({ min: 1, max: 3 }), fc.constant(0)), 3),
  });
  return list(o, cls, { maxLength: 2, selector: (c) => c.name });
}

function nodePool(o: SpecOptions): fc.Arbitrary<NodePoolSpec> {
  const size = orBad<Pick<NodePoolSpec, 'replicas' | 'minReplicas' | 'maxReplicas'>>(o,
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          replicas: usually(fc.oneof(
            { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) },
            { weight: 1, arbitrary: fc.integer({ min: 5, max: 20 }) },
          ), 4),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(5)).map(([min, extra]) => ({ minReplicas: min, maxReplicas: min + extra })),
      },
    ),
    fc.constantFrom({ replicas: 0 }, { replicas: -1 }, { replicas: 2.5 }, { minReplicas: 4, maxReplicas: 2 }, { replicas: 3, maxReplicas: 5 }),
  );
  return fc.record({
    name: fc.oneof(fc.constantFrom('general', 'gpu', 'workers', 'batch'), name(o, 20)),
    size,
    cpuCores: maybe(orBad(o, fc.integer({ min: 1, max: 16 }), fc.constantFrom(0, 1.5, -4)), 2),
    memoryGiB: maybe(orBad(o, fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, 0.5, Number.NaN)), 2),
    gpus: fc.array(orBad<NodePoolSpec['gpus'][number]>(o,
      fc.record({ kind: fc.constant('permitted' as const), idx: fc.nat(1), count: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ kind: fc.constant('literal' as const), deviceName: fc.constantFrom('a100', 'nvidia.com/unknown-gpu'), count: fc.constantFrom(1, 0) })), { maxLength: 1 }),
    rootDiskGiB: maybe(orBad(o, fc.integer({ min: 10, max: 100 }), fc.constantFrom(0, 2.5)), 4),
    forceOnClass: o.bad ? maybe(fc.constant(true), 30) : fc.constant(undefined),
    workerClass: maybe(orBad<NodePoolSpec['workerClass']>(o, fc.record({ idx: fc.nat(1) }), fc.constant('no-such-class')), 3),
    image: maybe(orBad(o, fc.constantFrom('https://images.example.com/ubuntu-2404-v1.33.0.qcow2', 'quay.io/capk/ubuntu-2404-container-disk:v1.34.0'),
      fc.constantFrom('quay.io/capk/ubuntu-2404-container-disk', 'ftp://images.example.com/x.qcow2', 'Quay.io/Bad Ref:1')), 6),
  }).map(({ size: s, ...rest }) => ({ ...rest, ...s }));
}

function subnet(o: SpecOptions): fc.Arbitrary<SubnetSpec> {
  return fc.record({
    name: fc.oneof(fc.constantFrom('workers', 'data', 'edge', 'gpu'), name(o, 20)),
    cidr: orBad<SubnetSpec['cidr']>(o,
      fc.record({
        a: fc.oneof({ weight: 30, arbitrary: fc.nat(7) }, { weight: 1, arbitrary: fc.nat(255) }),
        b: fc.nat(255),
        prefix: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 20, max: 26 }) }, { weight: 1, arbitrary: fc.integer({ min: 16, max: 28 }) }),
      }),
      fc.record({ literal: fc.constantFrom('10.1.2.3/24', '10.0.0.0/31', 'fd00:10::/64', 'ten', '192.168.10.0/26', '203.0.113.0/28', '10.0.0.0/33') })),
  });
}

function vpc(o: SpecOptions): fc.Arbitrary<VpcSpec> {
  return fc.record({
    name: maybe(orBad(o, label(30), fc.constantFrom('ovn-cluster'), badLabel(30)), 10),
    external: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    subnets: list(o, subnet(o), { minLength: 1, maxLength: 3, selector: (s) => s.name }),
    workerSubnet: usually(fc.record({ idx: fc.nat(2) }), 6),
    loadBalancer: fc.oneof(
      { weight: 6, arbitrary: fc.constant<VpcSpec['loadBalancer']>([]) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.record({ offset: fc.integer({ min: 16, max: 60 }), prefix: orBad(o, fc.integer({ min: 29, max: 32 }), fc.constant(20)) }),
          { minLength: 1, maxLength: o.bad ? 3 : 1 },
        ),
      },
    ),
    egressOffset: maybe(orBad(o, fc.integer({ min: 12, max: 15 }), fc.nat(255)), 25),
  }).map((v) => (o.bad || v.external ? v : { ...v, loadBalancer: [], egressOffset: undefined, workerSubnet: undefined }));
}

function governance(o: SpecOptions): fc.Arbitrary<GovernanceSpec> {
  return fc.record({
    quota: maybe(orBad<NonNullable<GovernanceSpec['quota']>>(o,
      fc.record({
        cpuCores: maybe(fc.integer({ min: 2000, max: 5000 }), 2),
        memoryGiB: maybe(fc.integer({ min: 8192, max: 20000 }), 2),
        storageGiB: maybe(fc.constant(100000), 2),
        virtualMachines: maybe(fc.integer({ min: 1000, max: 2000 }), 2),
      }),
      fc.record({
        cpuCores: maybe(fc.integer({ min: 1, max: 20 }), 2),
        memoryGiB: maybe(fc.integer({ min: 1, max: 40 }), 2),
        virtualMachines: maybe(fc.nat(3), 2),
      })), 2),
    namespaceQuota: maybe(orBad(o, fc.integer({ min: 1, max: 5 }), fc.constant(0)), 3),
    owners: fc.subarray(['alice', 'bob']),
  });
}

function sites(o: SpecOptions): fc.Arbitrary<SiteSpec[]> {
  const site = fc.record({
    name: fc.oneof(fc.constantFrom('factory-a', 'factory-b', 'factory-c'), name(o, 23)),
    vips: orBad<SiteSpec['vips']>(o,
      fc.oneof(
        { weight: 9, arbitrary: fc.record({ n: fc.nat(99), prefix: fc.integer({ min: 26, max: 29 }) }) },
        // On the public network too: fine while it stays off the under cluster's pools.
        { weight: 1, arbitrary: fc.record({ publicOffset: fc.integer({ min: 64, max: 127 }), prefix: fc.integer({ min: 27, max: 30 }) }) },
      ),
      fc.record({ literal: fc.constantFrom('', '10.10.0.64..10.10.0.70', 'site', '10.10.0.64/33') })),
    island: fc.record({
      version: version(o),
      nodes: orBad(o, fc.integer({ min: 3, max: 6 }), fc.constant(0)),
      cpuCores: fc.integer({ min: 32, max: 64 }),
      memoryGiB: fc.integer({ min: 128, max: 256 }),
    }),
    gpus: fc.subarray([0, 1]),
    pinned: fc.boolean(),
  });
  return list(o, site, { maxLength: 2, selector: (x) => x.name });
}

function tenant(o: SpecOptions): fc.Arbitrary<TenantSpec> {
  return fc.record({
    name: name(o, 30),
    site: maybe(fc.record({ idx: fc.nat(1) }), 3),
    version: version(o),
    clusterClass: maybe(fc.record({ idx: fc.nat(1) }), 2),
    tier: fc.constantFrom('standard', 'gpu', 'gold'),
    extraLabel: maybe(orBad<[string, string]>(o,
      fc.constantFrom<[string, string]>(['kmetal.io/billing-account', 'ba-0001'], ['team', 'blue']),
      fc.constantFrom<[string, string]>(['Bad Key', 'x'], ['kmetal.io/x', 'v'.repeat(64)], ['team', 'blue!'])), 3),
    vpc: usually(vpc(o), 4),
    controlPlane: fc.record({
      replicas: maybe(orBad(o, fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 1.5)), 2),
      pin: maybe(orBad<number | string>(o, fc.nat(1000), fc.constantFrom('10.0.0.1', 'not-an-ip', '192.168.10.20')), 30),
      pool: maybe(fc.record({ idx: fc.nat(1) }), 5),
    }),
    etcd: maybe(orBad<NonNullable<TenantSpec['etcd']>>(o, fc.record({ replicas: maybe(fc.constantFrom(1, 3, 5), 2), storageGiB: maybe(fc.integer({ min: 1, max: 20 }), 2) }),
      fc.constantFrom<NonNullable<TenantSpec['etcd']>>({ replicas: 2 }, { replicas: 0 }, { storageGiB: 0 })), 5),
    podCidr: maybe(orBad(o, fc.constant('10.200.0.0/16'), fc.constantFrom('10.96.0.0/12', '10.244.0.1/16', 'pods')), 8),
    serviceCidr: maybe(orBad(o, fc.constant('10.201.0.0/16'), fc.constantFrom('10.244.0.0/16', '10.96.0.0/33')), 8),
    nodePools: list(o, nodePool(o), { maxLength: 3, selector: (p) => p.name }),
    governance: maybe(governance(o), 3),
  }).map((t) => (o.bad || !t.site ? t : {
    // Valid: a cluster at a site (with or without a class) has its workers on the island's network
    // and its VIP from the site's pool.
    ...t,
    vpc: t.vpc ? { ...t.vpc, workerSubnet: undefined } : undefined,
    controlPlane: { ...t.controlPlane, pool: undefined, pin: undefined },
  }));
}

function tenants(o: SpecOptions): fc.Arbitrary<TenantSpec[]> {
  // Mostly 1-3 tenants, sometimes up to 10, rarely up to 50.
  // Duplicate tenant names are a likely slip (a copied line), so bad mode has them more often.
  const sized = (min: number, max: number) => {
    const unique = fc.uniqueArray(tenant(o), { minLength: min, maxLength: max, size: 'max', selector: (t) => t.name });
    return o.bad ? fc.oneof({ weight: 6, arbitrary: unique }, { weight: 1, arbitrary: fc.array(tenant(o), { minLength: min, maxLength: max, size: 'max' }) }) : unique;
  };
  return fc.oneof({ weight: 40, arbitrary: sized(1, 3) }, { weight: 6, arbitrary: sized(4, 10) }, { weight: 2, arbitrary: sized(11, 50) });
}

function host(o: SpecOptions): fc.Arbitrary<HostSpec> {
  const cred = fc.constantFrom<HostSpec['credentials']>('pool', 'own-secret');
  return fc.record({
    name: orBad(o, fc.constant('metal'), fc.constantFrom('Metal_01', '123e4567-e89b-12d3-a456-426614174000', 'constructor')),
    bmc: orBad<HostSpec['bmc']>(o,
      fc.record({ scheme: fc.constantFrom('redfish-virtualmedia', 'ipmi', 'idrac-virtualmedia', 'redfish'), octet: fc.integer({ min: 10, max: 30 }), system: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ literal: fc.constantFrom(`redfish-virtualmedia://admin:${CANARY}@192.168.20.5/redfish/v1/Systems/1`, 'http://192.168.20.5', 'not a url', 'ipmi://192.168.20.5:99999', 'redfish://') })),
    // The good value is made unique per host by hostPools().
    mac: orBad<string | undefined>(o, fc.constant('0c:c4:7a:00:10:01'), fc.constantFrom(undefined, 'zz:zz:zz:zz:zz:zz', '01:00:5e:00:00:01', '00:00:00:00:00:00', '0C-C4-7A-00-10-03')),
    role: fc.constantFrom('worker', 'control-plane'),
    cpuCores: orBad(o, fc.integer({ min: 8, max: 128 }), fc.constantFrom(0, 2.5)),
    memoryGiB: orBad(o, fc.integer({ min: 64, max: 1024 }), fc.constantFrom(0, -1)),
    gpus: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
    credentials: orBad<HostSpec['credentials']>(o, cred, fc.constant({ inlinePassword: CANARY })),
  });
}

function hostPools(o: SpecOptions): fc.Arbitrary<HostPoolSpec[]> {
  const pool = fc.record({
    name: fc.oneof(fc.constantFrom('servers', 'gpu-servers', 'edge'), name(o, 63)),
    namespace: orBad(o, fc.constantFrom('metal3', 'metal3-edge'), fc.constant('Metal3')),
    defaultCredentials: orBad<HostPoolSpec['defaultCredentials']>(o, fc.constantFrom('secret' as const, 'external' as const), fc.constant('none' as const)),
    hosts: fc.array(host(o), { minLength: 1, maxLength: 5 }),
    template: maybe(fc.record({
      cluster: name(o, 30),
      role: maybe(fc.constantFrom('worker', 'control-plane', 'storage'), 2),
      checksum: orBad(o, fc.constant('a'.repeat(64)), fc.constantFrom('', 'd41d8cd98f00b204e9800998ecf8427e', 'sha256')),
    }), 3),
  });
  // An inventory has unique host names, BMC endpoints and MACs; in bad mode one host may copy
  // another's (the copied-line mistake).
  const copy = maybe(fc.record({ field: fc.constantFrom('name' as const, 'bmc' as const, 'mac' as const), from: fc.nat(9), to: fc.nat(9) }), o.bad ? 8 : 1000000);
  return fc.tuple(list(o, pool, { maxLength: 2, selector: (p) => p.name }), copy).map(([pools, mistake]) => {
    let n = 0;
    const out = pools.map((p) => ({
      ...p,
      hosts: p.hosts.map((h) => {
        n++;
        const hex = n.toString(16).padStart(2, '0');
        return { ...h, name: h.name === 'metal' ? `metal-${hex}` : h.name, bmc: 'literal' in h.bmc ? h.bmc : { ...h.bmc, octet: 10 + n }, mac: h.mac === '0c:c4:7a:00:10:01' ? `0c:c4:7a:00:${hex}:01` : h.mac };
      }),
    }));
    const all = out.flatMap((p) => p.hosts);
    if (mistake && all.length > 1 && mistake.from % all.length !== mistake.to % all.length) {
      const [from, to] = [all[mistake.from % all.length], all[mistake.to % all.length]];
      Object.assign(to, { [mistake.field]: from[mistake.field] });
    }
    return out;
  });
}

function peerings(o: SpecOptions): fc.Arbitrary<PeeringSpec[]> {
  return fc.array(fc.record({
    from: fc.nat(49),
    to: fc.nat(49),
    approved: maybe(fc.record({ by: orBad(o, fc.constantFrom('netops@example.com', 'platform-team'), fc.constantFrom('', '  ')) }), 2),
    reason: orBad(o, fc.constantFrom('shared CI runners reach the artifact cache', 'acme consumes the event bus'), fc.constantFrom('', '   ')),
    linkSlot: maybe(fc.nat(4095), 6),
    keepDegenerate: o.bad ? maybe(fc.constant(true), 10) : fc.constant(undefined),
  }), { maxLength: 4 });
}

function addons(o: SpecOptions): fc.Arbitrary<AddonSpec[]> {
  const chart = fc.record({
    catalog: fc.nat(3),
    version: o.bad ? maybe(fc.constantFrom('latest', '^1.2.0', '', '1.x'), 30) : fc.constant(undefined),
    repositoryUrl: o.bad ? maybe(fc.constantFrom(`https://ci:${CANARY}@charts.example.com/stable`, 'ftp://charts.example.com'), 40) : fc.constant(undefined),
  });
  const raw = fc.record({
    name: fc.oneof(fc.constantFrom('cni', 'metrics', 'security', 'monitoring'), name(o, 63)),
    mandatory: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    selector: fc.oneof(
      fc.constant<AddonSpec['selector']>({ kind: 'all' }),
      fc.record({ kind: fc.constant('tier' as const), tier: fc.constantFrom('standard', 'gpu', 'gold') }),
      fc.record({ kind: fc.constant('cluster' as const), tenant: fc.nat(49) }),
    ),
    charts: list(o, chart, { minLength: 1, maxLength: 2, selector: (c) => c.catalog % 4 }),
    content: maybe(fc.record({ secret: fc.boolean() }), 4),
    dependsOn: fc.array(fc.nat(3), { maxLength: 1 }),
    dependsOnAny: o.bad ? maybe(fc.nat(3), 15) : fc.constant(undefined),
  });
  // Valid: a mandatory profile selects every cluster, and each profile's releases are its own.
  const valid = raw.map((a) => ({
    ...a,
    selector: a.mandatory ? { kind: 'all' as const } : a.selector,
    charts: a.charts.map((c) => ({ ...c, suffix: a.name })),
  }));
  return list(o, orBad(o, valid, raw), { maxLength: 3, selector: (a) => a.name });
}

function hooks(o: SpecOptions): fc.Arbitrary<HookSpec[]> {
  // A bearer token goes over https only (plain http would carry it in clear: refused).
  const endpoint = orBad<{ url: string; tokenSecret: boolean }>(o,
    fc.oneof(
      fc.record({ url: fc.constant('https://billing.example.com/hooks/cluster-created'), tokenSecret: fc.boolean() }),
      fc.record({ url: fc.constant('http://audit.internal:8080/events'), tokenSecret: fc.constant(false) })),
    fc.record({
      url: fc.constantFrom(`https://billing:${CANARY}@billing.example.com/hook`, 'ftp://billing.example.com', 'https://x.example.com/"$(id)"', `https://billing.example.com/hook?token=${CANARY}`),
      tokenSecret: fc.boolean(),
    }),
    fc.record({ url: fc.constant('http://audit.internal:8080/events'), tokenSecret: fc.constant(true) }));
  const hook = fc.record({
    name: fc.oneof(fc.constantFrom('billing', 'audit'), name(o, 40)),
    event: fc.constantFrom('created' as const, 'deleted' as const, 'unhealthy' as const),
    endpoint,
  }).map(({ endpoint: e, ...rest }) => ({ ...rest, ...e }));
  return list(o, hook, { maxLength: 1, selector: (h) => h.name });
}

function boundaries(o: SpecOptions): fc.Arbitrary<BoundariesSpec | undefined> {
  const generous = fc.record({
    allowedMinors: fc.constant(undefined),
    maxReplicasPerPool: maybe(fc.integer({ min: 20, max: 50 }), 2),
    maxNodesPerCluster: maybe(fc.integer({ min: 60, max: 100 }), 2),
    maxCpuCoresPerNode: maybe(fc.integer({ min: 16, max: 32 }), 2),
    maxMemoryGiBPerNode: maybe(fc.integer({ min: 64, max: 128 }), 2),
    maxGpusPerCluster: maybe(fc.integer({ min: 200, max: 400 }), 2),
  });
  const tight = fc.record({
    allowedMinors: maybe(fc.array(fc.nat(5), { minLength: 1, maxLength: 2 }), 2),
    maxReplicasPerPool: maybe(fc.integer({ min: 1, max: 4 }), 2),
    maxNodesPerCluster: maybe(fc.integer({ min: 1, max: 6 }), 2),
    maxCpuCoresPerNode: maybe(fc.integer({ min: 1, max: 8 }), 2),
    maxMemoryGiBPerNode: maybe(fc.integer({ min: 1, max: 16 }), 2),
    maxGpusPerCluster: maybe(fc.nat(2), 2),
  });
  return maybe(o.bad ? fc.oneof(generous, tight) : fc.oneof({ weight: 4, arbitrary: generous }, { weight: 1, arbitrary: tight }), o.bad ? 4 : 8);
}

const RULES = ['KM-NET-001', 'KM-NET-006', 'KM-TEN-002', 'KM-TEN-004', 'KM-CAP-001', 'KM-CAP-003', 'KM-SUP-003', 'KM-DATA-001'];

function policy(o: SpecOptions): fc.Arbitrary<PolicySpec | undefined> {
  return maybe(fc.record({
    guardrails: maybe(fc.record({
      minControlPlaneReplicas: maybe(fc.integer({ min: 1, max: 3 }), 2),
      maxReplicasPerPool: maybe(orBad(o, fc.integer({ min: 4, max: 30 }), fc.constant(0)), 2),
      requireKonnectivity: maybe(fc.boolean(), 2),
    }), 2),
    admission: fc.boolean(),
    capacity: maybe(fc.record({
      cpuOvercommitRatio: maybe(orBad(o, fc.constantFrom(1, 2, 4, 8), fc.constant(-1)), 2),
      vmHostRole: maybe(fc.constantFrom('worker', 'control-plane'), 2),
    }), 2),
    excludeRules: orBad(o, fc.subarray(RULES, { maxLength: 2 }), fc.constant(['KM-NET-999'])),
    suppressions: fc.array(fc.record({
      tenant: fc.nat(49),
      rule: orBad(o, fc.constantFrom(...RULES), fc.constant('KM-XYZ-999')),
      reason: orBad(o, fc.constant('lab tenant, recreated nightly'), fc.constant('lab')),
    }), { maxLength: 1 }),
  }), 5);
}

/** A whole platform. */
export function platformSpec(o: SpecOptions): fc.Arbitrary<PlatformSpec> {
  return fc.record({
    layout: fc.record({ tenantUnitsFirst: fc.boolean(), poolsInOwnUnit: fc.boolean() }),
    under: under(o),
    planes: planes(o),
    vipPools: vipPools(o),
    image: image(o),
    classes: classes(o),
    hostPools: fc.oneof({ weight: 2, arbitrary: fc.constant<HostPoolSpec[]>([]) }, { weight: 1, arbitrary: hostPools(o) }),
    sites: fc.oneof({ weight: 3, arbitrary: fc.constant<SiteSpec[]>([]) }, { weight: 1, arbitrary: sites(o) }),
    tenants: tenants(o),
    peerings: peerings(o),
    addons: addons(o),
    hooks: hooks(o),
    boundaries: boundaries(o),
    policy: policy(o),
  }).map((spec) => (o.bad || !spec.policy ? spec : withPolicy(spec)));
}

/**
 * A valid platform under the policy pack has what the pack requires: a mandatory add-on profile,
 * and no credential values in the output (no Secret content).
 */
function withPolicy(spec: PlatformSpec): PlatformSpec {
  const profiles = spec.addons.map((a) => (a.content?.secret ? { ...a, content: { secret: false } } : a));
  const mandatory = profiles.some((a) => a.mandatory) ? [] : [{
    name: 'mandatory-cni', mandatory: true, selector: { kind: 'all' as const }, charts: [{ catalog: 0, suffix: 'mandatory' }], dependsOn: [],
  }];
  return { ...spec, addons: [...mandatory, ...profiles] };
}
