import { displayUrl, SecretScrubber } from '../../src/cli/redact';

describe('SecretScrubber', () => {
  test('removes registered secrets, bearer values, JWTs and URL user information', () => {
    const s = new SecretScrubber();
    s.add('s3cr3t-t0ken-value');
    const text = 'token s3cr3t-t0ken-value; Authorization: Bearer abc.def; id eyJhbGciOi.eyJzdWIiOi.sig; proxy http://u:p@proxy:3128';
    const out = s.scrub(text);
    expect(out).not.toMatch(/s3cr3t|abc\.def|eyJ|u:p@/);
    expect(out).toBe('token [redacted]; Authorization: Bearer [redacted]; id [redacted]; proxy http://[redacted]@proxy:3128');
  });

  test('ignores values too short to be secrets (they would mangle ordinary words)', () => {
    const s = new SecretScrubber();
    s.add('on');
    expect(s.scrub('connection refused')).toBe('connection refused');
  });
});

test('displayUrl drops user information', () => {
  expect(displayUrl('https://admin:pw@10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
  expect(displayUrl('https://10.0.0.1:6443/')).toBe('https://10.0.0.1:6443');
});
