import { errorFromResponse, WorkspaceError } from './errors.ts';
import type {
  CommitDetail,
  CommitInfo,
  CommitInput,
  CommitResult,
  DatasetInfo,
  DatasetItem,
  DiffChange,
  ExportArchive,
  ExportFormat,
  ItemAt,
  Page,
  SignedUrl,
} from './types.ts';

/** A `POST /v1/datasets/:id/jobs` body: run a detector model over items of the dataset. */
export interface JobRequest {
  /** A detector model of the server's configuration. */
  model: string;
  /** Item ids (at most 10,000), or a filter over the source listing (default: every item). */
  items?: string[] | { prefix?: string; unlabeled?: boolean };
  /** Model class name -> dataset label (id or name); classes left out are dropped. */
  labelMap: Record<string, string>;
  /** Confidence (default 0.25) and NMS IoU (default 0.7) thresholds, 0..1. */
  thresholds?: { confidence?: number; iou?: number };
  /** Refine each box into a mask with the Segment-Anything model. */
  boxToMask?: boolean;
}

export type JobState = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

/** A job's progress as the server shows it (`GET .../jobs/:job`). */
export interface JobView {
  id: string;
  dataset: string;
  model: string;
  state: JobState;
  /** Items gone over so far, of `total` (null until counted). */
  done: number;
  total: number | null;
  skipped: number;
  created: string;
  updated: string;
  /** The commit of the results, once done. */
  commit?: string;
  errors: { item?: string; code: string; message: string }[];
  errorCount: number;
  failure?: { item?: string; code: string; message: string };
}

export const isJobFinished = (s: JobState): boolean => s === 'done' || s === 'cancelled' || s === 'failed';

/** A bearer token, or a function that returns the current one (the host app keeps its own login and refresh). */
export type TokenSource = string | (() => string | Promise<string>);

export interface RetryOptions {
  /** Tries after the first for network errors and 502/503/504 (default 3). */
  attempts?: number;
  /** First wait in ms, doubled each time (default 300); a `Retry-After` header wins when given. */
  baseDelayMs?: number;
  /** Longest single wait in ms (default 10,000). */
  maxDelayMs?: number;
}

export interface WorkspaceClientOptions {
  /** Base URL of the LabelKit server (`https://labels.example.com`, or `''`/`/` for the page's own origin). */
  server: string;
  /** Dataset id. */
  dataset: string;
  /** Sent as `Authorization: Bearer ...` (never in a URL); empty or absent: anonymous requests. */
  token?: TokenSource;
  /** The fetch to use (tests, or a host that wraps fetch); default the global one. */
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

const DATASET_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Seconds or an HTTP date, as `Retry-After` may carry. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * Typed access to one dataset of a LabelKit server: items, documents, commits, history, export and signing.
 * Failures throw {@link WorkspaceError} with the server's code; network errors and 502/503/504 are retried with
 * exponential backoff (honouring `Retry-After`) before they are reported as `workspace/network` or the status.
 */
export class WorkspaceClient {
  readonly server: string;
  readonly dataset: string;
  #token: TokenSource | undefined;
  #fetch: typeof fetch;
  #retry: Required<RetryOptions>;

  constructor(options: WorkspaceClientOptions) {
    if (!DATASET_ID.test(options.dataset)) {
      throw new WorkspaceError('workspace/invalid-option', `Not a dataset id: ${JSON.stringify(options.dataset)}`, {
        path: '$.dataset',
      });
    }
    this.server = options.server.replace(/\/+$/, '');
    this.dataset = options.dataset;
    this.#token = options.token;
    // Bound: some browsers refuse fetch called with `this` other than the global.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#retry = { attempts: 3, baseDelayMs: 300, maxDelayMs: 10_000, ...options.retry };
  }

  /** Absolute URL of an API path (relative servers resolve against the page). */
  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const base = globalThis.location?.href ?? 'http://localhost/';
    const u = new URL(`${this.server}${path}`, base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.href;
  }

  #ds(path = ''): string {
    return `/v1/datasets/${encodeURIComponent(this.dataset)}${path}`;
  }

  async #authorization(): Promise<string | undefined> {
    const source = this.#token;
    if (source === undefined) return undefined;
    let token: unknown;
    try {
      token = typeof source === 'function' ? await source() : source;
    } catch (cause) {
      throw new WorkspaceError('workspace/token', 'The token function failed', { cause });
    }
    if (typeof token !== 'string') throw new WorkspaceError('workspace/token', 'The token function gave no string');
    return token ? `Bearer ${token}` : undefined;
  }

  /** One API request with retries; returns the successful response (2xx) or throws a WorkspaceError. */
  async request(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      signal?: AbortSignal;
      keepalive?: boolean;
    } = {},
  ): Promise<Response> {
    const url = this.url(path, options.query);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      const auth = await this.#authorization();
      if (auth) headers.Authorization = auth;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const outcome = await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(options.signal ? { signal: options.signal } : {}),
        // keepalive lets a commit sent from `pagehide` outlive the page (browsers cap such bodies at 64 KiB).
        ...(options.keepalive && body !== undefined && body.length < 60_000 ? { keepalive: true } : {}),
        // Documents and heads change under the same URL: never answer from the HTTP cache.
        cache: 'no-store',
      }).catch((cause: unknown) => {
        if (options.signal?.aborted) throw cause;
        return new WorkspaceError('workspace/network', `Could not reach the server (${method} ${path})`, { cause });
      });
      const res = outcome instanceof WorkspaceError ? undefined : outcome;
      if (res?.ok) return res;
      const error = res ? await errorFromResponse(res) : (outcome as WorkspaceError);
      if (!error.transient || attempt >= this.#retry.attempts) throw error;
      const backoff = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** attempt);
      const wait = Math.min(this.#retry.maxDelayMs, retryAfterMs(res?.headers.get('Retry-After') ?? null) ?? backoff);
      await sleep(wait, options.signal);
    }
  }

  async #json<T>(method: string, path: string, options: Parameters<WorkspaceClient['request']>[2] = {}): Promise<T> {
    const res = await this.request(method, path, options);
    try {
      return (await res.json()) as T;
    } catch (cause) {
      throw new WorkspaceError('workspace/bad-response', `${method} ${path} did not answer JSON`, {
        status: res.status,
        cause,
      });
    }
  }

  /** The dataset: title, labels, source and branches. */
  info(signal?: AbortSignal): Promise<DatasetInfo> {
    return this.#json('GET', this.#ds(), { ...(signal ? { signal } : {}) });
  }

  /** One page of source items (`limit` 1..1000, default 100) with signed image URLs; pass `cursor` for the next. */
  items(options: { cursor?: string; limit?: number; signal?: AbortSignal } = {}): Promise<Page<DatasetItem>> {
    const { signal, cursor, limit } = options;
    return this.#json('GET', this.#ds('/items'), { query: { cursor, limit }, ...(signal ? { signal } : {}) });
  }

  /** An item's document at a commit or branch (default `main`). */
  readItem(item: string, options: { at?: string; signal?: AbortSignal } = {}): Promise<ItemAt> {
    const path = this.#ds(`/items/${item.split('/').map(encodeURIComponent).join('/')}`);
    return this.#json('GET', path, {
      query: { at: options.at },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Commits whole documents of items (null deletes); 409 throws with `head` and `conflicts`. */
  commit(input: CommitInput, options: { signal?: AbortSignal; keepalive?: boolean } = {}): Promise<CommitResult> {
    return this.#json('POST', this.#ds('/commits'), { body: input, ...options });
  }

  /** The log of a branch, newest first. */
  log(
    options: { branch?: string; cursor?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<{ commits: CommitInfo[]; cursor?: string }> {
    const { signal, ...query } = options;
    return this.#json('GET', this.#ds('/commits'), { query, ...(signal ? { signal } : {}) });
  }

  /** One commit with the items it changed against its first parent. */
  showCommit(hash: string, signal?: AbortSignal): Promise<CommitDetail> {
    return this.#json('GET', this.#ds(`/commits/${encodeURIComponent(hash)}`), { ...(signal ? { signal } : {}) });
  }

  /** Items that differ between two commits. */
  diff(
    from: string,
    to: string,
    options: { cursor?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<{ changes: DiffChange[]; cursor?: string }> {
    const { signal, ...rest } = options;
    return this.#json('GET', this.#ds('/diff'), { query: { from, to, ...rest }, ...(signal ? { signal } : {}) });
  }

  /** A new commit undoing `commit` on the branch. */
  revert(input: { commit: string; branch?: string; message?: string }, signal?: AbortSignal): Promise<CommitResult> {
    return this.#json('POST', this.#ds('/revert'), { body: input, ...(signal ? { signal } : {}) });
  }

  /** Downloads the dataset's export (a zip with the format's files and a fidelity report) at a commit. */
  async exportArchive(
    format: ExportFormat,
    options: { at?: string; signal?: AbortSignal } = {},
  ): Promise<ExportArchive> {
    const res = await this.request('GET', this.#ds('/export'), {
      query: { format, at: options.at },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const disposition = res.headers.get('Content-Disposition') ?? '';
    const named = /filename="?([^";]+)"?/.exec(disposition)?.[1];
    return { blob: await res.blob(), filename: named ?? `${this.dataset}-${format}.zip` };
  }

  /** A signed URL for a key under the dataset's source prefix (GET to read, PUT to upload an image). */
  sign(input: {
    key: string;
    method: 'GET' | 'PUT';
    contentType?: string;
    maxBytes?: number;
    expiresIn?: number;
  }): Promise<SignedUrl> {
    return this.#json('POST', '/v1/storage/sign', { body: { dataset: this.dataset, ...input } });
  }

  /** Starts an auto-annotation job (write scope); answers its first view (`queued`). */
  async startJob(input: JobRequest, signal?: AbortSignal): Promise<JobView> {
    const r = await this.#json<{ job: JobView }>('POST', this.#ds('/jobs'), {
      body: input,
      ...(signal ? { signal } : {}),
    });
    return r.job;
  }

  /** A job's progress. */
  job(id: string, signal?: AbortSignal): Promise<JobView> {
    return this.#json('GET', this.#ds(`/jobs/${encodeURIComponent(id)}`), { ...(signal ? { signal } : {}) });
  }

  /** Cancels a job (it commits nothing); 409 `job/finished` when it has ended. */
  async cancelJob(id: string, signal?: AbortSignal): Promise<JobView> {
    const path = this.#ds(`/jobs/${encodeURIComponent(id)}/cancel`);
    const r = await this.#json<{ job: JobView }>('POST', path, { ...(signal ? { signal } : {}) });
    return r.job;
  }

  /**
   * The job's views as it progresses, ending with its final one (done, cancelled or failed). It polls
   * `GET .../jobs/:job` every `intervalMs` (default 1000) rather than reading the server-sent events: an
   * EventSource cannot send the Authorization header, and a polled JSON request passes the proxies that buffer
   * streamed responses and recovers from a dropped connection by the client's usual retries. Only changed
   * views are yielded; aborting `signal` ends the iteration with the abort error.
   */
  async *jobEvents(id: string, options: { intervalMs?: number; signal?: AbortSignal } = {}): AsyncGenerator<JobView> {
    const { intervalMs = 1000, signal } = options;
    let last = '';
    for (;;) {
      const view = await this.job(id, signal);
      const text = JSON.stringify(view);
      if (text !== last) {
        last = text;
        yield view;
      }
      if (isJobFinished(view.state)) return;
      await sleep(intervalMs, signal);
    }
  }
}
