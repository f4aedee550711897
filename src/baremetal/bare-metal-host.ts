import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { BareMetalPool } from './bare-metal-pool';
import { BmcAddress } from './bmc-address';
import { BmcCredentials } from './bmc-credentials';
import { _normalizeCapacity, HostCapacity } from './capacity';
import { HostProvisioning } from './host-provisioning';
import { _resolveRaid, RaidConfig } from './raid';
import { BareMetalHost as BareMetalHostL1 } from '../imports/metal3.io';
import { MetalImageBinding } from '../os/metal-image';
import { OUT_OF_BAND_ANNOTATION } from '../reconcile/annotations';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkKnownProps } from '../util/props';
import { refuseInlineCredentials } from './private/inventory';
import { IdentityClaim, inventoryRegistry } from './private/registry';
import { normalizeMac, POOL_LABEL, validateLabels } from './private/validation';

/** Firmware boot mode of a server (BareMetalHost `bootMode`). */
export enum BootMode {
  /** UEFI. */
  UEFI = 'UEFI',
  /** UEFI with secure boot (Redfish drivers only). */
  UEFI_SECURE_BOOT = 'UEFISecureBoot',
  /** Legacy BIOS. */
  LEGACY = 'legacy',
}

/** Every property of `BareMetalHostSpec` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const BARE_METAL_HOST_SPEC_KEYS: readonly string[] = ['name', 'bmc', 'bootMacAddress', 'rootDeviceHints', 'bootMode', 'online', 'labels', 'capacity', 'description', 'provisioning', 'raid', 'firmwareSettings', 'externallyProvisioned'];
/** Every property of `BmcSpec`. */
export const BMC_SPEC_KEYS: readonly string[] = ['address', 'credentials', 'credentialsName', 'disableCertificateVerification', 'username', 'password'];
/** Every property of `RootDeviceHints`. */
export const ROOT_DEVICE_HINTS_KEYS: readonly string[] = ['deviceName', 'hctl', 'model', 'vendor', 'serialNumber', 'minSizeGiB', 'wwn', 'wwnWithExtension', 'wwnVendorExtension', 'rotational'];

/**
 * Which disk the OS is written to, when a server has several (Ironic root device hints). All hints
 * given must match.
 */
export interface RootDeviceHints {
  /** Device path: `/dev/sda` or `/dev/disk/by-path/...` (other /dev/disk links are not stable hints). @default - any */
  readonly deviceName?: string;
  /** SCSI address `host:channel:target:lun`, e.g. `0:0:0:0`. @default - any */
  readonly hctl?: string;
  /** Disk model (substring match by Ironic). @default - any */
  readonly model?: string;
  /** Disk vendor (substring match by Ironic). @default - any */
  readonly vendor?: string;
  /** Disk serial number. @default - any */
  readonly serialNumber?: string;
  /** Smallest acceptable disk size in GiB (BareMetalHost `minSizeGigabytes`, which Ironic reads as GiB). @default - any */
  readonly minSizeGiB?: number;
  /** World Wide Name. @default - any */
  readonly wwn?: string;
  /** WWN with vendor extension. @default - any */
  readonly wwnWithExtension?: string;
  /** WWN vendor extension. @default - any */
  readonly wwnVendorExtension?: string;
  /** `true` for spinning disks only, `false` for SSD/NVMe only. @default - either */
  readonly rotational?: boolean;
}

/** How Metal3 reaches a server's BMC. */
export interface BmcSpec {
  /**
   * BMC address with scheme, e.g. `redfish-virtualmedia://10.0.0.21/redfish/v1/Systems/1` or
   * `ipmi://10.0.0.22`; see `BmcAddress.SUPPORTED_SCHEMES`. Credentials in the address are refused.
   */
  readonly address: string;
  /** Credentials, by reference. @default - `credentialsName`, else the pool's `defaultCredentials` */
  readonly credentials?: BmcCredentials;
  /**
   * Name of an existing Secret with keys `username` and `password` (the inventory-file spelling of
   * `BmcCredentials.fromSecret(name)`).
   * @default - `credentials`, else the pool's `defaultCredentials`
   */
  readonly credentialsName?: string;
  /** Skip TLS verification of the BMC's certificate (self-signed BMC certificates). @default false */
  readonly disableCertificateVerification?: boolean;
  /**
   * Not supported: BMC credentials are never written into manifests. Setting this is an error that
   * explains how to reference a Secret instead.
   * @default - must not be set
   */
  readonly username?: string;
  /**
   * Not supported: BMC credentials are never written into manifests. Setting this is an error that
   * explains how to reference a Secret instead.
   * @default - must not be set
   */
  readonly password?: string;
}

/** One physical server of a pool (also the shape of an entry of an inventory file). */
export interface BareMetalHostSpec {
  /** Host name: the BareMetalHost's name, a DNS label unique in the namespace. */
  readonly name: string;
  /** The server's BMC. */
  readonly bmc: BmcSpec;
  /**
   * MAC address of the NIC the server provisions from. Required by drivers that boot over the
   * network from Ironic (ipmi excepted): see `BmcAddress.needsBootMac`.
   * @default - none (virtual-media and IPMI drivers discover it)
   */
  readonly bootMacAddress?: string;
  /** Which disk receives the OS. @default - Ironic's choice (the smallest disk of at least 4 GiB) */
  readonly rootDeviceHints?: RootDeviceHints;
  /** Firmware boot mode. @default - Metal3's default (UEFI) */
  readonly bootMode?: BootMode;
  /** Whether the server is powered on while it waits in the pool. @default true */
  readonly online?: boolean;
  /** Labels of this host (machine templates can select subsets with them). @default - none */
  readonly labels?: { [key: string]: string };
  /** What the server offers, for capacity checks. */
  readonly capacity: HostCapacity;
  /** Free-text description (BareMetalHost `description`), e.g. rack and unit. @default - none */
  readonly description?: string;
  /**
   * Provision the server with an OS and have it join the under cluster
   * (`HostProvisioning.joinUnderCluster(...)`): the BareMetalHost gets `image` and `userData`.
   * @default - not provisioned here: the host waits in the pool (for Cluster API machines, or the inception step)
   */
  readonly provisioning?: HostProvisioning;
  /** RAID volumes built before the OS is written (checked against the BMC driver at synth). @default - the disks as they are */
  readonly raid?: RaidConfig;
  /**
   * BIOS settings by the names the server's FirmwareSchema uses (vendor-specific, e.g.
   * `{ ProcVirtualization: 'Enabled', SriovGlobalEnable: 'Enabled' }`), as a HostFirmwareSettings
   * of the host's name that baremetal-operator adopts. Ironic applies them while it prepares the
   * host, i.e. before provisioning (a change to a provisioned host waits for its next
   * deprovisioning). Redfish drivers only: Ironic's ipmi hardware type has no BIOS interface.
   * @default - the firmware as it is
   */
  readonly firmwareSettings?: { [name: string]: string };
  /**
   * The server already runs its OS, installed outside Metal3 (the inception control plane): Metal3
   * only manages its power and never inspects, cleans or provisions it. Without this, registering a
   * running server makes Metal3 boot it into the inspection ramdisk (BMO v0.13.2
   * internal/controller/metal3.io/host_state_machine.go `handleRegistering`). The BMO webhook
   * refuses to turn it off again once set.
   * @default false
   */
  readonly externallyProvisioned?: boolean;
}

/** Props of `BareMetalHost`. Usually created through `BareMetalPool.addHost()`. */
export interface BareMetalHostProps extends BareMetalHostSpec {
  /** The pool the server belongs to. */
  readonly pool: BareMetalPool;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A physical server of a `BareMetalPool`: a Metal3 `BareMetalHost`, labelled with its pool, whose
 * BMC credentials are a Secret reference (and, with `BmcCredentials.fromExternalSecret`, an
 * `ExternalSecret`).
 *
 * Boot MAC, BMC endpoint and name are unique across the whole app: a second host claiming one of
 * them is refused with the path of the first.
 */
export class BareMetalHost extends Construct {
  /** Host name (BareMetalHost name). */
  public readonly hostName: string;
  /** Namespace (the pool's). */
  public readonly namespace: string;
  /** The parsed BMC address. */
  public readonly bmcAddress: BmcAddress;
  /** Boot MAC in lowercase colon form, if given. */
  public readonly bootMacAddress?: string;
  /** The server's capacity (GPU counts filled in). */
  public readonly capacity: HostCapacity;
  /** Every label of the BareMetalHost, the pool label included. */
  public readonly labels: { [key: string]: string };
  /** Name of the Secret holding the BMC credentials. */
  public readonly credentialsSecretName: string;
  /** Whether the server is kept powered on. */
  public readonly online: boolean;
  /** The BareMetalHost (escape hatch). */
  public readonly apiObject: ApiObject;
  /** The ExternalSecret filling the credentials Secret, if the pool emits one (may be shared). */
  public readonly externalSecret?: ApiObject;
  /** The OS image Metal3 writes to the server, when it is provisioned here. */
  public readonly image?: MetalImageBinding;
  /** Labels the server's Kubernetes node registers with, when it is provisioned here (the host's labels and the provisioning's nodeLabels). */
  public readonly nodeLabels?: { [key: string]: string };
  /** Name of the user data Secret, when the server is provisioned here. */
  public readonly userDataSecretName?: string;
  /**
   * The Kairos cloud-config the server boots with, without the join token: `JOIN_TOKEN_MARKER`
   * stands for it (`HostUserData.fromSecret`: fill it in when you make the Secret), or an
   * external-secrets template reference (`fromExternalSecret`).
   */
  public readonly cloudConfigTemplate?: string;
  /** The ExternalSecret rendering the user data, when the server is provisioned here (escape hatch). */
  public readonly userDataExternalSecret?: ApiObject;
  /** Whether the server runs an OS installed outside Metal3 (Metal3 manages only its power). */
  public readonly externallyProvisioned: boolean;
  /** The HostFirmwareSettings, when `firmwareSettings` are given (escape hatch). */
  public readonly hostFirmwareSettings?: ApiObject;

  constructor(scope: Construct, id: string, props: BareMetalHostProps) {
    super(scope, id);
    // First, before any message could quote a value: no credentials in the spec.
    refuseInlineCredentials(this, '', props);
    checkKnownProps(this, '', props, [...BARE_METAL_HOST_SPEC_KEYS, 'pool'], 'BareMetalHostProps');
    checkKnownProps(this, 'bmc', props.bmc, BMC_SPEC_KEYS, 'BmcSpec');
    checkKnownProps(this, 'rootDeviceHints', props.rootDeviceHints, ROOT_DEVICE_HINTS_KEYS, 'RootDeviceHints');
    const pool = props.pool;
    if (scope !== pool) {
      throw new KmetalValidationError(this, 'pool', 'a host is created inside its pool', 'use pool.addHost(spec) (or the pool\'s hosts / inventory)');
    }
    this.hostName = validateDnsLabel(this, 'name', props.name);
    if (UUID.test(this.hostName)) {
      throw new KmetalValidationError(this, 'name', `${showValue(this.hostName)} is a UUID, which Metal3 refuses as a host name`, 'name the host after its role or location, e.g. "r12-u07"');
    }
    this.namespace = pool.namespace;
    if (typeof props.bmc !== 'object' || props.bmc === null) {
      throw new KmetalValidationError(this, 'bmc', `${showValue(props.bmc)} is not a BMC spec`, 'give { address, credentials | credentialsName }');
    }
    this.bmcAddress = BmcAddress._parse(this, 'bmc.address', props.bmc.address);
    const skipTls = props.bmc.disableCertificateVerification;
    if (skipTls !== undefined && typeof skipTls !== 'boolean') {
      throw new KmetalValidationError(this, 'bmc.disableCertificateVerification', `${showValue(skipTls)} is not true or false`, 'give a boolean');
    }
    if (props.bootMacAddress !== undefined) {
      this.bootMacAddress = normalizeMac(this, 'bootMacAddress', props.bootMacAddress);
    } else if (this.bmcAddress.needsBootMac) {
      throw new KmetalValidationError(this, 'bootMacAddress', `BMC driver ${this.bmcAddress.driver} boots the host over the network and needs the boot NIC's MAC`, 'set bootMacAddress, or use a virtual-media scheme (e.g. redfish-virtualmedia://) that discovers it');
    }
    if (props.bootMode !== undefined && !Object.values(BootMode).includes(props.bootMode)) {
      throw new KmetalValidationError(this, 'bootMode', `${showValue(props.bootMode)} is not a boot mode`, `use one of ${Object.values(BootMode).join(', ')}`);
    }
    if (props.bootMode === BootMode.UEFI_SECURE_BOOT && !this.bmcAddress.supportsSecureBoot) {
      throw new KmetalValidationError(this, 'bootMode', `BMC driver ${this.bmcAddress.driver} cannot switch secure boot`, 'use a Redfish scheme for this host, or BootMode.UEFI');
    }
    if (props.online !== undefined && typeof props.online !== 'boolean') {
      throw new KmetalValidationError(this, 'online', `${showValue(props.online)} is not true or false`, 'give a boolean');
    }
    this.online = props.online ?? true;
    if (props.description !== undefined && typeof props.description !== 'string') {
      throw new KmetalValidationError(this, 'description', `${showValue(props.description)} is not text`, 'give a string');
    }
    const rootDeviceHints = this.rootDeviceHints(props.rootDeviceHints);
    const raid = _resolveRaid(this, 'raid', props.raid, this.bmcAddress);
    const firmwareSettings = this.firmwareSettingsOf(props.firmwareSettings);
    this.capacity = _normalizeCapacity(this, 'capacity', props.capacity);
    this.labels = { ...pool.labels, ...validateLabels(this, 'labels', props.labels), [POOL_LABEL]: pool.poolName };

    const credentials = this.credentials(props.bmc, pool);
    credentials._secretNameFor(this, this.hostName, 'bmc.credentials');
    if (props.provisioning !== undefined && !(props.provisioning instanceof HostProvisioning)) {
      throw new KmetalValidationError(this, 'provisioning', 'is not a HostProvisioning object', 'use HostProvisioning.joinUnderCluster({ image, controlPlaneEndpoint, joinToken })');
    }
    const external = props.externallyProvisioned;
    if (external !== undefined && typeof external !== 'boolean') {
      throw new KmetalValidationError(this, 'externallyProvisioned', `${showValue(external)} is not true or false`, 'give a boolean');
    }
    if (external) {
      for (const field of ['provisioning', 'raid', 'firmwareSettings'] as const) {
        if (props[field] === undefined) continue;
        throw new KmetalValidationError(this, field, `the host is externally provisioned, so Metal3 never ${field === 'provisioning' ? 'provisions it' : 'prepares it, which is when it builds RAID and applies BIOS settings'}`, `drop ${field}, or let Metal3 provision the host (drop externallyProvisioned)`);
      }
    }
    const provisioned = props.provisioning?._bind(this, 'provisioning', this.hostName, this.namespace, this.labels);
    this.externallyProvisioned = external ?? false;
    if (provisioned && !this.online) {
      throw new KmetalValidationError(this, 'online', 'the host is to be provisioned but is kept powered off; Metal3 provisions only hosts that are online', 'drop online: false, or drop provisioning');
    }

    // Identities last: a host that fails validation claims nothing.
    inventoryRegistry(this).claimAll(this, this.hostName, [
      {
        field: 'name',
        kind: 'host',
        key: `${this.namespace}/${this.hostName}`,
        problem: (_, path) => `a BareMetalHost ${this.namespace}/${this.hostName} is already declared (${path})`,
        fix: 'give every server of a namespace its own name',
      },
      {
        field: 'bmc.address',
        kind: 'bmc',
        key: this.bmcAddress._endpointKey,
        problem: (holder, path) => `${showValue(this.bmcAddress.address)} reaches the same BMC as host "${holder}" (${path})`,
        fix: 'each server has its own BMC (or Redfish system path): check the inventory for a copied line',
      },
      ...(this.bootMacAddress ? [{
        field: 'bootMacAddress',
        kind: 'mac',
        key: this.bootMacAddress,
        problem: (holder: string, path: string) => `${this.bootMacAddress} is already the boot MAC of host "${holder}" (${path})`,
        fix: 'each NIC has its own MAC: check the inventory for a copied line',
      }] : []),
      ...[credentials._externalSecretClaim(this.hostName, this.namespace, 'bmc.credentials')].filter((c): c is IdentityClaim => c !== undefined),
    ]);

    const binding = credentials._bind(pool, this, this.hostName, this.namespace, 'bmc.credentials');
    this.credentialsSecretName = binding.secretName;
    this.externalSecret = binding.externalSecret;

    const outOfBand = [
      ...(credentials.viaExternalSecret ? [] : [`Secret/${this.credentialsSecretName}`]),
      ...(provisioned && !provisioned.externalSecret ? [`Secret/${provisioned.userDataSecretName}`] : []),
    ];
    // Plain upstream JSON (bootMACAddress, minSizeGigabytes) with the L1 class's GVK, like every
    // object of this module: specs read in the field names that tests and JSON patches use.
    this.apiObject = new ApiObject(this, 'Resource', {
      ...BareMetalHostL1.GVK,
      metadata: {
        name: this.hostName,
        namespace: this.namespace,
        labels: this.labels,
        // A Secret made outside the tree (SOPS, by hand): the reconcile check lists it instead of
        // reporting a dangling reference.
        ...(outOfBand.length ? { annotations: { [OUT_OF_BAND_ANNOTATION]: outOfBand.join(',') } } : {}),
      },
      spec: {
        online: this.online,
        ...(external ? { externallyProvisioned: true } : {}),
        bmc: {
          address: this.bmcAddress.address,
          credentialsName: this.credentialsSecretName,
          ...(skipTls ? { disableCertificateVerification: true } : {}),
        },
        ...(this.bootMacAddress ? { bootMACAddress: this.bootMacAddress } : {}),
        ...(props.bootMode ? { bootMode: props.bootMode } : {}),
        ...(rootDeviceHints ? { rootDeviceHints } : {}),
        ...(raid ? { raid } : {}),
        ...(provisioned ? { image: provisioned.image, userData: { name: provisioned.userDataSecretName, namespace: this.namespace } } : {}),
        ...(props.description ? { description: props.description } : {}),
      },
    });
    if (provisioned) {
      this.image = provisioned.image;
      this.nodeLabels = provisioned.nodeLabels;
      this.userDataSecretName = provisioned.userDataSecretName;
      this.cloudConfigTemplate = provisioned.cloudConfigTemplate;
      if (provisioned.externalSecret) this.userDataExternalSecret = new ApiObject(this, 'UserData', provisioned.externalSecret);
    }
    if (firmwareSettings) {
      // baremetal-operator adopts a HostFirmwareSettings created before its host (same name and
      // namespace): BMO v0.13.2 internal/controller/metal3.io/hostfirmwaresettings_controller.go
      // ("pre-created HFS is adopted by a BMH that was created later").
      this.hostFirmwareSettings = new ApiObject(this, 'FirmwareSettings', {
        apiVersion: 'metal3.io/v1alpha1',
        kind: 'HostFirmwareSettings',
        metadata: { name: this.hostName, namespace: this.namespace, labels: { [POOL_LABEL]: pool.poolName } },
        spec: { settings: firmwareSettings },
      });
    }
  }

  private credentials(bmc: BmcSpec, pool: BareMetalPool): BmcCredentials {
    if (bmc.credentials !== undefined && bmc.credentialsName !== undefined) {
      throw new KmetalValidationError(this, 'bmc.credentialsName', 'both credentials and credentialsName are set', 'give one of them');
    }
    if (bmc.credentials !== undefined && !(bmc.credentials instanceof BmcCredentials)) {
      throw new KmetalValidationError(this, 'bmc.credentials', 'is not a BmcCredentials object', 'use BmcCredentials.fromSecret(name) or BmcCredentials.fromExternalSecret(...), or bmc.credentialsName');
    }
    const named = bmc.credentialsName !== undefined ? BmcCredentials.fromSecret(bmc.credentialsName) : undefined;
    const credentials = bmc.credentials ?? named ?? pool.defaultCredentials;
    if (!credentials) {
      throw new KmetalValidationError(this, 'bmc.credentials', 'no BMC credentials for this host', 'reference a Secret with bmc.credentials / bmc.credentialsName, or set defaultCredentials on the pool');
    }
    return credentials;
  }

  private firmwareSettingsOf(settings: { [name: string]: string } | undefined): { [name: string]: string } | undefined {
    if (settings === undefined) return undefined;
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new KmetalValidationError(this, 'firmwareSettings', `${showValue(settings)} is not a map of BIOS settings`, 'give e.g. { ProcVirtualization: "Enabled" }');
    }
    if (!this.bmcAddress.supportsFirmwareSettings) {
      throw new KmetalValidationError(this, 'firmwareSettings', `BMC driver ${this.bmcAddress.driver} cannot change BIOS settings (Ironic's ${this.bmcAddress.driver === 'libvirt' ? 'ipmi' : this.bmcAddress.driver} hardware type has no BIOS interface)`, 'reach the server through a Redfish scheme (e.g. redfish-virtualmedia://), or set the BIOS by hand');
    }
    const out: { [name: string]: string } = {};
    for (const name of Object.keys(settings).sort()) {
      const value = (settings as any)[name];
      if (!/^[A-Za-z0-9_.:-]{1,255}$/.test(name)) {
        throw new KmetalValidationError(this, `firmwareSettings.${name}`, `${showValue(name)} is not a BIOS setting name`, 'use the name as the host\'s FirmwareSchema lists it, e.g. "ProcVirtualization"');
      }
      if (/passw|secret/i.test(name)) {
        // The value is not shown: it is a credential.
        throw new KmetalValidationError(this, `firmwareSettings.${name}`, 'a BIOS password would be written into git', 'set BIOS passwords outside the tree (vendor tooling); keep only non-secret settings here');
      }
      if (typeof value === 'number' && Number.isInteger(value)) {
        out[name] = String(value);
        continue;
      }
      if (typeof value !== 'string' || value.length === 0) {
        throw new KmetalValidationError(this, `firmwareSettings.${name}`, `${showValue(value)} is not a setting value`, 'give the value as the FirmwareSchema allows it, e.g. "Enabled" or "20"');
      }
      out[name] = value;
    }
    if (Object.keys(out).length === 0) {
      throw new KmetalValidationError(this, 'firmwareSettings', 'no setting is given', 'give at least one setting, or leave firmwareSettings out');
    }
    return out;
  }

  private rootDeviceHints(hints: RootDeviceHints | undefined): any {
    if (hints === undefined) return undefined;
    if (typeof hints !== 'object' || hints === null) {
      throw new KmetalValidationError(this, 'rootDeviceHints', `${showValue(hints)} is not a set of hints`, 'give e.g. { deviceName: "/dev/nvme0n1" }');
    }
    const out: any = {};
    for (const key of ['deviceName', 'hctl', 'model', 'vendor', 'serialNumber', 'wwn', 'wwnWithExtension', 'wwnVendorExtension'] as const) {
      const v = hints[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.trim().length === 0) {
        throw new KmetalValidationError(this, `rootDeviceHints.${key}`, `${showValue(v)} is not a hint`, 'give a non-empty string, or drop the hint');
      }
      out[key] = v;
    }
    // The BMO webhook's rule: a /dev path, either directly under /dev or under /dev/disk/by-path.
    if (out.deviceName !== undefined && !/^\/dev\/(disk\/by-path\/)?[^/]+$/.test(out.deviceName)) {
      throw new KmetalValidationError(this, 'rootDeviceHints.deviceName', `${showValue(out.deviceName)} is not a /dev/<name> or /dev/disk/by-path/<name> path`, 'write e.g. "/dev/nvme0n1" or "/dev/disk/by-path/pci-0000:00:1f.2-ata-1"; for other stable ids use serialNumber or wwn');
    }
    if (out.hctl !== undefined && !/^\d+:\d+:\d+:\d+$/.test(out.hctl)) {
      throw new KmetalValidationError(this, 'rootDeviceHints.hctl', `${showValue(out.hctl)} is not a SCSI address`, 'write host:channel:target:lun, e.g. "0:0:0:0"');
    }
    if (hints.minSizeGiB !== undefined) {
      if (!Number.isInteger(hints.minSizeGiB) || hints.minSizeGiB < 0) {
        throw new KmetalValidationError(this, 'rootDeviceHints.minSizeGiB', `${showValue(hints.minSizeGiB)} is not a size in GiB`, 'give a whole number of GiB, e.g. 200');
      }
      out.minSizeGigabytes = hints.minSizeGiB;
    }
    if (hints.rotational !== undefined) {
      if (typeof hints.rotational !== 'boolean') {
        throw new KmetalValidationError(this, 'rootDeviceHints.rotational', `${showValue(hints.rotational)} is not true or false`, 'give a boolean');
      }
      out.rotational = hints.rotational;
    }
    return Object.keys(out).length ? out : undefined;
  }
}
