import { LabelKitError } from '@labelkit/core';
import { Hono } from 'hono';
import { readLimited } from '../../body.ts';
import { StorageError } from './errors.ts';
import type { FsDriver } from './fs.ts';
import { checkContentType } from './options.ts';
import { type FsGrant, verifyFsSignature } from './signing.ts';

/**
 * Media types served inline. Anything else (HTML, SVG, XML, JavaScript, PDF, unknown) is sent as an
 * attachment, so an uploaded file never runs as a page on our origin.
 */
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/tiff',
  'application/json',
  'application/octet-stream',
  'text/plain',
  'text/csv',
]);

// Any characters, newlines included, so that a key with an encoded CR/LF reaches the key check (and its 400).
const KEY_ROUTE = '/:key{[\\s\\S]+}';

const mediaType = (contentType: string): string => (contentType.split(';')[0] ?? '').trim().toLowerCase();

/**
 * The routes that serve the fs driver's signed URLs: `GET|PUT /<key>?method=&expires=&ct=&max=&sig=`. Mount
 * where `FsDriver`'s `signBaseUrl` points: `app.route('/v1/storage/fs', fsSignedRoutes(driver, secret))`.
 *
 * - Every failure answers `{ error: { code, message } }` with the status of `STORAGE_STATUS`: 400 for a bad
 *   key, 403 for a bad, expired or misused signature, 413 for a body over the signed limit, 404 when missing.
 * - PUT requires the signed content type (a URL signed without one accepts only uploads without one, stored
 *   and served as `application/octet-stream`) and stops reading the body as soon as it passes `max` bytes.
 * - GET answers with the stored content type, `nosniff`, `Content-Security-Policy: sandbox`, and
 *   `Content-Disposition: attachment` for every type outside a short list of inert ones.
 */
export function fsSignedRoutes(driver: FsDriver, secret: string | Uint8Array): Hono {
  const app = new Hono();

  const authorize = (method: string, rawKey: string, query: (name: string) => string | undefined): FsGrant => {
    const full = driver.fullKey(rawKey);
    const params = { method: query('method'), expires: query('expires'), ct: query('ct'), max: query('max') };
    const verdict = verifyFsSignature({ method, key: full, params: { ...params, sig: query('sig') } }, secret);
    if (!verdict.ok) throw verdict.error;
    return verdict.value;
  };

  app.get(KEY_ROUTE, async (c) => {
    authorize('GET', c.req.param('key'), (n) => c.req.query(n));
    const object = await driver.getStream(c.req.param('key'));
    if (!object) throw new StorageError('storage/not-found', 'No such object');
    const type = object.info.contentType ?? 'application/octet-stream';
    c.header('Content-Type', type);
    c.header('Content-Length', String(object.info.size));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Content-Security-Policy', "default-src 'none'; sandbox");
    c.header('ETag', object.info.etag);
    c.header('Cache-Control', 'private, no-store');
    if (!INLINE_TYPES.has(mediaType(type))) c.header('Content-Disposition', 'attachment');
    return c.body(object.body, 200);
  });

  app.put(KEY_ROUTE, async (c) => {
    const grant = authorize('PUT', c.req.param('key'), (n) => c.req.query(n));
    const sent = c.req.header('content-type');
    const sentType = sent === undefined ? '' : safeContentType(sent);
    if (sentType !== grant.contentType)
      throw new StorageError('storage/content-type-mismatch', 'The upload does not carry the signed content type');
    const declared = c.req.header('content-length');
    // A URL signed without a limit still gets the driver's, so no upload is buffered without bound.
    const limit = grant.maxBytes >= 0 ? grant.maxBytes : driver.maxUploadBytes;
    if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
    const body = await readLimited(c.req.raw.body, limit, { tooLarge: () => tooLarge(limit) });
    const { etag } = await driver.put(
      c.req.param('key'),
      body,
      grant.contentType ? { contentType: grant.contentType } : {},
    );
    c.header('ETag', etag);
    return c.body(null, 200);
  });

  app.notFound((c) => c.json({ error: { code: 'http/not-found', message: 'No such route' } }, 404));
  app.onError((e, c) => {
    if (e instanceof StorageError) return c.json({ error: e.toJSON() }, e.status as 400);
    if (e instanceof LabelKitError) return c.json({ error: e.toJSON() }, 400);
    return c.json({ error: { code: 'storage/unavailable', message: 'Storage request failed' } }, 500);
  });
  return app;
}

function safeContentType(header: string): string {
  try {
    return checkContentType(header) ?? '';
  } catch {
    return '\u0000invalid';
  }
}

const tooLarge = (limit: number) =>
  new StorageError('storage/too-large', `The upload is larger than the limit of ${limit} bytes`);
