import { ApiObject, App, JsonPatch } from 'cdk8s';
import { check, findings, IMAGE, policyPlatform } from './fixture';
import { BareMetalPool, BmcCredentials, MachineImage, PlatformUnderCluster, Policy, PlatformPolicyPack } from '../../src';

describe('secrets and supply-chain rules', () => {
  test('KM-SEC-001: Secret values, credential-like fields, private keys and URLs with passwords; never the value itself', () => {
    const p = policyPlatform();
    const unit = p.platform.tenantUnit('acme');
    new ApiObject(unit, 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'tenant-acme' }, stringData: { password: 'hunter2-very-secret' } });
    new ApiObject(unit, 'values', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'grafana', namespace: 'tenant-acme' },
      spec: {
        chart: { spec: { chart: 'grafana', version: '9.0.0', sourceRef: { kind: 'HelmRepository', name: 'grafana' } } },
        values: { adminPassword: 'hunter2-very-secret', datasource: { url: 'postgres://grafana:hunter2-very-secret@db:5432/grafana' }, smtp: { password: '${SMTP_PASSWORD}' } },
      },
    });
    new ApiObject(unit, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tls', namespace: 'tenant-acme' }, data: { key: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----' } });
    new ApiObject(unit, 'sops', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'enc', namespace: 'tenant-acme' }, data: { password: 'ENC[AES256_GCM,data:abc]' }, sops: { version: '3.9.0' } });
    const f = findings(p.app, 'KM-SEC-001');
    expect(f.map((x) => x.message).sort()).toEqual([
      'ConfigMap tenant-acme/tls holds a credential value at data.key (a PEM private key)',
      'HelmRelease tenant-acme/grafana holds a credential value at spec.values.adminPassword (a credential-like field)',
      'HelmRelease tenant-acme/grafana holds a credential value at spec.values.datasource.url (a URL with a password)',
      'Secret tenant-acme/db carries 1 value(s) in the output (keys: password)',
    ]);
    expect(JSON.stringify(check(p.app).toJson())).not.toContain('hunter2');
  });

  test('KM-SEC-001: the platform\'s own output (BMC credentials, datastores, add-ons) carries none', () => {
    const p = policyPlatform();
    p.platform.addTenantCluster('acme', { version: 'v1.33.2' });
    expect(findings(p.app, 'KM-SEC-001')).toEqual([]);
  });

  test('KM-SEC-001: ExternalSecrets name the keys they fill (secretKey: password) without being flagged; values still are', () => {
    const p = policyPlatform();
    const pool = new BareMetalPool(p.platform.configs, 'vault-hosts', {
      namespace: 'metal3',
      defaultCredentials: BmcCredentials.fromExternalSecret({ storeName: 'vault', remoteKey: 'bmc/{host}' }),
    });
    pool.addHost({ name: 'metal-vault-01', bmc: { address: 'ipmi://192.168.20.91' }, capacity: { cpuCores: 64, memoryGiB: 512 } });
    expect(findings(p.app, 'KM-SEC-001')).toEqual([]);
    // The exemption is the field that names a key, in external-secrets.io only: a value elsewhere in
    // an ExternalSecret, or a secretKey field of another API group, is still a credential.
    new ApiObject(p.platform.tenantUnit('acme'), 'es', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'tenant-acme' },
      spec: { target: { template: { data: { password: 'hunter2-very-secret' } } }, data: [{ secretKey: 'password', remoteRef: { key: 'db' } }] },
    });
    new ApiObject(p.platform.tenantUnit('acme'), 'other', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x', namespace: 'tenant-acme' }, spec: { secretKey: 'AKIAEXAMPLE123' } });
    expect(findings(p.app, 'KM-SEC-001').map((x) => x.message).sort()).toEqual([
      'ExternalSecret tenant-acme/db holds a credential value at spec.target.template.data.password (a credential-like field)',
      'Thing tenant-acme/x holds a credential value at spec.secretKey (a credential-like field)',
    ]);
  });

  test('KM-SEC-001: a <x>SecretKey beside <x>SecretName names a key of that Secret (Kamaji\'s kubeconfigSecretKey); a lone one is still a credential', () => {
    const p = policyPlatform();
    new ApiObject(p.platform.tenantUnit('acme'), 'ref', {
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 'ref', namespace: 'tenant-acme' },
      spec: { cluster: { kubeconfigSecretName: 'island-kubeconfig', kubeconfigSecretKey: 'value' }, store: { accessSecretRef: { name: 's' }, accessSecretKey: 'key' } },
    });
    new ApiObject(p.platform.tenantUnit('acme'), 'lone', {
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 'lone', namespace: 'tenant-acme' },
      spec: { s3: { bucket: 'b', accessSecretKey: 'wJalrXUtnFEMI/K7MDENG' } },
    });
    expect(findings(p.app, 'KM-SEC-001').map((x) => x.message)).toEqual([
      'Thing tenant-acme/lone holds a credential value at spec.s3.accessSecretKey (a credential-like field)',
    ]);
  });

  test('KM-SUP-001: images not pinned, even when a constructor was told to accept them', () => {
    const p = policyPlatform();
    const mutable = MachineImage.containerDisk('registry.example.com/kmetal/ubuntu', { allowMutableTag: true });
    const c = p.platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', image: mutable }] });
    p.platform.addTenantCluster('globex', { clusterClass: p.golden, nodePools: [{ name: 'general', image: MachineImage.containerDisk('registry.example.com/kmetal/ubuntu:latest', { allowMutableTag: true }) }] });
    new ApiObject(p.platform.tenantUnit('acme'), 'app', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'app', namespace: 'tenant-acme' },
      spec: { chart: { spec: { chart: 'app', version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'x' } } }, values: { image: { repository: 'ghcr.io/acme/app', tag: 'latest' } } },
    });
    const f = findings(p.app, 'KM-SUP-001');
    expect(f.map((x) => x.message).sort()).toEqual([
      expect.stringMatching(/^Cluster tenant-globex\/globex references image "registry.example.com\/kmetal\/ubuntu:latest" at spec.topology.workers.machineDeployments\[0\].variables.overrides\[\d+\].value, which is not pinned \(tag "latest"\)$/),
      'HelmRelease tenant-acme/app references image "ghcr.io/acme/app:latest" at spec.values.image.tag, which is not pinned (tag "latest")',
      expect.stringMatching(/^KubevirtMachineTemplate tenant-acme\/acme-general-\w+ references image "registry.example.com\/kmetal\/ubuntu" at .*containerDisk.image, which is not pinned \(no tag or digest\)$/),
    ]);
    // Accepting it knowingly: a suppression with a reason on the cluster.
    Policy.suppress(c, 'KM-SUP-001', 'lab image rebuilt nightly on purpose');
    expect(findings(p.app, 'KM-SUP-001')).toHaveLength(2);
  });

  test('KM-SUP-002: chart versions and OCI artifacts that float', () => {
    const p = policyPlatform();
    const hr = p.app.node.findAll().find((x) => x instanceof ApiObject && x.kind === 'HelmRelease' && x.name === 'capsule') as ApiObject;
    hr.addJsonPatch(JsonPatch.replace('/spec/chart/spec/version', '>=0.14.0'));
    const oci = p.app.node.findAll().find((x) => x instanceof ApiObject && x.kind === 'OCIRepository') as ApiObject;
    oci.addJsonPatch(JsonPatch.replace('/spec/ref', { tag: 'latest' }));
    expect(findings(p.app, 'KM-SUP-002').map((x) => x.message).sort()).toEqual([
      'HelmRelease flux-system/capsule installs chart capsule at version ">=0.14.0", not an exact version',
      `OCIRepository flux-system/${oci.name} follows tag "latest"`,
    ]);
  });

  test('KM-SUP-003: component versions outside the validated set warn', () => {
    const app = new App();
    new PlatformUnderCluster(app, 'platform', { releaseManifestsRegistry: 'oci://r.example.com/m', defaultNodeImage: IMAGE, versions: { capsule: 'v0.15.0' } });
    Policy.of(app).addPack(new PlatformPolicyPack());
    expect(findings(app, 'KM-SUP-003')).toEqual([expect.objectContaining({ severity: 'warning', constructPath: 'platform', message: expect.stringMatching(/capsule v0.15.0 is outside the validated set/) })]);
  });
});
