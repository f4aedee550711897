import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DedicatedEtcdDataStore } from './datastore';
import type { TenantCluster } from './tenant-cluster';
import { VersionMatrix } from '../platform/version-matrix';
import { OUT_OF_BAND_ANNOTATION } from '../reconcile/annotations';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel } from '../util/names';
import { _registerRefCheck } from '../util/props';

/*
 * The pinned kamaji-etcd chart (clastix/kamaji-etcd v0.17.0, 92f31f016f4e) has no backup. What the
 * CronJob relies on, from that chart:
 * - templates/etcd_client_service.yaml: the ClusterIP Service `client.serviceName` (`<fullname>-client`)
 *   on `clientPort` (values.yaml: 2379), selecting every member;
 * - templates/etcd_cm.yaml `server-csr.json`: the server certificate is valid for
 *   `<client service>.<namespace>.svc.<clusterDomain>` (not for the short `.svc` name), so the
 *   endpoint is written out in full;
 * - templates/etcd_job_preinstall_1.yaml: the CA in Secret `etcd.caSecretName` (`<fullname>-certs`,
 *   key `ca.crt`, beside the CA and peer keys, which are not mounted) and the root client certificate
 *   (CN root, O system:masters: etcd_cm.yaml `root-client-csr.json`) in the `kubernetes.io/tls` Secret
 *   `etcd.clientSecretName` (`<fullname>-root-client-certs`, `tls.crt`/`tls.key`). The names come from
 *   `kamajiEtcdNames` (src/reconcile/models/kamaji-etcd.ts), through `DedicatedEtcdDataStore`.
 * The etcd image is distroless (no shell), so `etcdctl snapshot save` runs as an init container in
 * exec form, writing into an emptyDir; the upload container (rclone, Alpine) names, uploads and prunes.
 * rclone reads every option from `RCLONE_<OPTION>` environment variables (rclone v1.75.0
 * docs/content/docs.md "Environment variables"; the S3 backend's RCLONE_S3_PROVIDER, _ENDPOINT,
 * _REGION, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY, _ENV_AUTH, _NO_CHECK_BUCKET in docs/content/s3.md),
 * so the credentials reach it as Secret references only, never as values in git.
 */

/** The Secret (in the tenant's namespace) holding the object-storage credentials. */
export interface S3CredentialsSecret {
  /** Secret name. It must exist in every namespace whose etcd is backed up (created outside git, e.g. ExternalSecrets). */
  readonly name: string;
  /** Key holding the access key id. @default 'AWS_ACCESS_KEY_ID' */
  readonly accessKeyIdKey?: string;
  /** Key holding the secret access key. @default 'AWS_SECRET_ACCESS_KEY' */
  readonly secretAccessKeyKey?: string;
}

/** Every property of `DatastoreBackupOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const DATASTORE_BACKUP_OPTIONS_KEYS: readonly string[] = [
  'bucket', 'credentialsSecret', 'enabled', 'endpoint', 'etcdctlImage', 'prefix', 'provider', 'region', 'retentionDays', 'schedule', 'uploadImage',
];

/**
 * Settings of the scheduled etcd snapshots of a dedicated datastore. Given once per platform
 * (`PlatformUnderCluster.addDatastoreBackups()`), per cluster (`TenantClusterProps.etcdBackup`,
 * overriding the platform's field by field) or directly to `DatastoreBackup`.
 */
export interface DatastoreBackupOptions {
  /** Back up (false opts a cluster out of the platform's backups). @default true */
  readonly enabled?: boolean;
  /**
   * Cron schedule (the CronJob's `schedule`, in the under cluster's controller-manager time zone,
   * usually UTC). The interval is the recovery point objective: what a restore can lose.
   * @default '0 0,6,12,18 * * *' (every six hours)
   */
  readonly schedule?: string;
  /** Bucket the snapshots go to (it must exist: the job does not create buckets). */
  readonly bucket?: string;
  /** S3 endpoint URL, e.g. `https://s3.example.com` or `http://minio.backup.svc:9000`. */
  readonly endpoint?: string;
  /** S3 region. @default - none (most S3-compatible stores ignore it) */
  readonly region?: string;
  /** rclone's S3 provider name (`Minio`, `Ceph`, `AWS`, ...). @default 'Other' */
  readonly provider?: string;
  /** Folder in the bucket; snapshots are `<prefix>/<UTC timestamp>.db`. @default `<namespace>/<datastore name>` */
  readonly prefix?: string;
  /** The credentials, by Secret reference only. */
  readonly credentialsSecret?: S3CredentialsSecret;
  /** Snapshots older than this many days are deleted after each upload. @default 7 */
  readonly retentionDays?: number;
  /** Image running `etcdctl snapshot save`. @default - `VersionMatrix.image('etcdctl')` (the chart's etcd release) */
  readonly etcdctlImage?: string;
  /** Image running the upload (it needs `/bin/sh` and `rclone`). @default - `VersionMatrix.image('rclone')` */
  readonly uploadImage?: string;
}

/** Props of `DatastoreBackup`. */
export interface DatastoreBackupProps extends DatastoreBackupOptions {
  /** The dedicated etcd to snapshot. */
  readonly dataStore: DedicatedEtcdDataStore;
}

const DEFAULT_SCHEDULE = '0 0,6,12,18 * * *';
const CRON_FIELD = /^[0-9*,/-]+$/;
const PINNED_IMAGE = /^[^\s@]+(:[\w][\w.-]*)(@sha256:[0-9a-f]{64})?$|^[^\s@:]+@sha256:[0-9a-f]{64}$/;
const BACKUP_USER = 1009; // the `rclone` user of the rclone image (its Dockerfile: adduser -u 1009)

/**
 * A credentials Secret reference must be an object: a bare string may be the Secret's name, or a
 * credential pasted in its place, so only a name is shown. The one check of that shape, for the
 * construct and for every props check of an S3CredentialsSecret field.
 */
function checkCredentialsSecretShape(scope: IConstruct | string, field: string, creds: unknown, where: string): void {
  if (typeof creds === 'string') {
    const name = isDnsLabel(String(creds).replace(/\./g, '-')) ? String(creds) : undefined;
    throw new KmetalValidationError(scope, field, name ? `${showValue(name)} is a name, not a Secret reference` : 'a string (not shown) is not a Secret reference',
      `write ${field.split('.').pop()}: { name: "${name ?? 'etcd-backup-s3'}" }, a Secret in ${where} with the access key id and secret access key (create it outside git: ExternalSecrets, SOPS)`);
  }
  if (creds !== undefined && (typeof creds !== 'object' || creds === null || Array.isArray(creds))) {
    throw new KmetalValidationError(scope, field, `${Array.isArray(creds) ? 'a list' : showValue(creds)} is not a Secret reference`, `write ${field.split('.').pop()}: { name: "etcd-backup-s3" }, a Secret in ${where} with the access key id and secret access key`);
  }
}

_registerRefCheck('S3CredentialsSecret', (scope, field, value) => checkCredentialsSecretShape(scope, field, value, 'the datastore\'s namespace'));

/**
 * Scheduled snapshots of one dedicated tenant etcd (`DedicatedEtcdDataStore`) to S3-compatible
 * object storage: a `CronJob` in the etcd's namespace that runs `etcdctl snapshot save` against the
 * kamaji-etcd chart's client Service with the chart's root client certificate, uploads the snapshot
 * as `<prefix>/<UTC timestamp>.db` with rclone, and deletes the snapshots older than `retentionDays`.
 *
 * Credentials are referenced by Secret name and key only (the Secret is made outside git; the
 * CronJob declares it in the reconcile check's out-of-band annotation). One job runs at a time
 * (`concurrencyPolicy: Forbid`). Restoring is described in README, "Day 2: restoring a tenant's etcd".
 */
export class DatastoreBackup extends Construct {
  /** The backup of a dedicated datastore, if it has one. */
  public static of(dataStore: DedicatedEtcdDataStore): DatastoreBackup | undefined {
    const c = dataStore.node.tryFindChild('Backup');
    return c instanceof DatastoreBackup ? c : undefined;
  }

  /**
   * Gives a tenant cluster's dedicated etcd the backup its own `etcdBackup` and the platform's
   * settings ask for (the cluster's fields win); idempotent. @internal
   */
  public static _applyTo(cluster: TenantCluster, platform: DatastoreBackupOptions | undefined): DatastoreBackup | undefined {
    const own = cluster._etcdBackupOptions;
    if (own === undefined && platform === undefined) return undefined;
    const enabled = own?.enabled ?? platform?.enabled ?? true;
    if (!enabled) return undefined;
    const ds = cluster.dataStore;
    if (!(ds instanceof DedicatedEtcdDataStore)) {
      if (own !== undefined) {
        throw new KmetalValidationError(cluster, 'etcdBackup', `the cluster's datastore ${showValue(ds.dataStoreName)} is not a dedicated etcd of this app`, 'back up a shared or external datastore where it is run; drop etcdBackup here');
      }
      return undefined; // the platform's backups apply to dedicated etcds only
    }
    const existing = DatastoreBackup.of(ds);
    if (existing) return existing;
    const merged: { [k: string]: unknown } = { ...(platform ?? {}) };
    for (const [k, v] of Object.entries(own ?? {})) if (v !== undefined) merged[k] = v;
    return new DatastoreBackup(ds, 'Backup', { ...(merged as DatastoreBackupOptions), dataStore: ds });
  }

  /** Name of the CronJob: `<datastore name>-backup`. */
  public readonly name: string;
  /** The schedule in effect. */
  public readonly schedule: string;
  /** Days snapshots are kept. */
  public readonly retentionDays: number;
  /** Where snapshots go: `s3://<bucket>/<prefix>/`. */
  public readonly destination: string;
  /** The CronJob (escape hatch). */
  public readonly cronJob: ApiObject;

  constructor(scope: Construct, id: string, props: DatastoreBackupProps) {
    super(scope, id);
    const ds = props.dataStore;
    if (!(ds instanceof DedicatedEtcdDataStore)) {
      throw new KmetalValidationError(this, 'dataStore', `${showValue(ds)} is not a DedicatedEtcdDataStore`, 'pass the dedicated etcd of a tenant cluster (cluster.dataStore)');
    }
    if (props.enabled === false) {
      throw new KmetalValidationError(this, 'enabled', 'a DatastoreBackup was created with enabled: false', 'do not create it; enabled: false is for opting a cluster out of the platform\'s backups');
    }
    this.name = `${ds.dataStoreName}-backup`;
    if (this.name.length > 52) {
      // CronJob names become Job names with an 11-character suffix, which must stay within 63.
      throw new KmetalValidationError(this, 'dataStore', `CronJob name ${showValue(this.name)} is ${this.name.length} characters (at most 52: its Jobs add 11)`, 'shorten the tenant cluster name');
    }
    this.schedule = props.schedule ?? DEFAULT_SCHEDULE;
    const fields = this.schedule.trim().split(/\s+/);
    if (!(fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))) && !/^@(hourly|daily|weekly|monthly|yearly|annually|midnight)$/.test(this.schedule.trim())) {
      throw new KmetalValidationError(this, 'schedule', `${showValue(this.schedule)} is not a five-field cron schedule`, 'write e.g. "0 */6 * * *" (every six hours) or "@daily"');
    }
    const bucket = props.bucket;
    if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new KmetalValidationError(this, 'bucket', bucket === undefined ? 'no bucket given' : `${showValue(bucket)} is not an S3 bucket name`, 'give the bucket the snapshots go to, e.g. "kmetal-etcd-backups" (3-63 lowercase letters, digits, "." or "-")');
    }
    const endpoint = props.endpoint;
    if (typeof endpoint !== 'string' || !/^https?:\/\/[^\s/@]+(\/[^\s]*)?$/.test(endpoint)) {
      throw new KmetalValidationError(this, 'endpoint', endpoint === undefined ? 'no S3 endpoint given' : `${showValue(endpoint)} is not an http(s) URL without credentials`, 'give the S3 endpoint, e.g. "https://s3.example.com"; credentials go in credentialsSecret');
    }
    const creds = props.credentialsSecret;
    checkCredentialsSecretShape(this, 'credentialsSecret', creds, `namespace ${ds.namespace}`);
    if (!creds || typeof creds.name !== 'string' || !isDnsLabel(creds.name.replace(/\./g, '-'))) {
      throw new KmetalValidationError(this, 'credentialsSecret', creds === undefined ? 'no credentials Secret given' : `${showValue(creds?.name)} is not a Secret name`, `reference a Secret in namespace ${ds.namespace} with the access key id and secret access key, e.g. { name: "etcd-backup-s3" } (create it outside git: ExternalSecrets, SOPS)`);
    }
    const idKey = creds.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID';
    const secretKey = creds.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY';
    for (const [field, key] of [['credentialsSecret.accessKeyIdKey', idKey], ['credentialsSecret.secretAccessKeyKey', secretKey]]) {
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new KmetalValidationError(this, field, `${showValue(key)} is not a Secret key`, 'give the key name in the Secret (letters, digits, "-", "_", ".")');
    }
    this.retentionDays = props.retentionDays ?? 7;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new KmetalValidationError(this, 'retentionDays', `${showValue(this.retentionDays)} is not a whole number of days of at least 1`, 'give e.g. 7 (the default)');
    }
    const prefix = props.prefix ?? `${ds.namespace}/${ds.dataStoreName}`;
    if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(prefix)) {
      throw new KmetalValidationError(this, 'prefix', `${showValue(prefix)} is not a folder path`, 'write segments of letters, digits and "-_." separated by "/", without leading or trailing "/"');
    }
    const provider = props.provider ?? 'Other';
    if (!/^[A-Za-z0-9]+$/.test(provider)) {
      throw new KmetalValidationError(this, 'provider', `${showValue(provider)} is not an rclone S3 provider name`, 'give e.g. "Minio", "Ceph", "AWS" or "Other"');
    }
    if (props.region !== undefined && !/^[a-z0-9-]+$/.test(props.region)) {
      throw new KmetalValidationError(this, 'region', `${showValue(props.region)} is not a region name`, 'give e.g. "us-east-1", or leave it out');
    }
    const image = (field: string, value: string | undefined, fallback: string): string => {
      const v = value ?? fallback;
      if (typeof v !== 'string' || !PINNED_IMAGE.test(v) || /:latest(@|$)/.test(v)) {
        throw new KmetalValidationError(this, field, `${showValue(v)} is not an image pinned by tag or digest`, 'write e.g. "registry.example.com/etcd:v3.6.12"');
      }
      return v;
    };
    const etcdctlImage = image('etcdctlImage', props.etcdctlImage, VersionMatrix.image('etcdctl'));
    const uploadImage = image('uploadImage', props.uploadImage, VersionMatrix.image('rclone'));
    this.destination = `s3://${bucket}/${prefix}/`;

    const ns = ds.namespace;
    const labels = { 'app.kubernetes.io/name': 'etcd-backup', 'app.kubernetes.io/instance': this.name, 'kmetal.io/datastore': ds.dataStoreName };
    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: creds.name, key } } });
    // $(...) is shell, not Kubernetes: the script reads only the variables set below.
    const script = [
      'set -eu',
      'ts="$(date -u +%Y%m%dT%H%M%SZ)"',
      'rclone copyto /backup/snapshot.db ":s3:${BUCKET}/${PREFIX}/${ts}.db"',
      'echo "uploaded ${BUCKET}/${PREFIX}/${ts}.db"',
      'rclone delete --min-age "${RETENTION_DAYS}d" ":s3:${BUCKET}/${PREFIX}/"',
    ].join('\n');
    this.cronJob = new ApiObject(this, 'CronJob', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name: this.name,
        namespace: ns,
        labels,
        // The credentials Secret is made outside git, per namespace: the reconcile check reports it as such.
        annotations: { [OUT_OF_BAND_ANNOTATION]: `Secret/${creds.name}` },
      },
      spec: {
        schedule: this.schedule,
        // Two snapshots at once would only load the etcd twice.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 3,
            activeDeadlineSeconds: 3600,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'OnFailure',
                // The job talks to etcd and to object storage only, never to the Kubernetes API.
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: BACKUP_USER, runAsGroup: BACKUP_USER, fsGroup: BACKUP_USER, seccompProfile: { type: 'RuntimeDefault' } },
                initContainers: [{
                  name: 'snapshot',
                  image: etcdctlImage,
                  command: ['/usr/local/bin/etcdctl', 'snapshot', 'save', '/backup/snapshot.db'],
                  env: [
                    // One endpoint: `snapshot save` refuses several. The Service picks a member.
                    { name: 'ETCDCTL_ENDPOINTS', value: `https://${ds.clientServiceName}.${ns}.svc.cluster.local:${ds.clientPort}` },
                    { name: 'ETCDCTL_CACERT', value: '/etc/etcd/ca/ca.crt' },
                    { name: 'ETCDCTL_CERT', value: '/etc/etcd/client/tls.crt' },
                    { name: 'ETCDCTL_KEY', value: '/etc/etcd/client/tls.key' },
                    { name: 'ETCDCTL_DIAL_TIMEOUT', value: '10s' },
                  ],
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [
                    { name: 'backup', mountPath: '/backup' },
                    { name: 'etcd-ca', mountPath: '/etc/etcd/ca', readOnly: true },
                    { name: 'etcd-client', mountPath: '/etc/etcd/client', readOnly: true },
                  ],
                }],
                containers: [{
                  name: 'upload',
                  image: uploadImage,
                  command: ['/bin/sh', '-c', script],
                  env: [
                    { name: 'BUCKET', value: bucket },
                    { name: 'PREFIX', value: prefix },
                    { name: 'RETENTION_DAYS', value: String(this.retentionDays) },
                    { name: 'RCLONE_CONFIG', value: '/tmp/rclone.conf' },
                    { name: 'RCLONE_S3_PROVIDER', value: provider },
                    { name: 'RCLONE_S3_ENDPOINT', value: endpoint },
                    ...(props.region !== undefined ? [{ name: 'RCLONE_S3_REGION', value: props.region }] : []),
                    // Only the referenced keys: no instance-metadata or ambient credentials.
                    { name: 'RCLONE_S3_ENV_AUTH', value: 'false' },
                    // The bucket exists; the credentials need no right to create one.
                    { name: 'RCLONE_S3_NO_CHECK_BUCKET', value: 'true' },
                    secretEnv('RCLONE_S3_ACCESS_KEY_ID', idKey),
                    secretEnv('RCLONE_S3_SECRET_ACCESS_KEY', secretKey),
                  ],
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [{ name: 'backup', mountPath: '/backup', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
                }],
                volumes: [
                  { name: 'backup', emptyDir: {} },
                  { name: 'tmp', emptyDir: {} },
                  // Only the CA certificate: the Secret also holds the CA and peer keys.
                  { name: 'etcd-ca', secret: { secretName: ds.caSecretName, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  { name: 'etcd-client', secret: { secretName: ds.rootClientSecretName, defaultMode: 0o440, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] } },
                ],
              },
            },
          },
        },
      },
    });
  }
}
