// What counts as a credential value in data the library writes to git: one detector for the policy
// rule KM-SEC-001 (over every synthesized object) and for the constructs that take free-form data
// (chart values, add-on content, webhook URLs), which refuse it where it is given.

// Keys whose string value is a credential (compared without case, "-" and "_").
const CREDENTIAL_KEYS = new Set(['password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'clientsecret', 'bearertoken', 'secretaccesskey', 'authtoken', 'credentials', 'passphrase']);
const CREDENTIAL_SUFFIXES = ['password', 'passwd', 'token', 'apikey', 'privatekey', 'secretkey', 'clientsecret', 'passphrase'];
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
// A URL whose query carries a credential-like parameter (`?token=...`, `&api_key=...`).
const URL_WITH_QUERY_CREDENTIAL = /[a-z][a-z0-9+.-]*:\/\/[^\s?#]*\?(?:[^\s#]*&)?([A-Za-z0-9_.-]+)=([^&\s#]+)/i;
// Values that are placeholders filled in later (Flux post-build substitution, Helm, env), not credentials.
const PLACEHOLDER = /^(\$\{[^}]+\}|\{\{.*\}\}|\$\([^)]+\)|<[^>]+>)$/;

function normalized(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

// Keys repeat across every object of a fleet (a few hundred distinct ones): the answer is kept per key.
const credentialKeyCache = new Map<string, boolean>();
const MAX_CACHED_KEYS = 10_000;

/** Whether a key names a credential (`password`, `clientSecret`, `dbPassword`, ...). */
export function isCredentialKey(key: string): boolean {
  const cached = credentialKeyCache.get(key);
  if (cached !== undefined) return cached;
  const k = normalized(key);
  const answer = CREDENTIAL_KEYS.has(k) || CREDENTIAL_SUFFIXES.some((s) => k.endsWith(s));
  if (credentialKeyCache.size < MAX_CACHED_KEYS) credentialKeyCache.set(key, answer);
  return answer;
}

/** Why a string is a credential, if it is one on its own (a PEM key, a URL with a password or a token in its query). */
export function credentialInString(value: string): string | undefined {
  // Each pattern below needs one of these substrings: most strings (names, labels) have neither and
  // skip the three regular expressions (the rule scans every string of every object).
  const maybeKey = value.includes('PRIVATE KEY-----');
  if (!maybeKey && !value.includes('://')) return undefined;
  if (maybeKey && PRIVATE_KEY.test(value)) return 'a PEM private key';
  if (URL_WITH_PASSWORD.test(value)) return 'a URL with a password';
  const query = URL_WITH_QUERY_CREDENTIAL.exec(value);
  if (query && isCredentialKey(query[1]) && !PLACEHOLDER.test(query[2])) return `a URL with a credential in its query (${query[1]}=...)`;
  return undefined;
}

/**
 * Whether a string under `key` is a credential: a non-empty, non-placeholder value of a
 * credential-like key, or a string that is one on its own.
 */
export function credentialValue(key: string, value: string): string | undefined {
  if (isCredentialKey(key) && value.trim() !== '' && !PLACEHOLDER.test(value.trim())) return 'a credential-like field';
  return credentialInString(value);
}

// A `<x>SecretKey` field beside a `<x>SecretName` (or `<x>SecretRef`) names the key to read in that
// Secret, e.g. Kamaji's externalClusterReference { kubeconfigSecretName, kubeconfigSecretKey: value }
// or a chart's { existingSecretName, existingSecretKey }: a key name, never a credential.
function namesKeyOfSiblingSecret(key: string, parent: any): boolean {
  const m = key.endsWith('SecretKey') ? /^(.*)SecretKey$/.exec(key) : null;
  if (!m || parent === null || typeof parent !== 'object' || Array.isArray(parent)) return false;
  return parent[`${m[1]}SecretName`] !== undefined || parent[`${m[1]}SecretRef`] !== undefined;
}

/** A place in plain JSON data that holds a credential, with why. */
export interface CredentialLocation {
  /** Dotted path, `[i]` for list items. */
  readonly path: string;
  readonly why: string;
}

/**
 * Every credential in plain JSON data (never the value itself). A `<x>SecretKey` beside its
 * `<x>SecretName` is a key name; `isName(key, parent)` exempts further fields that hold the name of
 * a credential rather than its value.
 */
export function credentialLocations(json: unknown, basePath = '', isName: (key: string, parent: any) => boolean = () => false): CredentialLocation[] {
  const out: CredentialLocation[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value: json, path: basePath }];
  // Paths are made only for findings and for the objects walked into (the rule walks every string of
  // every object); the order of visits and findings is unchanged.
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const isList = Array.isArray(value);
    const keys = isList ? undefined : Object.keys(value);
    const count = isList ? (value as unknown[]).length : keys!.length;
    for (let i = count - 1; i >= 0; i--) {
      const k = isList ? String(i) : keys![i];
      const v = (value as any)[k];
      if (typeof v === 'string') {
        if (isName(k, value) || namesKeyOfSiblingSecret(k, value)) continue;
        const why = isList ? credentialInString(v) : credentialValue(k, v);
        if (why) out.push({ path: childPathOf(path, k, isList), why });
      } else if (v !== null && typeof v === 'object') {
        stack.push({ value: v, path: childPathOf(path, k, isList) });
      }
    }
  }
  return out;
}

function childPathOf(path: string, key: string, inList: boolean): string {
  return inList ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/**
 * A Kubernetes Secret that would carry values in clear (`data`/`stringData`; SOPS-encrypted
 * manifests, which carry a top-level `sops` block, excepted): its keys.
 */
export function secretValueKeys(manifest: any): string[] {
  if (!manifest || typeof manifest !== 'object' || manifest.sops !== undefined) return [];
  if (manifest.kind !== 'Secret' || !(manifest.apiVersion === 'v1')) return [];
  return [...Object.keys(manifest.data ?? {}), ...Object.keys(manifest.stringData ?? {})].sort();
}
