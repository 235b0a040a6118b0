/**
 * Copies a dataset's history (objects, trees, commits, then refs) and optionally its images from one
 * location to another, on any drivers: the engine of `labelkit backup` and `labelkit restore`.
 *
 * Consistency: the refs are read first and written last. Every commit a ref points to was stored (with its
 * trees and documents) before the ref moved to it, so it is in the listings that follow, and a copy that
 * stops half-way leaves no ref to a missing commit. Objects committed after the refs were read are copied
 * when listed and are simply unreferenced at the destination until the next run moves its refs.
 *
 * Resumable: an object already at the destination with the same content is skipped (see `sameContent`), so
 * running a killed copy again copies only the rest. Every copied byte is checked: history objects must hash
 * to the sha256 in their key when read, images must match their source ETag where it is content-derived, and
 * every write is checked against the ETag the destination returns (or read back where that ETag says nothing).
 */
import { encodeRef, isAncestor, isBranchName, isHash, parseRef, refKey } from '@labelkit/core';
import { IMAGE_EXTENSIONS } from '../datasets/items.ts';
import { isStorageError } from '../storage/drivers/errors.ts';
import type { ListPage, ObjectInfo } from '../storage/drivers/types.ts';
import { type Digest, digest, type Location, matchesEtag, sameContent } from './digest.ts';
import { forEachConcurrent } from './pool.ts';
import type { CopyCounts, Progress } from './progress.ts';

/** Why an object or ref was not copied. */
export const CopyProblemKind = {
  /** Listed at the source but gone when read. */
  MissingObject: 'missing-object',
  /** Source bytes that do not hash to their key (history) or do not match their source ETag (images). */
  CorruptObject: 'corrupt-object',
  /** The destination did not store the bytes sent (its ETag or a read-back differs). */
  WriteMismatch: 'write-mismatch',
  /** A ref whose name is not a branch or whose content is not a commit hash. */
  CorruptRef: 'corrupt-ref',
  /** A ref whose commit is not at the destination after the copy (it was missing at the source). */
  MissingCommit: 'missing-commit',
  /** The destination's branch is not an ancestor of the copied head: moving it would lose commits. */
  RefNotForward: 'ref-not-forward',
  /** The destination's ref or object changed while it was being written (a compare-and-swap failed). */
  Conflict: 'conflict',
} as const;
export type CopyProblemKind = (typeof CopyProblemKind)[keyof typeof CopyProblemKind];

export interface CopyProblem {
  kind: CopyProblemKind;
  /** The key, relative to the location's prefix (`trees/<sha256>.json`, `refs/main`, `images/a.png`). */
  key: string;
  detail: string;
}

export type RefAction = 'created' | 'fast-forward' | 'forced' | 'unchanged' | 'refused';

export interface CopyOptions {
  /** Where the history is read (a dataset's target, or a backup). */
  from: Location;
  /** Where it is written. */
  to: Location;
  /** Source images to copy as well (every key under `from` with an image extension). */
  images?: { from: Location; to: Location };
  /** Move destination refs even when that loses commits there (not a fast-forward). Default false. */
  force?: boolean;
  /** Objects copied at once (default 8). */
  concurrency?: number;
  /** Stops after the objects in flight; the copy then rejects with the signal's reason (no ref is written). */
  signal?: AbortSignal;
  progress?: Progress;
}

export interface CopyReport extends CopyCounts {
  refs: { branch: string; head: string; action: RefAction }[];
  /** Everything that was not copied; refs are written only when there is no object problem. */
  problems: CopyProblem[];
}

const HISTORY_KINDS = ['objects', 'trees', 'commits'] as const;
const HISTORY_KEY = /^(objects|trees|commits)\/([0-9a-f]{64})\.json$/;
const IMAGE = new RegExp(`\\.(${IMAGE_EXTENSIONS.join('|')})$`, 'i');
const JSON_TYPE = 'application/json';
const REF_TYPE = 'text/plain';

/** Every key under `loc.prefix + sub`, page by page, relative to `loc.prefix`. */
export async function* listKeys(loc: Location, sub: string): AsyncGenerator<ListPage['keys'][number]> {
  let cursor: string | undefined;
  do {
    const page = await loc.driver.list(loc.prefix + sub, cursor === undefined ? {} : { cursor });
    for (const k of page.keys) if (k.key.startsWith(loc.prefix)) yield { ...k, key: k.key.slice(loc.prefix.length) };
    cursor = page.cursor;
  } while (cursor !== undefined);
}

const readerOf = (loc: Location) => ({
  get: async (key: string) => (await loc.driver.get(loc.prefix + key))?.body,
});

/** The branches of a location and their heads, read once at the start. */
async function readRefs(loc: Location, problems: CopyProblem[]): Promise<Map<string, string>> {
  const heads = new Map<string, string>();
  for await (const { key } of listKeys(loc, 'refs/')) {
    const branch = key.slice('refs/'.length);
    if (!isBranchName(branch)) {
      problems.push({ kind: 'corrupt-ref', key, detail: 'not a branch name' });
      continue;
    }
    const found = await loc.driver.get(loc.prefix + key);
    if (!found) continue; // deleted since it was listed
    try {
      heads.set(branch, parseRef(found.body, key));
    } catch (e) {
      problems.push({ kind: 'corrupt-ref', key, detail: (e as Error).message });
    }
  }
  return heads;
}

interface Job {
  key: string;
  size: number;
  etag: string;
  /** The content's sha256 when the key names it. */
  sha256?: string;
  contentType?: string;
  /** The destination's object from its listing; null: not listed there; absent: unknown (ask with `head`). */
  dst?: ObjectInfo | null;
}

class Copier {
  readonly problems: CopyProblem[] = [];
  readonly counts: CopyCounts = { copied: 0, skipped: 0, bytes: 0 };

  constructor(
    readonly from: Location,
    readonly to: Location,
    readonly progress: Progress | undefined,
  ) {}

  #skip(): void {
    this.counts.skipped++;
    this.progress?.skipped();
  }

  async copy(job: Job, dstKey = job.key): Promise<void> {
    const dstFull = this.to.prefix + dstKey;
    const srcFull = this.from.prefix + job.key;
    const dst = job.dst === undefined ? await this.to.driver.head(dstFull) : (job.dst ?? undefined);
    const same = () =>
      sameContent({
        dst: dst as NonNullable<typeof dst>,
        readDst: async () => (await this.to.driver.get(dstFull))?.body,
        src: job,
        readSrc: async () => (await this.from.driver.get(srcFull))?.body,
        ...(job.sha256 === undefined ? {} : { sha256: job.sha256 }),
      });
    if (dst && (await same())) return this.#skip();
    const src = await this.from.driver.get(srcFull);
    if (!src) {
      this.problems.push({ kind: 'missing-object', key: job.key, detail: 'listed at the source but gone when read' });
      return;
    }
    const d = digest(src.body);
    if (job.sha256 !== undefined ? d.sha256 !== job.sha256 : matchesEtag(d, src.etag) === false) {
      this.problems.push({
        kind: 'corrupt-object',
        key: job.key,
        detail: `the source's bytes hash to sha256 ${d.sha256}`,
      });
      return;
    }
    const contentType = src.contentType ?? job.contentType;
    let etag: string;
    try {
      ({ etag } = await this.to.driver.put(dstFull, src.body, {
        ...(dst ? { ifMatch: dst.etag } : { ifNoneMatch: '*' as const }),
        ...(contentType === undefined ? {} : { contentType }),
      }));
    } catch (e) {
      if (!isStorageError(e, 'storage/precondition-failed')) throw e;
      // Another writer got there first: fine if it wrote the same content.
      const now = await this.to.driver.get(dstFull);
      if (now && digest(now.body).sha256 === d.sha256) return this.#skip();
      this.problems.push({ kind: 'conflict', key: dstKey, detail: 'the destination object changed while copying' });
      return;
    }
    if (!(await this.#stored(dstFull, d, etag))) {
      this.problems.push({
        kind: 'write-mismatch',
        key: dstKey,
        detail: 'the destination did not store the bytes sent',
      });
      return;
    }
    this.counts.copied++;
    this.counts.bytes += src.body.length;
    this.progress?.copied(src.body.length);
  }

  /** Whether the destination holds bytes of digest `d`: by the returned ETag, or by reading them back. */
  async #stored(full: string, d: Digest, etag: string): Promise<boolean> {
    const byEtag = matchesEtag(d, etag);
    if (byEtag !== undefined) return byEtag;
    const back = await this.to.driver.get(full);
    return back !== undefined && digest(back.body).sha256 === d.sha256;
  }
}

/**
 * The history objects of one kind, each with the destination's listing entry for its key: both listings are
 * in the same order (flat `<kind>/<hex>.json` keys sort alike on every driver), so walking them side by side
 * costs one listing request per page instead of a `head` per object. A key missed here (a destination
 * listing in another order) is only copied again, and its write, conditional on absence, finds it there.
 */
async function* historyJobs(from: Location, to: Location, kind: string): AsyncGenerator<Job> {
  const there = listKeys(to, `${kind}/`);
  let next = await there.next();
  try {
    for await (const k of listKeys(from, `${kind}/`)) {
      const m = HISTORY_KEY.exec(k.key);
      // Anything else under these folders is not part of the history (a stray file): not copied.
      if (!m || m[1] !== kind) continue;
      while (!next.done && next.value.key < k.key) next = await there.next();
      const dst = !next.done && next.value.key === k.key ? { size: next.value.size, etag: next.value.etag } : null;
      yield { ...k, sha256: m[2] as string, contentType: JSON_TYPE, dst };
    }
  } finally {
    await there.return(undefined);
  }
}

async function* imageJobs(loc: Location): AsyncGenerator<Job> {
  for await (const k of listKeys(loc, '')) if (IMAGE.test(k.key)) yield k;
}

/** Copies the history (and images), then moves the destination's refs; see the module comment. */
export async function copyHistory(options: CopyOptions): Promise<CopyReport> {
  try {
    return await copyAll(options);
  } finally {
    options.progress?.done();
  }
}

async function copyAll(options: CopyOptions): Promise<CopyReport> {
  const { from, to, progress, signal } = options;
  const concurrency = options.concurrency ?? 8;
  const history = new Copier(from, to, progress);
  const heads = await readRefs(from, history.problems);
  for (const kind of HISTORY_KINDS) {
    progress?.phase(kind);
    await forEachConcurrent(historyJobs(from, to, kind), concurrency, (j) => history.copy(j), signal);
  }
  const counts = { ...history.counts };
  const problems = history.problems;
  if (options.images) {
    progress?.phase('images');
    const images = new Copier(options.images.from, options.images.to, progress);
    await forEachConcurrent(imageJobs(options.images.from), concurrency, (j) => images.copy(j), signal);
    counts.copied += images.counts.copied;
    counts.skipped += images.counts.skipped;
    counts.bytes += images.counts.bytes;
    problems.push(...images.problems);
  }
  const refs: CopyReport['refs'] = [];
  if (problems.length === 0) {
    progress?.phase('refs');
    for (const [branch, head] of heads) {
      signal?.throwIfAborted();
      const action = await moveRef(to, branch, head, options.force === true, problems);
      refs.push({ branch, head, action });
    }
  }
  return { ...counts, refs, problems };
}

/**
 * Points the destination's `branch` at `head` by compare-and-swap: created when absent, moved when its head
 * is an ancestor of `head` (a fast-forward), refused otherwise unless `force`.
 */
async function moveRef(
  to: Location,
  branch: string,
  head: string,
  force: boolean,
  problems: CopyProblem[],
): Promise<RefAction> {
  const key = refKey(branch);
  if (!(await to.driver.head(`${to.prefix}commits/${head}.json`))) {
    problems.push({ kind: 'missing-commit', key, detail: `commit ${head} is not at the destination` });
    return 'refused';
  }
  const current = await to.driver.get(to.prefix + key);
  let action: RefAction = 'created';
  if (current) {
    let old: string | undefined;
    try {
      old = parseRef(current.body, key);
    } catch {
      old = undefined;
    }
    if (old === head) return 'unchanged';
    const forward = old !== undefined && isHash(old) && (await isAncestor(readerOf(to), old, head).catch(() => false));
    if (!forward && !force) {
      problems.push({
        kind: 'ref-not-forward',
        key,
        detail: `the destination's head ${old ?? '(unreadable)'} is not an ancestor of ${head} (use --force to move it anyway)`,
      });
      return 'refused';
    }
    action = forward ? 'fast-forward' : 'forced';
  }
  try {
    await to.driver.put(to.prefix + key, encodeRef(head), {
      ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' as const }),
      contentType: REF_TYPE,
    });
  } catch (e) {
    if (!isStorageError(e, 'storage/precondition-failed')) throw e;
    problems.push({ kind: 'conflict', key, detail: 'the destination ref moved while it was being written' });
    return 'refused';
  }
  return action;
}
