/**
 * A streamed zip: yazl writes the container (ZIP64 records past 65,535 entries or 4 GiB, UTF-8 names, data
 * descriptors for streamed entries) and the bytes go out through a pull-driven `ReadableStream`, so that the
 * producer (an async generator that adds files) runs only while the reader wants bytes (back-pressure).
 */
import { Readable } from 'node:stream';
import { AbortError, LabelKitError } from '@labelkit/core';
import { Deflate, Inflate } from 'fflate';
import { ZipFile } from 'yazl';

/** Output is handed to the reader in chunks of about this size (headers and small entries are tiny). */
const CHUNK_BYTES = 64 * 1024;

/**
 * How many entries the producer may add ahead of what yazl has written out: yazl deflates each buffer on
 * the thread pool with its own zlib state, so an unbounded producer would hold thousands of those at once.
 */
const MAX_AHEAD = 256;

/**
 * Files shorter than this are stored, not deflated: deflate saves a few bytes at most on them, while yazl gives
 * each deflated buffer its own zlib state on the thread pool (~0.2 ms; a YOLO export has one file per image).
 */
const STORE_BELOW = 128;

/** Strings are encoded this many UTF-16 units at a time, so a huge file never doubles in memory. */
const SLICE_CHARS = 1 << 20;

/** yazl's `Entry.FILE_DATA_DONE` (not exported): the entry's bytes, descriptor included, are written. */
const YAZL_FILE_DATA_DONE = 3;

/** The fields of yazl's (unexported) `Entry` that the writer reads and releases. */
interface YazlEntry {
  state: number;
  doFileDataPump: unknown;
}

/** A file that cannot go in a zip (a name yazl refuses: absolute, with `..`, or over 65,535 bytes). */
export class ZipEntryError extends LabelKitError {
  override name = 'ZipEntryError';
}

export type ZipLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** What the producer writes into; entries are laid out in the order they are added. */
export class ZipWriter {
  readonly zip = new ZipFile();
  private readonly options: { mtime: Date; compressionLevel: ZipLevel; mode: number };
  /** Entries added so far. */
  added = 0;
  done = false;
  /**
   * yazl's own entry list: it writes entries in order and marks each `state: YAZL_FILE_DATA_DONE` once its bytes
   * are out. The public API has no per-entry signal, and without one the producer cannot know how far yazl lags.
   */
  private readonly entries: readonly YazlEntry[];
  private written = 0;

  constructor(
    readonly level: ZipLevel,
    /** Modification time of every entry (the export's time, so that one export gives one zip). */
    mtime: number,
  ) {
    this.options = { mtime: new Date(mtime), compressionLevel: level, mode: 0o100644 };
    const entries = (this.zip as unknown as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) throw new Error('yazl.ZipFile has no entries list: check the yazl version');
    this.entries = entries as YazlEntry[];
  }

  /** Entries added but not yet written out by yazl. */
  get pending(): number {
    for (let e = this.entries[this.written]; e && e.state >= YAZL_FILE_DATA_DONE; e = this.entries[++this.written])
      // yazl 3.3.1 keeps this closure, and with it the entry's deflated bytes in a 16 KiB zlib buffer, until
      // the zip ends (~1 GiB for 70,000 label files); a written entry never needs it again.
      e.doFileDataPump = null;
    return this.added - this.written;
  }

  private add(path: string, add: () => void): void {
    if (Buffer.byteLength(path) > 0xffff)
      throw new ZipEntryError('export/bad-entry-name', `zip entry name too long: ${path.slice(0, 80)}...`);
    try {
      add();
    } catch (e) {
      throw new ZipEntryError('export/bad-entry-name', `cannot add ${JSON.stringify(path)} to the zip`, { cause: e });
    }
    this.added++;
  }

  /** Adds a small file in one piece. */
  addFile(path: string, content: string | Uint8Array): void {
    const bytes =
      typeof content === 'string'
        ? Buffer.from(content)
        : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const options = bytes.length < STORE_BELOW ? { ...this.options, compressionLevel: 0 } : this.options;
    this.add(path, () => this.zip.addBuffer(bytes, path, options));
  }

  /** Adds a possibly large file, read slice by slice only as yazl drains it into the output. */
  addLarge(path: string, content: string | Uint8Array): void {
    this.addStream(path, () => slices(content));
  }

  /** Adds a file whose bytes were deflated beforehand (see `DeflatedBuffer`); it is inflated as it is written. */
  addDeflated(path: string, deflated: DeflatedBuffer): void {
    this.addStream(path, () => deflated.inflated());
  }

  private addStream(path: string, chunks: () => Iterable<Uint8Array>): void {
    this.add(path, () =>
      this.zip.addReadStreamLazy(path, this.options, (cb) => cb(null, Readable.from(chunks(), { objectMode: false }))),
    );
  }

  /** No entry may be added after this; the central directory follows the last entry. */
  end(): void {
    this.zip.end();
    this.done = true;
  }
}

function* slices(content: string | Uint8Array): Generator<Uint8Array> {
  const total = content.length;
  for (let at = 0; at < total; ) {
    let end = Math.min(total, at + SLICE_CHARS);
    if (typeof content === 'string') {
      // Never split a surrogate pair between two slices.
      const last = content.charCodeAt(end - 1);
      if (end < total && last >= 0xd800 && last <= 0xdbff) end--;
      yield Buffer.from(content.slice(at, end));
    } else yield content.subarray(at, end);
    at = end;
  }
}

/**
 * Text written piece by piece and kept deflated in memory, for a file that can only be placed in the zip at the
 * end (the fidelity report): memory is its compressed size, not its text.
 */
export class DeflatedBuffer {
  private readonly chunks: Uint8Array[] = [];
  private readonly deflate: Deflate;
  private readonly enc = new TextEncoder();
  private ended = false;

  constructor(level: ZipLevel) {
    this.deflate = new Deflate({ level }, (chunk) => {
      this.chunks.push(chunk);
    });
  }

  write(text: string): void {
    this.deflate.push(this.enc.encode(text), false);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.deflate.push(new Uint8Array(0), true);
  }

  /** The text's bytes again, one deflated chunk at a time. */
  *inflated(): Generator<Uint8Array> {
    this.end();
    const out: Uint8Array[] = [];
    const inflate = new Inflate((chunk) => {
      out.push(chunk);
    });
    for (let i = 0; i < this.chunks.length; i++) {
      inflate.push(this.chunks[i] as Uint8Array, i === this.chunks.length - 1);
      yield* out.splice(0);
    }
  }
}

/**
 * A byte stream fed by `produce`, which is resumed only while the stream's queue wants more (one chunk of
 * ~64 KiB). An abort of `signal` or a cancel by the reader stops the producer (its `finally` blocks run, so
 * an iterator it reads is closed) and fails or ends the stream.
 */
export function pullZipStream(
  level: ZipLevel,
  mtime: number,
  produce: (w: ZipWriter) => AsyncGenerator<void>,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const writer = new ZipWriter(level, mtime);
  const out = writer.zip.outputStream as Readable;
  let work: AsyncGenerator<void> | undefined;
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  out.on('readable', poke);
  out.on('end', poke);
  const fail = (e: unknown) => {
    failure ??= e;
    poke();
  };
  writer.zip.on('error', fail);
  // Also after `stop()` destroyed it: yazl may still write the entries it had in hand.
  out.on('error', fail);
  const stop = async () => {
    if (finished) return;
    finished = true;
    signal?.removeEventListener('abort', onAbort);
    out.destroy();
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
        work = produce(writer);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        const g = work as AsyncGenerator<void>;
        try {
          while (!finished) {
            if (signal?.aborted) throw new AbortError('the export was aborted', { cause: signal.reason });
            if (failure !== undefined) throw failure;
            // Once the zip has ended, whatever is left goes out, however short.
            const chunk = out.read(CHUNK_BYTES) as Buffer | null;
            if (chunk) {
              controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
              return;
            }
            if (out.readableEnded) {
              finished = true;
              signal?.removeEventListener('abort', onAbort);
              controller.close();
              return;
            }
            if (!writer.done && writer.pending < MAX_AHEAD) {
              const r = await g.next();
              if (r.done && !writer.done) throw new Error('the zip did not end');
              continue;
            }
            // Entries are pending in yazl (or the zip has ended): wait until it writes more.
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
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
