import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { walkJson } from '../helpers';
import { unpinnedReason } from './image-refs';

const IMAGE_KEYS = new Set(['image', 'baseImage', 'prebuiltImage', 'kairosInitImage', 'registryImage']);

/**
 * KM-SUP-001: every image the output references is pinned by a version tag or a digest (not
 * untagged, not `latest`): container and containerDisk `image`s, Kairos base images, CDI registry
 * imports (`docker://...`), image variables of class-based clusters, and Helm values
 * `image.tag: latest`. A mutable reference boots different software from the same commit.
 */
export class ImagePinnedRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-SUP-001',
      severity: PolicySeverity.ERROR,
      description: 'Images are pinned by tag or digest',
      remediation: 'pin a version tag (":v1.33.0") or a digest ("@sha256:...")',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const o of context.objects) {
      walkJson(o.json, (key, value, path, parent) => {
        let ref: string | undefined;
        if (typeof value === 'string') {
          if (IMAGE_KEYS.has(key) && value.trim() !== '') ref = value;
          else if (key === 'url' && value.startsWith('docker://')) ref = value;
          else if (key === 'value' && typeof parent?.name === 'string' && /image$/i.test(parent.name)) ref = value;
          else if (key === 'tag' && value === 'latest' && typeof parent?.repository === 'string') ref = `${parent.repository}:latest`;
        }
        if (ref === undefined || /\$\{|\{\{/.test(ref)) return;
        const reason = unpinnedReason(ref);
        if (reason) out.push(this.violationOf(o, `${o.displayName} references image ${JSON.stringify(ref)} at ${path}, which is not pinned (${reason})`));
      });
    }
    return out;
  }
}
