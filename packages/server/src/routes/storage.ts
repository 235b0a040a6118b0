/**
 * `POST /v1/storage/sign` (api.md): a short-lived signed URL for one object of a dataset's source, after the
 * principal's scope on that dataset is checked. The storage, its endpoint and the prefix all come from the
 * configuration; the request names only a dataset and a key relative to its source prefix.
 */
import { Hono } from 'hono';
import { type AuthEnv, requireScope } from '../auth/scopes.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { StorageError } from '../storage/drivers/errors.ts';
import { S3Driver } from '../storage/drivers/s3.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { normalizeKey } from '../storage/index.ts';
import { DATASET_ID } from '../storage/registry.ts';

/** Where a dataset's images live; undefined when there is no such dataset. */
export interface SignDatasetLookup {
  source(dataset: string): Promise<{ storage: string; prefix: string } | undefined>;
}

export interface StorageRoutesOptions {
  storages: ReadonlyMap<string, StorageDriver>;
  datasets: SignDatasetLookup;
  /** The largest upload a PUT may be signed for (and the limit when the request gives none). */
  maxUploadBytes: number;
}

/** The only content types an upload may be signed for: images a browser renders inertly. */
export const UPLOAD_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
  'image/bmp',
]);

const FIELDS = new Set(['dataset', 'key', 'method', 'contentType', 'maxBytes', 'expiresIn']);
const BODY_LIMIT = 8 * 1024;

const invalid = (message: string, path: string, code = 'request/invalid-field') =>
  new HttpError(400, code, message, { path });

function parseBody(bytes: Uint8Array): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalid('The body must be JSON', '$', 'request/invalid-json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('The body must be a JSON object', '$', 'request/invalid-json');
  // Unknown fields are refused, not ignored: an `endpoint`, `url` or `bucket` must never look accepted.
  for (const k of Object.keys(body))
    if (!FIELDS.has(k)) throw invalid(`Unknown field "${k}"`, `$.${k}`, 'request/unknown-field');
  return body as Record<string, unknown>;
}

const optInt = (v: unknown, path: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`${path} must be an integer`, path);
  return v;
};

export function storageRoutes(options: StorageRoutesOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post('/v1/storage/sign', async (c) => {
    const body = parseBody(await readBody(c.req.raw, BODY_LIMIT));
    const { dataset, method } = body;
    if (typeof dataset !== 'string' || !DATASET_ID.test(dataset))
      throw invalid('dataset must be a dataset id', '$.dataset');
    if (method !== 'GET' && method !== 'PUT') throw invalid('method must be "GET" or "PUT"', '$.method');
    // Scope first, then the lookup: an unknown dataset answers like a forbidden one (403), so ids can't be probed.
    requireScope(c, dataset, method === 'GET' ? 'read' : 'write');
    const source = await options.datasets.source(dataset);
    const driver = source && options.storages.get(source.storage);
    if (!source || !driver) throw new HttpError(403, 'auth/forbidden', `This token may not use dataset "${dataset}"`);
    const key = normalizeKey(body.key);
    // The prefix comes from the configuration; the whole key is checked again so it stays under the prefix.
    const fullKey = normalizeKey(`${source.prefix}${key}`);
    const expiresIn = optInt(body.expiresIn, '$.expiresIn');
    if (method === 'GET') {
      if (body.contentType !== undefined || body.maxBytes !== undefined)
        throw invalid('contentType and maxBytes apply to PUT only', '$.method');
      return c.json(
        await driver.sign({ key: fullKey, method: 'GET', ...(expiresIn === undefined ? {} : { expiresIn }) }),
      );
    }
    if (driver.readOnly) throw new StorageError('storage/read-only', 'The source of this dataset is read-only');
    const contentType = typeof body.contentType === 'string' ? body.contentType.trim().toLowerCase() : undefined;
    if (contentType === undefined || !UPLOAD_TYPES.has(contentType))
      throw invalid(`contentType must be one of ${[...UPLOAD_TYPES].join(', ')}`, '$.contentType');
    const maxBytes = optInt(body.maxBytes, '$.maxBytes') ?? options.maxUploadBytes;
    if (maxBytes < 1 || maxBytes > options.maxUploadBytes)
      throw invalid(`maxBytes must be from 1 to ${options.maxUploadBytes}`, '$.maxBytes');
    if (driver instanceof S3Driver) {
      // Always a presigned POST on s3: a presigned PUT cannot bound the size of the upload.
      const post = await driver.signPost({
        key: fullKey,
        contentType,
        maxBytes,
        ...(expiresIn === undefined ? {} : { expiresIn }),
      });
      return c.json({ url: post.url, method: 'POST', fields: post.fields, expiresAt: post.expiresAt });
    }
    return c.json(
      await driver.sign({
        key: fullKey,
        method: 'PUT',
        contentType,
        maxBytes,
        ...(expiresIn === undefined ? {} : { expiresIn }),
      }),
    );
  });
  return app;
}
