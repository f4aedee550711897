// Every prop of the main constructs given a value of the wrong type (what JavaScript, the other jsii
// languages or a cast can pass) is refused with the library's error, naming the construct and the
// prop, never a TypeError from deep inside; and the run-time type table is the jsii assembly's.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { base, IMAGE, PLANES } from './fixture';
import { generate, PROP_TYPES_FILE } from '../../build-tools/prop-types';
import {
  AddonProfile, BareMetalPool, BmcCredentials, ClusterLifecycleEvent, ControlPlaneVipPool, DataStoreDriver, EventHook, ExternalDataStore, GitOpsUnit,
  HookAction, isKmetalValidationError,
  MachineImage, MetalImage, NetworkPlanes, PeeringRequest, TenantClusterClass, TenantVpc,
} from '../../src';
import { PROP_STRUCTS } from '../../src/util/private/prop-types.generated';
import { checkProps, checkPropTypes } from '../../src/util/props';
import { synthInMemory } from '../reliability/support/synth';

// One wrong value per JavaScript type; a prop is tried with each that is not its own type.
const WRONG: unknown[] = ['x', 42, true, {}, [], [1], { a: 1 }, () => 1];
const CILIUM = { repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' };
const HOST = { name: 'metal-01', bmc: { address: 'redfish-virtualmedia://192.168.20.11/redfish/v1/Systems/1' }, bootMacAddress: '0c:c4:7a:00:10:01', capacity: { cpuCores: 64, memoryGiB: 512 } };

type Declare = (app: App, key: string, value: unknown) => void;
const TARGETS: Array<[string, Declare]> = [
  ['TenantClusterProps', (app, k, v) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general' }], [k]: v })],
  ['NodePoolOptions', (app, k, v) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', [k]: v } as any] })],
  ['ControlPlaneOptions', (app, k, v) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', controlPlane: { [k]: v } as any })],
  ['TenantVpcProps', (app, k, v) => {
    const b = base(app);
    new TenantVpc(b.platform.tenantUnit('acme'), 'vpc', { planes: b.planes, name: 'acme', subnets: [{ name: 'workers', cidr: '10.1.0.0/24' }], [k]: v } as any);
  }],
  ['TenantSubnetOptions', (app, k, v) => {
    const b = base(app);
    new TenantVpc(b.platform.tenantUnit('acme'), 'vpc', { planes: b.planes, name: 'acme', subnets: [{ name: 'workers', cidr: '10.1.0.0/24', [k]: v } as any] });
  }],
  ['TenantClusterClassProps', (app, k, v) => {
    const b = base(app);
    const golden = new TenantClusterClass(b.platform.clusterTemplates, 'golden', { defaultVersion: 'v1.33.2', defaultImage: MachineImage.containerDisk(IMAGE), [k]: v } as any);
    b.platform.addTenantCluster('acme', { clusterClass: golden, nodePools: [{ name: 'general' }] });
  }],
  ['AddonProfileProps', (app, k, v) => {
    const b = base(app);
    b.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    new AddonProfile(b.platform.configs, 'cni', { helmCharts: [CILIUM], [k]: v } as any);
  }],
  ['BareMetalPoolProps', (app, k, v) => {
    new BareMetalPool(base(app).platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}'), [k]: v } as any).addHost(HOST);
  }],
  ['BareMetalHostSpec', (app, k, v) => {
    new BareMetalPool(base(app).platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') }).addHost({ ...HOST, [k]: v } as any);
  }],
  ['ControlPlaneVipPoolProps', (app, k, v) => {
    new ControlPlaneVipPool(base(app).platform.configs, 'more', { addresses: ['203.0.113.200..203.0.113.210'], [k]: v } as any);
  }],
  ['PlatformUnderClusterProps', (app, k, v) => base(app, { [k]: v } as any).platform.addTenantCluster('acme', { version: 'v1.33.2' })],
  ['NetworkPlanesProps', (app, k, v) => { new NetworkPlanes(base(app).platform.configs, 'more-planes', { ...PLANES, [k]: v } as any); }],
  ['GitOpsUnitProps', (app, k, v) => {
    const b = base(app);
    new GitOpsUnit(app, 'apps', { path: 'apps/web', dependsOn: [b.platform.configs], [k]: v } as any);
  }],
  ['ExternalDataStoreProps', (app, k, v) => {
    const b = base(app);
    const ds = new ExternalDataStore(b.platform.configs, 'pg', { name: 'shared-pg', driver: DataStoreDriver.POSTGRESQL, endpoints: ['pg.example.com:5432'], [k]: v } as any);
    b.platform.addTenantCluster('acme', { version: 'v1.33.2', dataStore: ds });
  }],
  ['EventHookProps', (app, k, v) => {
    new EventHook(base(app).platform.configs, 'billing', { event: ClusterLifecycleEvent.CREATED, action: HookAction.webhook({ url: 'https://billing.example.com/hook' }), [k]: v } as any);
  }],
  ['PeeringRequestProps', (app, k, v) => {
    const b = base(app);
    const acme = new TenantVpc(b.platform.tenantUnit('acme'), 'vpc', { planes: b.planes, name: 'acme', subnets: [{ name: 'workers', cidr: '10.1.0.0/24' }] });
    const globex = new TenantVpc(b.platform.tenantUnit('globex'), 'vpc', { planes: b.planes, name: 'globex', subnets: [{ name: 'workers', cidr: '10.2.0.0/24' }] });
    new PeeringRequest(b.platform.tenantUnit('acme'), 'peer', { from: acme, to: globex, reason: 'events', [k]: v } as any);
  }],
];

// Options nested in the props above, each with a valid value the wrong one replaces a field of.
const BACKUP = { bucket: 'kmetal-etcd', endpoint: 'https://s3.example.com', credentialsSecret: { name: 'etcd-backup-s3' } };
const inCluster = (key: string): Declare => (app, k, v) => base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general' }], [key]: { ...VALID[key], [k]: v } });
const inPool = (key: string, list = false): Declare => (app, k, v) => {
  const nested = { ...VALID[key], [k]: v };
  base(app).platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', [key]: list ? [nested] : nested } as any] });
};
const inHost = (key: string): Declare => (app, k, v) => {
  new BareMetalPool(base(app).platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') }).addHost({ ...HOST, [key]: { ...VALID[key], [k]: v } } as any);
};
const VALID: { [key: string]: object } = {
  etcdBackup: BACKUP,
  gpus: { deviceName: 'nvidia.com/GA102GL_A10' },
  taints: { key: 'a', effect: 'NoSchedule' },
  bmc: HOST.bmc,
  capacity: HOST.capacity,
};
const NESTED: Array<[string, Declare]> = [
  ['ClusterAutoscalerOptions', inCluster('autoscaler')],
  ['TenantCloudProviderOptions', inCluster('cloudProvider')],
  ['DedicatedEtcdOptions', inCluster('etcd')],
  ['DatastoreBackupOptions', inCluster('etcdBackup')],
  ['TenantClusterStorageOptions', inCluster('storage')],
  ['NodePoolHealthCheck', inPool('healthCheck')],
  ['NodePoolPlacement', inPool('placement')],
  ['NodePoolRollout', inPool('rollout')],
  ['GpuRequest', inPool('gpus', true)],
  ['NodeTaint', inPool('taints', true)],
  ['BmcSpec', inHost('bmc')],
  ['HostCapacity', inHost('capacity')],
  ['RootDeviceHints', inHost('rootDeviceHints')],
  ['RaidConfig', inHost('raid')],
  ['HelmChartAddon', (app, k, v) => {
    const b = base(app);
    b.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    new AddonProfile(b.platform.configs, 'cni', { helmCharts: [{ ...CILIUM, [k]: v } as any] });
  }],
  ['PermittedPciDevice', (app, k, v) => {
    base(app, { permittedPciDevices: [{ resourceName: 'nvidia.com/GA102GL_A10', pciVendorSelector: '10DE:2236', [k]: v } as any] }).platform.addTenantCluster('acme', { version: 'v1.33.2' });
  }],
];

/** The wrong values for a prop: each of WRONG that the prop's type does not take. */
function wrongFor(type: unknown): unknown[] {
  const t = type as string | string[];
  return WRONG.filter((v) => {
    if (t === 's') return typeof v !== 'string';
    if (t === 'b') return typeof v !== 'boolean';
    if (t === 'n' || t === 'E' || t === '*' || t === 'X' || Array.isArray(t) && t[0] === 'U') return false; // checked by the constructs themselves, or anything goes
    if (Array.isArray(t) && t[0] === 'A') return !Array.isArray(v);
    if (Array.isArray(t) && t[0] === 'M') return typeof v !== 'object' || Array.isArray(v);
    if (typeof t === 'string' && t[0] === '@') return typeof v !== 'object' || Array.isArray(v);
    return true; // a class or interface: no plain value is one
  });
}

describe('a value of the wrong type for any prop', () => {
  test.each([...TARGETS.map(([t, d]) => [t, d, false] as const), ...NESTED.map(([t, d]) => [t, d, true] as const)])('%s: refused with the library\'s error, never a TypeError', (typeName, declare, nested) => {
    const props = PROP_STRUCTS[typeName];
    expect(props).toBeDefined();
    const unexpected: string[] = [];
    let refused = 0;
    for (const [key, [type]] of Object.entries(props)) {
      // addTenantCluster() passes the platform itself (the caller's value is replaced, not used).
      if (typeName === 'TenantClusterProps' && key === 'platform') continue;
      for (const value of wrongFor(type)) {
        const app = new App();
        try {
          declare(app, key, value);
          synthInMemory(app);
          unexpected.push(`${key}=${String(JSON.stringify(value))}: accepted`);
        } catch (e) {
          if (!isKmetalValidationError(e)) {
            unexpected.push(`${key}=${String(JSON.stringify(value))}: ${(e as Error).constructor.name}: ${(e as Error).message.split('\n')[0]}`);
          } else {
            refused++;
            // The message names the prop (a synth-time aggregate lists it among others); a nested
            // option may be refused by what it feeds (a BMC's credentials for its credentialsName).
            if (!nested && !(e as Error).message.includes(key)) unexpected.push(`${key}=${String(JSON.stringify(value))}: the error does not name ${key}: ${(e as Error).message.split('\n')[0]}`);
          }
        }
      }
    }
    expect(unexpected).toEqual([]);
    expect(refused).toBeGreaterThan(0);
  });
});

describe('checkPropTypes', () => {
  const err = (fn: () => void): string => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    return 'nothing thrown';
  };

  test('names the prop, what kind of value was given (never its text: it may be a credential) and what is expected', () => {
    expect(err(() => checkPropTypes('x', '', { nodePools: { name: 'a' } }, 'TenantClusterProps'))).toBe('[<x>] nodePools: an object with name is not a list of NodePoolOptions objects. Fix: give a list of NodePoolOptions objects');
    expect(err(() => checkPropTypes('x', '', { labels: ['tier=gold'] }, 'TenantClusterProps'))).toBe('[<x>] labels: a list of 1 item(s) is not a map of names to strings. Fix: give a map of names to strings');
    expect(err(() => checkPropTypes('x', 'spec', { createNamespace: 'hunter2' }, 'TenantClusterProps'))).toBe('[<x>] spec.createNamespace: a string (not shown) is not true or false. Fix: give true or false');
    // One level deep: items, map values and nested fields are the consumers' to check, with their own messages.
    expect(err(() => checkPropTypes('x', '', { labels: { tier: 1 }, nodePools: [{ name: 'a', nodeLabels: ['a=b'] }] }, 'TenantClusterProps'))).toBe('nothing thrown');
  });

  test('checkProps takes the known keys from the assembly too: a misspelt quota field is refused with the one meant', () => {
    expect(err(() => checkProps('x', 'quota', { gpu: { 'nvidia.com/GA102GL_A10': 2 } }, 'TenantQuota'))).toBe('[<x>] quota.gpu: "gpu" is not a property of TenantQuota, so its value would be ignored. Fix: did you mean "gpus"?');
    expect(() => checkProps('x', '', {}, 'NoSuchProps')).toThrow(/not a struct of the assembly: regenerate/);
  });

  test('the options of static factories are checked too, with the factory as the scope (no construct exists yet)', () => {
    expect(err(() => MachineImage.containerDisk(IMAGE, { kubernetesVersio: 'v1.33.2' } as any)))
      .toBe('[<MachineImage.containerDisk>] options.kubernetesVersio: "kubernetesVersio" is not a property of ContainerDiskOptions, so its value would be ignored. Fix: did you mean "kubernetesVersion"?');
    expect(err(() => MachineImage.containerDisk(IMAGE, { allowMutableTag: 'yes' } as any))).toMatch(/options\.allowMutableTag: a string \(not shown\) is not true or false/);
    expect(err(() => MachineImage.dataVolume({ url: 'https://images.example.com/a.qcow2', defaultSizeGib: 20 } as any))).toMatch(/defaultSizeGib.*did you mean "defaultSizeGiB"\?/);
    expect(err(() => MetalImage.fromUrl({ url: 'https://images.example.com/a.raw', checksumtype: 'sha256' } as any))).toMatch(/did you mean "checksumType"\?/);
    expect(err(() => BmcCredentials.fromExternalSecret({ storeName: 'vault', remoteKey: 'bmc', passwordProp: 'pw' } as any))).toMatch(/did you mean "passwordProperty"\?/);
  });

  test('classes and interfaces are checked by their members (structurally, as jsii does); images by their own check', () => {
    expect(err(() => checkPropTypes('x', '', { network: { description: 'mine' } }, 'TenantClusterProps'))).toMatch(/^\[<x>\] network: an object with description is not an INodeNetwork\. Fix: give an INodeNetwork made by the library or implementing its interface$/);
    const network = { bindNodePool: () => ({}), description: 'mine' };
    expect(err(() => checkPropTypes('x', '', { network }, 'TenantClusterProps'))).toBe('nothing thrown');
    expect(err(() => checkPropTypes('x', '', { defaultImage: IMAGE }, 'TenantClusterProps'))).toMatch(/is not a machine image\. Fix: wrap the reference: MachineImage\.containerDisk/);
    expect(err(() => checkPropTypes('x', '', { defaultImage: MachineImage.containerDisk(IMAGE), version: 'v1.33.2', nodePools: [] }, 'TenantClusterProps'))).toBe('nothing thrown');
  });
});

describe('the run-time type table', () => {
  const assembly = path.join(__dirname, '..', '..', '.jsii');
  test('is what build-tools/prop-types.ts makes of the jsii assembly (regenerate: npx ts-node --prefer-ts-exts --transpile-only build-tools/prop-types.ts)', () => {
    expect(fs.readFileSync(PROP_TYPES_FILE, 'utf8')).toBe(generate(fs.readFileSync(assembly, 'utf8')));
  });
});
