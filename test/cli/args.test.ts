import { parseCommandLine, parseDuration, wantsJson } from '../../src/cli/args';

describe('parseCommandLine', () => {
  test('reads verify with its cluster options, the fallback namespace defaulting to "default"', () => {
    expect(parseCommandLine(['verify', 'dist/x', '--kubeconfig', 'k', '--context', 'c', '--json', '--request-timeout', '5s'])).toEqual({
      command: 'verify',
      options: { kubeconfig: 'k', context: 'c', requestTimeoutSeconds: 5, dir: 'dist/x', cluster: undefined, json: true, quiet: false, fallbackNamespace: 'default' },
    });
    expect(parseCommandLine(['verify', 'd', '--fallback-namespace', 'none'])).toMatchObject({ options: { fallbackNamespace: undefined } });
  });

  test('reads inventory with -o and -n', () => {
    expect(parseCommandLine(['inventory', '-o', 'inv.json', '-n', 'metal3'])).toMatchObject({ command: 'inventory', options: { output: 'inv.json', namespace: 'metal3', requestTimeoutSeconds: 30 } });
  });

  test('no command at all is the usage, not help', () => {
    expect(parseCommandLine([])).toEqual({ command: 'usage' });
  });

  test('help for the tool and for each command', () => {
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help', topic: '' });
    expect(parseCommandLine(['drift', '--help'])).toEqual({ command: 'help', topic: 'drift' });
    expect(parseCommandLine(['help', 'check'])).toEqual({ command: 'help', topic: 'check' });
  });

  test.each([
    [['deploy'], /unknown command "deploy"/],
    [['verify'], /verify needs one folder/],
    [['check', 'a', 'b'], /check needs one folder/],
    [['verify', 'd', '--force'], /verify: unknown option --force/],
    [['verify', 'd', '--context'], /option --context needs a value/],
    [['inventory', 'dist/x'], /inventory takes no folder/],
    [['inventory', '--json', '--cluster', 'x'], /inventory: unknown option --cluster/],
    [['drift', 'd', '--request-timeout', 'soon'], /is not a duration/],
  ])('refuses %j with one line', (argv, message) => {
    expect(() => parseCommandLine(argv as string[])).toThrow(message as RegExp);
  });
});

test('wantsJson sees --json anywhere before --, even on a command line that does not parse', () => {
  expect(wantsJson(['check', 'dist/x', '--json'])).toBe(true);
  expect(wantsJson(['verify', '--json', '--no-such-option'])).toBe(true);
  expect(wantsJson(['check', '--', '--json'])).toBe(false);
  expect(wantsJson(['check', 'dist/x'])).toBe(false);
});

test('parseDuration reads seconds, s, m and ms', () => {
  expect(parseDuration('30')).toBe(30);
  expect(parseDuration('2m')).toBe(120);
  expect(parseDuration('500ms')).toBe(0.5);
  expect(parseDuration(undefined)).toBe(30);
});
