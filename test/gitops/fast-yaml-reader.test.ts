import * as fs from 'fs';
import * as path from 'path';
import { findManifestFiles, parseYamlDocuments } from '../../src/conformance/yaml-documents';
import { FastYamlReader } from '../../src/gitops/private/fast-yaml-reader';
import { FastYamlWriter } from '../../src/gitops/private/yaml-document';

describe('FastYamlReader', () => {
  const reader = new FastYamlReader();

  test('reads every file of the committed trees as the yaml package does, or declines', () => {
    const files = fs.readdirSync('dist').flatMap((app) => findManifestFiles(path.join('dist', app)));
    let read = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const value = reader.read(text);
      if (value === undefined) continue;
      read++;
      expect({ file, value }).toEqual({ file, value: parseYamlDocuments(text)[0].value });
    }
    // FluxTree writes these files: nearly all of them take the fast path.
    expect(read).toBeGreaterThan(files.length * 0.95);
  });

  test('values that are easy to get wrong round-trip, or make it decline', () => {
    const writer = new FastYamlWriter();
    const values = [
      { a: 'yes', b: '0755', c: '1.0', d: 1.5, e: -3, f: null, g: true, h: 'on', i: '', j: ' lead', k: 'a: b', l: '#x', m: '~' },
      { list: [{ name: 'a', value: 'x' }, 'plain', 2, [1, [2, 3]], {}, []], nested: { deep: { deeper: ['- dash'] } } },
      { script: '#!/bin/sh\necho hi\n\n  indented\n', stripped: 'one\ntwo', trailing: 'x\n\n\n', quote: "it's \"q\"", unicode: 'é\u0001' },
      { '10': 'numeric key', '<<': 'merge', 'key with: colon': 1, '"quoted"': 2 },
    ];
    for (const value of values) {
      const text = writer.document(value);
      const got = reader.read(text);
      expect(got === undefined ? parseYamlDocuments(text)[0].value : got).toEqual(parseYamlDocuments(text)[0].value);
    }
    expect(reader.read('a: 1\n---\nb: 2\n')).toBeUndefined();
    expect(reader.read('a: 1 # comment\n')).toBeUndefined();
    expect(reader.read('a: &x 1\nb: *x\n')).toBeUndefined();
    expect(reader.read('a:   1\n')).toBeUndefined();
  });
});
