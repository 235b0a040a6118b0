import { HttpError } from './errors.ts';

/**
 * Reads a stream to its end, failing with `tooLarge()` as soon as more than `limit` bytes have arrived (the rest is
 * cancelled, so an oversized upload is never buffered), and with `aborted(cause)` when the stream breaks off.
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  errors: { tooLarge: () => Error; aborted?: (cause: unknown) => Error },
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (cause) {
      throw errors.aborted ? errors.aborted(cause) : cause;
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw errors.tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads a request body, refusing it with 413 as soon as more than `limit` bytes have arrived (a declared
 * Content-Length over the limit is refused before reading anything), so an oversized upload is never buffered.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new HttpError(413, 'request/body-too-large', `The request body is larger than ${limit} bytes`);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  return readLimited(request.body, limit, {
    tooLarge,
    aborted: (cause) =>
      new HttpError(400, 'request/body-aborted', 'The request body broke off before its end', { cause }),
  });
}

/** A JSON object body of at most `limit` bytes (415 for another type, 400 for bad JSON). */
export async function jsonObject(
  c: { req: { header(name: string): string | undefined; raw: Request } },
  limit: number,
  code: string,
): Promise<Record<string, unknown>> {
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
