/**
 * Shared setup of the security suite: a real `createApp` served on 127.0.0.1 (port 0) over a temp data folder,
 * with tokens and datasets configured through the same parsers as `labelkit.config.json`, and raw HTTP for
 * requests that `fetch` would normalize (`..` in paths).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type RunningServer, type ServeOptions, silentLogger, startServer } from '@labelkit/server';
import { parseAuth } from '../../packages/server/src/auth/config.ts';

export const SIGNING_SECRET = 'security-suite-signing-secret-0123456789';
export const TOKENS = {
  /** write on "demo" */
  alice: 'alice-token-0123456789abcdef',
  /** read on "secret" */
  bob: 'bob-token-0123456789abcdef',
  /** admin on every dataset */
  root: 'root-token-0123456789abcdef',
} as const;

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'labelkit-security-'));

export function writeFile(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export interface Served extends RunningServer {
  /** Parent of the data folder: files here are outside every storage root (canaries). */
  dir: string;
  dataDir: string;
}

/** The auth section of the config, from its JSON form (plain tokens are hashed by the parser). */
export const authFrom = (raw: unknown) => parseAuth(raw);

export const defaultAuth = () =>
  authFrom({
    tokens: [
      { name: 'alice', token: TOKENS.alice, scopes: { demo: 'write' } },
      { name: 'bob', token: TOKENS.bob, scopes: { secret: 'read' } },
      { name: 'root', token: TOKENS.root, scopes: { '*': 'admin' } },
    ],
  });

/**
 * Serves the app with datasets "demo" (images under `images/demo/` of "data") and "secret" (`images/secret/`),
 * and a canary file `<dir>/canary.txt` outside the data folder.
 */
export async function serve(options: ServeOptions = {}): Promise<Served> {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFile(join(dir, 'canary.txt'), 'CANARY-OUTSIDE-ROOT');
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    dataDir,
    modelCacheDir: join(dir, 'models'),
    site: undefined,
    warm: false,
    signingSecret: SIGNING_SECRET,
    datasets: [
      { id: 'demo', source: { storage: 'data', prefix: 'images/demo/' } },
      { id: 'secret', source: { storage: 'data', prefix: 'images/secret/' } },
    ],
    auth: defaultAuth(),
    ...options,
  });
  return Object.assign(running, { dir, dataDir });
}

export interface CallOptions {
  method?: string;
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** A fetch to the served app; `token` becomes `Authorization: Bearer`. */
export function call(base: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  return fetch(new URL(path, base), {
    method: o.method ?? (o.json === undefined && o.body === undefined ? 'GET' : 'POST'),
    headers,
    body: o.json === undefined ? (o.body ?? null) : JSON.stringify(o.json),
    redirect: 'manual',
  });
}

/** `POST /v1/storage/sign` as `token`. */
export const sign = (base: string, token: string | undefined, body: Record<string, unknown>) =>
  call(base, '/v1/storage/sign', { json: body, ...(token ? { token } : {}) });

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An HTTP request with the path sent byte for byte (no `..` or `%2e` normalization by a client library). */
export function raw(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Uint8Array | string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return body.error?.code;
}

/** Whether the datasets routes are mounted (the racing-commits and error-leaks attacks need them). */
export async function hasDatasetRoutes(base: string): Promise<boolean> {
  const res = await call(base, '/v1/datasets', { token: TOKENS.root });
  return res.status !== 404;
}
