import { credentialLocations, secretValueKeys } from '../../../util/credentials';
import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';

// Fields that hold the NAME of a credential (a key of the Secret to create), never its value, by API
// group: an ExternalSecret's spec.data[].secretKey is "password" for the key that will hold one.
const NAME_FIELDS = new Map<string, Set<string>>([['external-secrets.io', new Set(['secretKey'])]]);

/**
 * KM-SEC-001: no credential value is written to the output (git): no `Secret` with `data` or
 * `stringData` (SOPS-encrypted Secrets excepted), no string under a credential-like key
 * (`password`, `token`, `clientSecret`, `*Password`, ...), no PEM private key and no URL with a
 * password anywhere. Reference credentials instead (Secret names, ExternalSecrets). Messages name
 * the field, never the value.
 */
export class CredentialValuesRule extends PolicyRule {
  constructor() {
    super({
      id: 'KM-SEC-001',
      severity: PolicySeverity.ERROR,
      description: 'No credential values in the output',
      remediation: 'reference a Secret created outside git (external-secrets, SOPS, sealed-secrets) instead of writing the value',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    const out: PolicyViolation[] = [];
    for (const o of context.objects) {
      // SOPS-encrypted manifests carry their metadata at the top level; their values are ciphertext.
      if (o.json.sops !== undefined) continue;
      if (o.kind === 'Secret' && o.apiGroup === '') {
        const keys = secretValueKeys(o.json);
        if (keys.length) out.push(this.violationOf(o, `Secret ${o.namespace ?? ''}/${o.name} carries ${keys.length} value(s) in the output (keys: ${keys.join(', ')})`));
        continue;
      }
      const nameFields = NAME_FIELDS.get(o.apiGroup);
      const found = credentialLocations(o.json, '', (key) => nameFields?.has(key) === true)
        .filter((l) => !l.path.startsWith('metadata.'))
        .map((l) => `${l.path} (${l.why})`);
      for (const f of found) out.push(this.violationOf(o, `${o.displayName} holds a credential value at ${f}`));
    }
    return out;
  }
}
