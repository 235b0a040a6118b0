import { PassThrough, Readable } from 'node:stream';
import { type Bucket, type File, Storage, type StorageOptions } from '@google-cloud/storage';
import { AbortError } from '@labelkit/core';
import { StorageError } from './errors.ts';
import { normalizeListPrefix, normalizePrefix, normalizeStorageKey } from './keys.ts';
import { checkContentType, checkListLimit, checkUrlSignRequest } from './options.ts';
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

/** The fields of a service-account key file that signing needs (the rest of the JSON is accepted and ignored). */
export interface GcsServiceAccount {
  client_email: string;
  private_key: string;
  [field: string]: unknown;
}

export interface GcsDriverOptions {
  /** The bucket (3-63 lowercase letters, digits, `-`, `_` and `.`). It must exist. */
  bucket: string;
  /** Confines every key under this prefix of the bucket (e.g. `datasets/d1/`). Default: the whole bucket. */
  prefix?: string;
  /** Refuses writes and PUT signing (a source bucket). Default false. */
  readOnly?: boolean;
  /** The Google Cloud project; default: the one of the credentials. */
  projectId?: string;
  /**
   * A service-account key (the parsed JSON). It signs URLs locally (V4, RSA-SHA256). Without it or
   * `keyFilename`, Application Default Credentials are used and signing goes through the IAM `signBlob` API.
   */
  credentials?: GcsServiceAccount;
  /** Path of a service-account key file (instead of `credentials`). */
  keyFilename?: string;
  /** The JSON API endpoint as this server reaches it. Default `https://storage.googleapis.com`. */
  apiEndpoint?: string;
  /**
   * The origin the browser reaches for signed URLs (`https://host[:port]`, no path); the signature binds its
   * host. Must be https unless it is a loopback address. Default: `apiEndpoint`.
   */
  publicEndpoint?: string;
  /** Retries per request after the first try (default 2). */
  maxRetries?: number;
}

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

const invalid = (message: string, path: string) => new StorageError('storage/invalid-option', message, { path });

interface ApiErrorLike {
  code?: number | string;
  message?: string;
  name?: string;
}

const statusOf = (e: unknown): number | undefined => {
  const code = ((e ?? {}) as ApiErrorLike).code;
  return typeof code === 'number' ? code : undefined;
};

/** Only a missing object: a missing bucket (also a 404) is a configuration error, not "no object". */
const isObjectNotFound = (e: unknown): boolean =>
  statusOf(e) === 404 && !/bucket does not exist/i.test(((e ?? {}) as ApiErrorLike).message ?? '');

const generic = (op: string, e: unknown): StorageError => {
  const status = statusOf(e);
  if (status === 412)
    return new StorageError('storage/precondition-failed', 'The object changed or exists: the write was not applied');
  if (status === 401 || status === 403)
    return new StorageError('storage/access-denied', `The storage refused the ${op} request`);
  // Deliberately no message or cause from the client library: they name the bucket, the object or the account.
  return new StorageError('storage/unavailable', `The storage ${op} request failed`);
};

const etagOf = (generation: string | number | undefined): string => `"${generation ?? ''}"`;

/** The generation an ETag stands for; `undefined` when it cannot be one of ours (so it can never match). */
const generationOf = (etag: string): string | undefined => /^"(\d+)"$/.exec(etag)?.[1];

const isLoopback = (url: URL): boolean =>
  url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);

function checkEndpoint(value: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('must be an http(s) origin', path);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('must be an http(s) origin', path);
  return url;
}

/**
 * Storage in a Google Cloud Storage bucket through @google-cloud/storage. An object's ETag is its generation,
 * quoted (`"1718000000000000"`), so `ifMatch` maps to `ifGenerationMatch` and `ifNoneMatch: '*'` to
 * `ifGenerationMatch: 0` (both enforced by GCS). Signed URLs are V4 (GOOG4-RSA-SHA256), path style, for the
 * public endpoint; a PUT binds its content type as a signed header.
 */
export class GcsDriver implements StorageDriver {
  readonly kind = 'gcs';
  readonly bucketName: string;
  readonly prefix: string;
  readonly readOnly: boolean;
  /** The client library's bucket handle (tests inspect the requests through it). */
  readonly bucket: Bucket;
  readonly #publicEndpoint: string;

  constructor(options: GcsDriverOptions) {
    if (typeof options.bucket !== 'string' || !BUCKET.test(options.bucket) || options.bucket.includes('..'))
      throw invalid('bucket must be a valid GCS bucket name', '$.bucket');
    if (options.credentials !== undefined && options.keyFilename !== undefined)
      throw invalid('give credentials or keyFilename, not both', '$.credentials');
    const sa = options.credentials;
    if (sa !== undefined && (typeof sa?.client_email !== 'string' || typeof sa?.private_key !== 'string'))
      throw invalid('credentials must be a service-account key with client_email and private_key', '$.credentials');
    const maxRetries = options.maxRetries ?? 2;
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw invalid('maxRetries must be a non-negative integer', '$.maxRetries');
    const api = checkEndpoint(options.apiEndpoint ?? DEFAULT_ENDPOINT, '$.apiEndpoint');
    const pub = checkEndpoint(options.publicEndpoint ?? api.origin, '$.publicEndpoint');
    if (pub.protocol !== 'https:' && !isLoopback(pub))
      throw invalid('publicEndpoint must be https (http only on a loopback address)', '$.publicEndpoint');
    if (pub.pathname !== '/' || pub.search !== '')
      throw invalid('publicEndpoint must be an origin without a path', '$.publicEndpoint');
    this.#publicEndpoint = pub.origin;
    this.bucketName = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.readOnly = options.readOnly ?? false;
    const storageOptions: StorageOptions = {
      retryOptions: { maxRetries, autoRetry: maxRetries > 0 },
      ...(options.apiEndpoint !== undefined ? { apiEndpoint: api.origin } : {}),
      ...(options.projectId !== undefined ? { projectId: options.projectId } : {}),
      ...(sa ? { credentials: { client_email: sa.client_email, private_key: sa.private_key } } : {}),
      ...(options.keyFilename !== undefined ? { keyFilename: options.keyFilename } : {}),
    };
    this.bucket = new Storage(storageOptions).bucket(this.bucketName);
  }

  #name(key: string): string {
    return this.prefix + normalizeStorageKey(key);
  }

  #checkWritable(): void {
    if (this.readOnly) throw new StorageError('storage/read-only', 'This storage is read-only');
  }

  /**
   * The object's metadata, then a stream of exactly that generation: the bytes always match the ETag returned,
   * even when a writer replaces the object in between (then the read fails rather than mixing versions).
   * Errors met while streaming are replaced by generic ones (the library's name the bucket and object).
   */
  async #open(key: string, signal: AbortSignal | undefined): Promise<{ body: Readable; info: ObjectInfo } | undefined> {
    const name = this.#name(key);
    if (signal?.aborted) throw new AbortError('The storage read was aborted');
    const info = await this.head(key);
    if (!info) return undefined;
    if (signal?.aborted) throw new AbortError('The storage read was aborted');
    const generation = Number(generationOf(info.etag));
    const stream = this.bucket.file(name, { generation }).createReadStream();
    const body = new PassThrough();
    const onAbort = () => stream.destroy(new AbortError('The storage read was aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal?.removeEventListener('abort', onAbort));
    // pipe() keeps backpressure; it does not forward errors, which are mapped here instead.
    stream.on('error', (e) => body.destroy(e instanceof AbortError ? e : generic('get', e)));
    stream.pipe(body);
    return { body, info };
  }

  async getStream(
    key: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ body: ReadableStream<Uint8Array>; info: ObjectInfo } | undefined> {
    const got = await this.#open(key, opts.signal);
    return got && { body: Readable.toWeb(got.body) as ReadableStream<Uint8Array>, info: got.info };
  }

  async get(key: string, opts: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    const got = await this.#open(key, opts.signal);
    if (!got) return undefined;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of got.body) chunks.push(chunk as Buffer);
    } catch (e) {
      if (e instanceof AbortError || e instanceof StorageError) throw e;
      throw generic('get', e);
    }
    const { etag, contentType } = got.info;
    return { body: new Uint8Array(Buffer.concat(chunks)), etag, ...(contentType ? { contentType } : {}) };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.bucket.file(this.#name(key));
    try {
      const [meta] = await file.getMetadata();
      return {
        size: Number(meta.size ?? 0),
        etag: etagOf(meta.generation),
        ...(meta.contentType ? { contentType: meta.contentType } : {}),
      };
    } catch (e) {
      if (isObjectNotFound(e)) return undefined;
      throw generic('head', e);
    }
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<{ etag: string }> {
    const file = this.bucket.file(this.#name(key));
    this.#checkWritable();
    const contentType = checkContentType(opts.contentType);
    if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch !== '*')
      throw invalid("ifNoneMatch must be '*'", '$.ifNoneMatch');
    let ifGenerationMatch: string | undefined;
    if (opts.ifMatch !== undefined) {
      ifGenerationMatch = generationOf(opts.ifMatch);
      if (ifGenerationMatch === undefined)
        throw new StorageError(
          'storage/precondition-failed',
          'The object changed or exists: the write was not applied',
        );
    }
    // Generation 0 means "no live object": GCS creates only if absent.
    if (opts.ifNoneMatch) ifGenerationMatch = '0';
    try {
      await file.save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
        resumable: false,
        ...(contentType ? { contentType } : {}),
        ...(ifGenerationMatch !== undefined ? { preconditionOpts: { ifGenerationMatch } } : {}),
      });
    } catch (e) {
      throw generic('put', e);
    }
    return { etag: etagOf(file.metadata.generation) };
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const file = this.bucket.file(this.#name(key));
    this.#checkWritable();
    const generation = opts.ifMatch === undefined ? undefined : generationOf(opts.ifMatch);
    if (opts.ifMatch !== undefined && generation === undefined)
      throw new StorageError('storage/precondition-failed', 'The object changed: it was not deleted');
    try {
      await file.delete(generation !== undefined ? { ifGenerationMatch: generation } : {});
    } catch (e) {
      if (isObjectNotFound(e)) {
        if (opts.ifMatch === undefined) return;
        throw new StorageError('storage/precondition-failed', 'The object changed: it was not deleted');
      }
      throw generic('delete', e);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
    const maxResults = checkListLimit(opts.limit);
    const full = this.prefix + normalizeListPrefix(prefix);
    try {
      const [files, next] = await this.bucket.getFiles({
        prefix: full,
        maxResults,
        autoPaginate: false,
        ...(opts.cursor !== undefined ? { pageToken: opts.cursor } : {}),
      });
      const keys = files.flatMap((f: File) =>
        f.name.startsWith(this.prefix)
          ? [
              {
                key: f.name.slice(this.prefix.length),
                size: Number(f.metadata.size ?? 0),
                etag: etagOf(f.metadata.generation),
              },
            ]
          : [],
      );
      const cursor = (next as { pageToken?: string } | null | undefined)?.pageToken;
      return cursor ? { keys, cursor } : { keys };
    } catch (e) {
      throw generic('list', e);
    }
  }

  /**
   * A V4 signed URL (path style, for the public endpoint). A PUT binds its content type (a signed header the
   * client must send). A GET binds `response-content-disposition=attachment`, so an object opened directly
   * downloads instead of rendering (images in `<img>`, `fetch` and canvas are unaffected). A V4 URL cannot bind
   * a size limit: `maxBytes` is refused.
   */
  async sign(request: SignRequest): Promise<SignedRequest> {
    const { expiresIn, contentType } = checkUrlSignRequest(
      request,
      this.readOnly,
      'A GCS signed URL cannot bind a size limit',
    );
    const name = this.#name(request.key);
    // V4 counts whole seconds from X-Goog-Date: start on a second so the URL never outlives what was asked.
    const start = Math.floor(Date.now() / 1000) * 1000;
    const expires = start + expiresIn * 1000;
    let url: string;
    try {
      [url] = await this.bucket.file(name).getSignedUrl({
        version: 'v4',
        action: request.method === 'GET' ? 'read' : 'write',
        accessibleAt: start,
        expires,
        host: this.#publicEndpoint,
        ...(request.method === 'GET' ? { responseDisposition: 'attachment' } : {}),
        ...(contentType ? { contentType } : {}),
      });
    } catch {
      throw new StorageError('storage/unavailable', 'Could not sign the storage URL');
    }
    return {
      url,
      method: request.method,
      headers: contentType ? { 'content-type': contentType } : {},
      expiresAt: new Date(expires).toISOString(),
    };
  }
}
