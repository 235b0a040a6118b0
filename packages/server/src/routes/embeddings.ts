/**
 * `POST /v1/embeddings?model=ID&dtype=float16|float32` with image bytes or `{ "key": "..." }`, and
 * `GET /v1/embeddings/:model/:sha256` for an embedding already computed (immutable, ETag, 304).
 */
import { createHash } from 'node:crypto';
import type { EmbeddingDType } from '@labelkit/core';
import { type Context, Hono } from 'hono';
import { readBody } from '../body.ts';
import { IMAGE_TYPES, type ImageMime } from '../encoder/preprocess.ts';
import type { EmbeddingService } from '../encoder/service.ts';
import { HttpError } from '../errors.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { normalizeKey } from '../storage/index.ts';

export interface EmbeddingRoutesOptions {
  service: EmbeddingService;
  registry: ModelRegistry;
  /** Where `{ "key" }` bodies are read from. */
  storage: StorageDriver;
  /**
   * Called before a `{ "key" }` body is read; throws (e.g. 403) when the request may not read that key. A key
   * names any object of the storage, not one dataset's, so the app allows it only to readers of every dataset.
   */
  authorizeKey?: (c: Context, key: string) => void;
  /** Largest image body, enforced while it streams in. */
  maxBodyBytes: number;
  /** Model used when the request has no `?model=`. */
  defaultModel: string;
}

export const EMBEDDING_CONTENT_TYPE = 'application/vnd.labelkit.embedding';
const JSON_BODY_LIMIT = 16 * 1024;
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function dtypeOf(value: string | undefined): EmbeddingDType {
  if (value === undefined || value === 'float16') return 'float16';
  if (value === 'float32') return 'float32';
  throw new HttpError(400, 'request/invalid-dtype', `dtype must be float16 or float32, not "${value}"`);
}

/** Strong ETag of one representation: a hash of the model id, the image's sha256 and the dtype. */
export function embeddingEtag(model: string, sha256: string, dtype: EmbeddingDType): string {
  return `"${createHash('sha256').update(`${model}\n${sha256}\n${dtype}`).digest('hex').slice(0, 40)}"`;
}

const matches = (ifNoneMatch: string | undefined, etag: string) =>
  ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === '*') ?? false;

export function embeddingRoutes(options: EmbeddingRoutesOptions): Hono {
  const app = new Hono();

  app.post('/v1/embeddings', async (c) => {
    const model = c.req.query('model') ?? options.defaultModel;
    options.registry.get(model);
    const dtype = dtypeOf(c.req.query('dtype'));
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let image: Uint8Array;
    let declared: ImageMime | undefined;
    if (mediaType === 'application/json') {
      let key: unknown;
      try {
        key = (JSON.parse(new TextDecoder().decode(await readBody(c.req.raw, JSON_BODY_LIMIT))) as { key?: unknown })
          .key;
      } catch (e) {
        if (e instanceof HttpError) throw e;
        throw new HttpError(400, 'request/invalid-json', 'The body is not JSON { "key": "..." }');
      }
      const normalized = normalizeKey(key);
      options.authorizeKey?.(c, normalized);
      const found = await options.storage.get(normalized);
      if (!found)
        throw new HttpError(404, 'storage/not-found', 'No object with that key in storage', { path: '$.key' });
      image = found.body;
    } else if (mediaType in IMAGE_TYPES) {
      declared = mediaType as ImageMime;
      image = await readBody(c.req.raw, options.maxBodyBytes);
      if (image.length === 0) throw new HttpError(400, 'request/empty-body', 'The request has no image');
    } else {
      throw new HttpError(
        415,
        'request/unsupported-media-type',
        'Send image/png, image/jpeg, image/webp or application/json { "key" }',
      );
    }
    const sha256 = sha256Hex(image);
    const { container, cached } = await options.service.embed(
      { model, sha256, image, declared },
      dtype,
      c.req.raw.signal,
    );
    return c.body(container as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': EMBEDDING_CONTENT_TYPE,
      ETag: embeddingEtag(model, sha256, dtype),
      'Cache-Control': 'no-store',
      'Content-Location': `/v1/embeddings/${model}/${sha256}${dtype === 'float16' ? '' : `?dtype=${dtype}`}`,
      'X-LabelKit-Cache': cached ? 'hit' : 'miss',
    });
  });

  app.get('/v1/embeddings/:model/:sha256', async (c) => {
    const model = c.req.param('model');
    const sha256 = c.req.param('sha256');
    options.registry.get(model);
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new HttpError(
        400,
        'request/invalid-sha256',
        'The last path segment must be a lowercase hex sha256 of the image',
      );
    const dtype = dtypeOf(c.req.query('dtype'));
    const etag = embeddingEtag(model, sha256, dtype);
    const headers = { ETag: etag, 'Cache-Control': 'public, max-age=31536000, immutable' };
    // The content behind this URL never changes, so a client holding the ETag holds the content.
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    const container = await options.service.lookup(model, sha256, dtype);
    if (!container)
      throw new HttpError(404, 'embedding/not-found', 'No embedding for that image yet: POST it to /v1/embeddings');
    return c.body(container as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Type': EMBEDDING_CONTENT_TYPE });
  });

  return app;
}
