/**
 * One dataset's history over its target storage and its items in its source storage: what the
 * `/v1/datasets/:id/...` routes call. The pure history logic is core's; this does the I/O.
 */
import {
  type AnnotationDocument,
  type Commit,
  countItems,
  createCommit,
  diffTrees,
  HistoryError,
  type ItemChange,
  isBranchName,
  isHash,
  type LabelDef,
  type LabelKitError,
  type LogEntry,
  listItems,
  log,
  MergeConflictError,
  readCommit,
  readDocument,
  readItem,
  revert,
  ValidationError,
  writeItems,
} from '@labelkit/core';
import { stampImages } from '../ops/lineage.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { CommitConflictError, type CommitResult, commitTime, landCommit } from './commit.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { DatasetError, invalidRequest } from './errors.ts';
import { type ItemsPage, type ListItemsOptions, listSourceItems } from './items.ts';
import { page, SuspendedWalks } from './suspended.ts';
import { HistoryStore } from './target.ts';
import type { DatasetInfo, ResolvedDataset } from './types.ts';

export interface CommitRequest {
  /** Default `main`. */
  branch?: string;
  /** The head the edit was made on; `null` for the first commit of a branch. */
  parent: string | null;
  message?: string;
  /** Item id -> its new document, or null to delete it. */
  items: ReadonlyMap<string, AnnotationDocument | null> | Readonly<Record<string, AnnotationDocument | null>>;
  /** Who commits (the principal's name; never taken from a request body). */
  author: string;
}

export interface RevertRequest {
  /** The commit whose changes to undo. */
  commit: string;
  /** Default `main`. */
  branch?: string;
  /** Default `Revert "<first line>"`. */
  message?: string;
  author: string;
}

export type ChangeKind = 'added' | 'modified' | 'removed';

export interface LogPage {
  commits: ({ hash: string } & Commit)[];
  cursor?: string;
}

export interface DiffPage {
  /** `from` / `to`: object hashes of the item's document on each side. */
  changes: { item: string; kind: ChangeKind; from?: string; to?: string }[];
  cursor?: string;
}

export interface DatasetServiceOptions {
  /** Bytes of immutable history objects cached in memory (default 32 MiB). */
  cacheBytes?: number;
  /** Compare-and-swap attempts of a commit before `dataset/busy` (default 40). */
  maxAttempts?: number;
}

/** Most changes `showCommit` lists (a merge of a long-lived branch can touch many items: page with `diff`). */
export const MAX_SHOWN_CHANGES = 1000;

const kindOf = (before: string | undefined, after: string | undefined): ChangeKind =>
  before === undefined ? 'added' : after === undefined ? 'removed' : 'modified';

/** An error about one input field, moved under `base` (`$["a.png"].x` -> `$.items["a.png"].x`). */
function reroot(e: LabelKitError, base: string): LabelKitError {
  const path = base + (e.path ?? '$').slice(1);
  return e instanceof HistoryError
    ? new HistoryError(e.code, e.message, { path })
    : new ValidationError(e.code, e.message, { path });
}

function checkBranch(branch: unknown, path: string): string {
  if (!isBranchName(branch))
    throw invalidRequest('A branch is /-separated names of [A-Za-z0-9._-] (no "..", at most 200 characters)', path);
  return branch;
}

const isMissing = (e: unknown) => e instanceof HistoryError && e.code === 'history/missing-object';

export class DatasetService {
  readonly dataset: ResolvedDataset;
  readonly source: StorageDriver;
  readonly history: HistoryStore;
  readonly #maxAttempts: number | undefined;
  /** Per branch, the tail of this process's queue of ref updates (see {@link DatasetService.#serial}). */
  readonly #landing = new Map<string, Promise<unknown>>();
  readonly #logWalks = new SuspendedWalks<LogEntry>();
  readonly #diffWalks = new SuspendedWalks<ItemChange>();

  constructor(
    dataset: ResolvedDataset,
    source: StorageDriver,
    target: StorageDriver,
    options: DatasetServiceOptions = {},
  ) {
    this.dataset = dataset;
    this.source = source;
    this.history = new HistoryStore({
      driver: target,
      prefix: dataset.target.prefix,
      ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
    });
    this.#maxAttempts = options.maxAttempts;
  }

  /**
   * Runs ref updates of one branch one at a time in this process. Only one of several racing writers can win a
   * compare-and-swap, so letting them all race only burns storage round trips on merges that lose; queued, each
   * does one merge against a head that stays put unless another server moves it (then the CAS loop retries).
   */
  async #serial<T>(branch: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#landing.get(branch) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#landing.set(branch, tail);
    try {
      return await run;
    } finally {
      if (this.#landing.get(branch) === tail) this.#landing.delete(branch);
    }
  }

  get id(): string {
    return this.dataset.id;
  }

  info(): DatasetInfo {
    const { id, title, labels, source } = this.dataset;
    return { id, title, labels, source, readOnlySource: this.source.readOnly };
  }

  /** The commit `hash` (checked to exist), or `dataset/unknown-commit` naming `path`. */
  async #commit(hash: string, path: string): Promise<Commit> {
    try {
      return await readCommit(this.history.reader, hash);
    } catch (e) {
      if (isMissing(e) || (e instanceof HistoryError && e.code === 'history/invalid-hash'))
        throw new DatasetError('dataset/unknown-commit', 'No such commit in this dataset', { path });
      throw e;
    }
  }

  /**
   * The commit a commit hash or branch name names. `undefined` only for a branch with no commit yet when
   * `allowEmpty` is set; otherwise `dataset/unknown-commit` naming `path`.
   */
  async resolve(at: string, path = '$.at', allowEmpty = false): Promise<{ hash: string; commit: Commit } | undefined> {
    if (isHash(at)) return { hash: at, commit: await this.#commit(at, path) };
    if (isBranchName(at)) {
      const ref = await this.history.readRef(at);
      if (ref) return { hash: ref.head, commit: await this.#commit(ref.head, path) };
      if (allowEmpty) return undefined;
    }
    throw new DatasetError('dataset/unknown-commit', 'No such commit or branch in this dataset', { path });
  }

  /** One page of source images with signed GET URLs. */
  items(options: ListItemsOptions = {}): Promise<ItemsPage> {
    return listSourceItems(this.source, this.dataset.source.prefix, options);
  }

  /** The item's document at a commit or branch (default `main`); `document` null when it has none there. */
  async readItem(item: string, at?: string): Promise<{ commit: string | null; document: AnnotationDocument | null }> {
    const found = await this.resolve(at ?? 'main', '$.at', at === undefined);
    if (!found) return { commit: null, document: null };
    return { commit: found.hash, document: (await readItem(this.history.reader, found.commit.tree, item)) ?? null };
  }

  /**
   * Writes the documents on top of `parent` and lands the commit on the branch; a stale parent is merged
   * per item into the newer head.
   * @throws ValidationError / HistoryError for a bad document (path under `$.items`), DatasetError
   *   `dataset/unknown-commit` for a parent not in the history, CommitConflictError on conflict.
   */
  async commit(req: CommitRequest): Promise<CommitResult> {
    const branch = checkBranch(req.branch ?? 'main', '$.branch');
    const parent = req.parent === null ? undefined : await this.#commit(req.parent, '$.parent');
    const given = req.items instanceof Map ? req.items : new Map(Object.entries(req.items));
    // Lineage (issue 12): each document records its source image as storage sees it now, never a client's word.
    const items = await stampImages({ driver: this.source, prefix: this.dataset.source.prefix }, given);
    const labels: readonly LabelDef[] = this.dataset.labels;
    const w = await writeItems(this.history.reader, parent?.tree, items, labels.length > 0 ? { labels } : {});
    if (!w.ok) throw reroot(w.error, '$.items');
    const c = await createCommit({
      parents: req.parent === null ? [] : [req.parent],
      tree: w.value.tree,
      author: req.author,
      message: req.message ?? '',
      time: commitTime(parent ? [parent] : []),
    });
    if (!c.ok) throw c.error;
    await this.history.putImmutable([...w.value.puts, c.value.put]);
    return this.#serial(branch, () =>
      landCommit(this.history, {
        branch,
        commit: c.value.hash,
        parent: req.parent ?? undefined,
        author: req.author,
        ...(this.#maxAttempts === undefined ? {} : { maxAttempts: this.#maxAttempts }),
      }),
    );
  }

  /**
   * A commit on top of the branch's head that undoes `commit`'s changes (three-way, as `git revert`): items
   * changed again since then conflict instead of being rolled back.
   */
  async revert(req: RevertRequest): Promise<CommitResult> {
    const branch = checkBranch(req.branch ?? 'main', '$.branch');
    if (!isHash(req.commit)) throw invalidRequest('commit is a commit hash', '$.commit');
    await this.#commit(req.commit, '$.commit');
    return this.#serial(branch, () => this.#revert(branch, req));
  }

  async #revert(branch: string, req: RevertRequest): Promise<CommitResult> {
    for (let attempt = 0; attempt < (this.#maxAttempts ?? 40); attempt++) {
      const ref = await this.history.readRef(branch);
      if (!ref) throw new DatasetError('dataset/unknown-branch', `No branch ${branch}`, { path: '$.branch' });
      const r = await revert(this.history.reader, ref.head, req.commit);
      if (!r.ok) throw r.error instanceof MergeConflictError ? new CommitConflictError(ref.head, r.error) : r.error;
      const head = await readCommit(this.history.reader, ref.head);
      const c = await createCommit({
        parents: [ref.head],
        tree: r.value.tree,
        author: req.author,
        message: req.message ?? r.value.message,
        time: commitTime([head]),
      });
      if (!c.ok) throw c.error;
      await this.history.putImmutable([...r.value.puts, c.value.put]);
      if (await this.history.casRef(branch, c.value.hash, ref.etag))
        return { commit: c.value.hash, head: c.value.hash, parents: [ref.head], merged: false };
      await new Promise((res) => setTimeout(res, Math.random() * 20 * (attempt + 1)));
    }
    throw new DatasetError('dataset/busy', `Branch ${branch} kept moving; try again`);
  }

  /**
   * The history of a branch, newest first. The cursor pins the head the first page saw and counts the commits
   * already given, so pages stay consistent while the branch moves. The server that gave the cursor resumes
   * its suspended walk; any other re-walks the (cached) commits before the page.
   */
  async log(branch = 'main', options: { cursor?: string; limit?: number } = {}): Promise<LogPage> {
    const limit = options.limit ?? 100;
    let head: string;
    let skip = 0;
    if (options.cursor !== undefined) {
      ({ head, skip } = decodeCursor('log', options.cursor, (s) =>
        isHash(s.h) && Number.isSafeInteger(s.n) && (s.n as number) > 0
          ? { head: s.h, skip: s.n as number }
          : undefined,
      ));
    } else {
      const ref = await this.history.readRef(checkBranch(branch, '$.branch'));
      if (!ref) return { commits: [] };
      head = ref.head;
    }
    const { items, rest } = await page(
      options.cursor === undefined ? undefined : this.#logWalks.take(options.cursor),
      () => log(this.history.reader, head),
      skip,
      limit,
    );
    const commits = items.map((e) => ({ hash: e.hash, ...e.commit }));
    if (!rest) return { commits };
    const cursor = encodeCursor('log', { h: head, n: skip + limit });
    this.#logWalks.put(cursor, rest);
    return { commits, cursor };
  }

  /** A commit and the items it changed against its first parent (at most {@link MAX_SHOWN_CHANGES}). */
  async showCommit(
    hash: string,
  ): Promise<{ hash: string } & Commit & { changes: { item: string; kind: ChangeKind }[]; truncated?: true }> {
    const commit = await this.#commit(hash, '$.hash');
    const first = commit.parents[0];
    const before = first === undefined ? undefined : (await this.#commit(first, '$.hash')).tree;
    const changes: { item: string; kind: ChangeKind }[] = [];
    for await (const c of diffTrees(this.history.reader, before, commit.tree)) {
      if (changes.length === MAX_SHOWN_CHANGES) return { hash, ...commit, changes, truncated: true };
      changes.push({ item: c.itemId, kind: kindOf(c.before, c.after) });
    }
    return { hash, ...commit, changes };
  }

  /** Items that differ between two commits (or branches), in shard order, a page at a time. */
  async diff(
    from: string | undefined,
    to: string | undefined,
    options: { cursor?: string; limit?: number } = {},
  ): Promise<DiffPage> {
    const limit = options.limit ?? 100;
    let a: string;
    let b: string;
    let skip = 0;
    if (options.cursor !== undefined) {
      ({ a, b, skip } = decodeCursor('diff', options.cursor, (s) =>
        isHash(s.f) && isHash(s.t) && Number.isSafeInteger(s.n) && (s.n as number) > 0
          ? { a: s.f, b: s.t, skip: s.n as number }
          : undefined,
      ));
    } else {
      if (from === undefined) throw invalidRequest('from is a commit hash or branch', '$.from');
      a = (await this.resolve(from, '$.from'))?.hash as string;
      b = (await this.resolve(to ?? 'main', '$.to'))?.hash as string;
    }
    const suspended = options.cursor === undefined ? undefined : this.#diffWalks.take(options.cursor);
    const [ta, tb] = suspended
      ? [undefined, undefined]
      : await Promise.all([this.#commit(a, '$.from'), this.#commit(b, '$.to')]);
    const { items, rest } = await page(
      suspended,
      () => diffTrees(this.history.reader, ta?.tree, tb?.tree),
      skip,
      limit,
    );
    const changes = items.map((c) => ({
      item: c.itemId,
      kind: kindOf(c.before, c.after),
      ...(c.before === undefined ? {} : { from: c.before }),
      ...(c.after === undefined ? {} : { to: c.after }),
    }));
    if (!rest) return { changes };
    const cursor = encodeCursor('diff', { f: a, t: b, n: skip + limit });
    this.#diffWalks.put(cursor, rest);
    return { changes, cursor };
  }

  /** Every branch and its head. */
  async branches(): Promise<{ name: string; head: string }[]> {
    const out: { name: string; head: string }[] = [];
    for await (const name of this.history.branches()) {
      if (!isBranchName(name)) continue; // a stray object under refs/ is not a branch
      const ref = await this.history.readRef(name);
      if (ref) out.push({ name, head: ref.head });
    }
    return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  /** Creates branch `name` at `from` (a commit or branch). @throws `dataset/branch-exists` */
  async createBranch(name: string, from: string): Promise<{ name: string; head: string }> {
    checkBranch(name, '$.name');
    const found = await this.resolve(from, '$.from');
    const head = found?.hash as string;
    if (!(await this.history.casRef(name, head, undefined)))
      throw new DatasetError('dataset/branch-exists', `Branch ${name} exists`, { path: '$.name' });
    return { name, head };
  }

  /** Number of items with a document at a commit. */
  async count(commit: string): Promise<number> {
    return countItems(this.history.reader, (await this.#commit(commit, '$.at')).tree);
  }

  /**
   * Every document at a commit (or branch), streamed in shard order with a few reads ahead; documents bypass
   * the cache so an export of 100,000 items does not evict the trees every request needs.
   */
  async *documents(at: string): AsyncGenerator<AnnotationDocument> {
    const found = await this.resolve(at);
    const tree = (found as { commit: Commit }).commit.tree;
    const ahead: Promise<AnnotationDocument>[] = [];
    for await (const e of listItems(this.history.reader, tree)) {
      const p = readDocument(this.history.raw, e.object, e.itemId);
      p.catch(() => undefined); // handled when awaited below; this keeps a failure from being "unhandled" meanwhile
      ahead.push(p);
      if (ahead.length >= 16) yield await (ahead.shift() as Promise<AnnotationDocument>);
    }
    while (ahead.length > 0) yield await (ahead.shift() as Promise<AnnotationDocument>);
  }
}

export { CommitConflictError, type CommitResult };
