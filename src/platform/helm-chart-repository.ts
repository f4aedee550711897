import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { HelmRepository, HelmRepositorySpecType } from '../imports/source.toolkit.fluxcd.io';
import { IHelmRepository } from '../tenancy/datastore';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkProps } from '../util/props';

/** Props of `HelmChartRepository`. */
export interface HelmChartRepositoryProps {
  /** HelmRepository name. @default - the construct id */
  readonly name?: string;
  /** Namespace of the Flux source. @default 'flux-system' */
  readonly namespace?: string;
  /**
   * Repository URL: `https://` for a classic Helm repository, `oci://` for an OCI registry. On
   * air-gapped bare metal this is usually a mirror.
   */
  readonly url: string;
  /** How often Flux refreshes the index. @default '1h' */
  readonly interval?: string;
  /** Secret with credentials for the repository (referenced, never inlined). @default - anonymous */
  readonly secretName?: string;
}

/**
 * A Flux `HelmRepository` that HelmReleases of this library (e.g. the dedicated etcd of every
 * tenant) pull their charts from.
 */
export class HelmChartRepository extends Construct implements IHelmRepository {
  /** A HelmRepository that exists outside this app: referenced, not emitted. */
  public static fromName(name: string, namespace: string = 'flux-system'): IHelmRepository {
    return { name, namespace };
  }

  public readonly name: string;
  public readonly namespace: string;
  /** The Flux HelmRepository (escape hatch). */
  public readonly helmRepository: ApiObject;

  constructor(scope: Construct, id: string, props: HelmChartRepositoryProps) {
    super(scope, id);
    checkProps(this, '', props, 'HelmChartRepositoryProps');
    this.name = validateDnsLabel(this, 'name', props.name ?? id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'flux-system');
    const url = props.url;
    // First, and without quoting the URL: oci:// registries carry credentials the same way.
    if (typeof url === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url)) {
      throw new KmetalValidationError(this, 'url', 'the URL carries credentials', 'put them in a Secret and pass secretName');
    }
    if (typeof url !== 'string' || !/^(https?|oci):\/\/[^\s/]+(\/\S*)?$/.test(url)) {
      throw new KmetalValidationError(this, 'url', `${showValue(url)} is not a Helm repository URL`, 'give an https:// repository or an oci:// registry path');
    }
    this.helmRepository = new HelmRepository(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        url,
        interval: props.interval ?? '1h',
        ...(url.startsWith('oci://') ? { type: HelmRepositorySpecType.OCI } : {}),
        ...(props.secretName ? { secretRef: { name: props.secretName } } : {}),
      },
    });
  }
}
