/** Request helpers shared by the jobs and Label Studio routes. */
import { LabelKitError } from '@labelkit/core';
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

/** A route handler whose job errors answer with their status (see {@link toHttp}). */
export const withJobErrors =
  <C>(fn: (c: C) => Promise<Response>) =>
  async (c: C): Promise<Response> => {
    try {
      return await fn(c);
    } catch (e) {
      throw toHttp(e);
    }
  };

export { jsonObject } from '../body.ts';
