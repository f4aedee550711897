import { Chart, Testing } from 'cdk8s';
import { allText, day2Platform, errorOf, IMAGE, readUnit } from './fixture';
import { ConformanceChecker, DatastoreBackup, DedicatedEtcdDataStore, ExternalDataStore, FluxTree, isKmetalValidationError, MachineImage, TenantCluster, VersionMatrix } from '../../src';
import { kamajiEtcdNames } from '../../src/reconcile/models/kamaji-etcd';
import { cleanupTempDirs, tempDir } from '../gitops/fixture';
import { check, policyPlatform } from '../policy/fixture';

afterEach(() => cleanupTempDirs());

const image = MachineImage.containerDisk(IMAGE);
const BACKUPS = { bucket: 'kmetal-etcd', endpoint: 'https://s3.example.com', credentialsSecret: { name: 'etcd-backup-s3' } };
const of = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

function tenant(props: any = {}) {
  const chart = new Chart(Testing.app(), 'test');
  const cluster = new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: image, nodePools: [{ name: 'general', replicas: 2 }], ...props });
  return { chart, cluster };
}

describe('DatastoreBackup', () => {
  test('a CronJob snapshots the dedicated etcd through the chart\'s client Service with the chart\'s client certificates, then uploads by Secret reference', () => {
    const { chart, cluster } = tenant({ etcdBackup: BACKUPS });
    const objs = Testing.synth(chart);
    const [cron] = of(objs, 'CronJob');
    const names = kamajiEtcdNames('acme-etcd', { fullnameOverride: 'acme-etcd' });
    expect(cron.metadata).toMatchObject({ name: 'acme-etcd-backup', namespace: 'tenant-acme', annotations: { 'reconcile.kmetal.io/out-of-band': 'Secret/etcd-backup-s3' } });
    expect(cron.spec).toMatchObject({ schedule: '0 0,6,12,18 * * *', concurrencyPolicy: 'Forbid' });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const [snap] = pod.initContainers;
    expect(snap.image).toBe(VersionMatrix.image('etcdctl'));
    expect(snap.image).toBe('quay.io/coreos/etcd:v3.6.12');
    expect(snap.command).toEqual(['/usr/local/bin/etcdctl', 'snapshot', 'save', '/backup/snapshot.db']);
    const env = Object.fromEntries(snap.env.map((e: any) => [e.name, e.value]));
    expect(env.ETCDCTL_ENDPOINTS).toBe(`https://${names.clientService}.tenant-acme.svc.cluster.local:2379`);
    expect(env.ETCDCTL_ENDPOINTS).toBe('https://acme-etcd-client.tenant-acme.svc.cluster.local:2379');
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes['etcd-ca'].secret).toEqual({ secretName: names.caSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    expect(volumes['etcd-client'].secret.secretName).toBe(names.rootClientSecret);
    expect(volumes['etcd-client'].secret.items.map((i: any) => i.key)).toEqual(['tls.crt', 'tls.key']);
    // The same Secrets the DataStore reads.
    const [ds] = of(objs, 'DataStore');
    expect(ds.spec.tlsConfig.clientCertificate.certificate.secretReference.name).toBe(volumes['etcd-client'].secret.secretName);
    expect(ds.spec.tlsConfig.certificateAuthority.certificate.secretReference.name).toBe(volumes['etcd-ca'].secret.secretName);

    const [upload] = pod.containers;
    expect(upload.image).toBe('docker.io/rclone/rclone:1.75.0');
    const uenv = Object.fromEntries(upload.env.map((e: any) => [e.name, e]));
    expect(uenv.RCLONE_S3_ACCESS_KEY_ID.valueFrom).toEqual({ secretKeyRef: { name: 'etcd-backup-s3', key: 'AWS_ACCESS_KEY_ID' } });
    expect(uenv.RCLONE_S3_SECRET_ACCESS_KEY.valueFrom).toEqual({ secretKeyRef: { name: 'etcd-backup-s3', key: 'AWS_SECRET_ACCESS_KEY' } });
    expect(uenv.RCLONE_S3_ENDPOINT.value).toBe('https://s3.example.com');
    expect(uenv.BUCKET.value).toBe('kmetal-etcd');
    expect(uenv.PREFIX.value).toBe('tenant-acme/acme-etcd');
    expect(uenv.RETENTION_DAYS.value).toBe('7');
    expect(upload.command[2]).toContain('rclone delete --min-age "${RETENTION_DAYS}d"');
    expect(DatastoreBackup.of(cluster.dataStore as DedicatedEtcdDataStore)?.destination).toBe('s3://kmetal-etcd/tenant-acme/acme-etcd/');
    // No Secret of ours in the output.
    expect(of(objs, 'Secret')).toEqual([]);
  });

  test('schedule, retention, prefix, keys and images are the given ones', () => {
    const { chart } = tenant({
      etcdBackup: { ...BACKUPS, schedule: '@hourly', retentionDays: 30, prefix: 'fleet/acme', region: 'eu-west-1', provider: 'Minio', credentialsSecret: { name: 's3', accessKeyIdKey: 'id', secretAccessKeyKey: 'key' }, uploadImage: 'registry.example.com/rclone:1.75.0@sha256:' + 'a'.repeat(64) },
    });
    const [cron] = of(Testing.synth(chart), 'CronJob');
    expect(cron.spec.schedule).toBe('@hourly');
    const upload = cron.spec.jobTemplate.spec.template.spec.containers[0];
    const uenv = Object.fromEntries(upload.env.map((e: any) => [e.name, e]));
    expect(uenv.RETENTION_DAYS.value).toBe('30');
    expect(uenv.PREFIX.value).toBe('fleet/acme');
    expect(uenv.RCLONE_S3_REGION.value).toBe('eu-west-1');
    expect(uenv.RCLONE_S3_PROVIDER.value).toBe('Minio');
    expect(uenv.RCLONE_S3_SECRET_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({ name: 's3', key: 'key' });
    expect(upload.image).toMatch(/@sha256:a{64}$/);
  });

  test('no backup unless asked; a shared datastore cannot take one', () => {
    expect(of(Testing.synth(tenant().chart), 'CronJob')).toEqual([]);
    const chart = new Chart(Testing.app(), 'x');
    const shared = ExternalDataStore.fromName('shared-etcd');
    const e = errorOf(() => new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: image, dataStore: shared, etcdBackup: BACKUPS }));
    expect(e.field).toBe('etcdBackup');
  });

  test.each([
    [{ bucket: undefined }, 'bucket'],
    [{ bucket: 'Bad_Bucket' }, 'bucket'],
    [{ endpoint: 'https://key:secret@s3.example.com' }, 'endpoint'],
    [{ endpoint: 's3.example.com' }, 'endpoint'],
    [{ credentialsSecret: undefined }, 'credentialsSecret'],
    [{ credentialsSecret: { name: 'Not A Name' } }, 'credentialsSecret'],
    [{ schedule: 'every 6h' }, 'schedule'],
    [{ retentionDays: 0 }, 'retentionDays'],
    [{ prefix: '/abs/' }, 'prefix'],
    [{ etcdctlImage: 'quay.io/coreos/etcd' }, 'etcdctlImage'],
    [{ uploadImage: 'rclone/rclone:latest' }, 'uploadImage'],
  ])('refuses %j', (override, field) => {
    const e = errorOf(() => tenant({ etcdBackup: { ...BACKUPS, ...override } }));
    expect(isKmetalValidationError(e)).toBe(true);
    expect(e.field).toBe(field);
    expect(e.constructPath).toBe('test/acme/Etcd/Backup');
  });

  test('a bare string is refused with the reference to write; one that is no name (perhaps a key) is not printed', () => {
    const named = errorOf(() => tenant({ etcdBackup: { ...BACKUPS, credentialsSecret: 'etcd-backup-s3' as any } }));
    // Refused with the cluster's other props (etcdBackup is checked where the cluster takes it).
    expect(named.field).toBe('etcdBackup.credentialsSecret');
    expect(named.message).toContain('"etcd-backup-s3" is a name, not a Secret reference');
    expect(named.fix).toContain('credentialsSecret: { name: "etcd-backup-s3" }');
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const pasted = errorOf(() => tenant({ etcdBackup: { ...BACKUPS, credentialsSecret: key as any } }));
    expect(pasted.field).toBe('etcdBackup.credentialsSecret');
    expect(`${pasted.message} ${pasted.fix}`).not.toContain(key);
  });

  test('platform-wide: every tenant\'s dedicated etcd, declared before or after, with per-tenant override and opt-out; the tree reconciles, conforms and carries no credential', () => {
    const { app, platform } = day2Platform();
    const before = platform.addTenantCluster('early', { version: 'v1.33.2', nodePools: [{ name: 'general', replicas: 1 }] });
    platform.addDatastoreBackups({ ...BACKUPS, retentionDays: 14 });
    platform.addTenantCluster('late', { version: 'v1.33.2', etcdBackup: { schedule: '30 1 * * *' }, nodePools: [{ name: 'general', replicas: 1 }] });
    platform.addTenantCluster('optout', { version: 'v1.33.2', etcdBackup: { enabled: false }, nodePools: [{ name: 'general', replicas: 1 }] });
    const own = new TenantCluster(new Chart(app, 'mine'), 'own', { platform, version: 'v1.33.2', nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 3 }] });
    expect(DatastoreBackup.of(before.dataStore as DedicatedEtcdDataStore)?.retentionDays).toBe(14);
    expect(DatastoreBackup.of(own.dataStore as DedicatedEtcdDataStore)).toBeDefined();
    expect(errorOf(() => platform.addDatastoreBackups(BACKUPS)).field).toBe('addDatastoreBackups');

    const outdir = tempDir();
    const result = FluxTree.synth(app, { outdir, appName: 'kmetal', conformance: ConformanceChecker.default() });
    expect(result.reconcileFindings.filter((f) => f.severity === 'error')).toEqual([]);
    // The credentials Secret is reported as made outside the tree, once per backed-up namespace.
    const outOfBand = result.reconcileFindings.filter((f) => f.code === 'out-of-band');
    expect(outOfBand.every((f) => f.severity === 'info')).toBe(true);
    expect([...new Set(outOfBand.map((f) => f.target))].sort()).toEqual([
      'Secret tenant-early/etcd-backup-s3', 'Secret tenant-late/etcd-backup-s3', 'Secret tenant-own/etcd-backup-s3',
    ]);
    const cron = (unit: string) => of(readUnit(outdir, unit), 'CronJob');
    expect(cron('tenants/early')[0].spec.jobTemplate.spec.template.spec.containers[0].env.find((e: any) => e.name === 'RETENTION_DAYS').value).toBe('14');
    expect(cron('tenants/late')[0].spec.schedule).toBe('30 1 * * *');
    expect(cron('tenants/late')[0].spec.jobTemplate.spec.template.spec.containers[0].env.find((e: any) => e.name === 'BUCKET').value).toBe('kmetal-etcd');
    expect(cron('tenants/optout')).toEqual([]);
    expect(cron('apps/mine').map((c) => c.metadata.name)).toEqual(['own-etcd-backup']);
    const text = allText(outdir);
    expect(text).not.toMatch(/AKIA|BEGIN [A-Z ]*PRIVATE KEY/);
  });

  test('the platform policy pack finds no credential value and no unpinned image in the backups', () => {
    const { app, platform } = policyPlatform();
    platform.addDatastoreBackups(BACKUPS);
    platform.addTenantCluster('acme', { version: 'v1.33.2', nodePools: [{ name: 'general', minReplicas: 1, maxReplicas: 2 }] });
    const report = check(app);
    expect(report.findingsOf('KM-SEC-001')).toEqual([]);
    expect(report.findingsOf('KM-SUP-001')).toEqual([]);
  });
});
