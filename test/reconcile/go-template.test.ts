import * as fc from 'fast-check';
import { MachineImage, TenantClusterClass } from '../../src';
import { capiTemplateData, evaluateEnabledIf, parseRenderedYamlUncached, readSimpleYaml, renderPatchValue } from '../../src/reconcile/capi-template-data';
import { renderGoTemplate } from '../../src/reconcile/go-template';
import { goTemplateOracle, ORACLE_MISSING, OracleCase, runGoTemplateOracle } from '../support/go-template-oracle';
import { findObject, newChart } from '../support/platform';

const render = (template: string, data: unknown = {}) => renderGoTemplate(template, data);
const out = (template: string, data: unknown = {}) => {
  const r = render(template, data);
  if (!r.ok) throw new Error(r.error);
  return r.output;
};

/** Every enabledIf and valueFrom.template the class emits, as a real ClusterClass carries them. */
function classTemplates(): { patch: string; where: string; template: string }[] {
  const { chart } = newChart();
  new TenantClusterClass(chart, 'golden', {
    defaultVersion: 'v1.33.2',
    defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    workerClasses: [{ name: 'worker', cpuCores: 2, memoryGiB: 4 }],
  });
  const cc = findObject(chart.toJson(), 'ClusterClass', 'golden');
  const found: { patch: string; where: string; template: string }[] = [];
  for (const p of cc.spec.patches) {
    if (p.enabledIf) found.push({ patch: p.name, where: 'enabledIf', template: p.enabledIf });
    for (const d of p.definitions ?? []) {
      for (const j of d.jsonPatches) if (j.valueFrom?.template) found.push({ patch: p.name, where: j.path, template: j.valueFrom.template });
    }
  }
  return found;
}

// Data as Cluster API builds it: variables decoded from JSON (numbers are float64), builtins included.
const BUILTIN = { cluster: { name: 't0', namespace: 'tenant-t0', topology: { version: 'v1.33.2', class: 'golden' } }, machineDeployment: { class: 'worker', name: 'md0', topologyName: 'general', replicas: 2 } };
const CLASS_DATA: unknown[] = [
  { builtin: BUILTIN, dataStoreName: 't0-etcd', workerCpuCores: 2, workerMemoryGiB: 4 },
  {
    builtin: BUILTIN,
    dataStoreName: 't0-etcd',
    workerCpuCores: 4,
    workerMemoryGiB: 8.5,
    workerImage: 'quay.io/x:1',
    workerSubnet: 'tenant-a',
    controlPlaneEndpointAddress: '10.0.0.5',
    controlPlaneAddressPool: 'pool-a',
    siteControlPlane: { deploymentNamespace: 'kamaji', kubeconfigSecretName: 'site-kc', kubeconfigSecretKey: 'value', kubeconfigSecretNamespace: 'sites' },
    siteInfraClusterSecret: { name: 'infra', namespace: 'sites' },
  },
  { builtin: BUILTIN, workerMemoryGiB: 1000000, controlPlaneAddressPool: 'pool-b', workerGpuDeviceName: '', workerGpuCount: 0 },
  { builtin: BUILTIN, workerMemoryGiB: 16, workerGpuDeviceName: 'nvidia.com/GA102GL_A10', workerGpuCount: 2 },
  // Placement variables (defaults written by Cluster API's webhook; overrides per pool).
  { builtin: BUILTIN, workerSpread: 'preferred', workerLiveMigration: false },
  { builtin: BUILTIN, workerSpread: 'required', workerZoneLabel: 'topology.kubernetes.io/zone', workerLiveMigration: true },
  { builtin: BUILTIN, workerSpread: 'none', workerZoneLabel: 'topology.kubernetes.io/zone' },
];

describe('renderGoTemplate (unit)', () => {
  test('text, fields, missing keys print "<no value>", JSON null inside a list prints "<nil>"', () => {
    expect(out('a {{ .x.y }} b', { x: { y: 'v' } })).toBe('a v b');
    expect(out('{{ .missing }}|{{ .x.missing }}|{{ .l }}', { x: {}, l: [1, null, 'a'] })).toBe('<no value>|<no value>|[1 <nil> a]');
  });

  test('float64 prints like Go fmt %v: shortest digits, exponent form from 1e6 on', () => {
    expect(out('{{ .a }} {{ .b }} {{ .c }} {{ .d }} {{ .e }}', { a: 8, b: 2.5, c: 123456, d: 1000000, e: 0.00001 })).toBe('8 2.5 123456 1e+06 1e-05');
  });

  test('truthiness: empty string, 0, nil, empty list and map are false', () => {
    const t = '{{ if .v }}T{{ else }}F{{ end }}';
    expect(['', 0, null, [], {}, false].map((v) => out(t, { v }))).toEqual(['F', 'F', 'F', 'F', 'F', 'F']);
    expect(['x', 1, 0.5, [0], { a: 1 }, true].map((v) => out(t, { v }))).toEqual(['T', 'T', 'T', 'T', 'T', 'T']);
    expect(out(t, {})).toBe('F');
  });

  test('trim markers eat all surrounding whitespace; a dash without a space is a number', () => {
    expect(out('a  \n {{- .x -}} \n  b', { x: 1 })).toBe('a1b');
    expect(out('{{-3}}')).toBe('-3');
    expect(out('a {{- /* note */ -}} b')).toBe('ab');
  });

  test('range over lists, maps (sorted by key) and with index and element variables', () => {
    expect(out('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] })).toBe('0=a;1=b;');
    expect(out('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { b: 2, a: 1 } })).toBe('a=1;b=2;');
    expect(out('{{ range $e := until 3 }}{{ $e }}{{ end }}{{ range .none }}x{{ else }}empty{{ end }}')).toBe('012empty');
  });

  test('comparing a float64 variable with an int literal is an error, as in Go', () => {
    const r = render('{{ gt .n 0 }}', { n: 2 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/incompatible types for comparison/);
    expect(out('{{ gt .n 0.0 }} {{ gt (int .n) 0 }}', { n: 2 })).toBe('true true');
  });

  test('until with a float64 is "wrong type for value; expected int; got float64"', () => {
    const r = render('{{ until .n }}', { n: 2 });
    expect(!r.ok && r.error).toMatch(/wrong type for value; expected int; got float64/);
    expect(out('{{ until 2 }} {{ until (int .n) }}', { n: 2 })).toBe('[0 1] [0 1]');
  });

  test('undefined functions and variables are errors; sprig functions outside the subset are unsupported, not failures', () => {
    expect(render('{{ nosuch 1 }}').ok).toBe(false);
    expect(render('{{ $x }}').ok).toBe(false);
    expect(render('{{ sha256sum "a" }}')).toMatchObject({ ok: false, unsupported: true });
  });

  test('sprig: quote, default, join, dict, toJson, arithmetic is int64', () => {
    expect(out('{{ .a | quote }} {{ default "d" .none }} {{ join "," .l }} {{ toJson (dict "b" 1 "a" .l) }} {{ add 1 .f }}', { a: 'x"y', l: ['p', 2.5], f: 2.7 }))
      .toBe('"x\\"y" d p,2.5 {"a":["p",2.5],"b":1} 3');
    expect(render('{{ until (add 1 1) }}').ok).toBe(false); // add returns int64; until declares int
  });
});

describe('renderGoTemplate against Go (build-tools/go-template-oracle)', () => {
  const oracle = goTemplateOracle();
  if (!oracle) {
    test.skip(ORACLE_MISSING, () => undefined);
    return;
  }

  const compare = (cases: OracleCase[]) => {
    const go = runGoTemplateOracle(oracle, cases);
    const mismatches: string[] = [];
    let unsupported = 0;
    cases.forEach((c, i) => {
      const ts = renderGoTemplate(c.template, c.data);
      const g = go[i];
      if (!ts.ok && ts.unsupported) {
        unsupported++;
        return;
      }
      // Go 1.22 added `range` over an integer; the oracle's Go 1.19 refuses it, Cluster API's Go 1.26 does not.
      if (ts.ok && !g.ok && /range can't iterate over -?\d+$/.test(g.error)) {
        unsupported++;
        return;
      }
      if (ts.ok !== g.ok || (ts.ok && g.ok && ts.output !== g.output)) {
        mismatches.push(`${JSON.stringify(c.template)} data=${JSON.stringify(c.data)}\n  go: ${JSON.stringify(g)}\n  ts: ${JSON.stringify(ts)}`);
      }
    });
    return { mismatches, unsupported, goErrors: go.filter((g) => !g.ok).length };
  };

  test('every enabledIf and valueFrom.template of TenantClusterClass renders as in Go, on every data set', () => {
    const templates = classTemplates();
    expect(templates.length).toBeGreaterThanOrEqual(10);
    const cases = templates.flatMap((t) => CLASS_DATA.map((data) => ({ template: t.template, data })));
    const { mismatches, unsupported } = compare(cases);
    expect(mismatches).toEqual([]);
    expect(unsupported).toBe(0);
  });

  test('the worker-gpus patch renders with float64 GPU counts, in Go and here (it once compared a float64 with an int)', () => {
    const gpu = classTemplates().filter((t) => t.patch === 'worker-gpus');
    expect(gpu.map((t) => t.where)).toEqual(['enabledIf', '/spec/template/spec/virtualMachineTemplate/spec/template/spec/domain/devices/gpus']);
    const data = { builtin: BUILTIN, workerGpuDeviceName: 'nvidia.com/GA102GL_A10', workerGpuCount: 2 };
    const go = runGoTemplateOracle(oracle, gpu.map((t) => ({ template: t.template, data })));
    const ts = gpu.map((t) => renderGoTemplate(t.template, data));
    expect(go).toEqual(ts.map((r) => (r.ok ? { ok: true, output: r.output } : r)));
    expect(go.map((r) => r.ok)).toEqual([true, true]);
    expect(go[0].ok && go[0].output).toBe('true');
    expect(go[1].ok && go[1].output).toBe('\n- name: gpu0\n  deviceName: nvidia.com/GA102GL_A10\n- name: gpu1\n  deviceName: nvidia.com/GA102GL_A10');
    // The form it had: Go refuses it, and so does the evaluator the reconcile check uses.
    const old = ['{{ if and .workerGpuDeviceName (gt .workerGpuCount 0) }}true{{ end }}', '{{- range $i := until .workerGpuCount }}x{{- end }}'];
    const oldGo = runGoTemplateOracle(oracle, old.map((template) => ({ template, data })));
    expect(oldGo.map((r) => r.ok)).toEqual([false, false]);
    expect(old.map((t) => renderGoTemplate(t, data).ok)).toEqual([false, false]);
    expect(!oldGo[0].ok && oldGo[0].error).toMatch(/incompatible types for comparison/);
    expect(!oldGo[1].ok && oldGo[1].error).toMatch(/wrong type for value; expected int; got float64/);
  });

  test('a hand-written corpus of Go template edge cases agrees with Go', () => {
    const { mismatches } = compare(CORPUS.flatMap(([template, ...datas]) => (datas.length ? datas : [{}]).map((data) => ({ template, data }))));
    expect(mismatches).toEqual([]);
  });

  test('random templates from the supported grammar agree with Go (verdict and output)', () => {
    const samples = fc.sample(fc.tuple(templateArb, dataArb), { numRuns: 3000, seed: 20260730 });
    const { mismatches, unsupported, goErrors } = compare(samples.map(([template, data]) => ({ template, data })));
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(unsupported).toBeLessThan(samples.length / 20);
    // The grammar must exercise both sides: plenty of Go errors and plenty of successes.
    expect(goErrors).toBeGreaterThan(samples.length / 10);
    expect(goErrors).toBeLessThan(samples.length * 0.9);
  });
});

// [template, ...data sets]
const CORPUS: [string, ...unknown[]][] = [
  ['{{ .a }}', { a: 1 }, { a: 1.5 }, { a: 1e21 }, { a: -0.0001 }, { a: 1e-7 }, { a: null }, {}, { a: true }, { a: 'x' }, { a: [1, [2, {}]] }, { a: { z: null, b: [] } }],
  ['{{ .a.b }}', { a: null }, { a: 'x' }, { a: { b: 2 } }, {}, { a: [1] }],
  ['{{ eq .a 1 }}', { a: 1 }, {}, { a: null }, { a: 'x' }],
  ['{{ eq .a 1.0 }}|{{ eq .a "1" }}|{{ ne .a 2.0 }}', { a: 1 }],
  ['{{ eq .a .b }}', { a: 1, b: 1 }, { a: 'x', b: 'x' }, { a: [1], b: [1] }, { a: { k: 1 }, b: null }, { a: [1] }, {}, { a: null, b: null }],
  ['{{ eq 1 2 3 1 }}|{{ eq "a" "b" }}|{{ eq true true }}|{{ eq 1 1.0 }}'],
  ['{{ lt .a .b }}', { a: 1, b: 2 }, { a: 'a', b: 'b' }, { a: true, b: false }, { a: 1 }, { a: 1, b: 'x' }],
  ['{{ le 1 1 }}{{ ge 2 1 }}{{ gt 1 2 }}{{ lt 1.5 2.5 }}'],
  ['{{ len .a }}', { a: 'héllo' }, { a: [1, 2] }, { a: {} }, { a: 1 }, { a: null }, {}],
  ['{{ index .a 1 }}', { a: [1, 2] }, { a: 'ab' }, { a: [1] }, { a: { k: 1 } }, {}, { a: null }],
  ['{{ index .m "k" }}|{{ index .m "none" }}|{{ index .m "k" 0 }}', { m: { k: ['x'] } }],
  ['{{ index .l .i }}', { l: [1, 2], i: 1 }],
  ['{{ not .a }}|{{ and .a .b }}|{{ or .a .b }}', { a: 0, b: 'x' }, { a: 'y', b: '' }, {}, { a: null, b: [1] }],
  ['{{ and 1 0 (fail "x") }}|{{ or 1 (fail "not evaluated") }}'],
  ['{{ print 1 2 "a" 3 "b" "c" .x nil }}', {}],
  ['{{ println 1 "a" .x }}', {}],
  ['{{ printf "%s-%d-%v-%q" .s 3 .f .s }}', { s: 'a"b', f: 2.5 }],
  ['{{ printf "%d %s %d" .f 3 }}|{{ printf "%v" }}|{{ printf "x" 1 "y" }}|{{ printf "%s" .l }}', { f: 2.5, l: ['a', 1] }],
  ['{{ printf "%t %v %q %d" true nil 7 .m }}', { m: { a: 1 } }],
  ['{{ quote .a .b .c }}|{{ squote .a }}|{{ quote }}', { a: 'x', b: 2, c: null }, {}],
  ['{{ .a | quote }}', { a: 'tab\there\u0001é\u2028' }, { a: 1e6 }],
  ['{{ default "d" .a }}|{{ .a | default 5 }}', { a: '' }, { a: 0 }, { a: 'v' }, {}, { a: [] }, { a: false }],
  ['{{ empty .a }}', { a: '' }, { a: {} }, { a: 0.0 }, { a: 'x' }],
  ['{{ int .a }}|{{ int64 .a }}|{{ float64 .a }}', { a: 2.7 }, { a: -2.7 }, { a: '42' }, { a: '0x1F' }, { a: '3.00' }, { a: '3.5' }, { a: 'abc' }, { a: true }, { a: null }, {}, { a: '010' }, { a: '1_000' }],
  ['{{ toString .a }}|{{ toString 3 }}|{{ toString nil }}', { a: 2.5 }, { a: [1] }, {}],
  ['{{ until 3 }}|{{ until -2 }}|{{ untilStep 1 10 3 }}|{{ untilStep 5 0 -2 }}|{{ untilStep 0 3 0 }}|{{ until 3.0 }}'],
  ['{{ until .n }}', { n: 3 }, { n: '3' }, {}],
  ['{{ until 2.5 }}'],
  ['{{ upper .s }}|{{ lower .s }}|{{ trim .s }}', { s: '  Hi There \n' }, { s: 3 }, {}],
  ['{{ trimSuffix "-x" .s }}|{{ trimPrefix "a" .s }}|{{ replace "a" "b" .s }}|{{ replace "" "_" .s }}', { s: 'aa-x' }],
  ['{{ contains "b" .s }}|{{ hasPrefix "a" .s }}|{{ hasSuffix "c" .s }}', { s: 'abc' }],
  ['{{ join "," .l }}|{{ join "-" (list 1 nil "a") }}|{{ join "," .s }}|{{ join "," .none }}', { l: ['a', 1.5, null, true], s: 'str' }],
  ['{{ list 1 "a" nil .x }}|{{ dict "a" 1 "b" }}|{{ dict 1 2 }}', { x: { y: 1 } }],
  ['{{ toJson .a }}', { a: { b: [1, 2.5, '<&>', null, true, 1e21, 1e-7, 1e20] } }, { a: 'x' }, {}, { a: 123456789 }],
  ['{{ toJson (list 1 2.0 "a") }}|{{ toJson (dict "k" (until 2)) }}'],
  ['{{ b64enc .s }}', { s: 'héllo' }, { s: 1 }],
  ['{{ add 1 2 .a }}|{{ sub .a 1 }}|{{ mul 2 .a }}|{{ div 7 2 }}|{{ max 1 .a 3 }}|{{ min 1 .a }}|{{ add1 .a }}|{{ mod 7 3 }}', { a: 2.9 }, { a: '5' }, {}],
  ['{{ div 1 0 }}'],
  ['{{ ternary "y" "n" .c }}', { c: true }, { c: false }, { c: 1 }, {}],
  ['{{ ternary "y" "n" true }}|{{ ternary 1 2 false }}'],
  ['{{ $x := .a }}{{ $x }}{{ $x = "b" }}{{ $x }}{{ $ }}', { a: 'a' }],
  ['{{ if $x := .a }}{{ $x }}{{ else }}none{{ $x }}{{ end }}', { a: 'v' }, {}],
  ['{{ with .a }}{{ . }}{{ .b }}{{ else }}none{{ end }}', { a: { b: 1 } }, { a: '' }, {}],
  ['{{ with .a }}{{ $.top }}{{ end }}', { a: 1, top: 't' }],
  ['{{ range .l }}[{{ . }}]{{ else }}empty{{ end }}', { l: [1, 'a', null] }, { l: [] }, { l: {} }, {}, { l: null }, { l: 'str' }, { l: 3 }, { l: { b: 1, a: 2 } }],
  ['{{ range $i, $e := .l }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $e }}{{ end }}', { l: ['a', 'b', 'c', 'd', 'e'] }],
  ['{{ range $v := .l }}{{ $v }}{{ end }}', { l: ['a', 'b'] }],
  ['{{ range $k, $v := .m }}{{ $k }}:{{ $v }} {{ end }}', { m: { b: 1, a: [2], é: 3, Z: 4 } }],
  ['{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}', { a: 1 }, { b: 1 }, {}],
  ['{{ if and .a (gt .n 0) }}yes{{ end }}', { a: 'x', n: 2 }, { a: '', n: 2 }, {}, { a: 'x' }],
  ['{{ (index .l 0).a }}|{{ (dict "k" "v").k }}', { l: [{ a: 'deep' }] }],
  ['{{ .a | printf "%s!" }}|{{ "x" | upper | quote }}|{{ .n | int | until }}', { a: 'hi', n: 2 }],
  ['{{ .a | }}', { a: 1 }],
  ['{{ "x" | 1 }}'],
  ['{{ .a 1 }}', { a: 1 }],
  ['{{ nil }}'],
  ['{{ 1 2 }}'],
  ['{{ }}'],
  ['{{ if }}x{{ end }}'],
  ['{{ end }}'],
  ['{{ if 1 }}x'],
  ['{{ .a'],
  ['{{ "unterminated }}'],
  ['{{/* ok */}}a{{/* unclosed'],
  ['{{ /* space before comment */ }}'],
  ['{{ 0x10 }}|{{ 1e3 }}|{{ -2 }}|{{ +3 }}|{{ \'a\' }}|{{ 1_000 }}|{{ 0o17 }}|{{ 017 }}|{{ .5 }}|{{ 2. }}'],
  ['{{ "a\\tb\\u00e9\\x41\\101" }}|{{ `raw\\n` }}'],
  ['{{ 99999999999999999999 }}'],
  ['{{ eq .missing nil }}'],
  ['{{ upper nil }}|{{ quote nil }}'],
  ['{{ len nil }}'],
  ['{{ $.a.b.c }}', { a: { b: { c: 'x' } } }],
  ['a{{ "b" }}c\n{{- "d" }}\n{{ "e" -}}\n  f'],
  ['{{ .a.b | default "none" }}', {}, { a: {} }, { a: { b: 'x' } }],
  ['{{ if eq .builtin.machineDeployment.class "worker" }}w{{ end }}', { builtin: { machineDeployment: { class: 'worker' } } }, {}],
];

// ---- random templates from the supported grammar

const KEYS = ['a', 'b', 'n', 'f', 's', 'l', 'm', 'z'];
const scalarArb = fc.oneof(
  fc.constantFrom(0, 1, 2, -1, 3, 2.5, 0.5, 1e6, 123456, 100),
  fc.constantFrom('', 'x', 'a b', 'é', '<&>', '3', '2.0', 'A"b', 'true'),
  fc.boolean(),
  fc.constant(null),
);
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: scalarArb },
  { weight: 1, arbitrary: fc.array(scalarArb, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'k'), scalarArb, { maxKeys: 3 }) },
);
const dataArb = fc.dictionary(fc.constantFrom(...KEYS), valueArb, { maxKeys: 6 });

const literalArb = fc.constantFrom('0', '1', '2', '-1', '2.5', '1.0', '"x"', '""', '"3"', '`r`', 'true', 'false', 'nil');
const fieldArb = fc.oneof(
  fc.constantFrom(...KEYS).map((k) => `.${k}`),
  fc.constantFrom('.m.a', '.m.k', '.l.a', '.a.b', '$', '.', '$.n', '$.s'),
);
const FUNCS_1 = ['not', 'len', 'quote', 'squote', 'empty', 'int', 'int64', 'float64', 'toString', 'until', 'upper', 'lower', 'trim', 'toJson', 'b64enc', 'add1', 'print', 'list'];
const FUNCS_2 = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'index', 'default', 'trimSuffix', 'trimPrefix', 'contains', 'hasPrefix', 'hasSuffix', 'join', 'add', 'sub', 'mul', 'div', 'max', 'min', 'dict', 'print', 'list'];
const FUNCS_3 = ['ternary', 'replace', 'untilStep', 'eq', 'and', 'or', 'printf', 'add', 'dict', 'index'];

const exprArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: literalArb },
    { weight: 4, arbitrary: fieldArb },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...FUNCS_1), tie('expr')).map(([f, a]) => `(${f} ${a})`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...FUNCS_2), tie('expr'), tie('expr')).map(([f, a, b]) => `(${f} ${a} ${b})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FUNCS_3), tie('expr'), tie('expr'), tie('expr')).map(([f, a, b, c]) => `(${f} ${a} ${b} ${c})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('"%v"', '"%s-%d"', '"%q"', '"[%v %v]"'), tie('expr')).map(([f, a]) => `(printf ${f} ${a})`) },
  ),
})).expr as fc.Arbitrary<string>;

const pipelineArb = fc.oneof(
  exprArb,
  fc.tuple(exprArb, fc.constantFrom(...FUNCS_1.filter((f) => f !== 'print'))).map(([e, f]) => `${e} | ${f}`),
  fc.tuple(exprArb, fc.constantFrom('default "d"', 'eq 1', 'printf "%v"', 'join ","', 'index .l', 'gt 0')).map(([e, f]) => `${e} | ${f}`),
);

const textArb = fc.constantFrom('', 'x', ' ', '\n', ' - ', 'a: ');
const open = fc.constantFrom('{{ ', '{{- ');
const close = fc.constantFrom(' }}', ' -}}');

const templateArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  body: fc.array(tie('part'), { minLength: 1, maxLength: 3 }).map((parts) => (parts as string[]).join('')),
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: fc.tuple(textArb, open, pipelineArb, close).map((p) => p.join('')) },
    { weight: 1, arbitrary: textArb },
    { weight: 1, arbitrary: fc.tuple(pipelineArb, tie('body'), fc.option(tie('body'))).map(([p, a, b]) => `{{ if ${p} }}${a}${b !== null ? `{{ else }}${b}` : ''}{{ end }}`) },
    { weight: 1, arbitrary: fc.tuple(pipelineArb, tie('body')).map(([p, a]) => `{{ with ${p} }}${a}{{ . }}{{ end }}`) },
    { weight: 1, arbitrary: fc.tuple(pipelineArb, tie('body')).map(([p, a]) => `{{ range $i, $v := ${p} }}{{ $i }}={{ $v }};${a}{{ else }}none{{ end }}`) },
    { weight: 1, arbitrary: fc.tuple(pipelineArb).map(([p]) => `{{ $x := ${p} }}{{ $x }}{{/* c */}}`) },
  ),
})).body as fc.Arbitrary<string>;

describe('Cluster API patch semantics (capi-template-data)', () => {
  test('template data is a JSON round trip: numbers stay float64 to the templates, unset variables are absent', () => {
    const data = capiTemplateData({ workerGpuCount: 2, workerImage: undefined }, { cluster: { name: 't0' } });
    expect(data).toEqual({ workerGpuCount: 2, builtin: { cluster: { name: 't0' } } });
    expect(evaluateEnabledIf('{{ if gt .workerGpuCount 0 }}true{{ end }}', data).ok).toBe(false);
    expect(evaluateEnabledIf('{{ if gt .workerGpuCount 0.0 }}true{{ end }}', data)).toEqual({ ok: true, enabled: true });
  });

  test('enabledIf: empty is enabled; the rendered YAML must be the boolean true (True, yes, on count; "true" and empty do not)', () => {
    expect(evaluateEnabledIf(undefined, {})).toEqual({ ok: true, enabled: true });
    expect(['true', ' true\n', 'True', 'yes', 'on', 'y'].map((s) => evaluateEnabledIf(`{{ "${s.replace(/\n/g, '\\n')}" }}`, {}))).toEqual(Array(6).fill({ ok: true, enabled: true }));
    expect(['', '"true"', 'false', '1', 'TRUE!'].map((s) => evaluateEnabledIf(`{{ \`${s}\` }}`, {}))).toEqual(Array(5).fill({ ok: true, enabled: false }));
  });

  test('patch values are the rendered text parsed as YAML 1.1 the way go-yaml v2 does', () => {
    expect(renderPatchValue('{{ .m }}Gi', { m: 4 })).toEqual({ ok: true, value: '4Gi' });
    expect(renderPatchValue('a: {{ .n }}\nb: 0755\nc: 2001-12-14\nd: 1:20\ne: yes', { n: 2.5 })).toEqual({ ok: true, value: { a: 2.5, b: 493, c: '2001-12-14', d: '1:20', e: true } });
    expect(renderPatchValue('', {})).toEqual({ ok: true, value: null });
    expect(renderPatchValue('a: .inf', {}).ok).toBe(false);
    expect(renderPatchValue('a: [', {}).ok).toBe(false);
    // Aliases go-yaml cannot resolve fail the patch with its message, not a stack trace from the parser.
    expect(renderPatchValue('a: *x', {})).toEqual({ ok: false, error: expect.stringMatching(/^failed to unmarshal rendered template: .*x/) });
    expect(renderPatchValue('a: &x\n  b: *x', {})).toEqual({ ok: false, error: 'failed to unmarshal rendered template: anchor value contains itself' });
  });

  // readSimpleYaml reads the fleet's per-cluster patch outputs without the YAML parser; it must
  // agree with the parser wherever it answers, and answer for the shapes the classes render.
  const YAML_KEYS = ['a', 'b', 'weight', 'cluster.x-k8s.io/cluster-name', '--flag', './p', 'yes', 'on', '1', '"q"', "'s'", '- a', 'a b', '__proto__', '<<', '~', 'a#b'];
  const READABLE = ['x', 't0001', '"t0001"', '"a b"', '"yes"', '""', '100', '0', '10.0.0.1', '--cluster-name=t0001', './dist/x'];
  const SCALARS = [...READABLE, '"a\\"b"', '"\\n"', "'s'", '007', '0755', '1.5', '1e3', '-1', '+1', '0x1F',
    '10.0.0.1', '198.18.64.7', 'true', 'yes', 'Off', 'null', '~', '', 'a #b', '#c', 'a: b', '[a]', '{a: 1}', '&x', '*x', '|', '>', 'x ', ' x', '1:20', '2001-12-14', '1_000', '99999999999999999999'];
  const line = fc.record({
    indent: fc.constantFrom(0, 0, 2, 2, 4, 6, 1, 3),
    dash: fc.boolean(),
    key: fc.constantFrom(...YAML_KEYS),
    value: fc.option(fc.constantFrom(...SCALARS), { nil: undefined }),
  }).map(({ indent, dash, key, value }) => `${' '.repeat(indent)}${dash ? '- ' : ''}${key}:${value === undefined ? '' : ` ${value}`}`);
  // Well-formed block YAML (mappings, sequences of mappings, compact or indented) of those scalars.
  type Node = { [key: string]: Node | Node[] | string };
  const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>(tie => ({
    node: fc.dictionary(fc.constantFrom(...YAML_KEYS.slice(0, 6)), fc.oneof({ depthSize: 'small' },
      fc.constantFrom(...READABLE), fc.constantFrom(...READABLE), fc.constantFrom(...SCALARS), tie('node'), fc.array(tie('node'), { minLength: 1, maxLength: 3 })),
    { minKeys: 1, maxKeys: 3 }) as fc.Arbitrary<Node>,
  })).node;
  const write = (n: Node, column: number, compact: boolean): string[] => Object.entries(n).flatMap(([k, v]) => {
    const pad = ' '.repeat(column);
    if (typeof v === 'string') return [`${pad}${k}: ${v}`];
    if (!Array.isArray(v)) return [`${pad}${k}:`, ...write(v, column + 2, compact)];
    const dashColumn = compact ? column : column + 2;
    return [`${pad}${k}:`, ...v.flatMap(item => write(item, dashColumn + 2, compact).map((l, i) => (i === 0 ? `${' '.repeat(dashColumn)}- ${l.slice(dashColumn + 2)}` : l)))];
  });
  const agrees = (text: string) => {
    const simple = readSimpleYaml(text);
    if (simple !== undefined) expect({ ok: true, value: simple }).toEqual(parseRenderedYamlUncached(text));
    expect(renderPatchValue(text, {})).toEqual(parseRenderedYamlUncached(text));
    return simple !== undefined;
  };

  test('the parser-free reader of simple outputs agrees with the YAML parser on random line soups', () => {
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.boolean(), (lines, newline) => {
      agrees(lines.join('\n') + (newline ? '\n' : ''));
    }), { numRuns: 3000 });
  });

  test('the parser-free reader agrees with the YAML parser on well-formed block YAML, and reads most of it', () => {
    let read = 0;
    fc.assert(fc.property(node, fc.boolean(), (n, compact) => {
      if (agrees(write(n, 0, compact).join('\n'))) read++;
    }), { numRuns: 2000 });
    expect(read).toBeGreaterThan(400);
  });

  test('the parser-free reader agrees with the YAML parser on indentation edge cases', () => {
    const cases = ['a:\n  b:\n- c: 1', 'a:\n- b: 1\n  c: 2\nd: 3', 'a:\n  - b: 1\n  c: 2', '- a: 1', 'a:\n  b: 1\n c: 2', 'a: 1\n  b: 2',
      'a:\n- b:\n  - c: 1', 'a:\n- b:\n  c: 1', 'a:\n  - b: 1\n    - c: 2', 'a:\n- b: 1\n- b: 2', 'a:\n- b: 1\n- - c: 2', 'a:\n-  b: 1', 'a:\n- b: 1\n   c: 2',
      'a: 1\na: 2', 'a:\n- b: 1\n  b: 2', 'a:\n\n  b: 1', 'a:\n    - b: 1\n  c: 2'];
    const read = cases.filter(agrees);
    expect(read).toEqual(['a:\n- b: 1\n  c: 2\nd: 3', 'a:\n- b:\n  - c: 1', 'a:\n- b: 1\n- b: 2']);
  });

  test('the pool anti-affinity a KubeVirt class renders per MachineDeployment is read without the parser', () => {
    const text = [
      'podAntiAffinity:',
      '  preferredDuringSchedulingIgnoredDuringExecution:',
      '  - weight: 100',
      '    podAffinityTerm:',
      '      labelSelector:',
      '        matchLabels:',
      '          cluster.x-k8s.io/cluster-name: "t0001"',
      '          kmetal.io/pool: "general"',
      '      topologyKey: kubernetes.io/hostname',
    ].join('\n');
    const term = {
      labelSelector: { matchLabels: { 'cluster.x-k8s.io/cluster-name': 't0001', 'kmetal.io/pool': 'general' } },
      topologyKey: 'kubernetes.io/hostname',
    };
    const preferred = [{ weight: 100, podAffinityTerm: term }];
    expect(readSimpleYaml(text)).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } });
    expect(agrees(text)).toBe(true);
  });
});
