import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSchemaBundle, stripDescriptions, writeSchemaBundle } from '../../build-tools/schema-bundle';
import type { BundledKind, SchemaBundle } from '../../src/conformance/bundle-model';
import { requireUpstream } from '../support/upstream';

let bundle: SchemaBundle;
let outDir: string;
let written: string[];

function kindOf(group: string, kind: string): BundledKind {
  const found = bundle.groups.find((g) => g.group === group)?.kinds.find((k) => k.kind === kind);
  if (!found) throw new Error(`${group}/${kind} is not in the bundle`);
  return found;
}

function schemaOf(group: string, kind: string, version?: string): any {
  const k = kindOf(group, kind);
  return (version ? k.versions.find((v) => v.name === version) : k.versions.find((v) => v.storage))!.schema;
}

/** Every keyword used by the schema nodes of a schema (not property names, not values). */
function schemaKeywords(schema: any, found = new Set<string>()): Set<string> {
  for (const key of Object.keys(schema)) found.add(key);
  for (const sub of Object.values<any>(schema.properties ?? {})) schemaKeywords(sub, found);
  if (typeof schema.items === 'object') schemaKeywords(schema.items, found);
  if (typeof schema.additionalProperties === 'object') schemaKeywords(schema.additionalProperties, found);
  return found;
}

describe('schema bundle builder', () => {
  test('stripDescriptions follows schema keywords only', () => {
    const schema = {
      description: 'gone',
      properties: { description: { type: 'string', description: 'gone too' } },
      default: { description: 'a default value is data, kept' },
      items: { description: 'gone', type: 'string' },
      anyOf: [{ description: 'gone', type: 'integer' }],
    };
    expect(stripDescriptions(schema)).toEqual({
      properties: { description: { type: 'string' } },
      default: { description: 'a default value is data, kept' },
      items: { type: 'string' },
      anyOf: [{ type: 'integer' }],
    });
  });
});

const crds = requireUpstream('crds');
if (crds) describeBundleOf(crds);

function describeBundleOf(crdsDir: string): void {
  describe('schema bundle builder', () => {
    beforeAll(() => {
      outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-bundle-test-'));
      written = writeSchemaBundle(crdsDir, outDir);
      // What a checker reads back: the written files, not the builder's in-memory result.
      bundle = { groups: written.map((f) => JSON.parse(fs.readFileSync(f, 'utf8'))) };
    });

    afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

    test('every kind and version listed in ../shared/crds/README.md is bundled, with its storage version', () => {
      const readme = fs.readFileSync(path.join(crdsDir, 'README.md'), 'utf8');
      const rows = [...readme.matchAll(/^\| [\w-]+ \| [^|]+ \| ([a-z0-9.-]+) (\w+) \| ([^|]+) \|$/gm)];
      expect(rows.length).toBeGreaterThan(100);
      for (const [, group, kind, versions] of rows) {
        const bundled = kindOf(group, kind);
        const storage = /\*\*(\w+)\*\*/.exec(versions)![1];
        expect([kind, bundled.versions.find((v) => v.storage)?.name]).toEqual([kind, storage]);
        for (const v of versions.replace(/\*/g, '').split(',').map((s) => s.trim())) expect(bundled.versions.map((x) => x.name)).toContain(v);
      }
    });

    test('one minified, key-sorted file per API group, byte-identical on every run', () => {
      expect(written.map((f) => path.basename(f))).toEqual(buildSchemaBundle(crdsDir).groups.map((g) => `${g.group}.json`));
      const again = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-bundle-again-'));
      try {
        writeSchemaBundle(crdsDir, again);
        for (const file of written) expect(fs.readFileSync(path.join(again, path.basename(file)), 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
      } finally {
        fs.rmSync(again, { recursive: true, force: true });
      }
      const text = fs.readFileSync(path.join(outDir, 'cluster.x-k8s.io.json'), 'utf8');
      expect(text.split('\n')).toHaveLength(2); // one line and the final newline
      const keys = Object.keys(JSON.parse(text).kinds[0]);
      expect(keys).toEqual([...keys].sort());
    });

    test('the bundle stays small', () => {
      const total = written.reduce((n, f) => n + fs.statSync(f).size, 0);
      expect(total).toBeLessThan(2.5 * 1024 * 1024);
    });

    test('descriptions are stripped, everything else is kept', () => {
      const text = written.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      // A property may be named "description" (its schema is kept); no description text remains.
      expect(text).not.toMatch(/"description":"/);
      const cluster = schemaOf('cluster.x-k8s.io', 'Cluster', 'v1beta2');
      expect(cluster.properties.spec.properties.clusterNetwork.properties.apiServerPort).toEqual({ format: 'int32', maximum: 65535, minimum: 1, type: 'integer' });
      const tcp = schemaOf('kamaji.clastix.io', 'TenantControlPlane');
      expect(tcp.properties.spec.properties.networkProfile.properties.podCidr).toEqual({
        'default': '10.244.0.0/16',
        'type': 'string',
        'x-kubernetes-validations': [{ message: 'podCidr must be empty or a valid CIDR', rule: "self == '' || isCIDR(self)" }],
      });
    });

    test('scope and versions come from the CRDs', () => {
      expect(kindOf('capsule.clastix.io', 'Tenant').scope).toBe('Cluster');
      expect(kindOf('cluster.x-k8s.io', 'Cluster').scope).toBe('Namespaced');
      expect(kindOf('cluster.x-k8s.io', 'Cluster').versions.map((v) => [v.name, v.served, v.storage, v.deprecated])).toEqual([
        ['v1beta1', true, false, true],
        ['v1beta2', true, true, false],
      ]);
    });

    test('KubeVirt and CDI kinds come from their OpenAPI documents, with the real scopes', () => {
      const scopes = (group: string) => Object.fromEntries(bundle.groups.find((g) => g.group === group)!.kinds.map((k) => [k.kind, k.scope]));
      expect(scopes('kubevirt.io')).toMatchObject({ VirtualMachine: 'Namespaced', VirtualMachineInstance: 'Namespaced', KubeVirt: 'Namespaced' });
      expect(scopes('cdi.kubevirt.io')).toMatchObject({ DataVolume: 'Namespaced', DataSource: 'Namespaced', DataImportCron: 'Namespaced', CDI: 'Cluster', CDIConfig: 'Cluster' });
      expect(scopes('instancetype.kubevirt.io')).toMatchObject({ VirtualMachineClusterInstancetype: 'Cluster', VirtualMachineInstancetype: 'Namespaced' });
      expect(scopes('clone.kubevirt.io')).toEqual({ VirtualMachineClone: 'Namespaced' });
      expect(kindOf('kubevirt.io', 'VirtualMachine').versions.map((v) => [v.name, v.storage])).toEqual([['v1', true]]);
    });

    test('KubeVirt schemas are structural: refs inlined, Quantity int-or-string, metadata and status unvalidated', () => {
      const vm = schemaOf('kubevirt.io', 'VirtualMachine');
      expect(JSON.stringify(vm)).not.toContain('$ref');
      expect(vm.properties.metadata).toEqual({ type: 'object' });
      expect(vm.properties.status).toEqual({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true });
      const template = vm.properties.spec.properties.template;
      expect(template.properties.metadata).toEqual({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true });
      const guest = template.properties.spec.properties.domain.properties.memory.properties.guest;
      expect(guest).toMatchObject({ 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }] });
      // openapi-gen's zero-value defaults are not CRD defaults (a property may still be named "default").
      expect(schemaKeywords(vm).has('default')).toBe(false);
    });
  });
}
