// The Metal3 side of a TenantClusterClass built for whole servers (infrastructure METAL3): its
// cluster and machine templates, the patches that fill in per cluster and per pool what a shared
// template cannot know, and the image value its variables carry. Internal.
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HOST_ROLE_LABEL, TENANT_METAL_ROLE } from '../../baremetal/host-claims';
import { Metal3MachineTemplate } from '../../imports/infrastructure.cluster.x-k8s.io';
import { KmetalValidationError, showValue } from '../../util/errors';
import { TENANT_API_SERVER_PORT } from '../cluster-infrastructure';

const GROUP = 'infrastructure.cluster.x-k8s.io';
/** CAPM3 v1.13.2 serves and stores v1beta2 (config/crd/bases, pinned in /work/shared/crds/capm3). */
export const METAL3_API_VERSION = `${GROUP}/v1beta2`;

/** The `image` of a Metal3 machine (upstream field names), from an image with a bare-metal variant. */
export function metal3ImageValue(scope: IConstruct, image: unknown): { url: string; checksum: string; checksumType?: string; diskFormat?: string } {
  const i = image as any;
  if (!i || typeof i.bindToBareMetal !== 'function') {
    const what = showValue(i?.imageRef ?? i);
    throw new KmetalValidationError(scope, 'image', `${what} has no bare-metal image, which a Metal3 class writes to its servers' disks`,
      'use a NodeImage with metal settings, or MetalImage.fromUrl({ url, checksum })');
  }
  const b = i.bindToBareMetal(scope);
  return {
    url: b.url,
    checksum: b.checksum,
    ...(b.checksumType ? { checksumType: b.checksumType } : {}),
    ...(b.format ? { diskFormat: b.format } : {}),
  };
}

/**
 * The class's Metal3ClusterTemplate and one Metal3MachineTemplate per worker class. A template is
 * shared by every cluster of the class, in the class's namespace; Cluster API clones it into each
 * cluster's namespace, where CAPM3 claims hosts (baremetal/metal3machine_manager.go chooseHost
 * lists hosts in the Metal3Machine's namespace). So the template's own host selector takes nothing
 * but tenant-metal hosts, and the patches below narrow it to the pool's hosts; the data template,
 * which names the cluster, is the pool's own (in the cluster's namespace) and is patched in.
 */
export function metal3ClassTemplates(scope: Construct, base: string, ns: string, workerClasses: string[], image: unknown): void {
  new ApiObject(scope, 'InfrastructureTemplate', {
    apiVersion: METAL3_API_VERSION,
    kind: 'Metal3ClusterTemplate',
    metadata: { name: base, namespace: ns },
    // No tenant cloud provider: CAPM3 sets providerIDs by host name (see TenantCluster's Metal3Cluster).
    spec: { template: { spec: { cloudProviderEnabled: false } } },
  });
  for (const w of workerClasses) {
    new ApiObject(scope, `MachineTemplate-${w}`, {
      ...Metal3MachineTemplate.GVK,
      metadata: { name: `${base}-${w}`, namespace: ns },
      spec: {
        // Scale-down returns wiped servers to the pool (see BareMetalNodePool).
        nodeReuse: false,
        template: {
          spec: {
            automatedCleaningMode: 'metadata',
            image: { ...metal3ImageValue(scope, image) },
            hostSelector: { matchLabels: { [HOST_ROLE_LABEL]: TENANT_METAL_ROLE } },
          },
        },
      },
    });
  }
}

/** The Metal3 patches of the class (variables: controlPlaneEndpointAddress, workerHostSelector, workerDataTemplate, workerMetalImage). */
export function metal3ClassPatches(workerClasses: string[]): any[] {
  const machineSelector = { apiVersion: METAL3_API_VERSION, kind: 'Metal3MachineTemplate', matchResources: { machineDeploymentClass: { names: workerClasses } } };
  const infraSelector = { apiVersion: METAL3_API_VERSION, kind: 'Metal3ClusterTemplate', matchResources: { infrastructureCluster: true } };
  return [
    {
      // The Kamaji provider checks Metal3Cluster.spec.controlPlaneEndpoint instead of filling it in.
      name: 'metal3-control-plane-endpoint',
      enabledIf: '{{ if .controlPlaneEndpointAddress }}true{{ end }}',
      definitions: [{
        selector: infraSelector,
        jsonPatches: [{ op: 'add', path: '/spec/template/spec/controlPlaneEndpoint', valueFrom: { template: `host: {{ .controlPlaneEndpointAddress | quote }}\nport: ${TENANT_API_SERVER_PORT}` } }],
      }],
    },
    {
      name: 'worker-host-selector',
      enabledIf: '{{ if .workerHostSelector }}true{{ end }}',
      definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'replace', path: '/spec/template/spec/hostSelector/matchLabels', valueFrom: { variable: 'workerHostSelector' } }] }],
    },
    {
      name: 'worker-data-template',
      enabledIf: '{{ if .workerDataTemplate }}true{{ end }}',
      definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'add', path: '/spec/template/spec/dataTemplate', valueFrom: { template: 'name: {{ .workerDataTemplate | quote }}' } }] }],
    },
    {
      name: 'worker-metal-image',
      enabledIf: '{{ if .workerMetalImage }}true{{ end }}',
      definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'replace', path: '/spec/template/spec/image', valueFrom: { variable: 'workerMetalImage' } }] }],
    },
  ];
}

/** Schema of the `workerMetalImage` variable (Metal3 `image`). */
export const METAL_IMAGE_SCHEMA = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1 },
    checksum: { type: 'string' },
    checksumType: { type: 'string', enum: ['sha256', 'sha512'] },
    diskFormat: { type: 'string', enum: ['raw', 'qcow2', 'vdi', 'vmdk', 'live-iso'] },
  },
  required: ['url', 'checksum'],
};
