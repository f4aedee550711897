// The island's kubeconfig in the shape Cluster API provider KubeVirt reads. Internal.
//
// Cluster API writes a cluster's kubeconfig as Secret `<cluster>-kubeconfig`, key `value`; CAPK's
// `infraClusterSecretRef` reads key `kubeconfig` only (pkg/infracluster, v0.11), and Kamaji's
// external placement takes any key. Nothing upstream copies one into the other, so a Sveltos
// ClusterProfile (Sveltos already runs on the under cluster) deploys, on the management cluster
// itself (`deploymentType: Local`), a Secret templated from the CAPI one: it follows every
// rotation of the kubeconfig, and its lifetime is tied to the island cluster it selects.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterProfile } from '../../imports/config.projectsveltos.io';
import { SecretKeyReference } from '../../tenancy/datastore';

export const ISLAND_SITE_LABEL = 'kmetal.io/island-site';

export interface InfraKubeconfigProps {
  readonly siteName: string;
  /** The kubeconfig Cluster API writes for the island (name, namespace, key `value`). */
  readonly source: SecretKeyReference;
  /** Name of the Secret to write, in the source's namespace. */
  readonly secretName: string;
}

export class InfraKubeconfig extends Construct {
  public readonly profile: ApiObject;
  public readonly template: ApiObject;

  constructor(scope: Construct, id: string, props: InfraKubeconfigProps) {
    super(scope, id);
    const ns = props.source.namespace;
    const name = props.secretName;
    // Sveltos instantiates the template with the island's Cluster and the resources listed in
    // templateResourceRefs; `.data.value` is still base64, which is what `data` wants.
    const secret = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      `  name: ${name}`,
      `  namespace: ${ns}`,
      '  labels:',
      `    ${ISLAND_SITE_LABEL}: ${props.siteName}`,
      'type: Opaque',
      'data:',
      `  kubeconfig: {{ (getResource "IslandKubeconfig").data.${props.source.key} }}`,
      '',
    ].join('\n');
    this.template = new ApiObject(this, 'Template', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: ns,
        annotations: { 'projectsveltos.io/template': 'true' },
        labels: { [ISLAND_SITE_LABEL]: props.siteName },
      },
      data: { 'secret.yaml': secret },
    });
    this.profile = new ApiObject(this, 'ClusterProfile', {
      ...ClusterProfile.GVK,
      metadata: { name, labels: { [ISLAND_SITE_LABEL]: props.siteName } },
      spec: {
        clusterSelector: { matchLabels: { [ISLAND_SITE_LABEL]: props.siteName } },
        syncMode: 'Continuous',
        templateResourceRefs: [{
          identifier: 'IslandKubeconfig',
          resource: { apiVersion: 'v1', kind: 'Secret', name: props.source.name, namespace: ns },
        }],
        policyRefs: [{ kind: 'ConfigMap', name, namespace: ns, deploymentType: 'Local' }],
      },
    });
    this.profile.node.addDependency(this.template);
  }
}
