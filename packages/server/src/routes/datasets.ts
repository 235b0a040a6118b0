/**
 * `/v1/datasets...` (api.md): datasets, their source items with signed URLs, and their versioned annotation
 * history (commits with per-item merge of stale parents, log, diff, revert, branches, export at a commit).
 * Every route checks the principal's scope on the dataset before it touches storage; a dataset that does not
 * exist answers 403 like one the principal may not see, so ids cannot be probed.
 */
import {
  type AnnotationDocument,
  checkItemId,
  HistoryError,
  isHash,
  LabelKitError,
  ValidationError,
} from '@labelkit/core';
import { type Context, Hono } from 'hono';
import { type AuthEnv, can, requireScope, type Scope } from '../auth/scopes.ts';
import { jsonObject } from '../body.ts';
import { datasetFor } from '../datasets/access.ts';
import { CommitConflictError } from '../datasets/commit.ts';
import { DATASET_STATUS, invalidRequest } from '../datasets/errors.ts';
import type { DatasetRegistry } from '../datasets/registry.ts';
import type { DatasetService } from '../datasets/service.ts';
import { HttpError } from '../errors.ts';
import {
  exportZip as defaultExportZip,
  EXPORT_FORMATS,
  type ExportZipOptions,
  exportFileName,
} from '../export/index.ts';
import { lineageFidelity } from '../ops/lineage.ts';
// The drivers' index would load every cloud SDK; the errors are all this needs.
import { STORAGE_STATUS, type StorageErrorCode } from '../storage/drivers/errors.ts';

export interface DatasetRoutesOptions {
  registry: DatasetRegistry;
  /** Makes the export zip (default: `exportZip` of ../export). */
  exportZip?: (options: ExportZipOptions) => ReadableStream<Uint8Array>;
  /** Largest `POST .../commits` (and other JSON) body, enforced while it streams in. */
  maxCommitBytes: number;
  /** Told of every commit that lands (metrics): `merged` when a stale parent was merged per item. */
  onCommit?: (kind: 'commit' | 'merged' | 'revert') => void;
}

/** Most items one commit may carry. */
export const MAX_COMMIT_ITEMS = 1000;
const MAX_PAGE = 1000;
/** Bodies other than commits are a few fields. */
const SMALL_BODY = 64 * 1024;

type C = Context<AuthEnv>;

function statusOf(e: LabelKitError): number | undefined {
  if (e instanceof ValidationError) return 400;
  const fromDataset = DATASET_STATUS[e.code];
  if (fromDataset !== undefined) return fromDataset;
  if (e.code === 'history/merge-conflict') return 409;
  if (e instanceof HistoryError && e.code.startsWith('history/invalid-')) return 400;
  if (e.code === 'export/unknown-format') return 400;
  return STORAGE_STATUS[e.code as StorageErrorCode];
}

function query(c: C, name: string): string | undefined {
  const all = c.req.queries(name);
  if (all && all.length > 1) throw invalidRequest(`${name} is given more than once`, `$.${name}`);
  return all?.[0];
}

function limitOf(c: C): number {
  const raw = query(c, 'limit');
  if (raw === undefined) return 100;
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_PAGE)) throw invalidRequest(`limit is an integer from 1 to ${MAX_PAGE}`, '$.limit');
  return n;
}

function cursorOf(c: C): { cursor?: string } {
  const cursor = query(c, 'cursor');
  if (cursor === undefined) return {};
  if (cursor === '') throw invalidRequest('cursor is the cursor of the previous page', '$.cursor');
  return { cursor };
}

/** A JSON object body (415 for another type, 400 `request/invalid-json`, 400 for a non-object). */
const jsonBody = (c: C, limit: number) => jsonObject(c, limit, 'dataset/invalid-request');

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw invalidRequest(`Unknown field ${k}`, `$.${k}`);
}

function optString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v !== undefined && typeof v !== 'string') throw invalidRequest(`${name} is a string`, `$.${name}`);
  return v;
}

export function datasetRoutes(options: DatasetRoutesOptions): Hono<AuthEnv> {
  const { registry, maxCommitBytes, onCommit } = options;
  const makeZip = options.exportZip ?? defaultExportZip;
  const app = new Hono<AuthEnv>();

  // Heads move: a cached answer would show an old document or log (Chromium cached `document: null` otherwise).
  app.use('/v1/datasets/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.use('/v1/datasets', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });

  /** The dataset, once the principal is known to hold `need` on it; 403 for one that does not exist. */
  const dataset = async (c: C, need: Scope): Promise<{ service: DatasetService; author: string }> => {
    const { service, principal } = await datasetFor(c, registry, c.req.param('id') as string, need);
    return { service, author: principal.name };
  };

  app.get('/v1/datasets', async (c) => {
    const principal = c.get('principal');
    // requireScope with the wildcard answers 401 without a principal; the list is then filtered per dataset.
    if (!principal) requireScope(c, '*', 'read');
    const all = await registry.list();
    return c.json({ datasets: all.filter((s) => can(principal, s.id, 'read')).map((s) => s.info()) });
  });

  app.post('/v1/datasets', async (c) => {
    requireScope(c, '*', 'admin');
    const service = await registry.create(await jsonBody(c, SMALL_BODY));
    return c.json(service.info(), 201);
  });

  app.get('/v1/datasets/:id', async (c) => {
    const { service } = await dataset(c, 'read');
    return c.json({ ...service.info(), branches: await service.branches() });
  });

  app.get('/v1/datasets/:id/items', async (c) => {
    const { service } = await dataset(c, 'read');
    return c.json(await service.items({ ...cursorOf(c), limit: limitOf(c), signal: c.req.raw.signal }));
  });

  app.get('/v1/datasets/:id/items/:item{.+}', async (c) => {
    const { service } = await dataset(c, 'read');
    const item = c.req.param('item');
    const bad = checkItemId(item, '$.item');
    if (bad) throw bad;
    return c.json(await service.readItem(item, query(c, 'at')));
  });

  app.get('/v1/datasets/:id/commits', async (c) => {
    const { service } = await dataset(c, 'read');
    return c.json(await service.log(query(c, 'branch') ?? 'main', { ...cursorOf(c), limit: limitOf(c) }));
  });

  app.get('/v1/datasets/:id/commits/:hash', async (c) => {
    const { service } = await dataset(c, 'read');
    const hash = c.req.param('hash');
    if (!isHash(hash)) throw invalidRequest('A commit hash is 64 lowercase hex digits', '$.hash');
    return c.json(await service.showCommit(hash));
  });

  app.post('/v1/datasets/:id/commits', async (c) => {
    const { service, author } = await dataset(c, 'write');
    const body = await jsonBody(c, maxCommitBytes);
    onlyFields(body, ['branch', 'parent', 'message', 'items']);
    const branch = optString(body, 'branch');
    const message = optString(body, 'message');
    if (body.parent !== null && !isHash(body.parent))
      throw invalidRequest('parent is the hash of the commit the edit was made on, or null', '$.parent');
    const items = body.items;
    if (typeof items !== 'object' || items === null || Array.isArray(items))
      throw invalidRequest('items maps item ids to documents (or null to delete)', '$.items');
    const entries = Object.entries(items);
    if (entries.length === 0 || entries.length > MAX_COMMIT_ITEMS)
      throw invalidRequest(`A commit holds 1 to ${MAX_COMMIT_ITEMS} items`, '$.items');
    for (const [id, doc] of entries)
      if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc)))
        throw invalidRequest('An item is a document or null', `$.items${JSON.stringify([id])}`);
    const result = await service.commit({
      ...(branch === undefined ? {} : { branch }),
      ...(message === undefined ? {} : { message }),
      parent: body.parent as string | null,
      // Only the shape of the map is checked here: writeItems validates every document (paths under $.items).
      items: new Map(entries) as Map<string, AnnotationDocument | null>,
      author,
    });
    onCommit?.(result.merged ? 'merged' : 'commit');
    return c.json(result, 201);
  });

  app.get('/v1/datasets/:id/diff', async (c) => {
    const { service } = await dataset(c, 'read');
    return c.json(await service.diff(query(c, 'from'), query(c, 'to'), { ...cursorOf(c), limit: limitOf(c) }));
  });

  app.post('/v1/datasets/:id/revert', async (c) => {
    const { service, author } = await dataset(c, 'write');
    const body = await jsonBody(c, SMALL_BODY);
    onlyFields(body, ['commit', 'branch', 'message']);
    if (!isHash(body.commit)) throw invalidRequest('commit is a commit hash', '$.commit');
    const branch = optString(body, 'branch');
    const message = optString(body, 'message');
    const result = await service.revert({
      commit: body.commit,
      author,
      ...(branch === undefined ? {} : { branch }),
      ...(message === undefined ? {} : { message }),
    });
    onCommit?.('revert');
    return c.json(result, 201);
  });

  app.get('/v1/datasets/:id/branches', async (c) => {
    const { service } = await dataset(c, 'read');
    return c.json({ branches: await service.branches() });
  });

  app.post('/v1/datasets/:id/branches', async (c) => {
    const { service } = await dataset(c, 'write');
    const body = await jsonBody(c, SMALL_BODY);
    onlyFields(body, ['name', 'from']);
    if (typeof body.name !== 'string') throw invalidRequest('name is a branch name', '$.name');
    if (typeof body.from !== 'string') throw invalidRequest('from is a commit hash or branch', '$.from');
    return c.json(await service.createBranch(body.name, body.from), 201);
  });

  app.get('/v1/datasets/:id/export', async (c) => {
    const { service } = await dataset(c, 'read');
    const format = query(c, 'format');
    if (format === undefined || !(EXPORT_FORMATS as readonly string[]).includes(format))
      throw invalidRequest(`format is one of ${EXPORT_FORMATS.join(', ')}`, '$.format');
    const found = await service.resolve(query(c, 'at') ?? 'main', '$.at');
    const commit = found?.hash as string;
    const body = makeZip({
      format,
      labels: service.dataset.labels,
      documents: service.documents(commit),
      lineage: lineageFidelity({ driver: service.source, prefix: service.dataset.source.prefix }),
      meta: { dataset: service.id, commit },
      signal: c.req.raw.signal,
    });
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${exportFileName(service.id, commit, format)}"`,
        'Cache-Control': 'private, no-store',
      },
    });
  });

  app.onError((e, c) => {
    if (e instanceof HttpError) {
      for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
      return c.json({ error: e.toJSON() }, e.status as 400);
    }
    if (e instanceof CommitConflictError) {
      const conflicts = e.conflicts.map((x) => ({
        item: x.itemId,
        reason: x.reason,
        ...(x.shapes ? { shapes: x.shapes } : {}),
        ...(x.fields ? { fields: x.fields } : {}),
      }));
      return c.json({ error: { code: e.code, message: e.message, head: e.head, conflicts } }, 409);
    }
    const status = e instanceof LabelKitError ? statusOf(e) : undefined;
    if (e instanceof LabelKitError && status !== undefined) {
      if (status === 503) c.header('Retry-After', '1');
      return c.json({ error: e.toJSON() }, status as 400);
    }
    // Storage failures and corrupt objects: the app's handler logs them and answers 500 without details.
    throw e;
  });

  return app;
}
