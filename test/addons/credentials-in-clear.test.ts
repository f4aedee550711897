// Data the library writes to git in clear (chart values, add-on content, webhook URLs) is refused
// where it is given when it carries a credential: the same detector as policy rule KM-SEC-001
// (src/util/credentials.ts), but without the pack attached. Messages name paths, never values.
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { AddonProfile, ClusterLifecycleEvent, EventHook, HookAction, isKmetalValidationError, MachineImage, PlatformUnderCluster } from '../../src';

const CILIUM = { repositoryUrl: 'https://helm.cilium.io', chart: 'cilium', version: '1.18.2', releaseNamespace: 'kube-system' };

function errorOf(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    expect(isKmetalValidationError(e)).toBe(true);
    return e;
  }
  throw new Error('expected a KmetalValidationError');
}

describe('chart values', () => {
  test('a value named like a password is refused, with its path and never its value', () => {
    const chart = new Chart(new App(), 'c');
    const e = errorOf(() => new AddonProfile(chart, 'db', { helmCharts: [{ ...CILIUM, values: { auth: { adminPassword: 'hunter2-very-secret' }, replicas: 2 } }] }));
    expect(e.message).toMatch(/^\[c\/db\] helmCharts\[0\]\.values\.auth\.adminPassword: 1 credential value\(s\) would be written to git in clear: helmCharts\[0\]\.values\.auth\.adminPassword \(a credential-like field\)\. Fix: keep credentials out of git/);
    expect(e.message).not.toContain('hunter2');
  });

  test('empty values, placeholders and references pass', () => {
    const chart = new Chart(new App(), 'c');
    expect(() => new AddonProfile(chart, 'ok', {
      helmCharts: [{
        ...CILIUM,
        // A key name beside its Secret's name is no credential (the same rule as KM-SEC-001's).
        values: { auth: { password: '', existingSecret: 'db-auth', token: '${DB_TOKEN}', existingSecretName: 'db-auth', existingSecretKey: 'password' }, url: 'https://example.com/x?page=2' },
      }],
    })).not.toThrow();
  });

  test('a token in a URL\'s query, and a PEM key, are refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(errorOf(() => new AddonProfile(chart, 'a', { helmCharts: [{ ...CILIUM, values: { endpoints: ['https://hooks.example.com/x?access_token=abc123def'] } }] })).message)
      .toMatch(/helmCharts\[0\]\.values\.endpoints\[0\] \(a URL with a credential in its query \(access_token=\.\.\.\)\)/);
    expect(errorOf(() => new AddonProfile(chart, 'b', { helmCharts: [{ ...CILIUM, values: { tls: '-----BEGIN RSA PRIVATE KEY-----\nMIIE' } }] })).message)
      .toMatch(/helmCharts\[0\]\.values\.tls \(a PEM private key\)/);
  });

  test('a plain-http chart repository is refused', () => {
    const chart = new Chart(new App(), 'c');
    expect(errorOf(() => new AddonProfile(chart, 'a', { helmCharts: [{ ...CILIUM, repositoryUrl: 'http://charts.example.com' }] })).message)
      .toMatch(/^\[c\/a\] helmCharts\[0\]\.repositoryUrl: "http:\/\/charts\.example\.com" is served over plain http.*Fix: serve the repository over https:\/\/ or mirror the chart to an oci:\/\/ registry/);
  });

  test('the platform\'s component values too', () => {
    const e = errorOf(() => new PlatformUnderCluster(new App(), 'platform', {
      releaseManifestsRegistry: 'oci://registry.example.com/kmetal-manifests',
      defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
      values: { kamaji: { datastore: { basicAuth: { password: 's3cr3t-value' } } } },
    }));
    expect(e.message).toMatch(/^\[platform\] values\.kamaji\.datastore\.basicAuth\.password: 1 credential value\(s\)/);
  });
});

describe('add-on content shipped to tenant clusters', () => {
  test('a Secret with values is refused, even stored as a Secret: git holds it in clear either way', () => {
    const chart = new Chart(new App(), 'c');
    const profile = new AddonProfile(chart, 'creds', {});
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'registry', namespace: 'default' }, stringData: { '.dockerconfigjson': '{}' } };
    expect(errorOf(() => profile.addManifests('registry', [secret], { secret: true })).message)
      .toMatch(/^\[c\/creds\] content\.registry\[0\]: Secret registry carries 1 value\(s\) \(keys: \.dockerconfigjson\).*Fix: ship an ExternalSecret/);
    // A SOPS-encrypted Secret carries ciphertext: allowed.
    expect(() => profile.addManifests('sops', [{ ...secret, sops: { version: '3.9.0' } }], { secret: true })).not.toThrow();
  });

  test('a credential in a cdk8s chart\'s objects is refused when the content renders (at synth)', () => {
    const app = Testing.app();
    const profile = new AddonProfile(new Chart(app, 'c'), 'monitoring', {});
    const content = new Chart(new App(), 'addons');
    new ApiObject(content, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'grafana' }, data: { adminPassword: 'grafana-admin-1' } });
    profile.addChart('grafana', content);
    expect(() => app.synth()).toThrow(/content\.grafana\[0\]\.data\.adminPassword \(a credential-like field\)/);
  });
});

describe('webhooks', () => {
  test('a token in the URL\'s query, or a bearer token over plain http, is refused', () => {
    const chart = new Chart(new App(), 'c');
    const hook = (url: string, token?: boolean) => new EventHook(chart, `h${Math.abs(url.length)}${token ? 't' : ''}`, {
      event: ClusterLifecycleEvent.CREATED,
      action: HookAction.webhook({ url, ...(token ? { bearerTokenSecret: { name: 'billing-token', key: 'token' } } : {}) }),
    });
    expect(errorOf(() => hook('https://billing.example.com/hook?token=abc123')).message).toMatch(/action\.url: the URL carries credentials/);
    expect(errorOf(() => hook('http://billing.example.com/hook', true)).message).toMatch(/action\.url: "http:\/\/billing\.example\.com\/hook" is plain http, so the bearer token crosses the network in clear/);
    expect(() => hook('http://billing.billing.svc/hook')).not.toThrow();
  });
});
