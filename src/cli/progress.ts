import type { CliIo } from './io';

/**
 * Objects done / total, on standard error. On a terminal: one line rewritten with a carriage
 * return; otherwise (CI logs, pipes): plain lines, at most about twenty per run, so a log of a
 * 5,000-object tree stays readable.
 */
export class Progress {
  private done = 0;
  private readonly step: number;
  private lastWidth = 0;

  constructor(private readonly io: CliIo, private readonly label: string, private readonly total: number, private readonly quiet = false) {
    this.step = Math.max(1, Math.ceil(total / 20));
    if (!quiet && !io.stderrIsTTY) io.stderr(`${label}: 0/${total}\n`);
  }

  /** One more object done; `detail` names it (shown on a terminal only). */
  public tick(detail: string): void {
    this.done++;
    if (this.quiet) return;
    if (this.io.stderrIsTTY) {
      const width = Math.max(20, (this.io.columns ?? 100) - 1);
      let line = `${this.label}: ${this.done}/${this.total} ${detail}`;
      if (line.length > width) line = `${line.slice(0, width - 1)}…`;
      const pad = this.lastWidth > line.length ? ' '.repeat(this.lastWidth - line.length) : '';
      this.lastWidth = line.length;
      this.io.stderr(`\r${line}${pad}`);
    } else if (this.done % this.step === 0 || this.done === this.total) {
      this.io.stderr(`${this.label}: ${this.done}/${this.total}\n`);
    }
  }

  /** Ends the progress display (clears the terminal line). */
  public finish(): void {
    if (this.quiet || !this.io.stderrIsTTY || this.lastWidth === 0) return;
    this.io.stderr(`\r${' '.repeat(this.lastWidth)}\r`);
    this.lastWidth = 0;
  }
}
