/**
 * The plumbing of a streamed zip: entries (deflated by fflate) go into a pull-driven `ReadableStream`, so that
 * the producer (an async generator that adds files) runs only while the reader wants bytes (back-pressure).
 */
import { crc32 } from 'node:zlib';
import { AbortError } from '@labelkit/core';
import { Deflate, deflateSync } from 'fflate';
import { ZipLayout } from './zip-format.ts';

/** Output is handed to the reader in chunks of about this size (headers and small entries are tiny). */
const CHUNK_BYTES = 64 * 1024;

/** Strings are encoded and compressed this many UTF-16 units at a time, so a huge file never doubles in memory. */
const SLICE_CHARS = 1 << 20;

/** What the producer writes into: the zip plus a count telling it the reader has bytes enough for now. */
export class ZipWriter {
  private readonly layout: ZipLayout;
  private parts: Uint8Array[] = [];
  private readonly enc = new TextEncoder();
  private bytes = 0;
  /** Number of chunks handed to the reader so far. */
  flushed = 0;
  done = false;

  constructor(
    private readonly controller: ReadableStreamDefaultController<Uint8Array>,
    readonly level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9,
    /** Modification time of every entry (the export's time, so that one export gives one zip). */
    mtime: number,
  ) {
    this.layout = new ZipLayout(mtime);
  }

  private emit(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.bytes += chunk.length;
    this.layout.offset += chunk.length;
    if (this.bytes >= CHUNK_BYTES) this.flush();
  }

  private flush(): void {
    if (this.bytes === 0) return;
    const out = new Uint8Array(this.bytes);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    this.parts = [];
    this.bytes = 0;
    this.controller.enqueue(out);
    this.flushed++;
  }

  /**
   * Adds a small file in one piece. One-shot deflate sizes its hash table to the input; a streaming `Deflate`
   * allocates megabytes of tables, which a YOLO export of 100,000 label files would pay 100,000 times.
   */
  addFile(path: string, content: string | Uint8Array): void {
    const bytes = typeof content === 'string' ? this.enc.encode(content) : content;
    this.addPrepared(path, [deflateSync(bytes, { level: this.level })], crc32(bytes), bytes.length);
  }

  /** Adds a possibly large file slice by slice, yielding between slices so the reader can keep up. */
  async *addLarge(path: string, content: string | Uint8Array): AsyncGenerator<void> {
    this.emit(this.layout.localHeader(path));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = new Deflate({ level: this.level }, (chunk) => {
      compressed += chunk.length;
      this.emit(chunk);
    });
    const push = (bytes: Uint8Array, final: boolean) => {
      crc = crc32(bytes, crc);
      size += bytes.length;
      deflate.push(bytes, final);
    };
    const total = content.length;
    if (total === 0) push(new Uint8Array(0), true);
    for (let at = 0; at < total; ) {
      let end = Math.min(total, at + SLICE_CHARS);
      if (typeof content === 'string') {
        // Never split a surrogate pair between two slices.
        const last = content.charCodeAt(end - 1);
        if (end < total && last >= 0xd800 && last <= 0xdbff) end--;
        push(this.enc.encode(content.slice(at, end)), end === total);
      } else push(content.subarray(at, end), end === total);
      at = end;
      yield;
    }
    this.emit(this.layout.descriptor(crc, compressed, size));
  }

  /** Adds a file whose bytes were deflated beforehand (see `DeflatedBuffer`). */
  addDeflated(path: string, deflated: DeflatedBuffer): void {
    this.addPrepared(path, deflated.chunks, deflated.crc, deflated.size);
  }

  /** Adds raw-deflated `chunks` of `size` bytes with CRC-32 `crc`. */
  private addPrepared(path: string, chunks: readonly Uint8Array[], crc: number, size: number): void {
    const compressed = chunks.reduce((n, c) => n + c.length, 0);
    this.emit(this.layout.localHeader(path, { crc, compressed, size }));
    for (const c of chunks) this.emit(c);
  }

  /** Writes the central directory and hands every remaining byte to the reader. */
  end(): void {
    for (const chunk of this.layout.end()) this.emit(chunk);
    this.flush();
    this.done = true;
  }
}

/**
 * Text written piece by piece and kept deflated in memory, for a file that can only be placed in the zip at the
 * end (the fidelity report): memory is its compressed size, not its text.
 */
export class DeflatedBuffer {
  readonly chunks: Uint8Array[] = [];
  crc = 0;
  size = 0;
  private readonly deflate: Deflate;
  private readonly enc = new TextEncoder();
  private ended = false;

  constructor(level: ZipWriter['level']) {
    this.deflate = new Deflate({ level }, (chunk) => {
      this.chunks.push(chunk);
    });
  }

  write(text: string): void {
    const bytes = this.enc.encode(text);
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    this.deflate.push(bytes, false);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.deflate.push(new Uint8Array(0), true);
  }
}

/**
 * A byte stream fed by `produce`, which is resumed only while the stream's queue wants more (one chunk of
 * ~64 KiB). An abort of `signal` or a cancel by the reader stops the producer (its `finally` blocks run, so
 * an iterator it reads is closed) and fails or ends the stream.
 */
export function pullZipStream(
  level: ZipWriter['level'],
  mtime: number,
  produce: (w: ZipWriter) => AsyncGenerator<void>,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let writer: ZipWriter | undefined;
  let work: AsyncGenerator<void> | undefined;
  let finished = false;
  const stop = async () => {
    if (finished) return;
    finished = true;
    signal?.removeEventListener('abort', onAbort);
    await work?.return(undefined).catch(() => {});
  };
  let ctrl: ReadableStreamDefaultController<Uint8Array> | undefined;
  const onAbort = () => {
    try {
      ctrl?.error(new AbortError('the export was aborted', { cause: signal?.reason }));
    } catch {
      // already closed or errored
    }
    void stop();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        ctrl = controller;
        writer = new ZipWriter(controller, level, mtime);
        work = produce(writer);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        const w = writer as ZipWriter;
        const g = work as AsyncGenerator<void>;
        const before = w.flushed;
        try {
          while (!finished && w.flushed === before) {
            if (signal?.aborted) throw new AbortError('the export was aborted', { cause: signal.reason });
            const r = await g.next();
            if (r.done) {
              if (!w.done) throw new Error('the zip did not end');
              finished = true;
              signal?.removeEventListener('abort', onAbort);
              controller.close();
            }
          }
        } catch (e) {
          if (finished) return;
          await stop();
          controller.error(e);
        }
      },
      async cancel() {
        await stop();
      },
    },
    { highWaterMark: 1 },
  );
}
