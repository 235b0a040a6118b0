import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AbortError } from '@labelkit/core';
import { StorageError } from './errors.ts';
import { normalizeListPrefix, normalizePrefix, normalizeStorageKey } from './keys.ts';
import { checkContentType, checkExpiresIn, checkListLimit, checkUrlSignRequest } from './options.ts';
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

export interface S3DriverOptions {
  bucket: string;
  /** Confines every key under this prefix of the bucket (e.g. `datasets/d1/`). Default: the whole bucket. */
  prefix?: string;
  /** AWS region (default `us-east-1`; MinIO and s3rver accept any). */
  region?: string;
  /** The store's endpoint as this server reaches it (MinIO, R2, Ceph...). Default: AWS S3 for the region. */
  endpoint?: string;
  /**
   * The endpoint the browser reaches (e.g. `https://s3.example.com` while the server talks to `http://minio:9000`).
   * Signed URLs are made for it. Default: `endpoint`.
   */
  publicEndpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by MinIO and s3rver. Default false. */
  forcePathStyle?: boolean;
  /** Static credentials; without them the default AWS chain (environment, profile, IMDS...) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Refuses writes and PUT signing (a source bucket). Default false. */
  readOnly?: boolean;
  /** Attempts per request, retries included (default 3). */
  maxAttempts?: number;
}

export interface SignPostRequest {
  key: string;
  contentType: string;
  /** The largest upload accepted (bound as `content-length-range` in the policy). */
  maxBytes: number;
  /** Seconds the form lives (default 300, at most 3600). */
  expiresIn?: number;
}

export interface SignedPost {
  url: string;
  /** Form fields to send before the `file` field. */
  fields: Record<string, string>;
  expiresAt: string;
}

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const generic = (op: string, e: unknown): StorageError => {
  const { name, $metadata } = (e ?? {}) as SdkError;
  const status = $metadata?.httpStatusCode;
  if (status === 412 || name === 'PreconditionFailed' || status === 409 || name === 'ConditionalRequestConflict')
    return new StorageError('storage/precondition-failed', 'The object changed or exists: the write was not applied');
  if (status === 403 || name === 'AccessDenied')
    return new StorageError('storage/access-denied', `The storage refused the ${op} request`);
  // Deliberately no message, endpoint or cause from the SDK: they can name hosts, buckets or credentials.
  return new StorageError('storage/unavailable', `The storage ${op} request failed`);
};

const isNotFound = (e: unknown): boolean => {
  // Only a missing key: a missing bucket (NoSuchBucket, also a 404) is a configuration error, not "no object".
  const { name } = (e ?? {}) as SdkError;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/** Storage in any S3-compatible store through @aws-sdk/client-s3. ETags are the store's (quoted). */
export class S3Driver implements StorageDriver {
  readonly kind = 's3';
  readonly bucket: string;
  readonly prefix: string;
  readonly readOnly: boolean;
  /** The client for storage requests (tests add middleware to it to see the headers sent). */
  readonly client: S3Client;
  /** The client that signs URLs for `publicEndpoint`; it never sends a request. */
  readonly signer: S3Client;

  constructor(options: S3DriverOptions) {
    if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket))
      throw new StorageError('storage/invalid-option', 'bucket must be a valid S3 bucket name', { path: '$.bucket' });
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.readOnly = options.readOnly ?? false;
    const base: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? false,
      maxAttempts: options.maxAttempts ?? 3,
      // Checksums only where S3 requires them: S3-compatible stores (older MinIO, R2, s3rver) reject the rest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    this.client = new S3Client({ ...base, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
    const publicEndpoint = options.publicEndpoint ?? options.endpoint;
    this.signer =
      publicEndpoint === options.endpoint
        ? this.client
        : new S3Client({ ...base, ...(publicEndpoint ? { endpoint: publicEndpoint } : {}) });
  }

  #key(key: string): string {
    return this.prefix + normalizeStorageKey(key);
  }

  #checkWritable(): void {
    if (this.readOnly) throw new StorageError('storage/read-only', 'This storage is read-only');
  }

  async get(key: string, opts: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    const Key = this.#key(key);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key }),
        opts.signal ? { abortSignal: opts.signal } : {},
      );
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      return { body, etag: out.ETag ?? '""', ...(out.ContentType ? { contentType: out.ContentType } : {}) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (opts.signal?.aborted) throw new AbortError('The storage read was aborted');
      throw generic('get', e);
    }
  }

  async getStream(
    key: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ body: ReadableStream<Uint8Array>; info: ObjectInfo } | undefined> {
    const Key = this.#key(key);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key }),
        opts.signal ? { abortSignal: opts.signal } : {},
      );
      if (!out.Body) return undefined;
      const info: ObjectInfo = {
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '""',
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
      };
      return { body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>, info };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (opts.signal?.aborted) throw new AbortError('The storage read was aborted');
      throw generic('get', e);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.#key(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return {
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '""',
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw generic('head', e);
    }
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<{ etag: string }> {
    const Key = this.#key(key);
    this.#checkWritable();
    const contentType = checkContentType(opts.contentType);
    if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch !== '*')
      throw new StorageError('storage/invalid-option', "ifNoneMatch must be '*'", { path: '$.ifNoneMatch' });
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentLength: body.byteLength,
          ...(contentType ? { ContentType: contentType } : {}),
          ...(opts.ifMatch !== undefined ? { IfMatch: opts.ifMatch } : {}),
          ...(opts.ifNoneMatch ? { IfNoneMatch: opts.ifNoneMatch } : {}),
        }),
      );
      return { etag: out.ETag ?? '""' };
    } catch (e) {
      throw generic('put', e);
    }
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const Key = this.#key(key);
    this.#checkWritable();
    try {
      await this.client.send(
        new DeleteObjectCommand({
          Bucket: this.bucket,
          Key,
          ...(opts.ifMatch !== undefined ? { IfMatch: opts.ifMatch } : {}),
        }),
      );
    } catch (e) {
      if (isNotFound(e) && opts.ifMatch === undefined) return;
      throw generic('delete', e);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
    const MaxKeys = checkListLimit(opts.limit);
    const Prefix = this.prefix + normalizeListPrefix(prefix);
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix,
          MaxKeys,
          ...(opts.cursor !== undefined ? { ContinuationToken: opts.cursor } : {}),
        }),
      );
      const keys = (out.Contents ?? []).flatMap((o) =>
        o.Key?.startsWith(this.prefix)
          ? [{ key: o.Key.slice(this.prefix.length), size: o.Size ?? 0, etag: o.ETag ?? '""' }]
          : [],
      );
      return out.IsTruncated && out.NextContinuationToken ? { keys, cursor: out.NextContinuationToken } : { keys };
    } catch (e) {
      throw generic('list', e);
    }
  }

  /**
   * A presigned URL for the public endpoint. A PUT binds its content type (a signed header the browser must
   * send); it cannot bind a size limit, so `maxBytes` is refused here: use `signPost`.
   */
  async sign(request: SignRequest): Promise<SignedRequest> {
    const { expiresIn, contentType } = checkUrlSignRequest(
      request,
      this.readOnly,
      'A size limit needs a presigned POST (signPost) on s3',
    );
    const Key = this.#key(request.key);
    const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
    try {
      const command =
        request.method === 'GET'
          ? new GetObjectCommand({ Bucket: this.bucket, Key })
          : new PutObjectCommand({ Bucket: this.bucket, Key, ...(contentType ? { ContentType: contentType } : {}) });
      const url = await getSignedUrl(this.signer, command, {
        expiresIn,
        signableHeaders: new Set(contentType ? ['content-type'] : []),
      });
      return { url, method: request.method, headers: contentType ? { 'content-type': contentType } : {}, expiresAt };
    } catch {
      throw new StorageError('storage/unavailable', 'Could not sign the storage URL');
    }
  }

  /** A presigned POST form for the public endpoint with the content type and `content-length-range` enforced. */
  async signPost(request: SignPostRequest): Promise<SignedPost> {
    this.#checkWritable();
    const Key = this.#key(request.key);
    const contentType = checkContentType(request.contentType);
    if (!contentType)
      throw new StorageError('storage/invalid-option', 'contentType is required', { path: '$.contentType' });
    if (!Number.isSafeInteger(request.maxBytes) || request.maxBytes < 0)
      throw new StorageError('storage/invalid-option', 'maxBytes must be a non-negative integer', {
        path: '$.maxBytes',
      });
    const expiresIn = checkExpiresIn(request.expiresIn);
    try {
      const { url, fields } = await createPresignedPost(this.signer, {
        Bucket: this.bucket,
        Key,
        Conditions: [
          ['content-length-range', 0, request.maxBytes],
          ['eq', '$Content-Type', contentType],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: expiresIn,
      });
      return { url, fields, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
    } catch {
      throw new StorageError('storage/unavailable', 'Could not sign the storage form');
    }
  }

  /** Closes the clients' sockets. */
  destroy(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}
