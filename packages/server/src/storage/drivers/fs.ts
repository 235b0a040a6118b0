import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { AbortError } from '@labelkit/core';
import { StorageError } from './errors.ts';
import { type KeyLockOptions, KeyLocks } from './fs-lock.ts';
import { walkFiles } from './fs-walk.ts';
import { normalizeListPrefix, normalizePrefix, normalizeStorageKey } from './keys.ts';
import { checkContentType, checkExpiresIn, checkListLimit, checkSignRequest } from './options.ts';
import { fsSignedQuery } from './signing.ts';
import type {
  ListOptions,
  ListPage,
  ObjectInfo,
  PutOptions,
  SignedRequest,
  SignRequest,
  StorageDriver,
  StoredObject,
} from './types.ts';

export interface FsDriverOptions {
  /** The folder that holds the objects (default `./data`); key `a/b.png` is the file `<root>/<prefix>a/b.png`. */
  root?: string;
  /** Confines every key under this folder of the root (e.g. `datasets/d1/`). Default: the whole root. */
  prefix?: string;
  /** Refuses writes and PUT signing (a source storage LabelKit only reads). Default false. */
  readOnly?: boolean;
  /** HMAC-SHA256 key for signed URLs (32+ random bytes). Without it `sign` throws `storage/unsupported`. */
  secret?: string | Uint8Array;
  /**
   * Where the browser reaches `fsSignedRoutes` (e.g. `https://labels.example.com/v1/storage/fs`); signed URLs
   * are `<signBaseUrl>/<key>?...`. Default `/v1/storage/fs` (relative to the page's origin).
   */
  signBaseUrl?: string;
  /**
   * The largest upload through a signed PUT URL, in bytes, when `sign` is given no `maxBytes` (and the most it
   * may be given). Default 100 MiB.
   */
  maxUploadBytes?: number;
  /** Write-lock timing (see `KeyLocks`). */
  locks?: KeyLockOptions;
}

/** Bookkeeping of LabelKit in the root: metadata and lock files. Keys may not enter it. */
const INTERNAL = '.labelkit';
/** Suffix of temporary files (written beside their target so the rename stays on one filesystem). */
const TMP_SUFFIX = '.labelkit-tmp';
/** Files up to this size are hashed from one read; larger ones are streamed. */
const SMALL_FILE = 1 << 20;

interface Meta {
  etag: string;
  size: number;
  mtimeMs: number;
  contentType?: string;
}

/**
 * ETag of a file LabelKit did not write (no metadata): from its size and modification time, so listing a folder
 * of source images costs a stat per file, not a read of every image.
 */
const statTag = (st: { size: number; mtimeMs: number }): string =>
  `"fs-${st.size.toString(16)}-${Math.round(st.mtimeMs * 1000).toString(16)}"`;
const quotedSha256 = (bytes: Uint8Array): string => `"${createHash('sha256').update(bytes).digest('hex')}"`;
const isMissing = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
};

/** Image types by extension, for files placed in the folder by hand (no stored content type). Images only. */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
};
const imageTypeOf = (key: string): string | undefined => IMAGE_TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()];

/**
 * Storage in a local folder. Writes are atomic (temp file in the same folder, fsync, rename, fsync of the
 * folder) and every write of a key runs under `KeyLocks`, so `ifMatch`/`ifNoneMatch` are enforced even between
 * processes. ETags of objects written through the driver are the quoted sha256 of the content; content types and
 * those ETags live in `<root>/.labelkit/meta/`. A file placed in the root by hand (no metadata) is read too,
 * with an ETag made of its size and modification time (`"fs-<size>-<mtime>"`) in every operation.
 */
export class FsDriver implements StorageDriver {
  readonly kind = 'fs';
  readonly root: string;
  readonly prefix: string;
  readonly readOnly: boolean;
  readonly maxUploadBytes: number;
  readonly #secret: string | Uint8Array | undefined;
  readonly #signBaseUrl: string;
  readonly #locks: KeyLocks;

  constructor(options: FsDriverOptions = {}) {
    this.root = resolve(options.root ?? './data');
    this.prefix = normalizePrefix(options.prefix);
    this.readOnly = options.readOnly ?? false;
    this.maxUploadBytes = options.maxUploadBytes ?? 100 * 1024 * 1024;
    if (!Number.isSafeInteger(this.maxUploadBytes) || this.maxUploadBytes < 0)
      throw new StorageError('storage/invalid-option', 'maxUploadBytes must be a non-negative integer', {
        path: '$.maxUploadBytes',
      });
    this.#secret = options.secret;
    this.#signBaseUrl = (options.signBaseUrl ?? '/v1/storage/fs').replace(/\/+$/, '');
    this.#locks = new KeyLocks(join(this.root, INTERNAL, 'locks'), options.locks);
  }

  /** The key inside the root (prefix included), checked; throws `storage/forbidden-key`. */
  fullKey(key: string): string {
    const full = this.prefix + normalizeStorageKey(key);
    if (full === INTERNAL || full.startsWith(`${INTERNAL}/`) || full.endsWith(TMP_SUFFIX))
      throw new StorageError('storage/forbidden-key', 'Storage key refused: it names LabelKit bookkeeping', {
        path: '$.key',
      });
    return full;
  }

  #path(full: string): string {
    return join(this.root, full);
  }

  #metaPath(full: string): string {
    return join(this.root, INTERNAL, 'meta', `${full}.json`);
  }

  async #readMeta(full: string): Promise<Meta | undefined> {
    try {
      return JSON.parse(await readFile(this.#metaPath(full), 'utf8')) as Meta;
    } catch {
      return undefined;
    }
  }

  async get(key: string, opts: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    const full = this.fullKey(key);
    let buf: Buffer;
    try {
      buf = await readFile(this.#path(full), opts.signal ? { signal: opts.signal } : {});
    } catch (e) {
      if (isMissing(e)) return undefined;
      if ((e as Error).name === 'AbortError') throw new AbortError('The storage read was aborted');
      throw e;
    }
    const body = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const meta = await this.#readMeta(full);
    if (!meta) {
      // A file placed by hand: its ETag is the one `head` and `list` give it, from its size and time.
      const st = await stat(this.#path(full)).catch(() => undefined);
      const type = imageTypeOf(full);
      return st ? { body, etag: statTag(st), ...(type ? { contentType: type } : {}) } : undefined;
    }
    // The ETag comes from the bytes read, never from metadata that a concurrent write may not have caught up.
    const etag = quotedSha256(body);
    return meta.contentType !== undefined && meta.etag === etag
      ? { body, etag, contentType: meta.contentType }
      : { body, etag };
  }

  async getStream(
    key: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ body: ReadableStream<Uint8Array>; info: ObjectInfo } | undefined> {
    const full = this.fullKey(key);
    const info = await this.head(key);
    if (!info) return undefined;
    const stream = createReadStream(this.#path(full), opts.signal ? { signal: opts.signal } : {});
    return { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, info };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    return this.#info(this.fullKey(key));
  }

  async #info(full: string): Promise<ObjectInfo | undefined> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(this.#path(full));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    if (!st.isFile()) return undefined;
    const meta = await this.#readMeta(full);
    if (meta && meta.size === st.size && meta.mtimeMs === st.mtimeMs)
      return { size: st.size, etag: meta.etag, ...(meta.contentType ? { contentType: meta.contentType } : {}) };
    if (!meta) {
      const type = imageTypeOf(full);
      return { size: st.size, etag: statTag(st), ...(type ? { contentType: type } : {}) };
    }
    if (st.size <= SMALL_FILE) return { size: st.size, etag: quotedSha256(await readFile(this.#path(full))) };
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.#path(full))) hash.update(chunk as Buffer);
    return { size: st.size, etag: `"${hash.digest('hex')}"` };
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<{ etag: string }> {
    const full = this.fullKey(key);
    this.#checkWritable();
    const contentType = checkContentType(opts.contentType);
    if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch !== '*')
      throw new StorageError('storage/invalid-option', "ifNoneMatch must be '*'", { path: '$.ifNoneMatch' });
    const etag = quotedSha256(body);
    return this.#locks.withLock(full, async () => {
      const path = this.#path(full);
      if (opts.ifMatch !== undefined || opts.ifNoneMatch !== undefined) {
        const current = await this.#info(full);
        if (opts.ifNoneMatch === '*' && current) throw preconditionFailed();
        if (opts.ifMatch !== undefined && current?.etag !== opts.ifMatch) throw preconditionFailed();
      }
      try {
        await mkdir(dirname(path), { recursive: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
          throw collides();
        throw e;
      }
      await writeDurably(path, body);
      const st = await stat(path);
      const meta: Meta = { etag, size: st.size, mtimeMs: st.mtimeMs, ...(contentType ? { contentType } : {}) };
      const metaPath = this.#metaPath(full);
      await mkdir(dirname(metaPath), { recursive: true });
      await writeDurably(metaPath, new TextEncoder().encode(JSON.stringify(meta)));
      return { etag };
    });
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const full = this.fullKey(key);
    this.#checkWritable();
    await this.#locks.withLock(full, async () => {
      if (opts.ifMatch !== undefined) {
        const current = await this.#info(full);
        if (current?.etag !== opts.ifMatch) throw preconditionFailed();
      }
      for (const p of [this.#path(full), this.#metaPath(full)])
        await unlink(p).catch((e) => {
          if (!isMissing(e)) throw e;
        });
    });
  }

  /**
   * Keys in segment order (`a/b` before `a-c`, unlike S3's byte order; the cursor is the last key returned).
   * Walks one folder listing per depth at a time, so memory follows the widest folder, not the whole tree.
   */
  async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
    const limit = checkListLimit(opts.limit);
    const fullPrefix = this.prefix + normalizeListPrefix(prefix);
    const after = opts.cursor === undefined ? undefined : this.prefix + normalizeCursor(opts.cursor);
    const names: string[] = [];
    let more = false;
    const skip = (name: string) => name.endsWith(TMP_SUFFIX) || name === INTERNAL;
    for await (const full of walkFiles(this.root, fullPrefix, after, skip)) {
      if (names.length === limit) {
        more = true;
        break;
      }
      names.push(full);
    }
    // Stat (and, for files without metadata, hash) a few files at a time rather than one after another.
    const infos: (ObjectInfo | undefined)[] = new Array(names.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < names.length; i = next++) infos[i] = await this.#info(names[i] as string);
    };
    await Promise.all(Array.from({ length: Math.min(16, names.length) }, worker));
    const keys: ListPage['keys'] = [];
    names.forEach((full, i) => {
      const info = infos[i];
      // A file deleted between the walk and the stat is left out; the cursor still moves past it.
      if (info) keys.push({ key: full.slice(this.prefix.length), size: info.size, etag: info.etag });
    });
    const last = names.at(-1);
    return more && last ? { keys, cursor: last.slice(this.prefix.length) } : { keys };
  }

  async sign(request: SignRequest): Promise<SignedRequest> {
    checkSignRequest(request);
    const full = this.fullKey(request.key);
    if (request.method === 'PUT') this.#checkWritable();
    if (this.#secret === undefined)
      throw new StorageError('storage/unsupported', 'This fs storage has no signing secret configured');
    const expiresIn = checkExpiresIn(request.expiresIn);
    const contentType = checkContentType(request.contentType) ?? '';
    if (request.maxBytes !== undefined && request.maxBytes > this.maxUploadBytes)
      throw new StorageError('storage/invalid-option', `maxBytes is over this storage's ${this.maxUploadBytes}`, {
        path: '$.maxBytes',
      });
    const maxBytes = request.method === 'PUT' ? (request.maxBytes ?? this.maxUploadBytes) : -1;
    const expires = Math.floor(Date.now() / 1000) + expiresIn;
    const query = fsSignedQuery({ method: request.method, key: full, expires, contentType, maxBytes }, this.#secret);
    const path = full.slice(this.prefix.length).split('/').map(encodeURIComponent).join('/');
    return {
      url: `${this.#signBaseUrl}/${path}?${query}`,
      method: request.method,
      headers: contentType ? { 'content-type': contentType } : {},
      expiresAt: new Date(expires * 1000).toISOString(),
    };
  }

  #checkWritable(): void {
    if (this.readOnly) throw new StorageError('storage/read-only', 'This storage is read-only');
  }
}

const preconditionFailed = () =>
  new StorageError('storage/precondition-failed', 'The object changed or exists: the write was not applied');
const collides = () =>
  new StorageError('storage/forbidden-key', 'Storage key refused: a parent of it is an object', { path: '$.key' });

function normalizeCursor(cursor: string): string {
  try {
    return normalizeStorageKey(cursor);
  } catch {
    throw new StorageError('storage/invalid-option', 'Invalid list cursor', { path: '$.cursor' });
  }
}

/** Temp file beside the target, fsync, rename over it, fsync the folder: readers see the old or the new bytes. */
async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}${TMP_SUFFIX}`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw collides();
    throw e;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
