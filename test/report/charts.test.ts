import { Resvg } from '@resvg/resvg-js';
import { CAPACITY, smallPlatform } from './fixture';
import { FleetReport } from '../../src';

/** Rasterizes an SVG at its own size with the fonts of the machine (DejaVu Sans on Debian). */
function rasterize(svg: string): { width: number; height: number; inked: number } {
  const image = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  const px = image.pixels;
  let inked = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)) inked++;
  return { width: image.width, height: image.height, inked };
}

describe('FleetReport charts', () => {
  const { platform } = smallPlatform();
  const charts = FleetReport.of(platform, { capacity: CAPACITY }).charts;

  test('four charts: capacity per pool, VIP pools, tenants per Kubernetes version, savings', () => {
    expect(charts.map((c) => c.fileName)).toEqual(['capacity.svg', 'vip-pools.svg', 'kubernetes-versions.svg', 'savings.svg']);
  });

  test.each(['capacity.svg', 'vip-pools.svg', 'kubernetes-versions.svg', 'savings.svg'])('%s is an SVG document that rasterizes to a non-empty image of its size', (file) => {
    const chart = charts.find((c) => c.fileName === file)!;
    expect(chart.svg).toMatch(new RegExp(`^<svg width="${chart.width}" height="${chart.height}" xmlns="http://www.w3.org/2000/svg"`));
    expect(chart.svg.trimEnd().endsWith('</svg>')).toBe(true);
    const image = rasterize(chart.svg);
    expect([image.width, image.height]).toEqual([chart.width, chart.height]);
    // Bars, axes and text: well over 1 % of the pixels carry ink.
    expect(image.inked).toBeGreaterThan(chart.width * chart.height * 0.01);
  });

  test('the charts write the figures out', () => {
    const svg = (file: string) => charts.find((c) => c.fileName === file)!.svg;
    expect(svg('capacity.svg')).toContain('22 / 120 vCPU (18.3 %)');
    expect(svg('capacity.svg')).toContain('10.5 / 14 cores (75 %)');
    expect(svg('vip-pools.svg')).toContain('3 / 8 VIPs (37.5 %)');
    expect(svg('kubernetes-versions.svg')).toContain('v1.34.1');
    expect(svg('savings.svg')).toContain('8 machines (88.9 %) saved');
  });

  test('an over-committed resource is drawn red, past the 100 % line', () => {
    const over = FleetReport.of(smallPlatform(20).platform, { capacity: CAPACITY }).charts.find((c) => c.fileName === 'capacity.svg')!;
    expect(over.svg).toContain('182 / 120 vCPU (151.7 %)');
    expect(over.svg).toContain('fill="#d62828"');
    expect(charts[0].svg).not.toContain('fill="#d62828"');
  });

  test('the bytes depend on the platform only (no per-process ids)', () => {
    const again = FleetReport.of(smallPlatform().platform, { capacity: CAPACITY }).charts;
    expect(again.map((c) => c.svg)).toEqual(charts.map((c) => c.svg));
    for (const c of charts) expect(c.svg).not.toMatch(/zr\d+-/);
  });
});
