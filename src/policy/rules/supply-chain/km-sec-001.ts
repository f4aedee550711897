import type { PolicyContext } from '../../policy-context';
import { PolicyRule, PolicySeverity, PolicyViolation } from '../../policy-rule';
import { walkJson } from '../helpers';

// Keys whose string value is a credential (compared without case, "-" and "_").
const CREDENTIAL_KEYS = new Set(['password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'clientsecret', 'bearertoken', 'secretaccesskey', 'authtoken', 'credentials', 'passphrase']);
const CREDENTIAL_SUFFIXES = ['password', 'passwd', 'token', 'apikey', 'privatekey', 'secretkey', 'clientsecret', 'passphrase'];
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
// Fields that hold the NAME of a credential (a key of the Secret to create), never its value, by API
// group: an ExternalSecret's spec.data[].secretKey is "password" for the key that will hold one.
const NAME_FIELDS = new Map<string, Set<string>>([['external-secrets.io', new Set(['secretKey'])]]);
// A `<x>SecretKey` field beside a `<x>SecretName` (or `<x>SecretRef`) names the key to read in that
// Secret, e.g. Kamaji's externalClusterReference { kubeconfigSecretName, kubeconfigSecretKey: value }.
function namesKeyOfSiblingSecret(key: string, parent: any): boolean {
  const m = /^(.*)SecretKey$/.exec(key);
  if (!m || parent === null || typeof parent !== 'object' || Array.isArray(parent)) return false;
  return parent[`${m[1]}SecretName`] !== undefined || parent[`${m[1]}SecretRef`] !== undefined;
}
// Values that are placeholders filled in later (Flux post-build substitution, Helm, env), not credentials.
const PLACEHOLDER = /^(\$\{[^}]+\}|\{\{.*\}\}|\$\([^)]+\)|<[^>]+>)$/;

function normalized(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

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
        const keys = [...Object.keys(o.json.data ?? {}), ...Object.keys(o.json.stringData ?? {})];
        if (keys.length) out.push(this.violationOf(o, `Secret ${o.namespace ?? ''}/${o.name} carries ${keys.length} value(s) in the output (keys: ${keys.sort().join(', ')})`));
        continue;
      }
      const found: string[] = [];
      const nameFields = NAME_FIELDS.get(o.apiGroup);
      walkJson(o.json, (key, value, path, parent) => {
        if (typeof value !== 'string') return;
        if (path.startsWith('metadata.')) return;
        if (nameFields?.has(key) || namesKeyOfSiblingSecret(key, parent)) return;
        const k = normalized(key);
        const credentialKey = CREDENTIAL_KEYS.has(k) || CREDENTIAL_SUFFIXES.some((s) => k.endsWith(s));
        if (credentialKey && value.trim() !== '' && !PLACEHOLDER.test(value.trim())) found.push(`${path} (a credential-like field)`);
        else if (PRIVATE_KEY.test(value)) found.push(`${path} (a PEM private key)`);
        else if (URL_WITH_PASSWORD.test(value)) found.push(`${path} (a URL with a password)`);
      });
      for (const f of found) out.push(this.violationOf(o, `${o.displayName} holds a credential value at ${f}`));
    }
    return out;
  }
}
