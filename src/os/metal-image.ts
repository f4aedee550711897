import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { checkProps } from '../util/props';

/**
 * Checksum algorithm of a bare-metal disk image. MD5 is not offered: recent Ironic releases
 * reject MD5 image checksums unless an operator re-enables them.
 */
export enum ImageChecksumType {
  /** SHA-256 (64 hex digits). */
  SHA256 = 'sha256',
  /** SHA-512 (128 hex digits). */
  SHA512 = 'sha512',
}

/** Format of a bare-metal disk image (Metal3 `diskFormat`). */
export enum MetalDiskFormat {
  /** Raw disk image, streamed to the disk as is. */
  RAW = 'raw',
  /** QCOW2, converted by the Ironic agent while writing. */
  QCOW2 = 'qcow2',
  /** VirtualBox VDI. */
  VDI = 'vdi',
  /** VMware VMDK. */
  VMDK = 'vmdk',
  /** A live ISO booted from virtual media, not written to disk (checksum optional). */
  LIVE_ISO = 'live-iso',
}

/** A disk image for bare-metal servers, served over HTTP(S). */
export interface MetalImageOptions {
  /** HTTP(S) URL of the image (at most 512 characters). */
  readonly url: string;
  /**
   * The image's checksum: a hex digest, or the HTTP(S) URL of a checksum file (`sha256sum`
   * output). Ironic refuses to write an image it cannot verify, so it is required, except for
   * live ISOs.
   * @default - none; an error unless `format` is LIVE_ISO
   */
  readonly checksum?: string;
  /**
   * Algorithm of the checksum.
   * @default - from the length of a hex digest; SHA256 for a checksum URL
   */
  readonly checksumType?: ImageChecksumType;
  /** Disk format. @default - unset: the Ironic agent detects it */
  readonly format?: MetalDiskFormat;
}

/** The `image` of a Metal3 machine template, as a bare-metal image binds to it. */
export interface MetalImageBinding {
  /** Image URL. */
  readonly url: string;
  /** Checksum (hex digest or checksum-file URL; empty only for live ISOs). */
  readonly checksum: string;
  /** Checksum algorithm. @default - none (live ISO without checksum) */
  readonly checksumType?: ImageChecksumType;
  /** Disk format. @default - detected by the Ironic agent */
  readonly format?: MetalDiskFormat;
}

/**
 * Something a bare-metal server can be provisioned with: implemented by `MetalImage` and by the
 * `NodeImage` construct. Consumed by `BareMetalMachineTemplate`.
 */
export interface IMetalImage {
  /** The image reference for reports and policy checks (the image URL). */
  readonly imageRef: string;
  /** Produces the Metal3 `image` of a machine template (checked; errors name `scope`). */
  bindToBareMetal(scope: IConstruct): MetalImageBinding;
}

const HEX_LENGTH: { [type: string]: number } = { [ImageChecksumType.SHA256]: 64, [ImageChecksumType.SHA512]: 128 };

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/.test(text)) return false;
  try {
    return new URL(text).hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * Checks a bare-metal image and fills in what can be derived (checksum type from a digest).
 * @internal
 */
export function _bindMetalImage(scope: IConstruct, field: string, options: MetalImageOptions): MetalImageBinding {
  const { url, checksum, checksumType, format } = options;
  if (typeof url !== 'string' || !isHttpUrl(url) || url.length > 512) {
    throw new KmetalValidationError(scope, `${field}.url`, `${showValue(url)} is not an http(s) URL of at most 512 characters`, 'give the URL the Ironic agent downloads the image from, e.g. "https://images.example.com/node-v1.4.0.raw"');
  }
  if (format !== undefined && !Object.values(MetalDiskFormat).includes(format)) {
    throw new KmetalValidationError(scope, `${field}.format`, `${showValue(format)} is not a disk format Metal3 accepts`, `use one of ${Object.values(MetalDiskFormat).join(', ')}`);
  }
  if (checksum === undefined || checksum === '') {
    if (format === MetalDiskFormat.LIVE_ISO) return { url, checksum: '', format };
    throw new KmetalValidationError(scope, `${field}.checksum`, `the bare-metal image ${showValue(url)} has no checksum; Ironic verifies every image it writes to disk`, 'give the image\'s SHA-256 digest or the URL of its checksum file (e.g. "<url>.sha256"), with checksumType when it is SHA-512');
  }
  if (checksumType !== undefined && !(checksumType in HEX_LENGTH)) {
    throw new KmetalValidationError(scope, `${field}.checksumType`, `${showValue(checksumType)} is not a checksum type offered (MD5 is refused by Ironic by default)`, 'use ImageChecksumType.SHA256 or SHA512');
  }
  if (isHttpUrl(checksum)) {
    if (checksum.length > 512) {
      throw new KmetalValidationError(scope, `${field}.checksum`, 'the checksum URL is longer than 512 characters', 'serve the checksum file under a shorter URL');
    }
    return { url, checksum, checksumType: checksumType ?? ImageChecksumType.SHA256, ...(format ? { format } : {}) };
  }
  if (!/^[0-9a-fA-F]+$/.test(checksum)) {
    throw new KmetalValidationError(scope, `${field}.checksum`, `${showValue(checksum)} is neither a hex digest nor an http(s) URL of a checksum file`, 'give the SHA-256 digest (64 hex digits) or the URL of a sha256sum file');
  }
  const inferred = Object.keys(HEX_LENGTH).find((t) => HEX_LENGTH[t] === checksum.length) as ImageChecksumType | undefined;
  if (!inferred || (checksumType !== undefined && checksumType !== inferred)) {
    throw new KmetalValidationError(scope, `${field}.checksum`, `a digest of ${checksum.length} hex digits is ${checksum.length === 32 ? 'MD5, which Ironic refuses by default' : `not a ${checksumType ?? 'SHA-256 or SHA-512'} digest`}`, 'give a SHA-256 (64 hex digits) or SHA-512 (128) digest matching checksumType');
  }
  return { url, checksum: checksum.toLowerCase(), checksumType: inferred, ...(format ? { format } : {}) };
}

/** A bare-metal disk image given by URL and checksum (without a `NodeImage`). */
export class MetalImage implements IMetalImage {
  /** An image served over HTTP(S). */
  public static fromUrl(options: MetalImageOptions): MetalImage {
    checkProps('MetalImage.fromUrl', '', options, 'MetalImageOptions');
    return new MetalImage(options);
  }

  /** The image URL. */
  public readonly imageRef: string;

  private constructor(private readonly options: MetalImageOptions) {
    this.imageRef = options.url;
  }

  public bindToBareMetal(scope: IConstruct): MetalImageBinding {
    return _bindMetalImage(scope, 'image', this.options);
  }
}
