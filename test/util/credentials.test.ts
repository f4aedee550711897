import { credentialInString, credentialLocations, isCredentialKey } from '../../src/util/credentials';

describe('credentials: the detector KM-SEC-001 and the constructs share', () => {
  test('every credential of a document, in the order the rule reports them, with paths and never values', () => {
    const doc = {
      a: { password: 'x', b: ['https://u:p@h/x', { token: 'y', c: [['-----BEGIN RSA PRIVATE KEY-----\n...']] }], url: 'https://h/x?a=1&api_key=zz' },
      kubeconfigSecretKey: 'v',
      kubeconfigSecretName: 'n',
      lone: { aSecretKey: 'q' },
      placeholder: { token: '${T}' },
    };
    expect(credentialLocations(doc)).toEqual([
      { path: 'a.url', why: 'a URL with a credential in its query (api_key=...)' },
      { path: 'a.password', why: 'a credential-like field' },
      { path: 'a.b[0]', why: 'a URL with a password' },
      { path: 'a.b[1].token', why: 'a credential-like field' },
      { path: 'a.b[1].c[0][0]', why: 'a PEM private key' },
      { path: 'lone.aSecretKey', why: 'a credential-like field' },
    ]);
    expect(JSON.stringify(credentialLocations(doc))).not.toMatch(/hunter|zz"|u:p/);
  });

  test('strings without "://" or a PEM marker are never credentials on their own; keys are judged the same on every call', () => {
    expect(credentialInString('tenant-acme')).toBeUndefined();
    expect(credentialInString('PRIVATE KEY----- but no BEGIN line')).toBeUndefined();
    expect(credentialInString('-----BEGIN EC PRIVATE KEY-----')).toBe('a PEM private key');
    expect(credentialInString('HTTPS://user:pw@example.com')).toBe('a URL with a password');
    expect(credentialInString('https://example.com/?token=${TOKEN}')).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      expect(isCredentialKey('db_Password')).toBe(true);
      expect(isCredentialKey('name')).toBe(false);
    }
  });
});
