/** Reading and writing a FileSet from and to a folder (Node only). */
// biome-ignore lint/correctness/noNodejsModules: this folder is the Node-only entry `@labelkit/core/node`.
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
// biome-ignore lint/correctness/noNodejsModules: as above.
import { dirname, join, relative, sep } from 'node:path';
import { FormatError } from '../errors.ts';
import type { FileSet } from '../formats/types.ts';

/** Extensions read as text; everything else is read as bytes. */
const TEXT = /\.(json|xml|txt|ya?ml|names|csv)$/i;

export interface ReadFileSetOptions {
  /** Keeps only the files for which this returns true (path relative to the folder, `/` separators). */
  filter?: (path: string) => boolean;
  /**
   * Bytes to read from the start of a file instead of the whole file (undefined: all of it). A converter
   * needs only the header of an image to know its size, not megabytes of pixels.
   */
  headBytes?: (path: string) => number | undefined;
  /** Called after each file is read, with the count so far and the total (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reads every file under `dir` (recursively, skipping dot files and symbolic links) into a FileSet keyed by
 * the path relative to `dir`. Annotation files are read as text, images and others as bytes.
 */
export async function readFileSet(dir: string, options: ReadFileSetOptions = {}): Promise<FileSet> {
  const found: [rel: string, full: string][] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) {
        const rel = relative(dir, full).split(sep).join('/');
        if (!options.filter || options.filter(rel)) found.push([rel, full]);
      }
    }
  };
  await walk(dir);
  const out: FileSet = {};
  let done = 0;
  for (const [rel, full] of found) {
    const limit = options.headBytes?.(rel);
    if (limit !== undefined) out[rel] = await readHead(full, limit);
    else out[rel] = TEXT.test(rel) ? await readFile(full, 'utf8') : new Uint8Array(await readFile(full));
    options.onProgress?.(++done, found.length);
  }
  return out;
}

async function readHead(path: string, limit: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(limit);
    const { bytesRead } = await fh.read(buf, 0, limit, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Checks a FileSet path: relative, `/`-separated, no `..`, no control characters. */
export function checkFilePath(p: string): void {
  if (
    p === '' ||
    p.startsWith('/') ||
    p.includes('\\') ||
    /(^|\/)\.\.?(\/|$)/.test(p) ||
    [...p].some((c) => c.charCodeAt(0) < 32) ||
    /^[A-Za-z]:/.test(p)
  )
    throw new FormatError('format/unsafe-path', `refusing to write outside the output folder: ${JSON.stringify(p)}`, {
      file: p,
    });
}

/**
 * Writes a FileSet under `dir`, creating folders; every path is checked to stay inside `dir` before anything
 * is written. `onProgress` is called after each file.
 */
export async function writeFileSet(
  dir: string,
  files: FileSet,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const paths = Object.keys(files);
  for (const p of paths) checkFilePath(p);
  const made = new Set<string>();
  let done = 0;
  for (const p of paths) {
    const target = join(dir, ...p.split('/'));
    const parent = dirname(target);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    await writeFile(target, files[p] as string | Uint8Array);
    onProgress?.(++done, paths.length);
  }
}
