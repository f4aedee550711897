import * as fs from 'fs';
import * as path from 'path';
import { bundleDir } from './fixtures';
import { ConformanceChecker, FindingSeverity, formatFindings, type ConformanceFinding } from '../../src/conformance';
import { requireUpstream } from '../support/upstream';

const samples = requireUpstream('samples');
/** The two samples their own upstream got wrong (see ../shared/samples/README.md). */
const WRONG_UPSTREAM = ['metal3/capm3-clusterclass.yaml', 'metal3/capm3-machinedeployment.yaml'];

function sampleFilesIn(samplesDir: string, dir = samplesDir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sampleFilesIn(samplesDir, full);
    return /\.ya?ml$/.test(e.name) ? [path.relative(samplesDir, full)] : [];
  }).sort();
}

if (samples) describeSamples(samples);

function describeSamples(samplesDir: string): void {
  const checker = new ConformanceChecker({ bundleDir: bundleDir(), defaultNamespace: 'default' });
  const sampleFiles = () => sampleFilesIn(samplesDir);

  function errorsOf(file: string): ConformanceFinding[] {
    const text = fs.readFileSync(path.join(samplesDir, file), 'utf8');
    return checker.validateYaml(text, file).filter((f) => f.severity === FindingSeverity.ERROR);
  }

  describe('upstream example manifests', () => {
    test('the samples are there to check', () => {
      expect(sampleFiles().length).toBeGreaterThanOrEqual(12);
      for (const file of WRONG_UPSTREAM) expect(sampleFiles()).toContain(file);
    });

    test.each(sampleFiles().filter((f) => !WRONG_UPSTREAM.includes(f)))('%s passes, applied to a default namespace', (file) => {
      expect(formatFindings(errorsOf(file))).toBe('');
    });

    test('capm3-clusterclass.yaml: the v1beta2 ClusterClass uses the v1beta1 field machineHealthCheck', () => {
      const errors = errorsOf('metal3/capm3-clusterclass.yaml');
      expect(errors.map((e) => [e.kind, e.code, e.path])).toEqual([
        ['ClusterClass', 'unknown-field', 'spec.controlPlane.machineHealthCheck'],
      ]);
      expect(errors[0].message).toContain('did you mean "healthCheck"');
    });

    test('capm3-machinedeployment.yaml: the Metal3DataTemplate pool references lack the required apiGroup and kind', () => {
      const errors = errorsOf('metal3/capm3-machinedeployment.yaml');
      for (let i = 0; i < 4; i++) {
        for (const field of ['apiGroup', 'kind']) {
          expect(errors).toContainEqual(expect.objectContaining({
            kind: 'Metal3DataTemplate',
            code: 'required',
            path: `spec.metaData.gatewaysFromIPPool[${i}].${field}`,
          }));
        }
      }
      // The sample's ipAddressesFromIPPool and prefixesFromIPPool entries have the same omission, and the
      // pinned CRD requires the same fields there: nothing else is wrong in the file.
      for (const e of errors) {
        expect(e).toMatchObject({ kind: 'Metal3DataTemplate', code: 'required' });
        expect(e.path).toMatch(/^spec\.metaData\.(gatewaysFromIPPool|ipAddressesFromIPPool|prefixesFromIPPool)\[[0-3]\]\.(apiGroup|kind)$/);
      }
      expect(errors).toHaveLength(24);
    });

    test('validateDirectory reads every sample and finds exactly the two wrong files', () => {
      const errors = checker.validateDirectory(samplesDir).filter((f) => f.severity === FindingSeverity.ERROR);
      const files = new Set(errors.map((e) => path.relative(samplesDir, e.source!.file!)));
      expect([...files].sort()).toEqual(WRONG_UPSTREAM);
    });
  });
}
