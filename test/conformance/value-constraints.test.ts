import * as fs from 'fs';
import { widget, widgetBundle } from './fixtures';
import { ConformanceChecker, FindingSeverity } from '../../src/conformance';

/** Schema keywords no pinned CRD uses (or uses rarely), on a made-up kind. */
const spec = {
  type: 'object',
  properties: {
    text: { type: 'string', minLength: 2, maxLength: 4 },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2, uniqueItems: true },
    set: { 'type': 'array', 'items': { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    closed: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
    map: { type: 'object', additionalProperties: { type: 'integer' }, minProperties: 1, maxProperties: 2 },
    open: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'properties': { known: { type: 'boolean' } } },
    embedded: { 'type': 'object', 'x-kubernetes-embedded-resource': true, 'properties': { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
    maybe: { type: 'string', nullable: true },
    ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true },
    step: { type: 'integer', multipleOf: 5, exclusiveMaximum: 100 },
    port: { type: 'integer', format: 'int32' },
    pick: { type: 'string', anyOf: [{ enum: ['a', 'b'] }, { pattern: '^x-' }] },
    one: { type: 'integer', oneOf: [{ minimum: 10 }, { maximum: 20 }] },
    all: { type: 'string', allOf: [{ minLength: 1 }, { pattern: '^[a-z]+$' }] },
    not: { type: 'string', not: { enum: ['forbidden'] } },
    when: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    data: { type: 'string', format: 'byte' },
    link: { type: 'string', format: 'uri' },
    host: { type: 'string', format: 'hostname' },
    v4: { type: 'string', format: 'ipv4' },
    v6: { type: 'string', format: 'ipv6' },
    net: { type: 'string', format: 'cidr' },
    wait: { type: 'string', format: 'duration' },
    mail: { type: 'string', format: 'email' },
    id: { type: 'string', format: 'uuid' },
    mac: { type: 'string', format: 'mac' },
    custom: { type: 'string', format: 'something-kubernetes-ignores' },
  },
};

let dir: string;
let checker: ConformanceChecker;

beforeAll(() => {
  dir = widgetBundle(spec);
  checker = new ConformanceChecker({ bundleDir: dir, defaultNamespace: 'default' });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function problems(value: Record<string, unknown>): string[][] {
  return checker.validateObject(widget(value)).filter((f) => f.severity === FindingSeverity.ERROR).map((f) => [f.code, f.path]);
}

describe('value constraints', () => {
  test('conforming values pass', () => {
    expect(problems({
      text: '😀😀😀', // 3 characters in 6 UTF-16 units: Kubernetes counts characters
      tags: ['a'],
      set: ['a', 'b'],
      closed: { a: 'x' },
      map: { one: 1 },
      open: { known: true, anything: { goes: [1] } },
      embedded: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, spec: { x: 'y' } },
      maybe: null,
      ratio: 0.5,
      step: 95,
      port: 2147483647,
      pick: 'x-custom',
      one: 5,
      all: 'abc',
      not: 'allowed',
      when: '2026-11-23T18:45:00Z',
      day: '2024-02-29',
      data: 'aGVsbG8=',
      link: 'https://example.com/a?b=c',
      host: 'api.example.com',
      v4: '192.0.2.1',
      v6: '2001:db8::1',
      net: '10.0.0.0/8',
      wait: '1h30m',
      mail: 'ops@example.com',
      id: '123e4567-e89b-12d3-a456-426614174000',
      mac: '52:54:00:12:34:56',
      custom: 'anything',
    })).toEqual([]);
  });

  test('string and collection bounds', () => {
    expect(problems({ text: 'x' })).toEqual([['min-length', 'spec.text']]);
    expect(problems({ text: 'xxxxx' })).toEqual([['max-length', 'spec.text']]);
    expect(problems({ tags: [] })).toEqual([['min-items', 'spec.tags']]);
    expect(problems({ tags: ['a', 'b', 'c'] })).toEqual([['max-items', 'spec.tags']]);
    expect(problems({ tags: ['a', 'a'] })).toEqual([['duplicate', 'spec.tags[1]']]);
    expect(problems({ set: ['a', 'b', 'a'] })).toEqual([['duplicate', 'spec.set[2]']]);
    expect(problems({ map: {} })).toEqual([['min-properties', 'spec.map']]);
    expect(problems({ map: { a: 1, b: 2, c: 3 } })).toEqual([['max-properties', 'spec.map']]);
  });

  test('additionalProperties: false, a schema, and preserved unknown fields', () => {
    expect(problems({ closed: { a: 'x', b: 'y' } })).toEqual([['unknown-field', 'spec.closed.b']]);
    expect(problems({ map: { a: 'one' } })).toEqual([['type', 'spec.map.a']]);
    expect(problems({ open: { known: 'yes', extra: 1 } })).toEqual([['type', 'spec.open.known']]);
    expect(problems({ embedded: { apiVersion: 'v1', kind: 'ConfigMap', extra: 1 } })).toEqual([['unknown-field', 'spec.embedded.extra']]);
  });

  test('nullable and non-nullable nulls', () => {
    expect(problems({ maybe: null })).toEqual([]);
    expect(problems({ tags: [null] })).toEqual([['type', 'spec.tags[0]']]);
  });

  test('numeric bounds, exclusive bounds in both spellings, multipleOf, int32', () => {
    expect(problems({ ratio: 0 })).toEqual([['minimum', 'spec.ratio']]);
    expect(problems({ ratio: 1 })).toEqual([['maximum', 'spec.ratio']]);
    expect(problems({ step: 100 })).toEqual([['maximum', 'spec.step']]);
    expect(problems({ step: 7 })).toEqual([['multiple-of', 'spec.step']]);
    expect(problems({ step: 1.5 })).toEqual([['type', 'spec.step']]);
    expect(problems({ port: 2147483648 })).toEqual([['format', 'spec.port']]);
  });

  test('anyOf, oneOf, allOf and not check values', () => {
    expect(problems({ pick: 'c' })).toEqual([['any-of', 'spec.pick']]);
    expect(problems({ one: 15 })).toEqual([['one-of', 'spec.one']]);
    expect(problems({ all: 'ABC' })).toEqual([['all-of', 'spec.all']]);
    expect(problems({ not: 'forbidden' })).toEqual([['not', 'spec.not']]);
  });

  test.each([
    ['when', '2026-11-23'],
    ['when', '2026-02-30T10:00:00Z'],
    ['day', '2023-02-29'],
    ['data', 'not base64!'],
    ['link', 'relative/path'],
    ['host', '-bad-.example.com'],
    ['v4', '192.0.2.256'],
    ['v6', '192.0.2.1'],
    ['net', '10.0.0.0'],
    ['wait', '90 minutes'],
    ['mail', 'ops-at-example.com'],
    ['id', 'not-a-uuid'],
    ['mac', '52:54:00:12:34'],
  ])('format of %s rejects %j', (field, value) => {
    expect(problems({ [field]: value })).toEqual([['format', `spec.${field}`]]);
  });
});
