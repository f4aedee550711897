import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { FastYamlWriter, toYamlDocument } from '../../src/gitops/private/yaml-document';

// Strings YAML gives meaning to: booleans/null of YAML 1.1, numbers, indicators, block-scalar shapes.
const TRICKY = [
  'yes', 'No', 'on', 'OFF', 'y', 'n', 'null', '~', '', ' ', 'a: b', 'a:b', 'a #b', '#x', '- a', '-a', '? x',
  ':x', 'x:', '---', '...', '0755', '0x1F', '1e3', '1.5', '10.244.0.0/16', '100m', '1:20', '2001-12-14',
  '.inf', '.NaN', '=', '@x', '`x', '%x', '!x', '&x', '*x', '|x', '>x', '"q"', "'s'", 'a\nb', 'a\nb\n',
  'a\nb\n\n', ' lead\nb', 'trail  \nx', '\ttab', 'x\r\ny', 'é', '\u2028', '\u0000', 'http://x.y/z',
  'registry.example.com/app:1.2',
  'a\n', 'a\n\nb', 'a\n  \nb\n', '{\n  "k": 1\n}', '{\n  "k": 1\n}\n', 'x\n---\ny', 'x\n# c\n', 'a\nb \n', 'a\nb\n\n', 'a \nb', '#!/bin/sh\nset -e\n',
  './dist/fleet', '../x', './', '.x', '..', './/a: b', '--flag=v', '--a b', '--a:b', '--', '---x', '-- a', '--1', '-.inf', '--a #b', '--on', './a:', '{a}', '[a]', 'a,b', 'Yes please', 'a b', 'a  b', 'a b ', '  indented\n  block\n',
];
const str = fc.oneof(fc.string(), fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[a-z0-9 :#\-.\n]{0,12}$/));
const value: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    str, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map(x => (Object.is(x, -0) ? 0 : x)), fc.boolean(), fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(str, tie('node'), { maxKeys: 4 })),
})).node;
const doc = fc.dictionary(str, value, { minKeys: 1, maxKeys: 6 });

const readsBack = (text: string, d: unknown): boolean => {
  try {
    return JSON.stringify(YAML.parse(text, { version: '1.1' })) === JSON.stringify(d);
  } catch {
    return false;
  }
};

const hasMergeKey = (v: unknown): boolean =>
  Array.isArray(v) ? v.some(hasMergeKey) : v !== null && typeof v === 'object' ? Object.entries(v).some(([k, x]) => k === '<<' || hasMergeKey(x)) : false;

describe('FastYamlWriter', () => {
  test('writes exactly what the yaml package writes, wherever that is correct', () => {
    fc.assert(fc.property(doc, d => {
      const reference = toYamlDocument(d);
      // The reference itself mis-writes a few values (the "<<" merge key, " \n" as a block scalar).
      fc.pre(!hasMergeKey(d) && readsBack(reference, d));
      expect(new FastYamlWriter().document(d)).toBe(reference);
    }), { numRuns: 3000 });
  });

  test('what it writes reads back as the same data with a YAML 1.1 parser', () => {
    fc.assert(fc.property(doc, d => {
      const parsed = YAML.parse(new FastYamlWriter().document(d), { version: '1.1' });
      expect(parsed).toEqual(JSON.parse(JSON.stringify(d)));
    }), { numRuns: 3000 });
  });

  test('strings the yaml package gets wrong are written double-quoted', () => {
    const d = { a: ' \n', b: ['x\u2028y', ' \n'] };
    const text = new FastYamlWriter().document(d);
    expect(text).toBe('a: " \\n"\nb:\n  - x\u2028y\n  - " \\n"\n'.replace('x\u2028y', JSON.stringify('x\u2028y').slice(1, -1)));
    expect(YAML.parse(text, { version: '1.1' })).toEqual(d);
  });

  test('quotes the YAML 1.1 merge key "<<", which the yaml package leaves plain', () => {
    const text = new FastYamlWriter().document({ data: { '<<': 'x' } });
    expect(text).toBe('data:\n  "<<": x\n');
    expect(YAML.parse(text, { version: '1.1' })).toEqual({ data: { '<<': 'x' } });
  });

  test('block scalars are indented under their key, also inside sequences', () => {
    expect(new FastYamlWriter().document({ a: { s: 'x\ny\n' }, l: [{ s: 'p\nq' }] })).toBe('a:\n  s: |\n    x\n    y\nl:\n  - s: |-\n      p\n      q\n');
  });
});
