import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { etcdAffinityValue, SpreadMode } from './placement';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind } from '../imports/helm.toolkit.fluxcd.io';
import { DataStore, DataStoreSpecDriver } from '../imports/kamaji.clastix.io';
import { VersionMatrix } from '../platform/version-matrix';
import { kamajiEtcdNames } from '../reconcile/models/kamaji-etcd';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkEnum, checkProps } from '../util/props';

/** The datastore engines Kamaji supports. */
export enum DataStoreDriver {
  /** etcd (the default, and the only one with a dedicated per-tenant deployment here). */
  ETCD = 'etcd',
  /** PostgreSQL through kine. */
  POSTGRESQL = 'PostgreSQL',
  /** MySQL through kine. */
  MYSQL = 'MySQL',
  /** NATS JetStream through kine. */
  NATS = 'NATS',
}

/** A Kamaji `DataStore` a tenant control plane keeps its state in. */
export interface IDataStore {
  /** Name of the cluster-scoped Kamaji DataStore. */
  readonly dataStoreName: string;
  /** Engine behind it. */
  readonly driver: DataStoreDriver;
  /** True when the datastore serves exactly one tenant (what the platform's policy expects). */
  readonly dedicated: boolean;
}

/** A Flux `HelmRepository` charts are pulled from. Implemented by `HelmChartRepository`. */
export interface IHelmRepository {
  /** HelmRepository name. */
  readonly name: string;
  /** HelmRepository namespace. */
  readonly namespace: string;
}

/** Where a DataStore finds one secret value. */
export interface SecretKeyReference {
  /** Secret name. */
  readonly name: string;
  /** Secret namespace (DataStores are cluster-scoped, so it is always explicit). */
  readonly namespace: string;
  /** Key in the secret. */
  readonly key: string;
}

/** Props of `DedicatedEtcdDataStore`. */
export interface DedicatedEtcdDataStoreProps {
  /** Namespace the etcd runs in (the tenant's namespace on the under cluster). */
  readonly namespace: string;
  /** Base name: the Helm release, StatefulSet and DataStore are named `<name>-etcd`. */
  readonly name: string;
  /** etcd members. 3 tolerates one failure; 1 is for labs only. @default 3 */
  readonly replicas?: number;
  /** Volume per member in GiB. @default 8 */
  readonly storageGiB?: number;
  /** Storage class of the etcd volumes. @default - the cluster default */
  readonly storageClassName?: string;
  /** Flux HelmRepository serving the `kamaji-etcd` chart. @default { name: 'clastix', namespace: 'flux-system' } */
  readonly chartRepository?: IHelmRepository;
  /**
   * How the members spread across the under cluster's hosts (chart value `affinity`, a pod
   * anti-affinity on `kubernetes.io/hostname`): with `REQUIRED` no two members share a host, so one
   * host's loss costs one member. The platform policy pack (KM-CAP-005) checks that the
   * control-plane hosts can hold them.
   * @default SpreadMode.REQUIRED
   */
  readonly spread?: SpreadMode;
}

/**
 * A dedicated etcd for one tenant: the upstream `kamaji-etcd` chart installed by Flux in the tenant's
 * namespace, and the Kamaji `DataStore` pointing at it.
 *
 * The chart can create the DataStore itself; it is told not to, so that the DataStore is a typed,
 * schema-checked object of this app whose name and secret references the tenant cluster can rely
 * on. The release is `<name>-etcd` with `fullnameOverride` set to the same name, and every name the
 * DataStore uses (StatefulSet pods and headless Service in the endpoints, CA and root-client Secrets
 * and their keys) comes from `kamajiEtcdNames`, the one model of the chart's `_helpers.tpl` at the
 * pinned version, which the reconcile check also reads.
 */
export class DedicatedEtcdDataStore extends Construct implements IDataStore {
  public readonly dataStoreName: string;
  public readonly driver = DataStoreDriver.ETCD;
  public readonly dedicated = true;
  /** The Flux HelmRelease that installs etcd (escape hatch). */
  public readonly helmRelease: ApiObject;
  /** The Flux HelmRepository the kamaji-etcd chart is pulled from. */
  public readonly chartRepository: IHelmRepository;
  /** The Kamaji DataStore (escape hatch). */
  public readonly dataStore: ApiObject;
  /** Namespace the etcd runs in. */
  public readonly namespace: string;
  /** The chart's ClusterIP Service for clients (`client.serviceName`: `<release>-client`). */
  public readonly clientServiceName: string;
  /** The chart's client port (values.yaml `clientPort`, left at its default). */
  public readonly clientPort: number = 2379;
  /** Secret the chart writes the CA into (`ca.crt`, `ca.key`, ...). */
  public readonly caSecretName: string;
  /** Secret the chart writes the root client certificate into (`tls.crt`, `tls.key`; CN root, O system:masters). */
  public readonly rootClientSecretName: string;
  /** etcd members. */
  public readonly replicas: number;
  /** How the members spread across hosts. */
  public readonly spread: SpreadMode;

  constructor(scope: Construct, id: string, props: DedicatedEtcdDataStoreProps) {
    super(scope, id);
    checkProps(this, '', props, 'DedicatedEtcdDataStoreProps');
    const replicas = props.replicas ?? 3;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0) {
      throw new KmetalValidationError(this, 'replicas', `${showValue(replicas)} etcd members cannot keep a quorum well`, 'use an odd number: 3 (default) or 5, or 1 for labs');
    }
    this.replicas = replicas;
    this.spread = checkEnum(this, 'spread', props.spread ?? SpreadMode.REQUIRED, SpreadMode, 'SpreadMode');
    const storageGiB = props.storageGiB ?? 8;
    if (!Number.isFinite(storageGiB) || storageGiB < 1) {
      throw new KmetalValidationError(this, 'storageGiB', `${showValue(storageGiB)} is not a usable volume size`, 'give at least 1 (GiB); 8 is the default');
    }
    const release = validateDnsLabel(this, 'name', `${props.name}-etcd`, 53);
    this.dataStoreName = release;
    const repo: IHelmRepository = props.chartRepository ?? { name: 'clastix', namespace: 'flux-system' };
    this.chartRepository = repo;
    // Without the override the chart names everything `<release>-kamaji-etcd` (the release name does
    // not contain the chart name): explicit names stay the same whatever the chart's rule becomes.
    const naming = { fullnameOverride: release, datastoreEnabled: false };
    const names = kamajiEtcdNames(release, naming);
    this.namespace = props.namespace;
    this.clientServiceName = names.clientService;
    this.caSecretName = names.caSecret;
    this.rootClientSecretName = names.rootClientSecret;
    // The chart's `etcd.endpoints` helper: `<sts>-<i>.<service>.<ns>.svc.<clusterDomain>:<clientPort>`.
    const endpoints = Array.from({ length: replicas }, (_, i) => `${names.fullname}-${i}.${names.fullname}.${props.namespace}.svc.cluster.local:${this.clientPort}`);

    this.helmRelease = new HelmRelease(this, 'Release', {
      metadata: { name: release, namespace: props.namespace },
      spec: {
        interval: '10m',
        releaseName: release,
        chart: {
          spec: {
            chart: 'kamaji-etcd',
            version: VersionMatrix.versionOf('kamaji-etcd'),
            sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: repo.name, namespace: repo.namespace },
          },
        },
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3 } },
        values: {
          fullnameOverride: naming.fullnameOverride,
          replicas,
          datastore: { enabled: false },
          // The chart's selector label app.kubernetes.io/instance=<release> picks this release's members.
          ...(this.spread === SpreadMode.NONE ? {} : { affinity: etcdAffinityValue(this.spread, release) }),
          persistentVolumeClaim: {
            size: `${storageGiB}Gi`,
            ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
          },
        },
      },
    });

    const ref = (name: string, keyPath: string) => ({ secretReference: { name, namespace: props.namespace, keyPath } });
    this.dataStore = new DataStore(this, 'DataStore', {
      metadata: { name: release },
      spec: {
        driver: DataStoreSpecDriver.ETCD,
        endpoints,
        tlsConfig: {
          certificateAuthority: {
            certificate: ref(names.caSecret, names.caKeys.certificate),
            privateKey: ref(names.caSecret, names.caKeys.privateKey),
          },
          clientCertificate: { certificate: ref(names.rootClientSecret, 'tls.crt'), privateKey: ref(names.rootClientSecret, 'tls.key') },
        },
      },
    });
    // The DataStore is useless until the release has created the secrets it names.
    this.dataStore.node.addDependency(this.helmRelease);
  }
}

/** Props of `ExternalDataStore`. */
export interface ExternalDataStoreProps {
  /** Name of the Kamaji DataStore. */
  readonly name: string;
  /** Engine. */
  readonly driver: DataStoreDriver;
  /** `host:port` endpoints. */
  readonly endpoints: string[];
  /** CA certificate of the server. @default - none (only for drivers that allow basic auth without TLS) */
  readonly caCertificate?: SecretKeyReference;
  /** CA private key (Kamaji needs it for etcd to issue per-tenant client certificates). @default - none */
  readonly caPrivateKey?: SecretKeyReference;
  /** Client certificate. @default - none */
  readonly clientCertificate?: SecretKeyReference;
  /** Client key. @default - none */
  readonly clientPrivateKey?: SecretKeyReference;
  /** Basic-auth user name (kine drivers). @default - none */
  readonly username?: SecretKeyReference;
  /** Basic-auth password (kine drivers). @default - none */
  readonly password?: SecretKeyReference;
  /**
   * Whether one tenant owns this datastore. A shared one must be chosen explicitly by the tenant
   * cluster; policy flags shared datastores unless suppressed.
   * @default false
   */
  readonly dedicated?: boolean;
}

/**
 * A Kamaji DataStore for a database run outside this app (PostgreSQL, MySQL, NATS or an existing
 * etcd). Credentials are only ever referenced by Secret name and key.
 */
export class ExternalDataStore extends Construct implements IDataStore {
  /** A DataStore that already exists on the under cluster: referenced, not emitted. */
  public static fromName(name: string, driver: DataStoreDriver = DataStoreDriver.ETCD): IDataStore {
    return { dataStoreName: name, driver, dedicated: false };
  }

  public readonly dataStoreName: string;
  public readonly driver: DataStoreDriver;
  public readonly dedicated: boolean;
  /** The Kamaji DataStore (escape hatch). */
  public readonly dataStore: ApiObject;

  constructor(scope: Construct, id: string, props: ExternalDataStoreProps) {
    super(scope, id);
    checkProps(this, '', props, 'ExternalDataStoreProps');
    this.dataStoreName = validateDnsLabel(this, 'name', props.name);
    this.driver = props.driver;
    this.dedicated = props.dedicated ?? false;
    if (!props.endpoints?.length) {
      throw new KmetalValidationError(this, 'endpoints', 'no endpoints given', 'list the database endpoints as "host:port"');
    }
    for (const e of props.endpoints) {
      if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(e) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(e)) {
        throw new KmetalValidationError(this, 'endpoints', `${showValue(e)} is not host:port`, 'write each endpoint as "host:port", e.g. "pg.db.svc:5432"');
      }
    }
    const sref = (r: SecretKeyReference) => ({ secretReference: { name: r.name, namespace: r.namespace, keyPath: r.key } });
    const isEtcd = props.driver === DataStoreDriver.ETCD;
    if (isEtcd && !(props.caCertificate && props.caPrivateKey && props.clientCertificate && props.clientPrivateKey)) {
      throw new KmetalValidationError(this, 'caCertificate', 'an etcd DataStore needs the CA certificate and key and a client certificate and key', 'reference the four Secret keys (Kamaji issues per-tenant etcd users with the CA)');
    }
    if (!isEtcd && !props.caCertificate && !(props.username && props.password)) {
      throw new KmetalValidationError(this, 'username', `a ${props.driver} DataStore needs TLS or basic auth`, 'reference caCertificate (+ client certificate) or username and password Secrets');
    }
    if (!!props.username !== !!props.password) {
      throw new KmetalValidationError(this, props.username ? 'password' : 'username', 'basic auth needs both username and password', 'reference both Secret keys, or neither');
    }
    if (!!props.clientCertificate !== !!props.clientPrivateKey) {
      throw new KmetalValidationError(this, props.clientCertificate ? 'clientPrivateKey' : 'clientCertificate', 'a client certificate needs its key', 'reference both Secret keys, or neither');
    }
    this.dataStore = new DataStore(this, 'DataStore', {
      metadata: { name: this.dataStoreName },
      spec: {
        driver: props.driver as unknown as DataStoreSpecDriver,
        endpoints: props.endpoints,
        ...(props.caCertificate ? {
          tlsConfig: {
            certificateAuthority: { certificate: sref(props.caCertificate), ...(props.caPrivateKey ? { privateKey: sref(props.caPrivateKey) } : {}) },
            ...(props.clientCertificate && props.clientPrivateKey
              ? { clientCertificate: { certificate: sref(props.clientCertificate), privateKey: sref(props.clientPrivateKey) } }
              : {}),
          },
        } : {}),
        ...(props.username && props.password ? { basicAuth: { username: sref(props.username), password: sref(props.password) } } : {}),
      },
    });
  }
}
