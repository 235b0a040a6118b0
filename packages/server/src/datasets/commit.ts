/**
 * The write side of the history: a commit lands on its branch by compare-and-swap of the ref; when another
 * writer moved the branch first, the commit is merged per item into the new head and the swap is tried again.
 * Nothing is ever overwritten: an edit either reaches the branch or its writer gets the conflict.
 */
import { type Commit, createCommit, MergeConflictError, mergeCommits, readCommit } from '@labelkit/core';
import { DatasetError } from './errors.ts';
import type { HistoryStore } from './target.ts';

/** What a commit did to its branch (`POST /v1/datasets/:id/commits`). */
export interface CommitResult {
  /** The commit holding the caller's edit. */
  commit: string;
  /** The branch's head now: `commit`, or the merge commit of `commit` into a head that had moved. */
  head: string;
  /** The parents of `head`. */
  parents: string[];
  /** Whether the caller's parent was stale and the edit was merged into the newer head. */
  merged: boolean;
}

/** A merge that failed: the head it was tried against and the conflicting items. */
export class CommitConflictError extends MergeConflictError {
  readonly head: string;
  constructor(head: string, cause: MergeConflictError) {
    super([...cause.conflicts]);
    this.head = head;
  }
}

export interface LandOptions {
  branch: string;
  /** The commit to land (already stored). */
  commit: string;
  /** Its first parent: the head the caller saw (undefined: none). */
  parent: string | undefined;
  author: string;
  /** Compare-and-swap attempts before giving up with `dataset/busy` (default 40). */
  maxAttempts?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * A commit time after every parent's: log order is then also a topological order, even when the clocks of a
 * fleet's servers disagree by a few milliseconds.
 */
export function commitTime(parents: readonly Commit[], now = Date.now()): string {
  let t = now;
  for (const p of parents) t = Math.max(t, Date.parse(p.time) + 1);
  return new Date(t).toISOString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exponential backoff with full jitter, so racing writers spread out instead of colliding again. */
const backoff = (attempt: number) => sleep(Math.random() * Math.min(200, 4 * 2 ** Math.min(attempt, 6)));

/**
 * Moves `branch` to `commit`, or to a merge of it into the branch's newer head, by compare-and-swap.
 * @throws CommitConflictError (`history/merge-conflict`) when the merge conflicts, DatasetError `dataset/busy`
 *   when the ref moved under every attempt.
 */
export async function landCommit(store: HistoryStore, options: LandOptions): Promise<CommitResult> {
  const { branch, commit, parent, author } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 40;
  const mine = await readCommit(store.reader, commit);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const ref = await store.readRef(branch);
    const head = ref?.head;
    if (head === undefined || head === parent) {
      if (await store.casRef(branch, commit, ref?.etag))
        return { commit, head: commit, parents: mine.parents, merged: false };
      continue;
    }
    const m = await mergeCommits(store.reader, head, commit);
    if (!m.ok) throw new CommitConflictError(head, m.error);
    const headCommit = await readCommit(store.reader, head);
    if (m.value.kind === 'up-to-date') return { commit, head, parents: headCommit.parents, merged: false };
    if (m.value.kind === 'fast-forward') {
      if (await store.casRef(branch, commit, ref?.etag))
        return { commit, head: commit, parents: mine.parents, merged: false };
      continue;
    }
    const merge = await createCommit({
      parents: [head, commit],
      tree: m.value.tree,
      author,
      message: `Merge ${commit.slice(0, 12)} into ${branch}`,
      time: commitTime([headCommit, mine], now()),
    });
    if (!merge.ok) throw merge.error;
    await store.putImmutable([...m.value.puts, merge.value.put]);
    if (await store.casRef(branch, merge.value.hash, ref?.etag))
      return { commit, head: merge.value.hash, parents: [head, commit], merged: true };
  }
  throw new DatasetError('dataset/busy', `Branch ${branch} kept moving; try again`);
}
