/** An object read from storage. `etag` is opaque and quoted (`"..."`): pass it back as `ifMatch`. */
export interface StoredObject {
  body: Uint8Array;
  etag: string;
  contentType?: string;
}

export interface ObjectInfo {
  size: number;
  etag: string;
  contentType?: string;
}

export interface PutOptions {
  /** Stored with the object and sent back when it is read or served. */
  contentType?: string;
  /** Write only if the current object has this ETag (compare-and-swap, e.g. moving a ref). */
  ifMatch?: string;
  /** `'*'`: write only if no object exists (immutable, content-addressed objects). */
  ifNoneMatch?: '*';
}

export interface ListOptions {
  /** The `cursor` of the previous page; absent for the first page. */
  cursor?: string;
  /** Keys per page (default 1000, at most 1000). */
  limit?: number;
}

export interface ListPage {
  keys: { key: string; size: number; etag: string }[];
  /** Present when there are more keys: pass it back to get the next page. */
  cursor?: string;
}

export interface SignRequest {
  key: string;
  method: 'GET' | 'PUT';
  /** PUT: the only content type the upload may carry (bound in the signature). */
  contentType?: string;
  /** Seconds the URL lives (default 300, at most 3600). */
  expiresIn?: number;
  /** PUT: the largest body accepted, in bytes (fs driver; on s3 use `signPost`). */
  maxBytes?: number;
}

export interface SignedRequest {
  url: string;
  method: 'GET' | 'PUT';
  /** Headers the client must send with the request (e.g. the signed `content-type`). */
  headers: Record<string, string>;
  /** ISO 8601 time after which the URL is refused. */
  expiresAt: string;
}

/**
 * A storage backend (DESIGN.md sections 6 and 9). Keys are relative to the driver's prefix and are checked by
 * `normalizeStorageKey` (a bad key throws `storage/forbidden-key`). A failed precondition throws
 * `storage/precondition-failed` and never overwrites; a write to a read-only driver throws `storage/read-only`.
 */
export interface StorageDriver {
  /** `'fs'`, `'s3'`, `'azure'` or `'gcs'`. */
  readonly kind: string;
  /** A source storage that LabelKit must never write to. */
  readonly readOnly: boolean;
  get(key: string, opts?: { signal?: AbortSignal }): Promise<StoredObject | undefined>;
  getStream?(
    key: string,
    opts?: { signal?: AbortSignal },
  ): Promise<{ body: ReadableStream<Uint8Array>; info: ObjectInfo } | undefined>;
  put(key: string, body: Uint8Array, opts?: PutOptions): Promise<{ etag: string }>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** One page of the keys starting with `prefix`, each key at most once over all pages. */
  list(prefix: string, opts?: ListOptions): Promise<ListPage>;
  /** Deletes the object (no error when absent unless `ifMatch` is given). */
  delete(key: string, opts?: { ifMatch?: string }): Promise<void>;
  sign(request: SignRequest): Promise<SignedRequest>;
}

export const DEFAULT_EXPIRES_IN = 300;
export const MAX_EXPIRES_IN = 3600;
export const DEFAULT_LIST_LIMIT = 1000;
