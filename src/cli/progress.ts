/**
 * Progress for long work (file inserts, index builds, loads): a redrawn bar with rate and ETA on
 * a terminal, plain lines otherwise (so logs and pipes stay readable). Written to stderr so that
 * stdout carries only results.
 */
export interface ProgressSink { write(text: string): void }

const BAR_WIDTH = 30;
const PLAIN_INTERVAL_MS = 1000;
const TTY_INTERVAL_MS = 100;

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.ceil(s - m * 60)).padStart(2, '0')}s`;
}

export class Progress {
  private readonly startMs = Date.now();
  private lastDrawMs = 0;
  private drawn = false;
  private lastPlain = '';

  /** `total` in the same unit as `done` (bytes of a file, rows, percent); `unit` names the rate. */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
    private readonly tty: boolean,
    private readonly out: ProgressSink = process.stderr,
  ) {}

  /** `done` of `total`; `count` is what the rate counts (rows), defaulting to `done`. */
  update(done: number, count = done, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDrawMs < (this.tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
    this.lastDrawMs = now;
    const elapsedS = Math.max((now - this.startMs) / 1000, 1e-3);
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const pct = Math.floor(frac * 100);
    const rate = count / elapsedS;
    const eta = frac > 0 ? (elapsedS * (1 - frac)) / frac : Infinity;
    const counted = this.unit === '%' ? '' : ` ${count} ${this.unit} ${Math.round(rate)} ${this.unit}/s`;
    if (this.tty) {
      const filled = Math.round(frac * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      this.out.write(`\r${this.label} [${bar}] ${String(pct).padStart(3)}%${counted} ETA ${seconds(eta)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const key = `${pct}/${count}`;
    if (key === this.lastPlain) return;
    this.lastPlain = key;
    this.out.write(`${this.label}: ${pct}%${counted === '' ? '' : ` (${counted.trim()})`}\n`);
  }

  finish(done: number, count = done): void {
    this.update(done, count, true);
    if (this.tty && this.drawn) this.out.write('\n');
  }

  /** Leave the bar's line before an error message is printed. */
  abort(): void {
    if (this.tty && this.drawn) this.out.write('\n');
  }
}
