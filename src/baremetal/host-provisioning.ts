import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { HostUserData } from './host-user-data';
import { IMetalImage, MetalImageBinding } from '../os/metal-image';
import { parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { kubeletRefusesLabel } from '../util/kubelet-labels';
import { isLabel } from '../util/names';
import { checkKnownProps } from '../util/props';

/** How a server of a pool becomes a node of the under cluster. */
export interface HostProvisioningOptions {
  /**
   * The OS written to the server's disk: usually the platform's Kairos `NodeImage` (its raw disk
   * image and checksum), the same image the worker VMs boot. The image must carry Kairos'
   * kubeadm provider (kairos-io/provider-kubeadm) and a kubeadm of at least v1.31.
   */
  readonly image: IMetalImage;
  /**
   * The under cluster's API endpoint the node joins, `host` or `host:port` (port 6443 by default),
   * e.g. the management-plane VIP of the inception control plane.
   */
  readonly controlPlaneEndpoint: string;
  /** The user data Secret (the cloud-config with the join token), by reference. */
  readonly userData: HostUserData;
  /**
   * Node labels the kubelet registers besides the host's own labels (every label of the
   * BareMetalHost, `kmetal.io/pool` included, becomes a node label, so the node carries the labels
   * the capacity model selects hosts by).
   * @default - only the host's labels
   */
  readonly nodeLabels?: { [key: string]: string };
}

/** Every property of `HostProvisioningOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const HOST_PROVISIONING_OPTIONS_KEYS: readonly string[] = ['image', 'controlPlaneEndpoint', 'userData', 'nodeLabels'];

/** What one host is provisioned with. @internal */
export interface HostProvisioningBinding {
  /** BareMetalHost `spec.image`. */
  readonly image: MetalImageBinding;
  /** Every label the node registers with (sorted by key). */
  readonly nodeLabels: { [key: string]: string };
  /** The user data Secret the BareMetalHost names. */
  readonly userDataSecretName: string;
  /** The Kairos cloud-config, the token as `HostUserData` writes it (a marker or a template reference). */
  readonly cloudConfigTemplate: string;
  /** The ExternalSecret rendering the user data Secret (plain upstream JSON), for `HostUserData.fromExternalSecret`. */
  readonly externalSecret?: any;
}

const TOKEN_MARK = '__kmetal_join_token__';

/**
 * How the under cluster's own servers are provisioned and join it, without Cluster API: Metal3's
 * standalone provisioning. The BareMetalHost gets `spec.image` (the Kairos raw disk image and its
 * checksum) and `spec.userData` (a Secret with a Kairos cloud-config); Ironic writes the image and a
 * config drive, Kairos reads the cloud-config from it (its `config-drive` datasource,
 * kairos-io/kairos-init v0.17.3 `pkg/bundled/cloudconfigs/00_datasource.yaml`), and the kubeadm
 * provider joins the node as a worker with the host's labels as kubelet `--node-labels`.
 *
 * The cloud-config holds the under cluster's join token, so its Secret is a reference
 * (`HostUserData`): made outside git, or rendered by external-secrets.
 */
export class HostProvisioning {
  /** Servers that join the under cluster as workers (KubeVirt hosts). */
  public static joinUnderCluster(options: HostProvisioningOptions): HostProvisioning {
    return new HostProvisioning(options);
  }

  /** The options. */
  public readonly options: HostProvisioningOptions;

  private constructor(options: HostProvisioningOptions) {
    this.options = options;
  }

  /**
   * Checks the options for one host and returns what it is provisioned with.
   * @internal
   */
  public _bind(host: IConstruct, field: string, hostName: string, namespace: string, hostLabels: { [key: string]: string }): HostProvisioningBinding {
    const o = this.options;
    checkKnownProps(host, field, o, HOST_PROVISIONING_OPTIONS_KEYS, 'HostProvisioningOptions');
    if (!o.image || typeof (o.image as IMetalImage).bindToBareMetal !== 'function') {
      throw new KmetalValidationError(host, `${field}.image`, `${showValue(o.image)} is not a bare-metal image`, 'give the platform\'s NodeImage (with a metal image or a Kairos artifactServer) or MetalImage.fromUrl(...)');
    }
    const image = o.image.bindToBareMetal(host);
    const endpoint = controlPlaneHost(host, `${field}.controlPlaneEndpoint`, o.controlPlaneEndpoint);
    if (!(o.userData instanceof HostUserData)) {
      throw new KmetalValidationError(host, `${field}.userData`, 'is not a HostUserData (the join token is never given as text)', 'use HostUserData.fromSecret("{host}-user-data") or HostUserData.fromExternalSecret({ storeName, remoteKey })');
    }
    const userDataSecretName = o.userData._secretNameFor(host, `${field}.userData`, hostName);
    const extra = o.nodeLabels ?? {};
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
      throw new KmetalValidationError(host, `${field}.nodeLabels`, `${showValue(extra)} is not a map of labels`, 'give e.g. { "kmetal.io/rack": "r12" }');
    }
    const merged: { [key: string]: string } = { ...hostLabels, ...extra };
    const nodeLabels: { [key: string]: string } = {};
    for (const key of Object.keys(merged).sort()) {
      const value = merged[key];
      const from = key in extra ? `${field}.nodeLabels.${key}` : `labels.${key}`;
      if (!isLabel(key, value)) {
        throw new KmetalValidationError(host, from, `${showValue(key)}=${showValue(value)} is not a valid Kubernetes label`, 'use a key like "kmetal.io/rack" and a value of at most 63 alphanumerics, "-", "_" or "."');
      }
      if (kubeletRefusesLabel(key)) {
        throw new KmetalValidationError(host, from, `kubelet refuses to register with the label ${showValue(key)} (the kubernetes.io and k8s.io namespaces are reserved outside its allowed set), so the server would never join`, 'use your own prefix, e.g. "kmetal.io/..." or "node-role.example.com/...", or node.kubernetes.io/...');
      }
      nodeLabels[key] = value;
    }

    // Kairos + provider-kubeadm v4.9.8 (kairos-worker-minimal.yaml; kairos-sdk v0.5.0
    // clusterplugin/config.go `Cluster`: cluster_token, control_plane_host, role, config). The
    // config is kubeadm v1beta4 (the provider uses it for kubeadm >= 1.31, main.go), whose
    // kubeletExtraArgs is a list of name/value pairs. The hostname makes the node's name the host's.
    const labelArg = Object.entries(nodeLabels).map(([k, v]) => `${k}=${v}`).join(',');
    const kubeadm = YAML.stringify({
      joinConfiguration: { nodeRegistration: { kubeletExtraArgs: [{ name: 'node-labels', value: labelArg }] } },
    });
    const body = YAML.stringify({
      hostname: hostName,
      cluster: { cluster_token: TOKEN_MARK, control_plane_host: endpoint, role: 'worker', config: kubeadm },
    }, { lineWidth: 0 });
    const cloudConfigTemplate = `#cloud-config\n${body.replace(TOKEN_MARK, o.userData._tokenExpression)}`;
    const externalSecret = o.userData.viaExternalSecret ? o.userData._externalSecret(userDataSecretName, namespace, cloudConfigTemplate) : undefined;
    return { image, nodeLabels, userDataSecretName, cloudConfigTemplate, externalSecret };
  }
}

const DNS_HOST = /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])$/;

/** `host[:port]` → `host:port` (provider-kubeadm adds :6443 to a bare host, main.go CreateClusterContext). */
function controlPlaneHost(scope: IConstruct, field: string, value: unknown): string {
  const fix = 'give the under cluster\'s API address, e.g. "192.168.10.5:6443" or "api.platform.example.com"';
  if (typeof value !== 'string' || value.length === 0 || /[\s/@]/.test(value)) {
    throw new KmetalValidationError(scope, field, `${showValue(value)} is not a host or host:port`, fix);
  }
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!m) throw new KmetalValidationError(scope, field, `${showValue(value)} is not a host or host:port`, fix);
  const name = m[1].replace(/^\[|\]$/g, '');
  const port = m[2] === undefined ? 6443 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KmetalValidationError(scope, field, `port ${m[2]} is not a TCP port`, fix);
  }
  const ip = parseIp(name) !== undefined;
  if (!ip && !DNS_HOST.test(name)) throw new KmetalValidationError(scope, field, `${showValue(name)} is neither an IP address nor a DNS name`, fix);
  return name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
}
