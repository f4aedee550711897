import { Testing } from 'cdk8s';
import { catchValidation, expectError } from './fixtures';
import { BmcAddress, BmcDriver, BmcTransport } from '../../src';

const scope = Testing.chart();
const parse = (text: unknown) => BmcAddress._parse(scope, 'bmc.address', text);

describe('BmcAddress, the schemes Metal3 accepts', () => {
  test('the list is baremetal-operator v0.13.2 pkg/hardwareutils/bmc (Redfish drivers with +http/+https)', () => {
    expect(BmcAddress.SUPPORTED_SCHEMES).toEqual([
      'ipmi', 'libvirt',
      'redfish', 'redfish+http', 'redfish+https',
      'redfish-virtualmedia', 'redfish-virtualmedia+http', 'redfish-virtualmedia+https',
      'redfish-uefihttp', 'redfish-uefihttp+http', 'redfish-uefihttp+https',
      'idrac-redfish', 'idrac-redfish+http', 'idrac-redfish+https',
      'idrac-virtualmedia', 'idrac-virtualmedia+http', 'idrac-virtualmedia+https',
      'ilo5-redfish', 'ilo5-redfish+http', 'ilo5-redfish+https',
      'ilo5-virtualmedia', 'ilo5-virtualmedia+http', 'ilo5-virtualmedia+https',
    ]);
  });

  test.each(BmcAddress.SUPPORTED_SCHEMES)('%s:// parses', (scheme) => {
    const a = parse(`${scheme}://bmc-01.example.com:8443/redfish/v1/Systems/1`);
    expect(a.driver).toBe(scheme.split('+')[0]);
    expect(a.host).toBe('bmc-01.example.com');
    expect(a.port).toBe(8443);
  });

  test('IPv4, bracketed IPv6, transports and paths', () => {
    expect(parse('ipmi://[fd00::21]:623')).toMatchObject({ driver: BmcDriver.IPMI, host: 'fd00::21', port: 623 });
    expect(parse('redfish+http://10.0.0.1/redfish/v1/Systems/System.Embedded.1')).toMatchObject({ transport: BmcTransport.HTTP, path: '/redfish/v1/Systems/System.Embedded.1' });
    expect(parse('libvirt://192.168.122.1:6233/')).toMatchObject({ driver: BmcDriver.LIBVIRT, port: 6233 });
    expect(parse('Redfish://10.0.0.1').driver).toBe(BmcDriver.REDFISH);
  });

  test('what the driver needs: boot MAC for network-booting drivers, secure boot only over Redfish', () => {
    expect(parse('redfish://10.0.0.1').needsBootMac).toBe(true);
    expect(parse('redfish-virtualmedia://10.0.0.1').needsBootMac).toBe(false);
    expect(parse('idrac-virtualmedia://10.0.0.1').needsBootMac).toBe(false);
    expect(parse('ipmi://10.0.0.1').needsBootMac).toBe(false);
    expect(parse('libvirt://10.0.0.1').needsBootMac).toBe(true);
    expect(parse('ipmi://10.0.0.1').supportsSecureBoot).toBe(false);
    expect(parse('ilo5-redfish://10.0.0.1').supportsSecureBoot).toBe(true);
  });

  test('format() writes addresses the parser reads back', () => {
    const text = BmcAddress.format(BmcDriver.IDRAC_VIRTUAL_MEDIA, 'fd00::5', { transport: BmcTransport.HTTPS, port: 443, systemPath: 'redfish/v1/Systems/System.Embedded.1' });
    expect(text).toBe('idrac-virtualmedia+https://[fd00::5]:443/redfish/v1/Systems/System.Embedded.1');
    expect(parse(text).host).toBe('fd00::5');
    expect(BmcAddress.format(BmcDriver.IPMI, '10.0.0.1', { transport: BmcTransport.HTTP })).toBe('ipmi://10.0.0.1');
  });
});

describe('BmcAddress, one endpoint however it is written', () => {
  const key = (text: string) => parse(text)._endpointKey;

  test('Redfish: driver family, default port and trailing slash do not matter; the system path does', () => {
    expect(key('redfish://10.0.0.1/redfish/v1/Systems/1')).toBe(key('redfish-virtualmedia://10.0.0.1:443/redfish/v1/Systems/1/'));
    expect(key('redfish+http://BMC.example.com/x')).toBe(key('idrac-redfish+http://bmc.example.com:80/x'));
    expect(key('redfish://10.0.0.1/redfish/v1/Systems/1')).not.toBe(key('redfish://10.0.0.1/redfish/v1/Systems/2'));
  });

  test('IPMI: host and port (vbmc serves many hosts on many ports)', () => {
    expect(key('ipmi://10.0.0.1')).toBe(key('ipmi://10.0.0.1:623'));
    expect(key('ipmi://10.0.0.1:6230')).not.toBe(key('ipmi://10.0.0.1:6231'));
  });
});

describe('BmcAddress, refused addresses', () => {
  const expectBad = (text: unknown, message: RegExp) => expectError(() => parse(text), 'test', 'bmc.address', message);

  test('unknown schemes, with what to use instead for removed drivers', () => {
    expectBad('foo://10.0.0.1', /scheme "foo".*not one Metal3 accepts.*Fix: .*redfish-virtualmedia/);
    expectBad('ilo4://10.0.0.1', /iLO 4 driver was removed/);
    expectBad('irmc://10.0.0.1', /iRMC driver was removed/);
    expectBad('idrac://10.0.0.1', /use idrac-redfish:\/\/ or idrac-virtualmedia:\/\//);
    expectBad('https://10.0.0.1/redfish/v1', /does not say which protocol/);
    expectBad('ipmi+https://10.0.0.1', /scheme "ipmi\+https"/);
  });

  test('no scheme, bad host, bad port, unbracketed IPv6, fragments, whitespace, non-strings', () => {
    expectBad('10.0.0.1', /not a BMC address with a scheme/);
    expectBad('ipmi:10.0.0.1', /not a BMC address with a scheme/);
    expectBad('redfish://bmc_01.example.com', /neither an IP address nor a DNS name/);
    expectBad('redfish://10.0.0.300', /neither an IP address nor a DNS name/);
    expectBad('redfish://-bmc.example.com', /neither an IP address nor a DNS name/);
    expectBad('ipmi://10.0.0.1:70000', /port 70000.*out of range/);
    expectBad('ipmi://fd00::1', /no valid host\[:port\]/);
    expectBad('ipmi://[10.0.0.1]', /neither an IP address nor a DNS name/);
    expectBad('redfish://10.0.0.1/x#frag', /not a BMC address with a scheme/);
    expectBad('redfish://10.0.0.1 ', /not a BMC address with a scheme/);
    expectBad('redfish://', /no valid host/);
    expectBad(undefined, /must be a BMC address, got undefined/);
  });

  test('credentials embedded in the address are refused without being echoed', () => {
    const error = catchValidation(() => parse('redfish://admin:Fake-Pa55word-For-Tests@10.0.0.1/redfish/v1/Systems/1'));
    expect(error.message).toMatch(/carries user information.*credentials/);
    expect(error.message).toMatch(/Fix: remove the "user:password@" part and reference the credentials with BmcCredentials.fromSecret/);
    expect(error.message).not.toContain('Fake-Pa55word-For-Tests');
    expect(error.message).not.toContain('admin');
  });
});
