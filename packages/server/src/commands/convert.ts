/**
 * `labelkit convert [--from F] --to T INPUT OUTPUT`: reads an export (a folder, one file or a .zip), converts it
 * with the @labelkit/core format adapters and writes the result (a folder, one file or a .zip), printing the
 * fidelity report: what the target format could not hold, shape by shape.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { type FidelityEntry, type FileSet, FormatError, FormatName, formats, LabelKitError } from '@labelkit/core';
import { readFileSet, writeFileSet } from '@labelkit/core/node';
import { unzipSync, zipSync } from 'fflate';

export interface ConvertOptions {
  /** Source format; detected from the files when left out. */
  from?: FormatName;
  to: FormatName;
  /** A folder, a single annotation file, or a .zip. */
  input: string;
  /** A folder (created), a .zip, or a single file when the target format writes one file. */
  output: string;
  /** Called as work advances (stage name, done, total). */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface ConvertResult {
  from: FormatName;
  to: FormatName;
  items: number;
  shapes: number;
  /** Output paths written (inside the folder or the zip). */
  files: string[];
  /** What the reading and the writing approximated or dropped. */
  fidelity: FidelityEntry[];
}

const NAMES = Object.values(FormatName) as string[];
const TEXT = /\.(json|xml|txt|ya?ml|names|csv)$/i;
const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;
/** Enough for a JPEG's start-of-frame behind a large EXIF block; PNG, GIF and WebP need 30 bytes. */
const IMAGE_HEAD_BYTES = 256 * 1024;
/** Refuse zip entries that claim to inflate past this, before inflating them (zip bombs). */
const MAX_ENTRY_BYTES = 2 ** 30;

function isFormat(x: string | undefined): x is FormatName {
  return x !== undefined && NAMES.includes(x);
}

export async function readInput(input: string, progress: (done: number, total: number) => void): Promise<FileSet> {
  const st = await stat(input).catch(() => undefined);
  if (!st) throw new FormatError('format/missing-file', `input not found: ${input}`, { file: input });
  // Images matter only for their size (YOLO): their headers are enough.
  if (st.isDirectory())
    return readFileSet(input, {
      onProgress: progress,
      headBytes: (p) => (IMAGE.test(p) ? IMAGE_HEAD_BYTES : undefined),
    });
  const bytes = new Uint8Array(await readFile(input));
  if (extname(input).toLowerCase() !== '.zip')
    return { [basename(input)]: TEXT.test(input) ? new TextDecoder().decode(bytes) : bytes };
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (f.originalSize > MAX_ENTRY_BYTES)
          throw new FormatError('format/zip-too-large', `zip entry ${f.name} inflates to ${f.originalSize} bytes`, {
            file: input,
          });
        return !f.name.endsWith('/');
      },
    });
  } catch (e) {
    if (e instanceof LabelKitError) throw e;
    throw new FormatError('format/invalid-zip', `cannot read ${input} as a zip: ${(e as Error).message}`, {
      file: input,
    });
  }
  const files: FileSet = {};
  const decoder = new TextDecoder();
  for (const [name, data] of Object.entries(entries)) {
    if (name.split('/').some((part) => part.startsWith('.') || part === '__MACOSX')) continue;
    files[name] = TEXT.test(name) ? decoder.decode(data) : data;
  }
  return files;
}

async function writeOutput(
  output: string,
  files: FileSet,
  progress: (done: number, total: number) => void,
): Promise<void> {
  const paths = Object.keys(files);
  const ext = extname(output).toLowerCase();
  if (ext === '.zip') {
    const enc = new TextEncoder();
    const zip: Record<string, Uint8Array> = {};
    for (const p of paths) {
      const v = files[p] as string | Uint8Array;
      zip[p] = typeof v === 'string' ? enc.encode(v) : v;
    }
    await writeFile(output, zipSync(zip, { level: 6 }));
    return;
  }
  const st = await stat(output).catch(() => undefined);
  if (ext !== '' && !st?.isDirectory()) {
    if (paths.length !== 1)
      throw new FormatError(
        'format/output-not-a-folder',
        `the output has ${paths.length} files: give a folder or a .zip, not ${output}`,
      );
    await writeFile(output, files[paths[0] as string] as string | Uint8Array);
    return;
  }
  await writeFileSet(output, files, progress);
}

/** Converts an export on disk to another format. Bad input rejects with a FormatError naming the file and place. */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const progress = options.onProgress ?? (() => {});
  progress('reading', 0, 1);
  const files = await readInput(options.input, (d, t) => progress('reading', d, t));
  progress('reading', 1, 1);
  const from = options.from ?? formats.detect(files);
  if (!from)
    throw new FormatError(
      'format/unknown',
      `cannot tell the format of ${options.input}: pass --from (${NAMES.join(', ')})`,
      {
        file: options.input,
      },
    );
  progress('parsing', 0, 1);
  const parsed = formats[from].parse(files);
  if (!parsed.ok) throw parsed.error;
  progress('parsing', 1, 1);
  const { dataset } = parsed.value;
  progress('converting', 0, 1);
  const out = formats[options.to].serialize(dataset);
  progress('converting', 1, 1);
  await writeOutput(options.output, out.files, (d, t) => progress('writing', d, t));
  progress('done', 1, 1);
  return {
    from,
    to: options.to,
    items: dataset.items.length,
    shapes: dataset.items.reduce((n, d) => n + d.shapes.length, 0),
    files: Object.keys(out.files),
    fidelity: [...parsed.value.fidelity, ...out.fidelity],
  };
}

export const CONVERT_HELP = `Usage: labelkit convert [--from FORMAT] --to FORMAT INPUT OUTPUT

Converts annotations between ${NAMES.join(', ')}.
INPUT is a folder, one annotation file or a .zip; OUTPUT a folder, a .zip, or one file
when the target format writes a single file (coco, cvat, labelstudio).

Options:
  --from FORMAT   source format (detected from the files when left out)
  --to FORMAT     target format (required)
  --verbose       list every fidelity entry, not only the first 20
  -h, --help      this help
`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * A one-line bar on a TTY, drawn only once reading or writing passes 200 files (small conversions finish
 * before a bar would help) and at most every 50 ms. Nothing is drawn when the stream is not a terminal.
 */
function progressBar(stream: NodeJS.WritableStream): ConvertOptions['onProgress'] {
  if (!(stream as NodeJS.WriteStream).isTTY) return undefined;
  let shown = false;
  let last = 0;
  return (stage, done, total) => {
    if (stage === 'done') {
      if (shown) stream.write('\r\x1b[2K');
      return;
    }
    if (!shown && total < 200) return;
    const now = Date.now();
    if (shown && done < total && now - last < 50) return;
    shown = true;
    last = now;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stage} ${done}/${total}`);
  };
}

/** Prints the report grouped by code: one line per code with its count, then the first entries. */
export function formatFidelity(entries: FidelityEntry[], limit = 20): string {
  if (entries.length === 0) return 'Fidelity: nothing was approximated or dropped.\n';
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
  let out = `Fidelity: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}\n`;
  for (const [code, n] of counts) out += `  ${code}: ${n}\n`;
  for (const e of entries.slice(0, limit))
    out += `  - ${e.code}${e.itemId ? ` [${e.itemId}${e.shapeId ? ` #${e.shapeId}` : ''}]` : ''}: ${e.message}\n`;
  if (entries.length > limit) out += `  ... ${entries.length - limit} more (--verbose lists all)\n`;
  return out;
}

/** The `labelkit convert` command. Returns the exit code: 0 done, 1 bad input, 2 bad usage. */
export async function convertCommand(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let values: { from?: string; to?: string; verbose?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`labelkit convert: ${(e as Error).message}\n\n${CONVERT_HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(CONVERT_HELP);
    return 0;
  }
  const usage = (msg: string) => {
    io.stderr.write(`labelkit convert: ${msg}\n\n${CONVERT_HELP}`);
    return 2;
  };
  if (!isFormat(values.to)) return usage(values.to ? `unknown format "${values.to}"` : '--to is required');
  if (values.from !== undefined && !isFormat(values.from)) return usage(`unknown format "${values.from}"`);
  if (positionals.length !== 2) return usage('give INPUT and OUTPUT');
  const [input, output] = positionals as [string, string];
  try {
    const onProgress = progressBar(io.stderr);
    const r = await convert({
      ...(values.from ? { from: values.from as FormatName } : {}),
      to: values.to,
      input,
      output,
      ...(onProgress ? { onProgress } : {}),
    });
    io.stdout.write(
      `Converted ${r.items} images and ${r.shapes} shapes from ${r.from} to ${r.to}: ${r.files.length} files in ${output}\n`,
    );
    io.stdout.write(formatFidelity(r.fidelity, values.verbose ? Number.POSITIVE_INFINITY : 20));
    return 0;
  } catch (e) {
    if (!(e instanceof LabelKitError)) throw e;
    const where = e.file ? `${e.file}${e.path ? ` at ${e.path}` : ''}: ` : '';
    const msg = e.file && e.message.startsWith(e.file) ? e.message : `${where}${e.message}`;
    io.stderr.write(`labelkit convert: ${msg} (${e.code})\n`);
    return 1;
  }
}
