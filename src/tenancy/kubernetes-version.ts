import { IConstruct } from 'constructs';
import { KubernetesMinorRange, VersionMatrix } from '../platform/version-matrix';
import { KmetalValidationError, showValue } from '../util/errors';

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)$/;

/**
 * A Kubernetes release for a tenant cluster, always a full patch version (`v1.33.2`).
 *
 * Cluster API and Kamaji both need the exact patch release (images are pulled by it), so a bare
 * minor such as `1.33` is refused rather than guessed.
 */
export class KubernetesVersion {
  /**
   * Parses `v1.33.2` or `1.33.2`.
   *
   * @param version the release
   */
  public static of(version: string): KubernetesVersion {
    const m = SEMVER.exec(String(version ?? '').trim());
    if (!m) throw new Error(`"${version}" is not a Kubernetes release like "v1.33.2"`);
    return new KubernetesVersion(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  /**
   * Parses and checks a version given to a construct, with an error naming the construct.
   * @internal
   */
  public static _validate(
    scope: IConstruct, field: string, version: string, allowed: KubernetesMinorRange = VersionMatrix.KAMAJI_KUBERNETES,
  ): KubernetesVersion {
    let parsed: KubernetesVersion;
    try {
      parsed = KubernetesVersion.of(version);
    } catch {
      throw new KmetalValidationError(scope, field, `${showValue(version)} is not a Kubernetes release`, `write a full release such as "v1.${allowed.maxMinor}.0" (major.minor.patch)`);
    }
    if (parsed.major !== 1 || parsed.minor < allowed.minMinor || parsed.minor > allowed.maxMinor) {
      throw new KmetalValidationError(scope, field, `${parsed.text} is outside the supported range v1.${allowed.minMinor} to v1.${allowed.maxMinor} (the pinned Kamaji refuses newer control planes; older ones are out of Cluster API support)`, `pick a release between v1.${allowed.minMinor}.0 and v1.${allowed.maxMinor}.x`);
    }
    return parsed;
  }

  /** The release with a leading `v`, as Cluster API and Kamaji expect it. */
  public readonly text: string;

  private constructor(public readonly major: number, public readonly minor: number, public readonly patch: number) {
    this.text = `v${major}.${minor}.${patch}`;
  }

  /** `v1.33`, for labels and reports. */
  public get minorText(): string {
    return `v${this.major}.${this.minor}`;
  }
}
