/**
 * Fetches a model's files into the cache folder and checks their sha256. Local paths and `file:` URLs are read
 * in place (checked, not copied); http(s) files are streamed to `<cache>/<id>/<sha256>.onnx` through a `.part` file
 * so a broken download never looks complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import type { DetectorManifest } from '@labelkit/models/detector';
import { ModelError } from '../errors.ts';
import type { ModelFile, SamManifest } from './manifest.ts';

export interface PullProgress {
  model: string;
  /** `model` for a detector's single file. */
  part: 'encoder' | 'decoder' | 'model';
  receivedBytes: number;
  /** From Content-Length; undefined when the server does not send it. */
  totalBytes: number | undefined;
}

export interface PullOptions {
  /** Folder where downloaded files are kept, as `<model id>/<sha256>.onnx`. */
  cacheDir: string;
  /** Called for every chunk received (for a progress bar). */
  onProgress?: (p: PullProgress) => void;
  /** Aborts a download in progress. */
  signal?: AbortSignal;
}

export interface PulledModel {
  manifest: SamManifest;
  encoderPath: string;
  decoderPath: string;
}

const isRemote = (url: string) => /^https?:/i.test(url);
const localPath = (url: string) => (/^file:/i.test(url) ? fileURLToPath(url) : url);

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function pullFile(
  model: string,
  part: PullProgress['part'],
  file: ModelFile,
  options: PullOptions,
): Promise<string> {
  const mismatch = (got: string, where: string) =>
    new ModelError(
      'model/checksum-mismatch',
      `Model ${model} ${part}: sha256 of ${where} is ${got}, the manifest says ${file.sha256}`,
    );
  if (!isRemote(file.url)) {
    const path = localPath(file.url);
    if (!(await exists(path)))
      throw new ModelError('model/file-not-found', `Model ${model} ${part}: no file at ${path}`);
    const got = await sha256File(path);
    if (got !== file.sha256) throw mismatch(got, path);
    return path;
  }
  const dir = join(options.cacheDir, model);
  const target = join(dir, `${file.sha256}.onnx`);
  if (await exists(target)) return target;
  await mkdir(dir, { recursive: true });
  let res: Response;
  try {
    res = await fetch(file.url, { redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (cause) {
    throw new ModelError(
      'model/download-failed',
      `Model ${model} ${part}: cannot download (${(cause as Error).message})`,
      { cause },
    );
  }
  if (!res.ok || !res.body)
    throw new ModelError('model/download-failed', `Model ${model} ${part}: download answered HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || undefined;
  const part_ = `${target}.${process.pid}.part`;
  const hash = createHash('sha256');
  let received = 0;
  const out = createWriteStream(part_);
  try {
    for await (const chunk of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
      const buf = chunk as Buffer;
      hash.update(buf);
      received += buf.length;
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      options.onProgress?.({ model, part, receivedBytes: received, totalBytes: total });
    }
    await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  } catch (cause) {
    out.destroy();
    await rm(part_, { force: true });
    throw new ModelError(
      'model/download-failed',
      `Model ${model} ${part}: download broke off (${(cause as Error).message})`,
      { cause },
    );
  }
  const got = hash.digest('hex');
  if (got !== file.sha256) {
    await rm(part_, { force: true });
    throw mismatch(got, file.url);
  }
  await rename(part_, target);
  return target;
}

/** Makes both files of a model available locally; throws a {@link ModelError} (`model/...`) when it cannot. */
export async function pullModel(manifest: SamManifest, options: PullOptions): Promise<PulledModel> {
  const encoderPath = await pullFile(manifest.id, 'encoder', manifest.encoder, options);
  const decoderPath = await pullFile(manifest.id, 'decoder', manifest.decoder, options);
  return { manifest, encoderPath, decoderPath };
}

/** Makes a detector's ONNX file available locally (same cache, checks and errors as {@link pullModel}). */
export function pullDetector(manifest: DetectorManifest, options: PullOptions): Promise<string> {
  return pullFile(manifest.id, 'model', manifest.model, options);
}
