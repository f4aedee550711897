import { IConstruct } from 'constructs';
import { parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';

/**
 * The BMC drivers Metal3's baremetal-operator accepts, by address scheme.
 *
 * Source: metal3-io/baremetal-operator v0.13.2 (the pinned CRDs' release),
 * `pkg/hardwareutils/bmc/*.go`, the `RegisterFactory(...)` calls in each driver's `init()`:
 * `ipmi.go` (ipmi, libvirt), `redfish.go` (redfish, ilo5-redfish, idrac-redfish),
 * `redfish_virtualmedia.go` (redfish-virtualmedia, ilo5-virtualmedia), `redfish_https.go`
 * (redfish-uefihttp), `idrac_virtualmedia.go` (idrac-virtualmedia). Every Redfish-based driver
 * is registered with the `http` and `https` transports too (`redfish+http://`, `idrac-virtualmedia+https://`, ...);
 * ipmi and libvirt are not.
 */
export enum BmcDriver {
  /** IPMI (`ipmi://host[:port]`, port 623 by default). Boots over PXE; no RAID, no secure boot. */
  IPMI = 'ipmi',
  /** Virtual BMC of libvirt test rigs (vbmc; IPMI protocol). Needs the boot MAC. For labs only. */
  LIBVIRT = 'libvirt',
  /** Generic Redfish, booting over PXE/iPXE. Needs the boot MAC. */
  REDFISH = 'redfish',
  /** Generic Redfish, booting the deploy image from virtual media (no provisioning network needed). */
  REDFISH_VIRTUAL_MEDIA = 'redfish-virtualmedia',
  /** Generic Redfish, booting over UEFI HTTP boot. Needs the boot MAC. */
  REDFISH_UEFI_HTTP = 'redfish-uefihttp',
  /** Dell iDRAC through Redfish, booting over PXE/iPXE. Needs the boot MAC. */
  IDRAC_REDFISH = 'idrac-redfish',
  /** Dell iDRAC through Redfish, booting from virtual media. */
  IDRAC_VIRTUAL_MEDIA = 'idrac-virtualmedia',
  /** HPE iLO 5 through Redfish, booting over PXE/iPXE. Needs the boot MAC. */
  ILO5_REDFISH = 'ilo5-redfish',
  /** HPE iLO 5 through Redfish, booting from virtual media. */
  ILO5_VIRTUAL_MEDIA = 'ilo5-virtualmedia',
}

/** How a Redfish-based driver talks to the BMC. */
export enum BmcTransport {
  /** HTTPS (what a Redfish scheme without `+transport` means). */
  HTTPS = 'https',
  /** Plain HTTP (`redfish+http://`): credentials cross the wire in clear text; labs only. */
  HTTP = 'http',
}

/** Parts of a BMC address for `BmcAddress.format()`. */
export interface BmcAddressOptions {
  /** Port of the BMC. @default - the driver's default (623 for IPMI, 443/80 for Redfish) */
  readonly port?: number;
  /**
   * Redfish system path, e.g. `/redfish/v1/Systems/1` (needed when one BMC manages several
   * systems, e.g. a chassis manager or sushy-tools). Ignored by IPMI.
   * @default - none: the BMC's only system
   */
  readonly systemPath?: string;
  /** Transport of a Redfish-based driver. @default - none in the scheme (HTTPS) */
  readonly transport?: BmcTransport;
}

const REDFISH_FAMILY = new Set<string>([
  BmcDriver.REDFISH, BmcDriver.REDFISH_VIRTUAL_MEDIA, BmcDriver.REDFISH_UEFI_HTTP,
  BmcDriver.IDRAC_REDFISH, BmcDriver.IDRAC_VIRTUAL_MEDIA, BmcDriver.ILO5_REDFISH, BmcDriver.ILO5_VIRTUAL_MEDIA,
]);
// NeedsMAC() of each driver at v0.13.2: the virtual-media drivers discover the boot NIC; the
// others create an Ironic port for it, so the BareMetalHost must name it (webhook rule).
const NEEDS_BOOT_MAC = new Set<string>([
  BmcDriver.LIBVIRT, BmcDriver.REDFISH, BmcDriver.REDFISH_UEFI_HTTP, BmcDriver.IDRAC_REDFISH, BmcDriver.ILO5_REDFISH,
]);
// Drivers removed from baremetal-operator before v0.13.2, with what to use instead.
const REMOVED: { [scheme: string]: string } = {
  'ilo4': 'the non-Redfish iLO 4 driver was removed from Metal3; use redfish:// if the iLO speaks Redfish',
  'ilo4-virtualmedia': 'the non-Redfish iLO 4 driver was removed from Metal3; use redfish-virtualmedia:// if the iLO speaks Redfish',
  'ilo5': 'the non-Redfish iLO 5 driver was removed from Metal3; use ilo5-redfish:// or ilo5-virtualmedia://',
  'irmc': 'the iRMC driver was removed from Metal3; use redfish:// or redfish-virtualmedia://',
  'ibmc': 'the iBMC driver was removed from Metal3; use redfish:// or redfish-virtualmedia://',
  'idrac': 'the WS-Man iDRAC driver was removed from Metal3; use idrac-redfish:// or idrac-virtualmedia://',
  'http': 'a plain http URL does not say which protocol the BMC speaks; use redfish+http:// (or another Redfish scheme)',
  'https': 'a plain https URL does not say which protocol the BMC speaks; use redfish:// or redfish-virtualmedia:// (HTTPS is their default)',
};
const DNS_HOST = /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])$/;

function allSchemes(): string[] {
  const out: string[] = [];
  for (const driver of Object.values(BmcDriver)) {
    out.push(driver);
    if (REDFISH_FAMILY.has(driver)) out.push(`${driver}+http`, `${driver}+https`);
  }
  return out;
}

/**
 * A BMC address as Metal3 reads it: `<driver>[+<transport>]://<host>[:<port>][<path>]`.
 *
 * Addresses are written as strings in host specs and inventories (as in a BareMetalHost); the pool
 * parses them into this class, refusing schemes Metal3 does not accept, malformed hosts and ports,
 * and credentials embedded in the address.
 */
export class BmcAddress {
  /** Every scheme Metal3 (baremetal-operator v0.13.2) accepts, transport variants included. */
  public static readonly SUPPORTED_SCHEMES: string[] = Object.freeze(allSchemes()) as string[];

  /** Writes a BMC address from its parts, e.g. `BmcAddress.format(BmcDriver.REDFISH_VIRTUAL_MEDIA, '10.0.0.21', { systemPath: '/redfish/v1/Systems/1' })`. */
  public static format(driver: BmcDriver, host: string, options: BmcAddressOptions = {}): string {
    const transport = options.transport && REDFISH_FAMILY.has(driver) ? `+${options.transport}` : '';
    const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const port = options.port !== undefined ? `:${options.port}` : '';
    const path = options.systemPath ? (options.systemPath.startsWith('/') ? options.systemPath : `/${options.systemPath}`) : '';
    return `${driver}${transport}://${h}${port}${path}`;
  }

  /**
   * Parses and checks an address.
   * @internal
   */
  public static _parse(scope: IConstruct, field: string, text: unknown): BmcAddress {
    const fixForm = `write it as <scheme>://<host>[:<port>][/path] with one of the schemes Metal3 accepts: ${BmcAddress.SUPPORTED_SCHEMES.filter((s) => !s.includes('+')).join(', ')} (Redfish ones also as <scheme>+http or +https)`;
    if (typeof text !== 'string' || text.length === 0) {
      throw new KmetalValidationError(scope, field, `must be a BMC address, got ${showValue(text)}`, fixForm);
    }
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\s]*)([^?#\s]*)(\?[^#\s]*)?$/.exec(text);
    if (!m) {
      throw new KmetalValidationError(scope, field, `${showValue(text)} is not a BMC address with a scheme`, fixForm);
    }
    const scheme = m[1].toLowerCase();
    const authority = m[2];
    if (authority.includes('@')) {
      // Never echo the address: the part before '@' is a user name and maybe a password.
      throw new KmetalValidationError(scope, field, 'the BMC address carries user information (text before "@"), i.e. credentials; they would be written into the BareMetalHost in clear text', 'remove the "user:password@" part and reference the credentials with BmcCredentials.fromSecret() (or bmc.credentialsName in an inventory file)');
    }
    const [base, transport] = scheme.split('+', 2) as [string, string | undefined];
    if (!BmcAddress.SUPPORTED_SCHEMES.includes(scheme)) {
      const removed = REMOVED[base];
      throw new KmetalValidationError(scope, field, `scheme ${showValue(scheme)} of ${showValue(text)} is not one Metal3 accepts${removed ? ` (${removed})` : ''}`, fixForm);
    }
    const hostPort = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(authority) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(authority);
    if (!hostPort) {
      throw new KmetalValidationError(scope, field, `${showValue(text)} has no valid host[:port] (IPv6 addresses go in brackets)`, 'write e.g. redfish://10.0.0.21 or ipmi://[fd00::21]:623');
    }
    const host = hostPort[1];
    const bracketed = authority.startsWith('[');
    const ip = parseIp(host);
    if (bracketed ? ip?.family !== 6 : !(ip?.family === 4 || (!/^[0-9.]+$/.test(host) && DNS_HOST.test(host)))) {
      throw new KmetalValidationError(scope, field, `${showValue(host)} in ${showValue(text)} is neither an IP address nor a DNS name`, 'give the BMC\'s IP address or host name');
    }
    const port = hostPort[2] !== undefined ? Number(hostPort[2]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) {
      throw new KmetalValidationError(scope, field, `port ${port} in ${showValue(text)} is out of range`, 'give a port between 1 and 65535, or none for the driver\'s default');
    }
    return new BmcAddress(text, base as BmcDriver, transport as BmcTransport | undefined, host, port, m[3]);
  }

  /** The address as written. */
  public readonly address: string;
  /** The driver the scheme selects. */
  public readonly driver: BmcDriver;
  /** The transport given in the scheme (`+http`/`+https`), if any. */
  public readonly transport?: BmcTransport;
  /** BMC host (IP address or DNS name). */
  public readonly host: string;
  /** Port given in the address, if any. */
  public readonly port?: number;
  /** Path after the host (the Redfish system), possibly empty. */
  public readonly path: string;

  private constructor(address: string, driver: BmcDriver, transport: BmcTransport | undefined, host: string, port: number | undefined, path: string) {
    this.address = address;
    this.driver = driver;
    this.transport = transport;
    this.host = host;
    this.port = port;
    this.path = path;
  }

  /** Whether the driver speaks Redfish. */
  public get redfish(): boolean {
    return REDFISH_FAMILY.has(this.driver);
  }

  /** Whether Metal3 needs the host's boot MAC with this driver (its `NeedsMAC()`). */
  public get needsBootMac(): boolean {
    return NEEDS_BOOT_MAC.has(this.driver);
  }

  /** Whether the driver can switch UEFI secure boot (IPMI cannot). */
  public get supportsSecureBoot(): boolean {
    return this.redfish;
  }

  /**
   * Whether Metal3 can configure hardware RAID through this driver: its `RAIDInterface()` is not
   * `no-raid` (BMO v0.13.2 `pkg/hardwareutils/bmc/ipmi.go` returns `no-raid` for ipmi and libvirt;
   * every Redfish driver returns `redfish` or `idrac-redfish`), which the BMO webhook checks
   * (`internal/webhooks/metal3.io/v1alpha1/baremetalhost_validation.go`, `validateBMCAccess`).
   */
  public get supportsHardwareRaid(): boolean {
    return this.redfish;
  }

  /**
   * Whether Ironic can read and change BIOS settings (HostFirmwareSettings) through this driver:
   * the Redfish hardware types have a BIOS interface (BMO v0.13.2 `BIOSInterface()` is `""`, Ironic's
   * redfish default, or `idrac-redfish`); Ironic's ipmi hardware type has only `no-bios`.
   */
  public get supportsFirmwareSettings(): boolean {
    return this.redfish;
  }

  /**
   * The BMC endpoint this address reaches, for duplicate detection: two hosts with equal keys are
   * the same BMC (and system). IPMI is keyed by host and port (vbmc serves many hosts on many
   * ports); Redfish by host, port and system path (one BMC may manage several systems), with the
   * transport's default port filled in and the driver family ignored (`redfish://x/S/1` and
   * `redfish-virtualmedia://x:443/S/1/` are the same system).
   * @internal
   */
  public get _endpointKey(): string {
    const host = this.host.toLowerCase();
    if (!this.redfish) return `ipmi|${host}:${this.port ?? 623}`;
    const port = this.port ?? (this.transport === BmcTransport.HTTP ? 80 : 443);
    return `redfish|${host}:${port}|${this.path.replace(/\/+$/, '')}`;
  }
}
