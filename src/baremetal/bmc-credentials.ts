import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsSubdomain } from '../util/names';
import { checkProps } from '../util/props';
import { IdentityClaim } from './private/registry';

/** Kind of the external-secrets store an `ExternalSecret` reads from. */
export enum SecretStoreKind {
  /** A namespaced `SecretStore` (in the pool's namespace). */
  SECRET_STORE = 'SecretStore',
  /** A cluster-wide `ClusterSecretStore`. */
  CLUSTER_SECRET_STORE = 'ClusterSecretStore',
}

/** Where an `ExternalSecret` finds a host's BMC user name and password. */
export interface ExternalSecretCredentialsOptions {
  /** Name of the (Cluster)SecretStore. */
  readonly storeName: string;
  /** Kind of the store. @default SecretStoreKind.CLUSTER_SECRET_STORE */
  readonly storeKind?: SecretStoreKind;
  /**
   * Key of the entry in the external store, e.g. `bmc/{host}`; `{host}` is replaced by the host
   * name, so each host can have its own entry.
   */
  readonly remoteKey: string;
  /** Property of the entry holding the user name. @default 'username' */
  readonly usernameProperty?: string;
  /** Property of the entry holding the password. @default 'password' */
  readonly passwordProperty?: string;
  /**
   * Name of the Secret the ExternalSecret writes (and the BareMetalHost references); `{host}` is
   * replaced by the host name. Without `{host}`, hosts of a namespace share one Secret.
   * @default '{host}-bmc-credentials'
   */
  readonly secretName?: string;
  /** How often external-secrets re-reads the entry (Go duration). @default '1h' */
  readonly refreshInterval?: string;
}

/** What a host's credentials resolve to. @internal */
export interface BmcCredentialsBinding {
  /** The Secret the BareMetalHost names in `bmc.credentialsName`. */
  readonly secretName: string;
  /** The ExternalSecret emitted for it, if any (it may be shared with other hosts). */
  readonly externalSecret?: ApiObject;
}

const HOST = '{host}';
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * BMC credentials of bare-metal hosts, always by reference: the synthesized output names a Secret
 * (with keys `username` and `password`, as Metal3 expects) and never contains a credential value.
 *
 * Either the Secret exists (created out of band, by SOPS, sealed-secrets, ...): `fromSecret()`;
 * or the pool emits an external-secrets `ExternalSecret` that fills it from a secret store:
 * `fromExternalSecret()`.
 */
export class BmcCredentials {
  /**
   * An existing Secret in the pool's namespace with keys `username` and `password`. `{host}` in
   * the name is replaced by the host name (e.g. `'{host}-bmc'` for one Secret per host).
   */
  public static fromSecret(secretName: string): BmcCredentials {
    return new BmcCredentials(secretName);
  }

  /**
   * A Secret filled by external-secrets from a secret store: the pool emits an
   * `external-secrets.io/v1` `ExternalSecret` per Secret. Opt-in because the project pins no CRD
   * for external-secrets: the ExternalSecret is **not schema-checked** by the conformance checker.
   */
  public static fromExternalSecret(options: ExternalSecretCredentialsOptions): BmcCredentials {
    checkProps('BmcCredentials.fromExternalSecret', '', options, 'ExternalSecretCredentialsOptions');
    return new BmcCredentials(options.secretName ?? '{host}-bmc-credentials', options);
  }

  /** The Secret name as given (may contain `{host}`). */
  public readonly secretNameTemplate: string;
  /** Whether the pool emits an ExternalSecret for these credentials. */
  public readonly viaExternalSecret: boolean;
  private readonly external?: ExternalSecretCredentialsOptions;
  // ExternalSecrets this object has emitted, by namespace/name: shared Secrets are emitted once.
  private readonly emitted = new Map<string, ApiObject>();

  private constructor(secretNameTemplate: string, external?: ExternalSecretCredentialsOptions) {
    this.secretNameTemplate = secretNameTemplate;
    this.external = external;
    this.viaExternalSecret = external !== undefined;
  }

  /**
   * Checks the credentials for one host and returns the Secret name, without emitting anything.
   * @internal
   */
  public _secretNameFor(host: IConstruct, hostName: string, field: string): string {
    const template = this.secretNameTemplate;
    const secretName = typeof template === 'string' ? template.split(HOST).join(hostName) : template;
    if (typeof secretName !== 'string' || !isDnsSubdomain(secretName)) {
      // The value is not shown: a password pasted here would end up in CI logs.
      throw new KmetalValidationError(host, field, 'the BMC credentials Secret name is not a valid Kubernetes name (DNS subdomain)', 'name a Secret, e.g. BmcCredentials.fromSecret("{host}-bmc"); never pass the password itself');
    }
    const ext = this.external;
    if (!ext) return secretName;
    if (typeof ext.remoteKey !== 'string' || ext.remoteKey.length === 0) {
      throw new KmetalValidationError(host, `${field}.remoteKey`, 'the ExternalSecret needs the key of the entry in the secret store', 'set remoteKey, e.g. "bmc/{host}"');
    }
    if (typeof ext.storeName !== 'string' || !isDnsSubdomain(ext.storeName)) {
      throw new KmetalValidationError(host, `${field}.storeName`, `${showValue(ext.storeName)} is not a SecretStore name`, 'name the (Cluster)SecretStore that holds BMC credentials');
    }
    if (!DURATION.test(ext.refreshInterval ?? '1h')) {
      throw new KmetalValidationError(host, `${field}.refreshInterval`, `${showValue(ext.refreshInterval)} is not a Go duration`, 'write e.g. "1h" or "15m"');
    }
    return secretName;
  }

  /**
   * The app-wide identity the ExternalSecret for this host takes, when this object would emit a
   * new one (the host claims it together with its own identities).
   * @internal
   */
  public _externalSecretClaim(hostName: string, namespace: string, field: string): IdentityClaim | undefined {
    if (!this.external) return undefined;
    const key = `${namespace}/${this.secretNameTemplate.split(HOST).join(hostName)}`;
    if (this.emitted.has(key)) return undefined;
    return {
      field,
      kind: 'external-secret',
      key,
      problem: (holder) => `the ExternalSecret ${key} is already emitted for host "${holder}" by other BmcCredentials`,
      fix: 'use one BmcCredentials object for hosts that share a Secret, or put {host} in secretName',
    };
  }

  /**
   * Resolves the credentials of one host: the Secret name, and the ExternalSecret (emitted under
   * the host, or under the pool when several hosts share it).
   * @internal
   */
  public _bind(pool: Construct, host: Construct, hostName: string, namespace: string, field: string): BmcCredentialsBinding {
    const secretName = this._secretNameFor(host, hostName, field);
    if (!this.external) return { secretName };
    const perHost = this.secretNameTemplate.includes(HOST);
    const key = `${namespace}/${secretName}`;
    const existing = this.emitted.get(key);
    if (existing) return { secretName, externalSecret: existing };
    const ext = this.external;
    const remoteKey = String(ext.remoteKey).split(HOST).join(hostName);
    const refreshInterval = ext.refreshInterval ?? '1h';
    const scope = perHost ? host : pool;
    const externalSecret = new ApiObject(scope, perHost ? 'BmcCredentials' : `BmcCredentials-${secretName}`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: secretName, namespace },
      spec: {
        refreshInterval,
        secretStoreRef: { name: ext.storeName, kind: ext.storeKind ?? SecretStoreKind.CLUSTER_SECRET_STORE },
        target: {
          name: secretName,
          creationPolicy: 'Owner',
          // baremetal-operator only watches Secrets with this label (it labels unlabelled ones
          // itself, which external-secrets would then undo on every refresh).
          template: { metadata: { labels: { 'environment.metal3.io': 'baremetal' } } },
        },
        data: [
          { secretKey: 'username', remoteRef: { key: remoteKey, property: ext.usernameProperty ?? 'username' } },
          { secretKey: 'password', remoteRef: { key: remoteKey, property: ext.passwordProperty ?? 'password' } },
        ],
      },
    });
    this.emitted.set(key, externalSecret);
    return { secretName, externalSecret };
  }
}
