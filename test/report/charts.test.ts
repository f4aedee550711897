import { Resvg } from '@resvg/resvg-js';
import { CAPACITY, smallPlatform } from './fixture';
import { FleetReport } from '../../src';
import { SvgDocument } from '../../src/report/private/svg';

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
    // Nothing that could carry a counter or a clock: no ids, no classes, no metadata.
    for (const c of charts) expect(c.svg).not.toMatch(/\b(id|class)="|<metadata|<style/);
  });

  test('capacity: one bar per resource row, labelled, with the free share beside it', () => {
    const svg = charts.find((c) => c.fileName === 'capacity.svg')!.svg;
    const labels = [...svg.matchAll(/<text [^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const rows = labels.filter((l) => l.includes(' · '));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows).toEqual(expect.arrayContaining([expect.stringMatching(/ · CPU$/), expect.stringMatching(/ · memory$/)]));
    // Used share in the resource colour, then the free share in grey: one of each per row under 100 %.
    expect(svg.match(/fill="#3b6fd8"/g)!.length).toBeGreaterThanOrEqual(1);
    const shares = [...svg.matchAll(/ \((\d+(?:\.\d)?) %\)<\/text>/g)].map((m) => Number(m[1]));
    expect(shares).toHaveLength(rows.length);
    expect(svg.match(/<rect [^>]*fill="#e3e6ea"/g)?.length ?? 0).toBe(shares.filter((u) => u < 100).length);
    // The 100 % reference line is drawn dashed.
    expect(svg).toMatch(/<line [^>]*stroke="#d62828"[^>]*stroke-dasharray/);
  });

  test('versions: one bar per release with its tenant count above it', () => {
    const chart = charts.find((c) => c.fileName === 'kubernetes-versions.svg')!;
    const versions = FleetReport.of(platform, { capacity: CAPACITY, charts: false }).data.kubernetesVersions.versions;
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) {
      expect(chart.svg).toContain(`>${v.version}</text>`);
      expect(chart.svg).toContain(`>${v.tenantCount}</text>`);
    }
  });

  test('savings: a legend and two bars (dedicated, hosted) per metric', () => {
    const svg = charts.find((c) => c.fileName === 'savings.svg')!.svg;
    expect(svg).toContain('>hosted (shared nodes)</text>');
    expect(svg).toMatch(/>dedicated \(\d+ per tenant\)<\/text>/);
    // Legend swatch + 3 bars each.
    expect(svg.match(/<rect [^>]*fill="#9aa0a6"/g)!.length).toBe(4);
    expect(svg.match(/<rect [^>]*fill="#2a9d8f"/g)!.length).toBeGreaterThanOrEqual(1);
    for (const metric of ['control-plane machines', 'vCPU', 'memory (GiB)']) expect(svg).toContain(`>${metric}</text>`);
  });

  test('labels are XML-escaped and coordinates rounded to 0.1 px', () => {
    // Pool and class names are user text: an ampersand or a bracket must not break the document.
    const svg = new SvgDocument(10, 10, 'A "font"').text(0.1 + 0.2, 1 / 3, 'a & <b>').toString();
    expect(svg).toContain('>a &amp; &lt;b&gt;</text>');
    expect(svg).toContain('font-family="A &quot;font&quot;"');
    expect(svg).toContain('x="0.3"');
    expect(svg).not.toMatch(/\d\.\d\d/);
  });
});
