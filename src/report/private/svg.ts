// A minimal SVG writer for the fleet report's charts. Internal: not part of the jsii API.
//
// Why our own: the charts are a handful of rectangles, lines and labels, and a charting library
// that draws them server-side weighed 60 MB installed (the bulk of the package). Writing the
// elements directly also makes the bytes a function of the input alone: no ids, no counters, no
// timestamps, numbers rounded to one decimal so float noise never reaches the output.

/** Text options: size in px; `anchor` as SVG's text-anchor. */
export interface TextStyle {
  readonly size?: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly color?: string;
  readonly bold?: boolean;
}

/** Rounds to 0.1 px: enough for a raster, and it keeps float noise (0.30000000000000004) out of the bytes. */
export function num(v: number): string {
  const r = Math.round(v * 10) / 10;
  // -0 would print as "0" anyway; Object.is keeps the intent explicit.
  return Object.is(r, -0) ? '0' : String(r);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Elements in drawing order; `toString()` is the whole document. */
export class SvgDocument {
  private readonly parts: string[] = [];

  constructor(public readonly width: number, public readonly height: number, private readonly font: string, background = '#ffffff') {
    this.rect(0, 0, width, height, background);
  }

  public rect(x: number, y: number, w: number, h: number, fill: string): this {
    if (w <= 0 || h <= 0) return this;
    this.parts.push(`<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="${fill}"/>`);
    return this;
  }

  public line(x1: number, y1: number, x2: number, y2: number, stroke: string, options: { dashed?: boolean; width?: number } = {}): this {
    const dash = options.dashed ? ' stroke-dasharray="5 5"' : '';
    this.parts.push(`<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="${num(options.width ?? 1)}"${dash}/>`);
    return this;
  }

  /** Text whose vertical middle is at `y` (the baseline is computed: no reliance on dominant-baseline support). */
  public text(x: number, y: number, text: string, style: TextStyle = {}): this {
    const size = style.size ?? 12;
    const attrs = [
      `x="${num(x)}"`,
      `y="${num(y + size * 0.35)}"`,
      `font-size="${num(size)}"`,
      `text-anchor="${style.anchor ?? 'start'}"`,
      `fill="${style.color ?? '#000000'}"`,
    ];
    if (style.bold) attrs.push('font-weight="bold"');
    this.parts.push(`<text ${attrs.join(' ')}>${escape(text)}</text>`);
    return this;
  }

  public toString(): string {
    const head = `<svg width="${this.width}" height="${this.height}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${this.width} ${this.height}" font-family="${escape(this.font)}">`;
    return `${[head, ...this.parts, '</svg>'].join('\n')}\n`;
  }
}
