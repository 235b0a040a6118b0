import { Readable } from 'node:stream';
import {
  AnonymousCredential,
  type BlobItem,
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
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

/**
 * Options of `AzureDriver`. Credentials come in one of three forms: `connectionString`; `accountName` +
 * `accountKey` (+ `accountUrl` for Azurite or a sovereign cloud); or `accountUrl` + `sasToken` (no URL signing).
 */
export interface AzureDriverOptions {
  /** The blob container (3-63 lowercase letters, digits and single hyphens). It must exist. */
  container: string;
  /** Confines every key under this prefix of the container (e.g. `datasets/d1/`). Default: the whole container. */
  prefix?: string;
  /** Refuses writes and PUT signing (a source container). Default false. */
  readOnly?: boolean;
  /** A storage connection string (`AccountName=...;AccountKey=...;BlobEndpoint=...`). URLs are signed only when it holds an `AccountKey`. */
  connectionString?: string;
  /** The storage account name; with `accountKey`, requests and SAS URLs are signed with the shared key. */
  accountName?: string;
  /** The account's shared key (base64). Never echoed in an error. */
  accountKey?: string;
  /**
   * The account's Blob endpoint as this server reaches it. Default `https://<accountName>.blob.core.windows.net`;
   * Azurite: `http://127.0.0.1:10000/devstoreaccount1`.
   */
  accountUrl?: string;
  /** A SAS token (`sv=...&sig=...`) granting this server its access; such a driver cannot sign URLs. */
  sasToken?: string;
  /**
   * The account endpoint the browser reaches (e.g. a CDN or proxy in front of the account). Signed URLs are
   * `<publicEndpoint>/<container>/<blob>?<sas>`. Must be https unless it is a loopback address. Default: the
   * account URL.
   */
  publicEndpoint?: string;
  /** Attempts per request, retries included (default 3). */
  maxTries?: number;
}

/** How far back a SAS starts, so a browser whose clock runs behind the service's is not refused. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

const invalid = (message: string, path: string) => new StorageError('storage/invalid-option', message, { path });

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  details?: { errorCode?: string };
}

const errorCode = (e: unknown): string | undefined => {
  const r = (e ?? {}) as RestErrorLike;
  return r.details?.errorCode ?? r.code;
};

const statusOf = (e: unknown): number | undefined => ((e ?? {}) as RestErrorLike).statusCode;

/** Only a missing blob: a missing container (also a 404) is a configuration error, not "no object". */
const isBlobNotFound = (e: unknown): boolean => statusOf(e) === 404 && errorCode(e) !== 'ContainerNotFound';

const generic = (op: string, e: unknown, conditional = false): StorageError => {
  const status = statusOf(e);
  // 412 ConditionNotMet (If-Match), 409 BlobAlreadyExists (If-None-Match: *); If-Match on a missing blob: 404.
  if (status === 412 || status === 409 || (conditional && isBlobNotFound(e)))
    return new StorageError('storage/precondition-failed', 'The object changed or exists: the write was not applied');
  if (status === 401 || status === 403)
    return new StorageError('storage/access-denied', `The storage refused the ${op} request`);
  // Deliberately no message, URL or cause from the SDK: they can hold the account, a SAS or a request URL.
  return new StorageError('storage/unavailable', `The storage ${op} request failed`);
};

const quote = (etag: string | undefined): string => {
  if (!etag) return '""';
  return etag.startsWith('"') ? etag : `"${etag}"`;
};

const isLoopback = (url: URL): boolean =>
  url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);

function parseUrl(value: string, path: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {}
  throw invalid('must be an http(s) URL', path);
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Storage in an Azure Blob container through @azure/storage-blob (block blobs). ETags are the service's (quoted,
 * they change on every write, even of the same bytes). Signed URLs are service SAS URLs for exactly one blob:
 * `r` for GET, `c`+`w` for PUT, https only (except on loopback, i.e. Azurite), living `expiresIn` seconds.
 */
export class AzureDriver implements StorageDriver {
  readonly kind = 'azure';
  readonly container: string;
  readonly prefix: string;
  readonly readOnly: boolean;
  readonly #client: ContainerClient;
  readonly #key: StorageSharedKeyCredential | undefined;
  readonly #publicBase: string;
  readonly #protocol: SASProtocol;

  constructor(options: AzureDriverOptions) {
    if (typeof options.container !== 'string' || !CONTAINER.test(options.container))
      throw invalid('container must be a valid Azure container name', '$.container');
    this.container = options.container;
    this.prefix = normalizePrefix(options.prefix);
    this.readOnly = options.readOnly ?? false;
    const maxTries = options.maxTries ?? 3;
    if (!Number.isInteger(maxTries) || maxTries < 1) throw invalid('maxTries must be a positive integer', '$.maxTries');
    const pipeline: StoragePipelineOptions = { retryOptions: { maxTries } };
    let service: BlobServiceClient;
    try {
      service = this.#service(options, pipeline);
    } catch (e) {
      if (e instanceof StorageError) throw e;
      // The SDK's parse errors quote the connection string: say which option is wrong, nothing more.
      throw invalid('the Azure credentials or URL are malformed', '$.connectionString');
    }
    this.#key = service.credential instanceof StorageSharedKeyCredential ? service.credential : undefined;
    this.#client = service.getContainerClient(this.container);
    const publicUrl = parseUrl(options.publicEndpoint ?? service.url, '$.publicEndpoint');
    if (publicUrl.protocol !== 'https:' && !isLoopback(publicUrl))
      throw invalid('publicEndpoint must be https (http only on a loopback address)', '$.publicEndpoint');
    publicUrl.search = '';
    this.#publicBase = publicUrl.toString().replace(/\/+$/, '');
    this.#protocol = publicUrl.protocol === 'https:' ? SASProtocol.Https : SASProtocol.HttpsAndHttp;
  }

  #service(o: AzureDriverOptions, pipeline: StoragePipelineOptions): BlobServiceClient {
    const forms = [o.connectionString !== undefined, o.accountKey !== undefined, o.sasToken !== undefined];
    if (forms.filter(Boolean).length !== 1)
      throw invalid('give exactly one of connectionString, accountKey or sasToken', '$.connectionString');
    if (o.connectionString !== undefined) {
      if (typeof o.connectionString !== 'string' || o.connectionString === '')
        throw invalid('connectionString must be a non-empty string', '$.connectionString');
      return BlobServiceClient.fromConnectionString(o.connectionString, pipeline);
    }
    if (o.accountKey !== undefined) {
      if (typeof o.accountName !== 'string' || !/^[a-z0-9]{3,24}$/.test(o.accountName))
        throw invalid('accountName must be a valid storage account name', '$.accountName');
      if (typeof o.accountKey !== 'string' || o.accountKey === '')
        throw invalid('accountKey must be a non-empty string', '$.accountKey');
      const url = parseUrl(o.accountUrl ?? `https://${o.accountName}.blob.core.windows.net`, '$.accountUrl');
      return new BlobServiceClient(
        url.toString(),
        new StorageSharedKeyCredential(o.accountName, o.accountKey),
        pipeline,
      );
    }
    if (typeof o.sasToken !== 'string' || o.sasToken === '')
      throw invalid('sasToken must be a non-empty string', '$.sasToken');
    if (o.accountUrl === undefined) throw invalid('accountUrl is required with sasToken', '$.accountUrl');
    const url = parseUrl(o.accountUrl, '$.accountUrl');
    url.search = o.sasToken.replace(/^\?/, '');
    return new BlobServiceClient(url.toString(), new AnonymousCredential(), pipeline);
  }

  #name(key: string): string {
    return this.prefix + normalizeStorageKey(key);
  }

  #checkWritable(): void {
    if (this.readOnly) throw new StorageError('storage/read-only', 'This storage is read-only');
  }

  #abortError(e: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted || (e as { name?: string })?.name === 'AbortError')
      return new AbortError('The storage read was aborted');
    return generic('get', e);
  }

  async get(key: string, opts: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    const blob = this.#client.getBlobClient(this.#name(key));
    try {
      if (opts.signal?.aborted) throw new AbortError('The storage read was aborted');
      const out = await blob.download(0, undefined, opts.signal ? { abortSignal: opts.signal } : {});
      const body = await readAll(out.readableStreamBody);
      return { body, etag: quote(out.etag), ...(out.contentType ? { contentType: out.contentType } : {}) };
    } catch (e) {
      if (e instanceof AbortError) throw e;
      if (isBlobNotFound(e)) return undefined;
      throw this.#abortError(e, opts.signal);
    }
  }

  async getStream(
    key: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ body: ReadableStream<Uint8Array>; info: ObjectInfo } | undefined> {
    const blob = this.#client.getBlobClient(this.#name(key));
    try {
      if (opts.signal?.aborted) throw new AbortError('The storage read was aborted');
      const out = await blob.download(0, undefined, opts.signal ? { abortSignal: opts.signal } : {});
      const info: ObjectInfo = {
        size: out.contentLength ?? 0,
        etag: quote(out.etag),
        ...(out.contentType ? { contentType: out.contentType } : {}),
      };
      const node = (out.readableStreamBody ?? Readable.from([])) as Readable;
      return { body: Readable.toWeb(node) as ReadableStream<Uint8Array>, info };
    } catch (e) {
      if (e instanceof AbortError) throw e;
      if (isBlobNotFound(e)) return undefined;
      throw this.#abortError(e, opts.signal);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const blob = this.#client.getBlobClient(this.#name(key));
    try {
      const out = await blob.getProperties();
      return {
        size: out.contentLength ?? 0,
        etag: quote(out.etag),
        ...(out.contentType ? { contentType: out.contentType } : {}),
      };
    } catch (e) {
      if (isBlobNotFound(e)) return undefined;
      throw generic('head', e);
    }
  }

  async put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<{ etag: string }> {
    const blob = this.#client.getBlockBlobClient(this.#name(key));
    this.#checkWritable();
    const contentType = checkContentType(opts.contentType);
    if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch !== '*')
      throw invalid("ifNoneMatch must be '*'", '$.ifNoneMatch');
    try {
      const out = await blob.upload(body, body.byteLength, {
        ...(contentType ? { blobHTTPHeaders: { blobContentType: contentType } } : {}),
        conditions: {
          ...(opts.ifMatch !== undefined ? { ifMatch: opts.ifMatch } : {}),
          ...(opts.ifNoneMatch ? { ifNoneMatch: '*' } : {}),
        },
      });
      return { etag: quote(out.etag) };
    } catch (e) {
      throw generic('put', e, opts.ifMatch !== undefined);
    }
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const blob = this.#client.getBlobClient(this.#name(key));
    this.#checkWritable();
    try {
      await blob.delete(opts.ifMatch !== undefined ? { conditions: { ifMatch: opts.ifMatch } } : {});
    } catch (e) {
      if (isBlobNotFound(e) && opts.ifMatch === undefined) return;
      throw generic('delete', e, opts.ifMatch !== undefined);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListPage> {
    const maxPageSize = checkListLimit(opts.limit);
    const full = this.prefix + normalizeListPrefix(prefix);
    try {
      const pages = this.#client
        .listBlobsFlat({ prefix: full })
        .byPage({ maxPageSize, ...(opts.cursor !== undefined ? { continuationToken: opts.cursor } : {}) });
      const { value } = await pages.next();
      const items: BlobItem[] = value?.segment.blobItems ?? [];
      const keys = items.flatMap((b: BlobItem) =>
        b.name.startsWith(this.prefix)
          ? [
              {
                key: b.name.slice(this.prefix.length),
                size: b.properties.contentLength ?? 0,
                etag: quote(b.properties.etag),
              },
            ]
          : [],
      );
      const next = value?.continuationToken;
      return next ? { keys, cursor: next } : { keys };
    } catch (e) {
      throw generic('list', e);
    }
  }

  /**
   * A service SAS URL for the public endpoint, for exactly this blob and method (`r` for GET, `cw` for PUT).
   * A SAS cannot bind request headers, so a PUT returns the headers the client must send (`x-ms-blob-type`,
   * and `content-type`, which Azure stores as the blob's type); a GET binds `Content-Disposition: attachment`
   * (`rscd`) so an object uploaded as HTML or SVG downloads instead of rendering when opened (images in `<img>`,
   * `fetch` and canvas are unaffected). Needs a shared key (account key or connection string with one).
   */
  async sign(request: SignRequest): Promise<SignedRequest> {
    const { expiresIn, contentType } = checkUrlSignRequest(
      request,
      this.readOnly,
      'An Azure SAS cannot bind a size limit',
    );
    const name = this.#name(request.key);
    if (!this.#key)
      throw new StorageError('storage/unsupported', 'Signing needs an account key (a SAS-token driver cannot sign)');
    const now = Date.now();
    // SAS times have whole seconds: round the expiry down so the URL never outlives what was asked.
    const expiresOn = new Date(Math.floor((now + expiresIn * 1000) / 1000) * 1000);
    let sas: string;
    try {
      sas = generateBlobSASQueryParameters(
        {
          containerName: this.container,
          blobName: name,
          permissions: BlobSASPermissions.parse(request.method === 'GET' ? 'r' : 'cw'),
          startsOn: new Date(now - CLOCK_SKEW_MS),
          expiresOn,
          protocol: this.#protocol,
          ...(request.method === 'GET' ? { contentDisposition: 'attachment' } : {}),
        },
        this.#key,
      ).toString();
    } catch {
      throw new StorageError('storage/unavailable', 'Could not sign the storage URL');
    }
    const path = name.split('/').map(encodeURIComponent).join('/');
    const url = `${this.#publicBase}/${this.container}/${path}?${sas}`;
    const headers: Record<string, string> =
      request.method === 'PUT'
        ? { 'x-ms-blob-type': 'BlockBlob', ...(contentType ? { 'content-type': contentType } : {}) }
        : {};
    return { url, method: request.method, headers, expiresAt: expiresOn.toISOString() };
  }
}
