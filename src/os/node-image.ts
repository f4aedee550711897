import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _kairosPublication, KairosBuildOptions } from './kairos-build';
import {
  _checkImageRelease, _validateImageRef, _validateKubeletRelease, DataSourceImageProps, IMachineImage, MachineImage,
  VirtualMachineDiskBinding, VirtualMachineDiskOptions,
} from './machine-image';
import { _bindMetalImage, IMetalImage, ImageChecksumType, MetalDiskFormat, MetalImageBinding, MetalImageOptions } from './metal-image';
import { OsArtifact } from '../imports/build.kairos.io';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkProps } from '../util/props';

/** Props of `NodeImage`. Give exactly one VM source (`kairos`, `containerDisk`, `diskImageUrl`, `registryDiskImage`, `dataSource`), or only `metal`. */
export interface NodeImageProps {
  /**
   * The image version, e.g. `v1.4.0`: the one value to change to roll every node pool and every
   * bare-metal machine template that uses the image. `{version}` in references and URLs below is
   * replaced by it, and a reference or URL that does not carry it is refused (bumping the version
   * would silently not change what nodes boot). `latest` is refused unless `allowMutableTag`.
   */
  readonly version: string;
  /** Image name (OSArtifact and artifact names start with it). @default - the construct id */
  readonly name?: string;
  /** Namespace of the OSArtifact (the Kairos build runs there). @default 'default' */
  readonly namespace?: string;
  /** Build the image with the Kairos operator. @default - not built here */
  readonly kairos?: KairosBuildOptions;
  /**
   * An existing KubeVirt containerDisk image, e.g. `quay.io/acme/node-disk` (tagged with the
   * version) or `quay.io/acme/node-disk:{version}@sha256:...`.
   * @default - none
   */
  readonly containerDisk?: string;
  /** HTTP(S) URL of a qcow2/raw disk image that CDI imports into each VM's DataVolume. @default - none */
  readonly diskImageUrl?: string;
  /** A container image holding a disk, imported by CDI from the registry. @default - none */
  readonly registryDiskImage?: string;
  /** A CDI DataSource cloned into each VM's DataVolume (`{version}` allowed in its name). @default - none */
  readonly dataSource?: DataSourceImageProps;
  /** Size in GiB of imported VM disks when the pool does not set `rootDiskGiB`. @default - the pool must set rootDiskGiB (DataSource clones: the source's size) */
  readonly vmDiskGiB?: number;
  /**
   * The image for bare-metal servers (`{version}` allowed in URL and checksum URL).
   * @default - for a Kairos build with an artifactServer: its raw disk image and sha256 file; otherwise none
   */
  readonly metal?: MetalImageOptions;
  /** Accept mutable references (`latest`, no tag) knowingly. @default false */
  readonly allowMutableTag?: boolean;
  /**
   * The Kubernetes release whose kubelet and kubeadm the image carries, e.g. `v1.33.2`, or
   * `{version}` when the image version is that release. kubeadm images join with their own
   * kubelet, so node pools, classes and rollout waves of another Kubernetes minor are refused (bump
   * the image with the version). Instead, a VM reference may carry `{kubernetesVersion}` (e.g.
   * `quay.io/capk/ubuntu-2404-container-disk:{kubernetesVersion}`): it then follows the release of
   * each cluster that boots it (and need not carry `{version}`).
   * @default - not declared: not checked
   */
  readonly kubernetesVersion?: string;
}

const VERSION = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const PLACEHOLDER = '{version}';
/** Replaced by the Kubernetes release of each cluster that boots the image. */
const K8S_PLACEHOLDER = '{kubernetesVersion}';
/** A release to try a templated reference with (only to check it is well formed). */
const SAMPLE_RELEASE = 'v1.33.0';

/**
 * One versioned OS image for every node, VM or metal.
 *
 * Built with Kairos (an `OSArtifact` producing a raw disk image, published with its checksum) or
 * taken from an existing containerDisk, disk URL, registry disk or CDI DataSource; implements
 * `IMachineImage` (for `NodePool.image`) and `IMetalImage` (for `BareMetalMachineTemplate`).
 * Consumers fold the image into their template names, so changing `version` rolls them all.
 */
export class NodeImage extends Construct implements IMachineImage, IMetalImage {
  /** Image name. */
  public readonly imageName: string;
  /** The version. */
  public readonly version: string;
  /** What VMs boot (containerDisk reference, disk URL or DataSource), else the bare-metal URL. */
  public readonly imageRef: string;
  /** The KubeVirt containerDisk reference, when VMs boot one. */
  public readonly containerDiskImage?: string;
  /** The bare-metal image, when the image has one. */
  public readonly metal?: MetalImageBinding;
  /** The OS image the Kairos build pushes, if it pushes one. */
  public readonly osImage?: string;
  /** Name of the OSArtifact (and of its artifact files), for Kairos builds. */
  public readonly osArtifactName?: string;
  /** The OSArtifact, for Kairos builds (escape hatch). */
  public readonly osArtifact?: ApiObject;

  /**
   * The Kubernetes release whose kubelet the image carries (`kubernetesVersion`), when declared:
   * pools, classes and waves of another minor are refused.
   */
  public readonly kubernetesVersion?: string;
  /** Whether the VM image follows each cluster's Kubernetes release (`{kubernetesVersion}` in its reference). */
  public readonly followsKubernetesVersion: boolean = false;

  private readonly vmImage?: MachineImage;
  /** The props of a VM source templated by `{kubernetesVersion}`, bound per cluster. */
  private readonly vmTemplate?: NodeImageProps;
  private readonly templatedRef?: string;
  private readonly allowMutableTag: boolean;

  constructor(scope: Construct, id: string, props: NodeImageProps) {
    super(scope, id);
    checkProps(this, '', props, 'NodeImageProps');
    this.allowMutableTag = props.allowMutableTag ?? false;
    if (typeof props.version !== 'string' || !VERSION.test(props.version)) {
      throw new KmetalValidationError(this, 'version', `${showValue(props.version)} is not an image version (a tag: letters, digits, '.', '_', '-')`, 'give e.g. "v1.4.0"');
    }
    if (props.version === 'latest' && !this.allowMutableTag) {
      throw new KmetalValidationError(this, 'version', '"latest" names a different image over time, so nothing would roll when it changes', 'give a real version such as "v1.4.0", or set allowMutableTag: true to accept it knowingly');
    }
    this.version = props.version;
    this.imageName = validateDnsLabel(this, 'name', props.name ?? id, 40);
    const sources = (['kairos', 'containerDisk', 'diskImageUrl', 'registryDiskImage', 'dataSource'] as const).filter((k) => props[k] !== undefined);
    if (sources.length > 1) {
      throw new KmetalValidationError(this, sources[1], `${sources.join(' and ')} are both given`, 'give exactly one source for the VM disk');
    }
    if (sources.length === 0 && props.metal === undefined) {
      throw new KmetalValidationError(this, 'kairos', 'the image has no source', 'give kairos, containerDisk, diskImageUrl, registryDiskImage or dataSource (and/or metal)');
    }
    if (props.vmDiskGiB !== undefined && (!Number.isInteger(props.vmDiskGiB) || props.vmDiskGiB < 1)) {
      throw new KmetalValidationError(this, 'vmDiskGiB', `${showValue(props.vmDiskGiB)} is not a disk size`, 'give a whole number of GiB, e.g. 40');
    }

    let derivedMetal: MetalImageOptions | undefined;
    if (props.kairos !== undefined) {
      const namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'default');
      this.osArtifactName = `${this.imageName}-${versionSlug(this.version)}`;
      if (this.osArtifactName.length > 63) {
        throw new KmetalValidationError(this, 'name', `the OSArtifact name "${this.osArtifactName}" (name + version) is longer than 63 characters`, 'shorten the image name');
      }
      const published = _kairosPublication(this, props.kairos, this.osArtifactName, this.version, this.allowMutableTag);
      this.osImage = published.osImage;
      this.osArtifact = new ApiObject(this, 'OSArtifact', {
        ...OsArtifact.GVK,
        metadata: {
          name: this.osArtifactName,
          namespace,
          labels: { 'kmetal.io/node-image': this.imageName },
          annotations: { 'kmetal.io/node-image-version': this.version },
        },
        spec: published.spec,
      });
      if (published.diskUrl) {
        derivedMetal = {
          url: published.diskUrl,
          checksum: published.checksumUrl,
          checksumType: ImageChecksumType.SHA256,
          format: MetalDiskFormat.RAW,
        };
      }
      if (props.kairos.containerDiskRepository !== undefined) {
        const repo = props.kairos.containerDiskRepository;
        if (typeof repo !== 'string' || /[:@]/.test(repo.split('/').pop() ?? '')) {
          throw new KmetalValidationError(this, 'kairos.containerDiskRepository', `${showValue(repo)} is not a repository without tag or digest`, 'give the repository only (e.g. "registry.example.com/kmetal/node-disk"); the tag is the image version');
        }
        this.vmImage = this.containerDiskImageOf('kairos.containerDiskRepository', `${repo}:${this.version}`);
      } else if (published.diskUrl) {
        this.vmImage = MachineImage.dataVolume({ url: published.diskUrl, defaultSizeGiB: props.vmDiskGiB });
      }
    } else {
      // A reference templated by {kubernetesVersion} is bound per cluster (bindToVirtualMachine);
      // built here once with a sample release, so that a bad reference fails where it is written.
      this.followsKubernetesVersion = [props.containerDisk, props.diskImageUrl, props.registryDiskImage, props.dataSource?.name]
        .some((t) => typeof t === 'string' && t.includes(K8S_PLACEHOLDER));
      if (this.followsKubernetesVersion && props.kubernetesVersion !== undefined) {
        throw new KmetalValidationError(this, 'kubernetesVersion', `the image follows the cluster's release (${K8S_PLACEHOLDER} in its reference), so it carries no single release ${showValue(props.kubernetesVersion)}`, `drop kubernetesVersion, or write the release into the reference instead of ${K8S_PLACEHOLDER}`);
      }
      const vm = this.vmImageOf(props, this.followsKubernetesVersion ? SAMPLE_RELEASE : undefined);
      if (this.followsKubernetesVersion) {
        this.vmTemplate = props;
        this.templatedRef = this.vmImageOf(props, K8S_PLACEHOLDER, false)?.imageRef;
      } else {
        this.vmImage = vm;
      }
    }
    if (props.kubernetesVersion !== undefined) {
      this.kubernetesVersion = _validateKubeletRelease(this, 'kubernetesVersion', this.substitute(props.kubernetesVersion));
    }

    const metalOptions = props.metal !== undefined
      ? { ...props.metal, url: this.carriesVersion('metal.url', this.substitute(props.metal.url)), checksum: props.metal.checksum === undefined ? undefined : this.substitute(props.metal.checksum) }
      : derivedMetal;
    if (metalOptions) this.metal = _bindMetalImage(this, 'metal', metalOptions);
    if (this.vmImage && (props.containerDisk !== undefined || props.kairos?.containerDiskRepository !== undefined)) {
      this.containerDiskImage = this.vmImage.imageRef;
    }
    if (this.templatedRef !== undefined && props.containerDisk !== undefined) this.containerDiskImage = this.templatedRef;
    this.imageRef = this.vmImage?.imageRef ?? this.templatedRef ?? this.metal?.url ?? this.osImage ?? this.osArtifactName!;
  }

  public bindToVirtualMachine(scope: IConstruct, options: VirtualMachineDiskOptions): VirtualMachineDiskBinding {
    if (this.vmTemplate) {
      if (options.kubernetesVersion === undefined) {
        throw new KmetalValidationError(scope, 'image', `NodeImage ${this.imageName} follows the cluster's Kubernetes release (${K8S_PLACEHOLDER}), but no release was given to bind it`, 'bind it through a node pool, class or wave, which pass their release');
      }
      return this.vmImageOf(this.vmTemplate, options.kubernetesVersion)!.bindToVirtualMachine(scope, options);
    }
    if (!this.vmImage) {
      throw new KmetalValidationError(scope, 'image', `NodeImage ${this.imageName} ${this.version} has no disk for VMs`, 'give the NodeImage a VM source (containerDisk, diskImageUrl, registryDiskImage, dataSource), or for a Kairos build an artifactServer or containerDiskRepository');
    }
    _checkImageRelease(scope, 'image', this.vmImage.imageRef, this.kubernetesVersion, options.kubernetesVersion);
    return this.vmImage.bindToVirtualMachine(scope, options);
  }

  /**
   * The VM image of a non-Kairos source, with `{kubernetesVersion}` replaced by `release` (left as
   * is when undefined). `check: false` only assembles the reference (for `imageRef`).
   */
  private vmImageOf(props: NodeImageProps, release: string | undefined, check = true): MachineImage | undefined {
    const sub = (text: string) => {
      const t = this.substitute(text);
      return typeof t === 'string' && release !== undefined ? t.split(K8S_PLACEHOLDER).join(release) : t;
    };
    if (!check) {
      const raw = props.containerDisk ?? props.registryDiskImage;
      if (raw !== undefined) return MachineImage.containerDisk(this.withTag(sub(raw)), { allowMutableTag: true });
      if (props.diskImageUrl !== undefined) return MachineImage.dataVolume({ url: sub(props.diskImageUrl) });
      if (props.dataSource !== undefined) return MachineImage.dataSource({ ...props.dataSource, name: sub(props.dataSource.name) });
      return undefined;
    }
    if (props.containerDisk !== undefined) {
      return this.containerDiskImageOf('containerDisk', this.withTag(sub(props.containerDisk)));
    } else if (props.diskImageUrl !== undefined) {
      const url = this.carriesVersion('diskImageUrl', sub(props.diskImageUrl));
      if (!/^https?:\/\/\S+$/.test(url)) {
        throw new KmetalValidationError(this, 'diskImageUrl', `${showValue(url)} is not an http(s) URL`, 'give the URL of a qcow2 or raw disk image');
      }
      return MachineImage.dataVolume({ url, defaultSizeGiB: props.vmDiskGiB });
    } else if (props.registryDiskImage !== undefined) {
      const ref = this.carriesVersion('registryDiskImage', this.withTag(sub(props.registryDiskImage)));
      _validateImageRef(this, 'registryDiskImage', ref, this.allowMutableTag);
      return MachineImage.dataVolume({ registryImage: ref, defaultSizeGiB: props.vmDiskGiB, allowMutableTag: this.allowMutableTag });
    } else if (props.dataSource !== undefined) {
      const ds = props.dataSource;
      return MachineImage.dataSource({ ...ds, name: sub(ds.name), defaultSizeGiB: ds.defaultSizeGiB ?? props.vmDiskGiB });
    }
    return undefined;
  }

  public bindToBareMetal(scope: IConstruct): MetalImageBinding {
    if (!this.metal) {
      throw new KmetalValidationError(scope, 'image', `NodeImage ${this.imageName} ${this.version} has no bare-metal image`, 'set metal: { url, checksum } on the NodeImage, or for a Kairos build an artifactServer');
    }
    return this.metal;
  }

  private substitute(text: string): string {
    return typeof text === 'string' ? text.split(PLACEHOLDER).join(this.version) : text;
  }

  /** A reference without a tag gets the version as its tag (before a digest, if any). */
  private withTag(ref: string): string {
    if (typeof ref !== 'string') return ref;
    const [name, digest] = ref.split('@', 2);
    const last = name.split('/').pop() ?? '';
    if (last.includes(':')) return ref;
    return `${name}:${this.version}${digest !== undefined ? `@${digest}` : ''}`;
  }

  private containerDiskImageOf(field: string, ref: string): MachineImage {
    _validateImageRef(this, field, ref, this.allowMutableTag);
    this.carriesVersion(field, ref);
    return MachineImage.containerDisk(ref, { allowMutableTag: this.allowMutableTag });
  }

  private carriesVersion(field: string, value: string): string {
    // A reference that follows the cluster's release changes with it: that is what rolls the nodes.
    if (this.followsKubernetesVersion) return value;
    if (typeof value === 'string' && !value.includes(this.version)) {
      throw new KmetalValidationError(this, field, `${showValue(value)} does not carry the image version "${this.version}", so changing the version would not change what nodes boot`, `write ${PLACEHOLDER} where the version goes (e.g. ".../node-${PLACEHOLDER}.raw"), or leave the tag out of an image reference`);
    }
    return value;
  }
}

/** `v1.4.0` → `v1-4-0` (OSArtifact and artifact names are DNS labels). */
function versionSlug(version: string): string {
  return version.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '') || 'v';
}
