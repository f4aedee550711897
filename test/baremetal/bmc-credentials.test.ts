import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { catchValidation, expectError, ipmiHost, redfishHost } from './fixtures';
import { BareMetalPool, BareMetalHostSpec, BmcCredentials, SecretStoreKind } from '../../src';
import { conformanceErrors, findObject, newChart, ofKind } from '../support/platform';

// A deliberately marked fake credential: if it ever shows up in output or messages, a test fails.
const FAKE_PASSWORD = 'FAKE-bmc-Passw0rd-DO-NOT-EMIT';

describe('BmcCredentials, references only', () => {
  test('fromSecret: one Secret per host with {host}, or one shared Secret', () => {
    const { chart } = newChart();
    const pool = new BareMetalPool(chart, 'p', {
      namespace: 'metal',
      defaultCredentials: BmcCredentials.fromSecret('{host}-bmc'),
      hosts: [ipmiHost(1), { ...ipmiHost(2), bmc: { address: 'ipmi://10.20.0.2', credentials: BmcCredentials.fromSecret('rack-a-bmc') } }],
    });
    pool.addHost({ ...ipmiHost(3), bmc: { address: 'ipmi://10.20.0.3' } });
    expect(pool.hosts.map((h) => h.credentialsSecretName)).toEqual(['ipmi-1-bmc', 'rack-a-bmc', 'ipmi-3-bmc']);
    expect(ofKind(chart.toJson(), 'ExternalSecret')).toEqual([]);
  });

  test('fromExternalSecret (opt-in): one ExternalSecret per Secret, filling the keys Metal3 reads', () => {
    const { chart } = newChart();
    const perHost = BmcCredentials.fromExternalSecret({ storeName: 'vault-bmc', remoteKey: 'dc1/bmc/{host}', refreshInterval: '15m' });
    const shared = BmcCredentials.fromExternalSecret({ storeName: 'bmc', storeKind: SecretStoreKind.SECRET_STORE, remoteKey: 'bmc/rack-b', secretName: 'rack-b-bmc', usernameProperty: 'user', passwordProperty: 'pass' });
    const pool = new BareMetalPool(chart, 'p', { namespace: 'metal', defaultCredentials: perHost, hosts: [redfishHost(1), { ...redfishHost(2), bmc: { address: 'redfish-virtualmedia://10.10.0.2' } }] });
    const b = new BareMetalPool(chart, 'b', { namespace: 'metal', defaultCredentials: shared });
    b.addHost({ ...ipmiHost(3), bmc: { address: 'ipmi://10.20.0.3' } });
    b.addHost({ ...ipmiHost(4), bmc: { address: 'ipmi://10.20.0.4' } });
    const objects = chart.toJson();

    // node-1 names its own Secret, node-2 uses the per-host ExternalSecret, ipmi-3/4 share one.
    expect(ofKind(objects, 'ExternalSecret').map((o) => o.metadata.name)).toEqual(['node-2-bmc-credentials', 'rack-b-bmc']);
    expect(findObject(objects, 'ExternalSecret', 'node-2-bmc-credentials')).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'node-2-bmc-credentials', namespace: 'metal' },
      spec: {
        refreshInterval: '15m',
        secretStoreRef: { name: 'vault-bmc', kind: 'ClusterSecretStore' },
        target: { name: 'node-2-bmc-credentials', creationPolicy: 'Owner', template: { metadata: { labels: { 'environment.metal3.io': 'baremetal' } } } },
        data: [
          { secretKey: 'username', remoteRef: { key: 'dc1/bmc/node-2', property: 'username' } },
          { secretKey: 'password', remoteRef: { key: 'dc1/bmc/node-2', property: 'password' } },
        ],
      },
    });
    expect(findObject(objects, 'ExternalSecret', 'rack-b-bmc').spec.secretStoreRef).toEqual({ name: 'bmc', kind: 'SecretStore' });
    expect(findObject(objects, 'BareMetalHost', 'node-2').spec.bmc.credentialsName).toBe('node-2-bmc-credentials');
    expect(b.hosts.map((h) => h.externalSecret)).toEqual([b.hosts[0].externalSecret, b.hosts[0].externalSecret]);
    expect(pool.findHost('node-2')!.externalSecret).toBeDefined();
    // external-secrets has no pinned CRD: the checker reports the kind as unknown, everything else passes.
    expect(conformanceErrors(objects.filter((o) => o.kind !== 'ExternalSecret'))).toBe('');
    expect(conformanceErrors(ofKind(objects, 'ExternalSecret'))).toMatch(/unknown-kind/);
  });

  test('bad references are refused without echoing the value', () => {
    const { chart } = newChart();
    const pool = new BareMetalPool(chart, 'p', { namespace: 'metal' });
    const e = expectError(() => pool.addHost({ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', credentials: BmcCredentials.fromSecret(FAKE_PASSWORD + '!') } }), 'test/p/ipmi-1', 'bmc.credentials', /not a valid Kubernetes name.*never pass the password itself/);
    expect(e.message).not.toContain(FAKE_PASSWORD);
    expectError(() => pool.addHost({ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', credentials: BmcCredentials.fromExternalSecret({ storeName: 'v', remoteKey: 'k', refreshInterval: 'hourly' }) } }), 'test/p/ipmi-1', 'bmc.credentials.refreshInterval', /not a Go duration/);
    expectError(() => pool.addHost({ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', credentials: BmcCredentials.fromExternalSecret({ storeName: 'v', remoteKey: '' }) } }), 'test/p/ipmi-1', 'bmc.credentials.remoteKey', /needs the key/);
  });

  test('two BmcCredentials objects may not write the same Secret', () => {
    const { chart } = newChart();
    const pool = new BareMetalPool(chart, 'p', { namespace: 'metal', hosts: [{ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', credentials: BmcCredentials.fromExternalSecret({ storeName: 'v', remoteKey: 'a', secretName: 'shared' }) } }] });
    expectError(() => pool.addHost({ ...ipmiHost(2), bmc: { address: 'ipmi://10.20.0.2', credentials: BmcCredentials.fromExternalSecret({ storeName: 'v', remoteKey: 'b', secretName: 'shared' }) } }), 'test/p/ipmi-2', 'bmc.credentials', /ExternalSecret metal\/shared is already emitted for host "ipmi-1"/);
  });
});

describe('BMC credentials given as plain text are refused (never printed)', () => {
  const setup = () => {
    const { chart } = newChart();
    return new BareMetalPool(chart, 'p', { namespace: 'metal', defaultCredentials: BmcCredentials.fromSecret('{host}-bmc') });
  };

  test('the typed password and username fields exist only to be refused, with what to do instead', () => {
    const pool = setup();
    const e = expectError(() => pool.addHost({ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', password: FAKE_PASSWORD } }), 'test/p/ipmi-1', 'bmc.password',
      /a BMC password \(or other secret\) is given as plain text.*Fix: store user name and password in a Secret with keys "username" and "password".*BmcCredentials.fromSecret\(name\)/);
    expect(e.message).not.toContain(FAKE_PASSWORD);
    expectError(() => pool.addHost({ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', username: 'root' } }), 'test/p/ipmi-1', 'bmc.username', /user name is given in the host spec/);
    expect(pool.hosts).toEqual([]);
  });

  test('inventory files: any field named like a secret, at any depth, is refused before anything else is checked', () => {
    const pool = setup();
    for (const [entry, field] of [
      [{ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', password: FAKE_PASSWORD } }, 'inventory.hosts[0].bmc.password'],
      [{ ...ipmiHost(1), bmc: { address: 'ipmi://10.20.0.1', ipmi_password: FAKE_PASSWORD } }, 'inventory.hosts[0].bmc.ipmi_password'],
      [{ ...ipmiHost(1), bmcPassword: FAKE_PASSWORD }, 'inventory.hosts[0].bmcPassword'],
      [{ ...ipmiHost(1), capacity: { cpuCores: 'x', memoryGiB: 1, secret: FAKE_PASSWORD } }, 'inventory.hosts[0].capacity.secret'],
      [{ ...ipmiHost(1), name: 'Not A Name', bmc: { address: `ipmi://root:${FAKE_PASSWORD}@x`, passwd: FAKE_PASSWORD } }, 'inventory.hosts[0].bmc.passwd'],
    ] as Array<[unknown, string]>) {
      const e = expectError(() => pool.addInventory(JSON.stringify([entry])), 'test/p', field, /given as plain text.*The value is not shown here.*Fix: .*"credentialsName"/);
      expect(e.message).not.toContain(FAKE_PASSWORD);
    }
    expect(pool.hosts).toEqual([]);
  });

  test('the BMC address may not carry user:password@', () => {
    const pool = setup();
    const e = expectError(() => pool.addHost({ ...ipmiHost(1), bmc: { address: `ipmi://admin:${FAKE_PASSWORD}@10.20.0.1` } }), 'test/p/ipmi-1', 'bmc.address', /carries user information/);
    expect(e.message).not.toContain(FAKE_PASSWORD);
  });
});

describe('no credential value anywhere in the synthesized output', () => {
  test('an app whose author tried to inline a password synthesizes Secret references only', () => {
    const app = Testing.app();
    const platform = new Chart(app, 'platform');
    const pool = new BareMetalPool(platform, 'rack-a', {
      namespace: 'metal',
      defaultCredentials: BmcCredentials.fromExternalSecret({ storeName: 'vault', remoteKey: 'bmc/{host}' }),
      hosts: [redfishHost(1), { ...ipmiHost(2), bmc: { address: 'ipmi://10.20.0.2', credentials: BmcCredentials.fromSecret('ipmi-2-bmc') } }],
    });
    // The attempts, each refused, each leaving nothing behind.
    const attempts: Array<() => unknown> = [
      () => pool.addHost({ ...redfishHost(3), bmc: { address: 'redfish-virtualmedia://10.10.0.3', password: FAKE_PASSWORD } }),
      () => pool.addInventory({ hosts: [{ ...redfishHost(4), bmc: { address: 'redfish-virtualmedia://10.10.0.4', credentialsName: 'x', password: FAKE_PASSWORD } }] }),
      () => pool.addHost({ ...redfishHost(5), bmc: { address: `redfish-virtualmedia://root:${FAKE_PASSWORD}@10.10.0.5` } }),
      () => pool.addHost({ ...redfishHost(6), bmc: { address: 'redfish-virtualmedia://10.10.0.6', credentials: BmcCredentials.fromSecret(FAKE_PASSWORD) } }),
    ];
    for (const attempt of attempts) expect(catchValidation(attempt).message).not.toContain(FAKE_PASSWORD);
    pool.addHost(redfishHost(7) as BareMetalHostSpec);

    app.synth();
    const files = fs.readdirSync(app.outdir).map((f) => path.join(app.outdir, f));
    const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(text).toContain('kind: BareMetalHost');
    expect(text).not.toContain(FAKE_PASSWORD);
    expect(text).not.toMatch(/kind: Secret\b/);
    expect(text).not.toMatch(/stringData|root:/);
    // The only "password" in the output is the name of the property external-secrets reads.
    const passwordLines = text.split('\n').filter((l) => /password/i.test(l));
    expect(passwordLines.every((l) => /^\s*(- )?(secretKey|property): password$/.test(l))).toBe(true);
    const objects = platform.toJson();
    expect(ofKind(objects, 'BareMetalHost').map((o) => o.spec.bmc.credentialsName)).toEqual(['node-1-bmc', 'ipmi-2-bmc', 'node-7-bmc']);
  });
});
