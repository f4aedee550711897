import type { IConstruct } from 'constructs';
import { parseAddressRange, parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { checkKnownProps } from '../util/props';

/**
 * The network Ironic provisions bare-metal hosts on: the under cluster's nodes reach it on one
 * interface, Ironic answers DHCP/PXE there and serves images from its own address.
 */
export interface ProvisioningNetworkProps {
  /** Interface of the node Ironic runs on that faces the provisioning network, e.g. `eno3`. */
  readonly interface: string;
  /** The address Ironic (host network) serves its API and images on, e.g. `172.22.0.2`. */
  readonly ironicAddress: string;
  /** DHCP range handed to hosts during provisioning, `first,last`, e.g. `172.22.0.10,172.22.0.100`. */
  readonly dhcpRange: string;
  /**
   * Tag of the `quay.io/metal3-io/ironic` image (upstream's kustomize base leaves it untagged).
   *
   * @default 'release-31.0' (the newest Ironic release the pinned baremetal-operator's
   * ironic-deployment overlays test against: overlays/e2e-release-31.0)
   */
  readonly ironicImageTag?: string;
  /**
   * Tag of the `quay.io/metal3-io/ironic-ipa-downloader` init container (it fetches the IPA ramdisk
   * Ironic boots hosts with). Upstream's kustomize base and every overlay at the pinned tag leave it
   * untagged, and no release tag is published beside Ironic's, so the library cannot choose one.
   *
   * @default - untagged, as upstream ships it (the node pulls `:latest`); set it to pin the image
   */
  readonly ipaDownloaderImageTag?: string;
}

/** Every property of `ProvisioningNetworkProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const PROVISIONING_NETWORK_PROPS_KEYS: readonly string[] = ['dhcpRange', 'interface', 'ironicAddress', 'ipaDownloaderImageTag', 'ironicImageTag'];

/** A validated provisioning network. @internal */
export interface ResolvedProvisioningNetwork {
  readonly interface: string;
  readonly ironicAddress: string;
  readonly dhcpRange: string;
  readonly ironicImageTag: string;
  readonly ipaDownloaderImageTag?: string;
}

/** An OCI image tag (the distribution spec's tag grammar). */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Ironic's ports (ironic-deployment/default/ironic_bmo_configmap.env at the pinned tag: HTTP_PORT 6180; API 6385). */
const HTTP_PORT = 6180;
const API_PORT = 6385;

/** Checks a provisioning network. @internal */
export function resolveProvisioningNetwork(scope: IConstruct, field: string, props: ProvisioningNetworkProps): ResolvedProvisioningNetwork {
  checkKnownProps(scope, field, props, PROVISIONING_NETWORK_PROPS_KEYS, 'ProvisioningNetworkProps');
  if (typeof props?.interface !== 'string' || !/^[A-Za-z0-9_.:-]{1,15}$/.test(props.interface)) {
    throw new KmetalValidationError(scope, `${field}.interface`, `${showValue(props?.interface)} is not a network interface name`, 'give the node interface on the provisioning network, e.g. "eno3" (at most 15 characters)');
  }
  const ip = parseIp(String(props.ironicAddress));
  if (!ip) {
    throw new KmetalValidationError(scope, `${field}.ironicAddress`, `${showValue(props.ironicAddress)} is not an IP address`, 'give the address Ironic serves on, e.g. "172.22.0.2"');
  }
  const parts = typeof props.dhcpRange === 'string' ? props.dhcpRange.split(',').map((s) => s.trim()) : [];
  const range = parts.length === 2 ? parseAddressRange(`${parts[0]}-${parts[1]}`) : undefined;
  if (!range || range.family !== ip.family) {
    throw new KmetalValidationError(scope, `${field}.dhcpRange`, `${showValue(props.dhcpRange)} is not a "first,last" range of the same family as ironicAddress`, 'write e.g. "172.22.0.10,172.22.0.100"');
  }
  if (range.first <= ip.value && ip.value <= range.last) {
    throw new KmetalValidationError(scope, `${field}.dhcpRange`, `the DHCP range ${props.dhcpRange} contains Ironic's own address ${props.ironicAddress}`, 'keep Ironic\'s address outside the range it hands out');
  }
  const tag = props.ironicImageTag ?? 'release-31.0';
  if (!IMAGE_TAG.test(tag)) {
    throw new KmetalValidationError(scope, `${field}.ironicImageTag`, `${showValue(tag)} is not an image tag`, 'give a tag such as "release-31.0"');
  }
  const ipaTag = props.ipaDownloaderImageTag;
  if (ipaTag !== undefined && (typeof ipaTag !== 'string' || !IMAGE_TAG.test(ipaTag))) {
    throw new KmetalValidationError(scope, `${field}.ipaDownloaderImageTag`, `${showValue(ipaTag)} is not an image tag`, 'give the tag you mirrored the ironic-ipa-downloader image under, e.g. "2026-07-21"');
  }
  return { interface: props.interface, ironicAddress: props.ironicAddress, dhcpRange: parts.join(','), ironicImageTag: tag, ipaDownloaderImageTag: ipaTag };
}

/**
 * The settings both the baremetal-operator (`ironic` ConfigMap of config/default) and Ironic
 * (`ironic-bmo-configmap` of ironic-deployment/default) read, for this network. Keys as in the
 * pinned env files (config/default/ironic.env, ironic-deployment/default/ironic_bmo_configmap.env).
 * @internal
 */
export function provisioningSettings(net: ResolvedProvisioningNetwork): { bmo: Record<string, string>; ironic: Record<string, string> } {
  const host = net.ironicAddress.includes(':') ? `[${net.ironicAddress}]` : net.ironicAddress;
  const common = {
    PROVISIONING_INTERFACE: net.interface,
    DHCP_RANGE: net.dhcpRange,
    HTTP_PORT: String(HTTP_PORT),
    IRONIC_ENDPOINT: `http://${host}:${API_PORT}/v1/`,
    CACHEURL: `http://${host}:${HTTP_PORT}/images`,
  };
  return {
    bmo: common,
    ironic: {
      ...common,
      DEPLOY_KERNEL_URL: `http://${host}:${HTTP_PORT}/images/ironic-python-agent.kernel`,
      DEPLOY_RAMDISK_URL: `http://${host}:${HTTP_PORT}/images/ironic-python-agent.initramfs`,
    },
  };
}
