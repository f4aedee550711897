import { helmReleaseChart, helmReleaseName, helmReleaseNamespace } from './flux';
import { at, str, type UpstreamModel } from './upstream-model';
import type { ProducedObject } from '../private/cluster-state';

/** The chart's name (`Chart.yaml` `name`). */
export const KAMAJI_ETCD_CHART = 'kamaji-etcd';

const SOURCE = 'clastix/kamaji-etcd v0.17.0 (92f31f016f4e91eae69797a538f88d768ddc7099) charts/kamaji-etcd/templates/_helpers.tpl';

/** The values of the kamaji-etcd chart that decide the names of what it creates. */
export interface KamajiEtcdNamingValues {
  readonly fullnameOverride?: string;
  readonly nameOverride?: string;
  readonly certManagerEnabled?: boolean;
  readonly datastoreEnabled?: boolean;
  readonly datastoreName?: string;
}

/** The names of what the kamaji-etcd chart creates for one release. */
export interface KamajiEtcdNames {
  /** `etcd.fullname`: StatefulSet, headless Service, ServiceAccount. */
  readonly fullname: string;
  /** `client.serviceName`: the ClusterIP Service. */
  readonly clientService: string;
  /** Secret with the CA (`ca.crt`, `ca.key`): `etcd.caSecretName`, or `etcd.certManager.ca` with cert-manager. */
  readonly caSecret: string;
  /** Secret with the root client certificate (`tls.crt`, `tls.key`). */
  readonly rootClientSecret: string;
  /** Keys of the CA secret for the CA certificate and key. */
  readonly caKeys: { readonly certificate: string; readonly privateKey: string };
}

// Helm's `trunc 63 | trimSuffix "-"`.
function trunc63(s: string): string {
  const t = s.slice(0, 63);
  return t.endsWith('-') ? t.slice(0, -1) : t;
}

/**
 * The kamaji-etcd 0.17.0 naming rules, as `templates/_helpers.tpl` at v0.17.0 defines them:
 * - `etcd.fullname`: `fullnameOverride`, else the release name when it *contains* the chart name
 *   (`nameOverride` or `kamaji-etcd`), else `<release>-<chart name>`; all `trunc 63 | trimSuffix "-"`.
 * - `etcd.caSecretName`: `<fullname>-certs` (created by the pre-install job with `ca.crt`, `ca.key`, ...;
 *   templates/etcd_job_preinstall_1.yaml).
 * - `etcd.clientSecretName`: `<fullname>-root-client-certs` (a `kubernetes.io/tls` Secret, same job).
 * - with `certManager.enabled`: CA `<fullname>-ca` and client `<fullname>-client-certs`
 *   (`etcd.certManager.ca`, `etcd.certManager.clientCert`; cert-manager writes `tls.crt`/`tls.key`).
 * - `client.serviceName`: `<fullname>-client`.
 *
 * An older version of the helper returned the release name unchanged; tests check this function
 * against the pinned `_helpers.tpl` with Go's own text/template when `../shared` is present.
 */
export function kamajiEtcdNames(releaseName: string, values: KamajiEtcdNamingValues = {}): KamajiEtcdNames {
  const chartName = values.nameOverride || KAMAJI_ETCD_CHART;
  const fullname = values.fullnameOverride
    ? trunc63(values.fullnameOverride)
    : releaseName.includes(chartName) ? trunc63(releaseName) : trunc63(`${releaseName}-${chartName}`);
  const certManager = values.certManagerEnabled === true;
  return {
    fullname,
    clientService: trunc63(`${fullname}-client`),
    caSecret: certManager ? trunc63(`${fullname}-ca`) : trunc63(`${fullname}-certs`),
    rootClientSecret: certManager ? trunc63(`${fullname}-client-certs`) : `${fullname}-root-client-certs`,
    caKeys: certManager ? { certificate: 'tls.crt', privateKey: 'tls.key' } : { certificate: 'ca.crt', privateKey: 'ca.key' },
  };
}

/** The naming values of a HelmRelease's `spec.values` (chart defaults where unset: values.yaml at v0.17.0). */
export function kamajiEtcdValuesOf(values: any): KamajiEtcdNamingValues {
  return {
    fullnameOverride: str(at(values, 'fullnameOverride')),
    nameOverride: str(at(values, 'nameOverride')),
    certManagerEnabled: at(values, 'certManager', 'enabled') === true,
    // values.yaml: datastore.enabled: true, datastore.name: "" (→ fullname)
    datastoreEnabled: at(values, 'datastore', 'enabled') !== false,
    datastoreName: str(at(values, 'datastore', 'name')),
  };
}

/** The kamaji-etcd chart, installed by a Flux HelmRelease. */
export const kamajiEtcdModel: UpstreamModel = {
  project: 'kamaji-etcd 0.17.0',

  produce(o): ProducedObject[] {
    if (o.group !== 'helm.toolkit.fluxcd.io' || o.kind !== 'HelmRelease' || helmReleaseChart(o) !== KAMAJI_ETCD_CHART) return [];
    const values = kamajiEtcdValuesOf(at(o.manifest, 'spec', 'values'));
    const names = kamajiEtcdNames(helmReleaseName(o), values);
    const namespace = helmReleaseNamespace(o);
    const rule = (what: string) => `${SOURCE}: ${what}`;
    const out: ProducedObject[] = [
      { group: 'apps', kind: 'StatefulSet', namespace, name: names.fullname, rule: rule('etcd.stsName') },
      { group: '', kind: 'Service', namespace, name: names.fullname, rule: rule('etcd.serviceName (headless)') },
      { group: '', kind: 'Service', namespace, name: names.clientService, rule: rule('client.serviceName') },
      { group: '', kind: 'Secret', namespace, name: names.caSecret, keys: [names.caKeys.certificate, names.caKeys.privateKey], rule: rule(values.certManagerEnabled ? 'etcd.certManager.ca' : 'etcd.caSecretName (pre-install job)') },
      { group: '', kind: 'Secret', namespace, name: names.rootClientSecret, keys: ['tls.crt', 'tls.key'], rule: rule(values.certManagerEnabled ? 'etcd.certManager.clientCert' : 'etcd.clientSecretName (pre-install job)') },
    ];
    if (values.datastoreEnabled) {
      out.push({ group: 'kamaji.clastix.io', kind: 'DataStore', name: values.datastoreName ?? names.fullname, rule: 'kamaji-etcd 0.17.0 templates/etcd_datastore.yaml (datastore.enabled)' });
    }
    return out;
  },
};
