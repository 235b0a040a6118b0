/**
 * Progress of a copy on stderr: on a terminal, one line rewritten in place (at most every `intervalMs`);
 * elsewhere (a log, CI), a plain line when a phase ends and at most every `plainIntervalMs` meanwhile, so
 * logs stay readable.
 */

/** Where progress goes: a stream, and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Label in front of every line (`backup`, `restore`). */
  label: string;
  stream: ProgressStream;
  /** Milliseconds clock (tests pass a fake one). Default `performance.now`. */
  now?: () => number;
  /** Least time between two redraws on a terminal (default 100 ms). */
  intervalMs?: number;
  /** Least time between two plain lines within a phase (default 5 s). */
  plainIntervalMs?: number;
}

/** Counts of one run of a copy. */
export interface CopyCounts {
  copied: number;
  skipped: number;
  /** Bytes written to the destination. */
  bytes: number;
}

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export class Progress {
  readonly counts: CopyCounts = { copied: 0, skipped: 0, bytes: 0 };
  #phase = '';
  readonly #o: Required<Omit<ProgressOptions, 'stream' | 'label'>> & Pick<ProgressOptions, 'stream' | 'label'>;
  readonly #start: number;
  #lastDraw: number;
  #drawn = false;
  #lastLine = '';

  constructor(options: ProgressOptions) {
    this.#o = { now: () => performance.now(), intervalMs: 100, plainIntervalMs: 5000, ...options };
    this.#start = this.#o.now();
    this.#lastDraw = this.#start;
  }

  get tty(): boolean {
    return this.#o.stream.isTTY === true;
  }

  /** The line as it stands: `backup trees: 120 copied, 3 skipped, 1.2 MB, 400 KB/s`. */
  line(): string {
    const { copied, skipped, bytes } = this.counts;
    const seconds = Math.max((this.#o.now() - this.#start) / 1000, 1e-3);
    const phase = this.#phase ? ` ${this.#phase}` : '';
    return `${this.#o.label}${phase}: ${copied} copied, ${skipped} skipped, ${formatBytes(bytes)}, ${formatBytes(bytes / seconds)}/s`;
  }

  /** Starts a phase (`objects`, `trees`, `commits`, `images`, `refs`); the previous one gets its final line. */
  phase(name: string): void {
    if (this.#phase) this.#draw(true);
    this.#phase = name;
  }

  copied(bytes: number): void {
    this.counts.copied++;
    this.counts.bytes += bytes;
    this.#draw(false);
  }

  skipped(): void {
    this.counts.skipped++;
    this.#draw(false);
  }

  /** The final line (and, on a terminal, the newline that ends the rewritten one). */
  done(): void {
    this.#draw(true);
    if (this.tty && this.#drawn) this.#o.stream.write('\n');
  }

  #draw(force: boolean): void {
    const now = this.#o.now();
    const every = this.tty ? this.#o.intervalMs : this.#o.plainIntervalMs;
    if (!force && now - this.#lastDraw < every) return;
    this.#lastDraw = now;
    const line = this.line();
    // A log gets no line twice (a phase ending right after a periodic line).
    if (!this.tty && line === this.#lastLine) return;
    this.#lastLine = line;
    this.#drawn = true;
    // \r and "erase line" redraw in place on a terminal; a plain stream gets whole lines.
    this.#o.stream.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }
}
