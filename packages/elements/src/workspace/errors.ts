import { LabelKitError } from '@labelkit/core';

/** One item the server could not merge (409 `history/merge-conflict`), as the server lists it. */
export interface ServerConflict {
  item: string;
  reason: string;
  shapes?: string[];
  fields?: string[];
}

/**
 * An error of the LabelKit server API, or of reaching it. `code` is the server's code (`auth/forbidden`,
 * `history/merge-conflict`, `dataset/unknown-commit`...) or one of the client's own:
 * - `workspace/network`: the server could not be reached (offline, DNS, CORS, connection reset) after retries;
 * - `workspace/bad-response`: the server answered something that is not the API's JSON;
 * - `workspace/token`: the token function threw or returned something that is not a string;
 * - `workspace/invalid-option`: a client option is unusable (`path` names it).
 * `status` is the HTTP status (0 when there was no response).
 */
export class WorkspaceError extends LabelKitError {
  override name = 'WorkspaceError';
  readonly status: number;
  /** For 409: the head of the branch the client must merge with. */
  readonly head: string | undefined;
  /** For 409 `history/merge-conflict`: the items that conflict. */
  readonly conflicts: readonly ServerConflict[];

  constructor(
    code: string,
    message: string,
    options: { status?: number; path?: string; head?: string; conflicts?: ServerConflict[]; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.status = options.status ?? 0;
    this.head = options.head;
    this.conflicts = options.conflicts ?? [];
  }

  /** Whether trying again later may succeed (no connection, server busy or restarting). */
  get transient(): boolean {
    return this.code === 'workspace/network' || this.status === 503 || this.status === 502 || this.status === 504;
  }
}

/** Reads the API's error body `{ error: { code, message, path?, head?, conflicts? } }` into a WorkspaceError. */
export async function errorFromResponse(res: Response): Promise<WorkspaceError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (!e || typeof e.code !== 'string') {
    return new WorkspaceError('workspace/bad-response', `The server answered ${res.status} without an API error`, {
      status: res.status,
    });
  }
  const conflicts = Array.isArray(e.conflicts)
    ? e.conflicts.filter((c): c is ServerConflict => typeof (c as ServerConflict)?.item === 'string')
    : undefined;
  return new WorkspaceError(e.code, typeof e.message === 'string' ? e.message : e.code, {
    status: res.status,
    ...(typeof e.path === 'string' ? { path: e.path } : {}),
    ...(typeof e.head === 'string' ? { head: e.head } : {}),
    ...(conflicts ? { conflicts } : {}),
  });
}
