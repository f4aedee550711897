import { compileRule } from '../../src/conformance/cel-rule';

function evaluate(rule: string, self: unknown): unknown {
  const compiled = compileRule({ rule });
  if (compiled.status !== 'ready') throw new Error(`${rule}: ${compiled.status}`);
  const outcome = compiled.evaluate(self as any);
  return outcome.passed ? true : 'evaluationError' in outcome ? `error: ${outcome.evaluationError}` : false;
}

describe('Kubernetes CEL net library', () => {
  test.each([
    ['192.0.2.1', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['256.0.0.1', false],
    ['10.0.0.01', false], // leading zeros are rejected
    ['2001:db8::1', true],
    ['::', true],
    ['::ffff:192.0.2.1', false], // IPv4-mapped IPv6 is rejected
    ['fe80::1%eth0', false], // zones are rejected
    ['2001:db8::1::2', false],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['', false],
  ])('isIP(%j) is %s', (ip, expected) => {
    expect(evaluate('isIP(self)', ip)).toBe(expected);
  });

  test.each([
    ['10.0.0.0/8', true],
    ['10.0.0.1/8', true], // host bits may be set, as in Kubernetes
    ['10.0.0.0/33', false],
    ['10.0.0.0/08', false],
    ['10.0.0.0', false],
    ['2001:db8::/32', true],
    ['2001:db8::/129', false],
  ])('isCIDR(%j) is %s', (cidr, expected) => {
    expect(evaluate('isCIDR(self)', cidr)).toBe(expected);
  });

  test('ip() and cidr() values have the methods Kubernetes declares', () => {
    expect(evaluate("ip(self).family() == 6 && ip('10.1.2.3').family() == 4", '2001:db8::1')).toBe(true);
    expect(evaluate("cidr(self).containsIP('10.1.2.3') && !cidr(self).containsIP('11.0.0.1')", '10.0.0.0/8')).toBe(true);
    expect(evaluate("cidr(self).containsCIDR('10.1.0.0/16') && cidr(self).prefixLength() == 8", '10.0.0.0/8')).toBe(true);
    expect(evaluate("cidr(self).masked() == cidr('10.0.0.0/8') && cidr(self).ip() == ip('10.9.8.7')", '10.9.8.7/8')).toBe(true);
    expect(evaluate("ip(self) == ip('2001:db8::1')", '2001:0db8:0:0:0:0:0:1')).toBe(true);
    expect(evaluate('ip(self).isLoopback()', '127.0.0.1')).toBe(true);
    expect(evaluate('ip(self).family() == 4', 'not-an-ip')).toMatch(/^error: .*parse error/);
  });

  test('the strings extension is available', () => {
    expect(evaluate("self.lowerAscii().split('-').size() == 2 && self.indexOf('-') == 3", 'ABC-def')).toBe(true);
  });
});
