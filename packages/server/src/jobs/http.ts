/** Request helpers shared by the jobs and Label Studio routes. */
import { LabelKitError } from '@labelkit/core';
import type { Context } from 'hono';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { JOB_STATUS } from './errors.ts';

/** The error as the app's handler answers it: job codes get their status (503s a `Retry-After`). */
export function toHttp(e: unknown): unknown {
  if (!(e instanceof LabelKitError) || e instanceof HttpError) return e;
  const status = JOB_STATUS[e.code];
  if (status === undefined) return e;
  return new HttpError(status, e.code, e.message, {
    ...(e.path === undefined ? {} : { path: e.path }),
    cause: e,
    ...(status === 503 ? { headers: { 'Retry-After': '30' } } : {}),
  });
}

/** A JSON object body of at most `limit` bytes (415 for another type, 400 for bad JSON). */
export async function jsonObject(c: Context, limit: number, code: string): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'request/unsupported-media-type', 'Send a JSON body (Content-Type: application/json)');
  const bytes = await readBody(c.req.raw, limit);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'request/invalid-json', 'The body is not UTF-8 JSON', { path: '$' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, code, 'The body is a JSON object', { path: '$' });
  return body as Record<string, unknown>;
}
