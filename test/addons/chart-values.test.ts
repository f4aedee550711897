import { execFileSync } from 'child_process';
import * as path from 'path';
import { AddonProfile } from '../../src';
import { CERT_MANAGER_CHART, certManagerChart, CertManagerValues, metallbChart, projectsveltosChart } from '../../src/addons/values';
import { findObject, newChart } from '../support/platform';
import { requireUpstream } from '../support/upstream';

describe('typed chart values generated from the charts\' values.schema.json', () => {
  test('a typed chart is pinned to the release its schema came from', () => {
    expect(CERT_MANAGER_CHART).toMatchObject({ chart: 'cert-manager', version: 'v1.21.1' });
    expect(metallbChart({ repositoryUrl: 'https://metallb.github.io/metallb' })).toMatchObject({ chart: 'metallb', version: '0.16.1' });
    expect(projectsveltosChart({ repositoryUrl: 'https://projectsveltos.github.io/helm-charts' }).version).toBe('1.13.0');
  });

  test('typed values flow into the ClusterProfile', () => {
    const values: CertManagerValues = { replicaCount: 3, crds: { enabled: true }, global: { leaderElection: { namespace: 'cert-manager' } } };
    const { chart } = newChart();
    new AddonProfile(chart, 'certs', { expectClusters: false, helmCharts: [certManagerChart({ repositoryUrl: 'https://charts.jetstack.io', values })] });
    const spec = findObject(chart.toJson(), 'ClusterProfile', 'certs').spec;
    expect(spec.helmCharts[0].values).toBe('crds:\n  enabled: true\nglobal:\n  leaderElection:\n    namespace: cert-manager\nreplicaCount: 3\n');
  });

  test('the types check what the schema says (verified by `tsc -p test/tsconfig.json`)', () => {
    // @ts-expect-error replicaCount is a number in the chart's schema
    const wrongType: CertManagerValues = { replicaCount: 'three' };
    // @ts-expect-error cert-manager's schema refuses unknown top-level keys
    const unknownKey: CertManagerValues = { replicas: 3 };
    expect([wrongType, unknownKey]).toHaveLength(2);
  });

  // The check regenerates from the pinned charts; everything above needs only the committed files.
  if (requireUpstream('charts')) {
    test('the generated files are up to date with ../shared/charts', () => {
      const root = path.resolve(__dirname, '..', '..');
      const out = execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--prefer-ts-exts', '--transpile-only', 'build-tools/chart-values-types.ts', '--check'], { cwd: root, encoding: 'utf8' });
      expect(out).toContain('(up to date)');
    }, 60_000);
  }
});
