import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { _registerRefCheck, checkProps } from '../util/props';

/**
 * How a VM boots an image: the KubeVirt volume (and, for persistent disks, the CDI DataVolume
 * template) that a node pool puts into its VirtualMachine template. Values are plain JSON in the
 * shape KubeVirt accepts (`spec.template.spec.volumes[]` and `spec.dataVolumeTemplates[]`).
 */
export interface VirtualMachineDiskBinding {
  /** The KubeVirt volume, named as the caller asked. */
  readonly volume: any;
  /** A CDI DataVolume template when the disk is persistent; absent for ephemeral containerDisks. */
  readonly dataVolumeTemplate?: any;
  /** The image reference, for reports and policy checks (e.g. `quay.io/capk/ubuntu:v1.33.0`). */
  readonly imageRef: string;
}

/** Options for binding an image to a VM's root disk. */
export interface VirtualMachineDiskOptions {
  /** Volume (and DataVolume) name. */
  readonly volumeName: string;
  /**
   * Size of a persistent root disk in GiB.
   * @default - the image's own default: ephemeral for a containerDisk, required for DataVolumes
   */
  readonly rootDiskGiB?: number;
  /**
   * Storage class for a persistent root disk.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
  /**
   * Request a persistent root disk ReadWriteMany, so that KubeVirt can live-migrate the VM (it
   * refuses to migrate a VM with a PVC that is not shared). No effect on ephemeral containerDisks.
   * @default false
   */
  readonly sharedAccess?: boolean;
  /**
   * The Kubernetes release of the cluster the VM joins (`v1.33.2`). An image templated by
   * `{kubernetesVersion}` follows it; an image that declares the release its kubelet carries
   * (`kubernetesVersion`) is refused when the minors differ.
   * @default - not checked (and templated images cannot be bound)
   */
  readonly kubernetesVersion?: string;
}

/**
 * Something a KubeVirt VM can boot: implemented by `MachineImage` and by the `NodeImage` construct.
 */
export interface IMachineImage {
  /** The image reference for reports and policy checks. */
  readonly imageRef: string;
  /**
   * The Kubernetes release whose kubelet and kubeadm the image carries (kubeadm images join with
   * their own kubelet), e.g. `v1.33.2`: clusters, classes and waves of another minor are refused.
   * Undefined when the image does not say, or follows the cluster's release (`{kubernetesVersion}`).
   */
  readonly kubernetesVersion?: string;
  /** Produces the VM volume (and DataVolume template) for a root disk. */
  bindToVirtualMachine(scope: IConstruct, options: VirtualMachineDiskOptions): VirtualMachineDiskBinding;
}

/** Options for `MachineImage.containerDisk()`. */
export interface ContainerDiskOptions {
  /**
   * Accept a reference without a tag or digest, or tagged `latest`. Mutable references make two
   * synths of the same program boot different OS images, so they are refused unless you opt in.
   * @default false
   */
  readonly allowMutableTag?: boolean;
  /**
   * The Kubernetes release whose kubelet the image carries, e.g. `v1.33.2` (checked against the
   * release of every cluster that boots it).
   * @default - not declared, not checked
   */
  readonly kubernetesVersion?: string;
}

/** Source of a CDI DataVolume root disk. */
export interface DataVolumeImageProps {
  /** HTTP(S) URL of a disk image (qcow2/raw), imported by CDI. One of `url` or `registryImage`. @default - none */
  readonly url?: string;
  /** Container image holding a disk (imported by CDI from the registry). @default - none */
  readonly registryImage?: string;
  /** Default size of the imported disk in GiB, when the node pool does not set `rootDiskGiB`. @default - the pool must set rootDiskGiB */
  readonly defaultSizeGiB?: number;
  /** As for containerDisk. @default false */
  readonly allowMutableTag?: boolean;
  /** As for containerDisk. @default - not declared, not checked */
  readonly kubernetesVersion?: string;
}

/** A CDI `DataSource`: a named, cluster-managed pointer to a golden disk (a PVC or snapshot). */
export interface DataSourceImageProps {
  /** Name of the DataSource. */
  readonly name: string;
  /** Namespace of the DataSource. @default - the VM's namespace */
  readonly namespace?: string;
  /** Size of the cloned disk in GiB, when the node pool does not set `rootDiskGiB`. @default - the source's size (CDI infers it for clones) */
  readonly defaultSizeGiB?: number;
}

const IMAGE_REF = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * Checks an OCI image reference: well-formed, and pinned by tag or digest (not `latest`).
 * @internal
 */
export function _validateImageRef(scope: IConstruct, field: string, ref: string, allowMutable: boolean): void {
  if (typeof ref !== 'string' || !IMAGE_REF.test(ref)) {
    throw new KmetalValidationError(scope, field, `${showValue(ref)} is not an OCI image reference`, 'write it as registry/repository:tag or registry/repository@sha256:<digest>');
  }
  const lastSegment = ref.split('/').pop()!;
  const hasDigest = ref.includes('@sha256:');
  const tag = lastSegment.includes(':') ? lastSegment.split('@')[0].split(':')[1] : undefined;
  if (!allowMutable && !hasDigest && (!tag || tag === 'latest')) {
    throw new KmetalValidationError(scope, field, `${showValue(ref)} is not pinned (${tag ? 'tag "latest"' : 'no tag or digest'}): the same program would boot different images over time`, 'pin a version tag (e.g. ":v1.33.0") or a digest ("@sha256:..."), or set allowMutableTag: true to accept it knowingly');
  }
}

/**
 * Checks that a value given as an image is one (`MachineImage.containerDisk(...)`, a `NodeImage`...):
 * from JavaScript, or through a cast, an image reference string arrives here and would otherwise
 * fail deep inside the VM rendering. The one check every prop that takes an `IMachineImage` uses:
 * where VMs boot it (`orBareMetal` false), and where it may also be for servers (a cluster's or the
 * platform's default, whose bare-metal readers check their side).
 * @internal
 */
export function _checkMachineImage(scope: IConstruct | string, field: string, value: unknown, orBareMetal = false): IMachineImage {
  const image = value as { bindToVirtualMachine?: unknown; bindToBareMetal?: unknown; imageRef?: unknown } | null;
  const forVms = typeof image?.bindToVirtualMachine === 'function' && typeof image?.imageRef === 'string';
  if (typeof value !== 'object' || value === null || !(forVms || (orBareMetal && typeof image?.bindToBareMetal === 'function'))) {
    const fix = typeof value === 'string'
      ? `wrap the reference: MachineImage.containerDisk(${JSON.stringify(value)}), or use a NodeImage`
      : 'use MachineImage.containerDisk("registry/repository:tag") or a NodeImage';
    const what = typeof value === 'object' && value !== null && typeof image?.bindToBareMetal === 'function' ? 'is a bare-metal image only, not one VMs can boot' : 'is not a machine image';
    throw new KmetalValidationError(scope, field, `${showValue(value)} ${what}`, fix);
  }
  return value as IMachineImage;
}

// Every prop typed IMachineImage gets this check from checkKnownProps (a cluster's or the platform's
// default may be a bare-metal image; where VMs boot it, the stricter check runs again).
_registerRefCheck('IMachineImage', (scope, field, value) => {
  _checkMachineImage(scope, field, value, true);
});

const RELEASE = /^v?(\d+)\.(\d+)\.(\d+)$/;

/**
 * Checks a declared kubelet release: a full Kubernetes release such as `v1.33.2`.
 * @internal
 */
export function _validateKubeletRelease(scope: IConstruct | string, field: string, version: unknown): string {
  if (typeof version !== 'string' || !RELEASE.test(version)) {
    throw new KmetalValidationError(scope, field, `${showValue(version)} is not a Kubernetes release`, 'give the release the image\'s kubelet and kubeadm are built for, e.g. "v1.33.2"');
  }
  return version.startsWith('v') ? version : `v${version}`;
}

/**
 * Refuses an image whose kubelet is built for another Kubernetes minor than the cluster it joins:
 * kubeadm images carry the kubelet, so the node would join with the old one (or not at all) while
 * Cluster API records the new release. The one check every consumer (node pools, classes, waves)
 * goes through.
 *
 * @param what what runs `clusterVersion` (e.g. `the cluster`, `wave "canary"`), for the message
 * @internal
 */
export function _checkImageRelease(scope: IConstruct, field: string, imageRef: string, imageRelease: string | undefined, clusterVersion: string | undefined, what = 'the cluster'): void {
  const p = _imageReleaseProblem(imageRef, imageRelease, clusterVersion, what);
  if (p) throw new KmetalValidationError(scope, field, p.problem, p.fix);
}

/**
 * What is wrong when an image's kubelet release and a Kubernetes version have different minors
 * (undefined when they match, or either is unknown). @internal
 */
export function _imageReleaseProblem(
  imageRef: string, imageRelease: string | undefined, clusterVersion: string | undefined, what: string,
): { problem: string; fix: string } | undefined {
  if (imageRelease === undefined || clusterVersion === undefined) return undefined;
  const image = RELEASE.exec(imageRelease);
  const cluster = RELEASE.exec(clusterVersion);
  if (!image || !cluster) return undefined;
  if (image[1] === cluster[1] && image[2] === cluster[2]) return undefined;
  const imageMinor = `v${image[1]}.${image[2]}`;
  const clusterMinor = `v${cluster[1]}.${cluster[2]}`;
  return {
    problem: `${showValue(imageRef)} carries the kubelet of Kubernetes ${imageRelease} (${imageMinor}), but ${what} is on ${clusterVersion} (${clusterMinor}): kubeadm images join with their own kubelet, so the nodes would not run the release Cluster API rolls them to`,
    fix: `roll the image with the version: give an image built for ${clusterMinor} (e.g. a NodeImage with kubernetesVersion "${clusterVersion}") in the same change, template the image reference with {kubernetesVersion} so that it follows the cluster, or keep ${what} on ${imageMinor}`,
  };
}

/**
 * A VM image given directly (without building it with Kairos): a containerDisk image or a CDI
 * DataVolume import.
 */
export class MachineImage implements IMachineImage {
  /**
   * Boots a KubeVirt containerDisk image. Ephemeral by default; with `rootDiskGiB` on the pool the
   * image is imported by CDI into a persistent disk of that size instead.
   */
  public static containerDisk(image: string, options: ContainerDiskOptions = {}): MachineImage {
    checkProps('MachineImage.containerDisk', 'options', options, 'ContainerDiskOptions');
    const m = new MachineImage(image, 'containerDisk', options.allowMutableTag ?? false);
    if (options.kubernetesVersion !== undefined) m.release = _validateKubeletRelease('MachineImage.containerDisk', 'kubernetesVersion', options.kubernetesVersion);
    return m;
  }

  /** Boots a disk imported by CDI from a URL or a registry image into a persistent DataVolume. */
  public static dataVolume(props: DataVolumeImageProps): MachineImage {
    checkProps('MachineImage.dataVolume', '', props, 'DataVolumeImageProps');
    const ref = props.url ?? props.registryImage ?? '';
    const image = new MachineImage(ref, props.url ? 'http' : 'registry', props.allowMutableTag ?? false);
    image.defaultSizeGiB = props.defaultSizeGiB;
    image.bothSourcesGiven = !!props.url && !!props.registryImage;
    if (props.kubernetesVersion !== undefined) image.release = _validateKubeletRelease('MachineImage.dataVolume', 'kubernetesVersion', props.kubernetesVersion);
    return image;
  }

  /**
   * Boots a disk cloned by CDI from a `DataSource` into a persistent DataVolume. A DataSource is a
   * movable pointer (e.g. kept current by a DataImportCron): VMs created after it moves boot the
   * new disk while existing ones keep theirs, so name versions in the DataSource name to roll pools
   * deliberately.
   */
  public static dataSource(props: DataSourceImageProps): MachineImage {
    checkProps('MachineImage.dataSource', '', props, 'DataSourceImageProps');
    const ns = props.namespace;
    const image = new MachineImage(`DataSource/${ns ? `${ns}/` : ''}${props.name}`, 'dataSource', false);
    image.defaultSizeGiB = props.defaultSizeGiB;
    image.dataSourceRef = { name: props.name, namespace: ns };
    return image;
  }

  private release?: string;
  private defaultSizeGiB?: number;
  private bothSourcesGiven = false;
  private dataSourceRef?: { name: string; namespace?: string };

  private constructor(public readonly imageRef: string, private readonly kind: 'containerDisk' | 'http' | 'registry' | 'dataSource', private readonly allowMutableTag: boolean) {}

  /** The Kubernetes release the image's kubelet is built for, when declared. */
  public get kubernetesVersion(): string | undefined {
    return this.release;
  }

  public bindToVirtualMachine(scope: IConstruct, options: VirtualMachineDiskOptions): VirtualMachineDiskBinding {
    if (this.bothSourcesGiven) {
      throw new KmetalValidationError(scope, 'image', 'MachineImage.dataVolume() got both url and registryImage', 'give exactly one source');
    }
    _checkImageRelease(scope, 'image', this.imageRef, this.kubernetesVersion, options.kubernetesVersion);
    if (this.kind === 'dataSource') {
      return this.bindDataSource(scope, options);
    }
    if (this.kind === 'http') {
      if (!/^https?:\/\/\S+$/.test(this.imageRef)) {
        throw new KmetalValidationError(scope, 'image.url', `${showValue(this.imageRef)} is not an http(s) URL`, 'give the URL of a qcow2 or raw disk image');
      }
    } else {
      _validateImageRef(scope, 'image', this.imageRef, this.allowMutableTag);
    }
    const size = options.rootDiskGiB ?? this.defaultSizeGiB;
    if (this.kind === 'containerDisk' && size === undefined) {
      return { imageRef: this.imageRef, volume: { name: options.volumeName, containerDisk: { image: this.imageRef } } };
    }
    if (size === undefined) {
      throw new KmetalValidationError(scope, 'rootDiskGiB', 'a DataVolume image needs a disk size', 'set rootDiskGiB on the node pool or defaultSizeGiB on the image');
    }
    const source = this.kind === 'http' ? { http: { url: this.imageRef } } : { registry: { url: `docker://${this.imageRef}` } };
    return {
      imageRef: this.imageRef,
      volume: { name: options.volumeName, dataVolume: { name: options.volumeName } },
      dataVolumeTemplate: {
        metadata: { name: options.volumeName },
        spec: {
          source,
          storage: {
            ...(options.sharedAccess ? { accessModes: ['ReadWriteMany'] } : {}),
            ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
            resources: { requests: { storage: `${size}Gi` } },
          },
        },
      },
    };
  }

  private bindDataSource(scope: IConstruct, options: VirtualMachineDiskOptions): VirtualMachineDiskBinding {
    const ref = this.dataSourceRef!;
    const name1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    if (typeof ref.name !== 'string' || !name1123.test(ref.name) || ref.name.length > 253) {
      throw new KmetalValidationError(scope, 'image.dataSource.name', `${showValue(ref.name)} is not a DataSource name`, 'name an existing CDI DataSource, e.g. "ubuntu-2404-v1-33"');
    }
    if (ref.namespace !== undefined && (typeof ref.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ref.namespace) || ref.namespace.length > 63)) {
      throw new KmetalValidationError(scope, 'image.dataSource.namespace', `${showValue(ref.namespace)} is not a namespace`, 'give the DataSource\'s namespace, or none for the VM\'s own');
    }
    const size = options.rootDiskGiB ?? this.defaultSizeGiB;
    if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
      throw new KmetalValidationError(scope, 'rootDiskGiB', `${showValue(size)} is not a disk size`, 'give a whole number of GiB, e.g. 40');
    }
    // Without a size CDI sizes a clone like its source (storage API).
    const storage = {
      ...(options.sharedAccess ? { accessModes: ['ReadWriteMany'] } : {}),
      ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
      ...(size !== undefined ? { resources: { requests: { storage: `${size}Gi` } } } : {}),
    };
    return {
      imageRef: this.imageRef,
      volume: { name: options.volumeName, dataVolume: { name: options.volumeName } },
      dataVolumeTemplate: {
        metadata: { name: options.volumeName },
        spec: {
          sourceRef: { kind: 'DataSource', name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
          storage,
        },
      },
    };
  }
}
