import { at, refs, str, type UpstreamModel } from './upstream-model';
import type { ObjectReference, ProducedObject } from '../private/cluster-state';

const CM = 'cert-manager.io';

/** cert-manager v1.21.1: a Certificate writes `spec.secretName` (tls.crt, tls.key, ca.crt) and needs its issuer. */
export const certManagerModel: UpstreamModel = {
  project: 'cert-manager v1.21.1',
  produce(o): ProducedObject[] {
    if (o.group !== CM || o.kind !== 'Certificate' || !str(at(o.manifest, 'spec', 'secretName'))) return [];
    return [{ group: '', kind: 'Secret', namespace: o.namespace, name: at(o.manifest, 'spec', 'secretName'), keys: ['tls.crt', 'tls.key', 'ca.crt'], rule: 'cert-manager v1.21.1 pkg/apis/certmanager/v1 CertificateSpec.secretName' }];
  },
  references(o): ObjectReference[] {
    if (o.group !== CM || o.kind !== 'Certificate') return [];
    const issuer = at(o.manifest, 'spec', 'issuerRef');
    if (!issuer || (issuer.group && issuer.group !== CM)) return [];
    const cluster = issuer.kind === 'ClusterIssuer';
    return refs([{ field: 'spec.issuerRef', group: CM, kinds: [cluster ? 'ClusterIssuer' : 'Issuer'], namespace: cluster ? undefined : o.namespace, name: issuer.name, consequence: 'the certificate is never issued', rule: 'cert-manager v1.21.1 CertificateSpec.issuerRef' }]);
  },
};

/** External Secrets Operator: an ExternalSecret writes its target Secret (`spec.target.name`, else its own name). */
export const externalSecretsModel: UpstreamModel = {
  project: 'External Secrets Operator v1',
  produce(o): ProducedObject[] {
    if (o.group !== 'external-secrets.io' || o.kind !== 'ExternalSecret') return [];
    const data: any[] = Array.isArray(at(o.manifest, 'spec', 'data')) ? at(o.manifest, 'spec', 'data') : [];
    const keys = data.map((d) => d?.secretKey).filter((k): k is string => typeof k === 'string');
    return [{
      group: '',
      kind: 'Secret',
      namespace: o.namespace,
      name: str(at(o.manifest, 'spec', 'target', 'name')) ?? o.name,
      keys: at(o.manifest, 'spec', 'dataFrom') !== undefined || at(o.manifest, 'spec', 'target', 'template') !== undefined ? undefined : keys,
      rule: 'external-secrets apis/externalsecrets/v1 ExternalSecretTarget.name (defaults to the ExternalSecret name)',
    }];
  },
};

/** Admission policies: a binding names its policy. */
export const admissionModel: UpstreamModel = {
  project: 'Kubernetes admissionregistration.k8s.io/v1',
  references(o): ObjectReference[] {
    if (o.group !== 'admissionregistration.k8s.io' || o.kind !== 'ValidatingAdmissionPolicyBinding') return [];
    return refs([{ field: 'spec.policyName', group: 'admissionregistration.k8s.io', kinds: ['ValidatingAdmissionPolicy'], name: at(o.manifest, 'spec', 'policyName'), consequence: 'the binding enforces nothing', rule: 'Kubernetes admissionregistration/v1 ValidatingAdmissionPolicyBindingSpec.policyName' }]);
  },
};
