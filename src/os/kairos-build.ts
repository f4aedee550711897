import { IConstruct } from 'constructs';
import { _validateImageRef } from './machine-image';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsSubdomain } from '../util/names';

/** Kubernetes distributions kairos-init can bake into a Kairos image (OSArtifact `buildOptions.kubernetesDistro`). */
export enum KubernetesDistribution {
  /** k3s. */
  K3S = 'k3s',
  /** k0s. */
  K0S = 'k0s',
}

/** CPU architecture of an image. */
export enum CpuArchitecture {
  /** x86-64. */
  AMD64 = 'amd64',
  /** 64-bit ARM. */
  ARM64 = 'arm64',
}

/** Registry the Kairos operator pushes the built OS image (stage 1) to; its tag is the NodeImage version. */
export interface KairosRegistryTarget {
  /** Registry host, e.g. `registry.example.com`. */
  readonly registry: string;
  /** Repository path, e.g. `platform/kairos-node`. */
  readonly repository: string;
  /** Secret with registry credentials (`.dockerconfigjson`) for pull and push. @default - anonymous */
  readonly credentialsSecretName?: string;
}

/**
 * The HTTP server the built disk image is published to. The NodeImage adds an exporter job to the
 * OSArtifact that uploads `<artifact>.raw` and its `<artifact>.raw.sha256` (sha256sum output) with
 * HTTP PUT, as the Kairos operator's nginx example does; bare-metal hosts and CDI imports download
 * them from `url`.
 */
export interface KairosArtifactServer {
  /** Base URL hosts download from, e.g. `http://images.example.com/kairos`. */
  readonly url: string;
  /** Base URL the exporter uploads to (in-cluster). @default - `url` */
  readonly uploadUrl?: string;
  /** Image of the upload job (needs `sh`, `sha256sum` and `curl`). @default 'curlimages/curl:8.11.1' */
  readonly uploaderImage?: string;
}

/**
 * How a NodeImage is built with the Kairos operator (`OSArtifact`, build.kairos.io/v1alpha2):
 * either from a base distribution image (kairos-init makes it a Kairos image, with a Kubernetes
 * distribution), or from a ready Kairos image. The operator then produces a raw cloud disk image.
 */
export interface KairosBuildOptions {
  /**
   * Base distribution image, pinned, e.g. `ubuntu:24.04` (OSArtifact `buildOptions.baseImage`).
   * @default - none; give `baseImage` (with `kairosVersion`) or `prebuiltImage`
   */
  readonly baseImage?: string;
  /** Kairos release kairos-init installs, e.g. `v3.6.0` (required with `baseImage`). @default - none */
  readonly kairosVersion?: string;
  /**
   * A ready Kairos image, pinned (OSArtifact `image.ref`); nothing is built, only the disk image.
   * @default - none; build from `baseImage`
   */
  readonly prebuiltImage?: string;
  /** Kubernetes distribution baked in (with `baseImage`). @default - none (a core image) */
  readonly kubernetesDistribution?: KubernetesDistribution;
  /** Its version, e.g. `v1.33.2` or `v1.33.2+k3s1`. @default - kairos-init's default for the distribution */
  readonly kubernetesVersion?: string;
  /**
   * Extra layers: Kairos bundles (OCI images, pinned) applied to the disk image, e.g. a kubeadm
   * provider bundle for nodes bootstrapped by Cluster API's kubeadm provider.
   * @default - none
   */
  readonly extraLayers?: string[];
  /** Kairos model. @default - kairos-init's default ('generic') */
  readonly model?: string;
  /** Build a FIPS image. @default false */
  readonly fips?: boolean;
  /** kairos-init image, pinned (air-gapped mirrors). @default - the operator's built-in */
  readonly kairosInitImage?: string;
  /** CPU architecture. @default CpuArchitecture.AMD64 */
  readonly architecture?: CpuArchitecture;
  /** Push the built OS image (needed for Kairos in-place upgrades). @default - not pushed */
  readonly publishTo?: KairosRegistryTarget;
  /** Where the disk image is published (needed for bare metal and CDI imports). @default - not published */
  readonly artifactServer?: KairosArtifactServer;
  /**
   * Repository where your pipeline publishes a KubeVirt containerDisk of each version (tagged with
   * the NodeImage version). The Kairos operator does not build containerDisks: without this, VMs
   * import the raw disk from `artifactServer` with CDI.
   * @default - VMs import the raw disk image
   */
  readonly containerDiskRepository?: string;
}

const SEMVER = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const K8S_VERSION = /^v\d+\.\d+\.\d+([+-][0-9A-Za-z.+-]+)?$/;

/** What the OSArtifact of a Kairos build publishes. @internal */
export interface KairosPublication {
  /** The OSArtifact spec (plain upstream JSON). */
  readonly spec: any;
  /** URL of the raw disk image, when published. */
  readonly diskUrl?: string;
  /** URL of its sha256sum file, when published. */
  readonly checksumUrl?: string;
  /** The pushed OS image, when pushed. */
  readonly osImage?: string;
}

function httpBase(scope: IConstruct, field: string, url: unknown): string {
  if (typeof url !== 'string' || !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url)) {
    throw new KmetalValidationError(scope, field, `${showValue(url)} is not an http(s) base URL`, 'give e.g. "http://images.example.com/kairos" (no query or fragment)');
  }
  return url.replace(/\/+$/, '');
}

/**
 * Checks Kairos build options and produces the OSArtifact spec for one version.
 * @internal
 */
export function _kairosPublication(scope: IConstruct, options: KairosBuildOptions, artifactName: string, version: string,
  allowMutableTag: boolean): KairosPublication {
  const f = (name: string) => `kairos.${name}`;
  const o = options;
  if ((o.baseImage === undefined) === (o.prebuiltImage === undefined)) {
    throw new KmetalValidationError(scope, f('baseImage'), o.baseImage === undefined ? 'neither baseImage nor prebuiltImage is given' : 'both baseImage and prebuiltImage are given', 'build from a base image (baseImage + kairosVersion) or use a ready Kairos image (prebuiltImage), not both');
  }
  const image: any = {};
  if (o.prebuiltImage !== undefined) {
    _validateImageRef(scope, f('prebuiltImage'), o.prebuiltImage, allowMutableTag);
    for (const key of ['kairosVersion', 'kubernetesDistribution', 'kubernetesVersion', 'model', 'fips', 'kairosInitImage', 'publishTo'] as const) {
      if (o[key] !== undefined) {
        throw new KmetalValidationError(scope, f(key), 'only applies when the image is built from baseImage; the Kairos operator ignores it for a prebuiltImage', `drop ${key}, or build from baseImage`);
      }
    }
    image.ref = o.prebuiltImage;
  } else {
    _validateImageRef(scope, f('baseImage'), o.baseImage!, allowMutableTag);
    if (typeof o.kairosVersion !== 'string' || !SEMVER.test(o.kairosVersion)) {
      throw new KmetalValidationError(scope, f('kairosVersion'), `${showValue(o.kairosVersion)} is not a Kairos release`, 'give the Kairos version kairos-init installs, e.g. "v3.6.0"');
    }
    if (o.kubernetesDistribution !== undefined && !Object.values(KubernetesDistribution).includes(o.kubernetesDistribution)) {
      throw new KmetalValidationError(scope, f('kubernetesDistribution'), `${showValue(o.kubernetesDistribution)} is not a distribution kairos-init installs`, `use one of ${Object.values(KubernetesDistribution).join(', ')}, or extraLayers for others`);
    }
    if (o.kubernetesVersion !== undefined) {
      if (o.kubernetesDistribution === undefined) {
        throw new KmetalValidationError(scope, f('kubernetesVersion'), 'a Kubernetes version without a distribution', 'set kubernetesDistribution too');
      }
      if (!K8S_VERSION.test(o.kubernetesVersion)) {
        throw new KmetalValidationError(scope, f('kubernetesVersion'), `${showValue(o.kubernetesVersion)} is not a Kubernetes version`, 'write e.g. "v1.33.2" (or "v1.33.2+k3s1")');
      }
    }
    if (o.kairosInitImage !== undefined) _validateImageRef(scope, f('kairosInitImage'), o.kairosInitImage, allowMutableTag);
    image.buildOptions = {
      version: o.kairosVersion,
      baseImage: o.baseImage,
      ...(o.model !== undefined ? { model: o.model } : {}),
      ...(o.kubernetesDistribution !== undefined ? { kubernetesDistro: o.kubernetesDistribution } : {}),
      ...(o.kubernetesVersion !== undefined ? { kubernetesVersion: o.kubernetesVersion } : {}),
      ...(o.fips ? { fips: true } : {}),
      ...(o.kairosInitImage !== undefined ? { kairosInitImage: o.kairosInitImage } : {}),
    };
  }
  let osImage: string | undefined;
  if (o.publishTo !== undefined) {
    const t = o.publishTo;
    if (typeof t.registry !== 'string' || !/^[a-zA-Z0-9.-]+(:\d+)?$/.test(t.registry)) {
      throw new KmetalValidationError(scope, f('publishTo.registry'), `${showValue(t.registry)} is not a registry host`, 'give e.g. "registry.example.com" or "registry.local:5000"');
    }
    if (typeof t.repository !== 'string' || !/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(t.repository)) {
      throw new KmetalValidationError(scope, f('publishTo.repository'), `${showValue(t.repository)} is not a repository path`, 'give e.g. "platform/kairos-node"');
    }
    if (t.credentialsSecretName !== undefined && !isDnsSubdomain(t.credentialsSecretName)) {
      throw new KmetalValidationError(scope, f('publishTo.credentialsSecretName'), 'is not a Secret name', 'name a Secret of type kubernetes.io/dockerconfigjson');
    }
    image.buildImage = { registry: t.registry, repository: t.repository, tag: version };
    image.push = true;
    if (t.credentialsSecretName) image.imageCredentialsSecretRef = { name: t.credentialsSecretName };
    osImage = `${t.registry}/${t.repository}:${version}`;
  }
  const bundles = (o.extraLayers ?? []).map((ref, i) => {
    _validateImageRef(scope, f(`extraLayers[${i}]`), ref, allowMutableTag);
    return ref;
  });
  const architecture = o.architecture ?? CpuArchitecture.AMD64;
  if (!Object.values(CpuArchitecture).includes(architecture)) {
    throw new KmetalValidationError(scope, f('architecture'), `${showValue(architecture)} is not an architecture Kairos builds`, 'use CpuArchitecture.AMD64 or ARM64');
  }
  const spec: any = {
    image,
    artifacts: { arch: architecture, cloudImage: true, ...(bundles.length ? { bundles } : {}) },
  };

  let diskUrl: string | undefined;
  let checksumUrl: string | undefined;
  if (o.artifactServer !== undefined) {
    const server = o.artifactServer;
    const base = httpBase(scope, f('artifactServer.url'), server.url);
    const upload = server.uploadUrl === undefined ? base : httpBase(scope, f('artifactServer.uploadUrl'), server.uploadUrl);
    const uploader = server.uploaderImage ?? 'curlimages/curl:8.11.1';
    _validateImageRef(scope, f('artifactServer.uploaderImage'), uploader, allowMutableTag);
    const file = `${artifactName}.raw`;
    diskUrl = `${base}/${file}`;
    checksumUrl = `${diskUrl}.sha256`;
    // The operator writes the cloud image to /artifacts/<name>.raw and mounts the artifacts volume
    // into exporter jobs (read-only here: the checksum file is written to /tmp).
    spec.exporters = [{
      backoffLimit: 3,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'publish',
            image: uploader,
            command: ['sh', '-ec'],
            args: [[
              'cd /artifacts',
              `sha256sum ${file} > /tmp/${file}.sha256`,
              `curl -fsS -T ${file} "$UPLOAD_URL/${file}"`,
              `curl -fsS -T /tmp/${file}.sha256 "$UPLOAD_URL/${file}.sha256"`,
            ].join('\n')],
            env: [{ name: 'UPLOAD_URL', value: upload }],
            volumeMounts: [{ name: 'artifacts', mountPath: '/artifacts', readOnly: true }],
          }],
        },
      },
    }];
  }
  return { spec, diskUrl, checksumUrl, osImage };
}
