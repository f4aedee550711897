import { IConstruct } from 'constructs';
import { SecretStoreKind } from './bmc-credentials';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsSubdomain } from '../util/names';
import { checkKnownProps } from '../util/props';

/** Where external-secrets finds the under cluster's join token. */
export interface JoinTokenStoreOptions {
  /**
   * Name of the (Cluster)SecretStore holding the token (with the external-secrets `kubernetes`
   * provider this can be a SOPS-made Secret in another namespace).
   */
  readonly storeName: string;
  /** Kind of the store. @default SecretStoreKind.CLUSTER_SECRET_STORE */
  readonly storeKind?: SecretStoreKind;
  /** Key of the entry in the store, e.g. `kmetal/under-cluster-join`. */
  readonly remoteKey: string;
  /** Property of the entry holding the token. @default 'token' */
  readonly property?: string;
  /** How often external-secrets re-reads the entry (Go duration). @default '1h' */
  readonly refreshInterval?: string;
  /** Name of the user data Secret it writes; `{host}` is replaced by the host name. @default '{host}-user-data' */
  readonly secretName?: string;
}

/** Every property of `JoinTokenStoreOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const JOIN_TOKEN_STORE_OPTIONS_KEYS: readonly string[] = ['storeName', 'storeKind', 'remoteKey', 'property', 'refreshInterval', 'secretName'];

/**
 * The marker for the join token in `BareMetalHost.cloudConfigTemplate` when the user data Secret is
 * made outside the tree (`HostUserData.fromSecret`): replace it with the token (a YAML string) when
 * you encrypt the Secret.
 */
export const JOIN_TOKEN_MARKER = '${KMETAL_JOIN_TOKEN}';
/** The token's key in the external-secrets template data. @internal */
export const ESO_TOKEN_KEY = 'token';

const HOST = '{host}';
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * The user data Secret a provisioned server boots with (BareMetalHost `spec.userData`, key
 * `userData`). It holds the Kairos cloud-config with the under cluster's join token, so it is never
 * written into git:
 *
 * - `fromSecret()`: you create it (SOPS, sealed-secrets) from `BareMetalHost.cloudConfigTemplate`
 *   with the token in place of `JOIN_TOKEN_MARKER`; the reconcile check lists it as out-of-band.
 * - `fromExternalSecret()`: external-secrets renders it in the cluster from the cloud-config in git
 *   and the token from a store entry. Opt-in: the project pins no external-secrets CRD, so the
 *   ExternalSecret is not schema-checked (and the conformance check refuses it as an unknown kind
 *   unless you skip conformance), and the platform does not install external-secrets.
 *
 * With Kairos' kubeadm provider the token is the cluster's `cluster_token`: any string, from which
 * every node derives the same kubeadm bootstrap token and control-plane certificate key
 * (kairos-io/provider-kubeadm v4.9.8, `utils/certs.go` `TransformToken`, `GetCertificateKey`): the
 * credential of the whole cluster, the one the inception node was initialised with.
 */
export class HostUserData {
  /**
   * A Secret you create in the pool's namespace, key `userData`; `{host}` in the name is replaced
   * by the host name (each host's cloud-config names the host).
   */
  public static fromSecret(secretName: string = '{host}-user-data'): HostUserData {
    return new HostUserData(secretName);
  }

  /** A Secret external-secrets renders from the cloud-config in git and the token in a store. */
  public static fromExternalSecret(options: JoinTokenStoreOptions): HostUserData {
    return new HostUserData(options?.secretName ?? '{host}-user-data', options);
  }

  /** The Secret name as given (with `{host}`). */
  public readonly secretNameTemplate: string;
  /** Whether an ExternalSecret renders the Secret. */
  public readonly viaExternalSecret: boolean;
  /** The store, for `fromExternalSecret`. */
  public readonly store?: JoinTokenStoreOptions;

  private constructor(secretNameTemplate: string, store?: JoinTokenStoreOptions) {
    this.secretNameTemplate = secretNameTemplate;
    this.store = store;
    this.viaExternalSecret = store !== undefined;
  }

  /** What the token is written as in the cloud-config. @internal */
  public get _tokenExpression(): string {
    // external-secrets v1.3.2 template engine v2 has sprig's functions (runtime/template/v2/template.go):
    // toJson makes any token a valid YAML (JSON) string.
    return this.viaExternalSecret ? `{{ .${ESO_TOKEN_KEY} | toJson }}` : JOIN_TOKEN_MARKER;
  }

  /**
   * Checks the reference for one host and returns the Secret's name (errors name `scope`, `field`).
   * @internal
   */
  public _secretNameFor(scope: IConstruct, field: string, hostName: string): string {
    const template = this.secretNameTemplate;
    const name = typeof template === 'string' ? template.split(HOST).join(hostName) : template;
    if (typeof template !== 'string' || !template.includes(HOST) || typeof name !== 'string' || !isDnsSubdomain(name)) {
      throw new KmetalValidationError(scope, `${field}.secretName`, `${showValue(template)} is not a Secret name with {host} in it (each host's user data names the host)`, 'write e.g. "{host}-user-data"');
    }
    const o = this.store;
    if (!o) return name;
    checkKnownProps(scope, field, o, JOIN_TOKEN_STORE_OPTIONS_KEYS, 'JoinTokenStoreOptions');
    if (typeof o.storeName !== 'string' || !isDnsSubdomain(o.storeName)) {
      throw new KmetalValidationError(scope, `${field}.storeName`, `${showValue(o.storeName)} is not a SecretStore name`, 'name the (Cluster)SecretStore that holds the join token');
    }
    if (o.storeKind !== undefined && !Object.values(SecretStoreKind).includes(o.storeKind)) {
      throw new KmetalValidationError(scope, `${field}.storeKind`, `${showValue(o.storeKind)} is not a store kind`, 'use SecretStoreKind.CLUSTER_SECRET_STORE or SECRET_STORE');
    }
    if (typeof o.remoteKey !== 'string' || o.remoteKey.trim().length === 0) {
      // Not shown: the token itself may have been pasted here.
      throw new KmetalValidationError(scope, `${field}.remoteKey`, 'the join token needs the key of its entry in the secret store', 'set remoteKey, e.g. "kmetal/under-cluster-join"; never the token itself');
    }
    if (o.property !== undefined && (typeof o.property !== 'string' || !/^[A-Za-z0-9._-]+$/.test(o.property))) {
      throw new KmetalValidationError(scope, `${field}.property`, 'is not a property name of the store entry', 'give e.g. "token"');
    }
    if (!DURATION.test(o.refreshInterval ?? '1h')) {
      throw new KmetalValidationError(scope, `${field}.refreshInterval`, `${showValue(o.refreshInterval)} is not a Go duration`, 'write e.g. "1h" or "15m"');
    }
    return name;
  }

  /**
   * The ExternalSecret rendering one host's user data (plain upstream JSON), for `fromExternalSecret`.
   * @internal
   */
  public _externalSecret(name: string, namespace: string, cloudConfigTemplate: string): any {
    const o = this.store!;
    return {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace },
      spec: {
        refreshInterval: o.refreshInterval ?? '1h',
        secretStoreRef: { name: o.storeName, kind: o.storeKind ?? SecretStoreKind.CLUSTER_SECRET_STORE },
        target: {
          name,
          creationPolicy: 'Owner',
          template: {
            engineVersion: 'v2',
            // baremetal-operator watches Secrets with this label (as for BMC credentials).
            metadata: { labels: { 'environment.metal3.io': 'baremetal' } },
            // BMO v0.13.2 internal/controller/metal3.io/host_config_data.go reads key `userData`.
            data: { userData: cloudConfigTemplate },
          },
        },
        data: [{ secretKey: ESO_TOKEN_KEY, remoteRef: { key: o.remoteKey, property: o.property ?? 'token' } }],
      },
    };
  }
}
