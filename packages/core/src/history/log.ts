/** Walking the commit graph: log and merge bases. Commits are read one at a time, as the walk needs them. */
import { type Commit, readCommit } from './commit.ts';
import { assertHash } from './hash.ts';
import type { ObjectReader } from './store.ts';

/** A commit and its hash. */
export interface LogEntry {
  hash: string;
  commit: Commit;
}

/** Max-heap of commits, newest first; ties broken by hash so that every walk is deterministic. */
class CommitQueue {
  private readonly heap: { hash: string; t: number }[] = [];
  get size(): number {
    return this.heap.length;
  }
  hashes(): IterableIterator<string> {
    return this.heap.map((e) => e.hash)[Symbol.iterator]();
  }
  private before(i: number, j: number): boolean {
    const a = this.heap[i] as { hash: string; t: number };
    const b = this.heap[j] as { hash: string; t: number };
    return a.t !== b.t ? a.t > b.t : a.hash > b.hash;
  }
  private swap(i: number, j: number): void {
    const t = this.heap[i] as { hash: string; t: number };
    this.heap[i] = this.heap[j] as { hash: string; t: number };
    this.heap[j] = t;
  }
  push(hash: string, t: number): void {
    this.heap.push({ hash, t });
    for (let i = this.heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): string | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.before(l, m)) m = l;
        if (r < this.heap.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.hash;
  }
}

/** Reads commits once per walk. */
class Commits {
  private readonly known = new Map<string, Commit>();
  constructor(private readonly reader: ObjectReader) {}
  async get(hash: string): Promise<Commit> {
    let c = this.known.get(hash);
    if (!c) {
      c = await readCommit(this.reader, hash);
      this.known.set(hash, c);
    }
    return c;
  }
  async time(hash: string): Promise<number> {
    return Date.parse((await this.get(hash)).time);
  }
}

export interface LogOptions {
  /** Most commits to yield (default: all). */
  limit?: number;
  /**
   * Follow first parents only: the branch's own line, where a merge appears as one commit (as
   * `git log --first-parent`). Default false: every ancestor, merged branches included.
   */
  firstParent?: boolean;
}

/**
 * The history of `head`, newest first (by commit time, then hash), each commit once even when merges make
 * it reachable twice. Streamed: a commit is read when the walk reaches it, so `limit: 20` over 100,000
 * commits reads about 20.
 * @throws HistoryError `history/invalid-hash`, `history/missing-object`, `history/corrupt-object`
 */
export async function* log(reader: ObjectReader, head: string, options: LogOptions = {}): AsyncGenerator<LogEntry> {
  assertHash(head, '$.head');
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) throw new RangeError('limit must be a number >= 0');
  const commits = new Commits(reader);
  const queue = new CommitQueue();
  const seen = new Set<string>([head]);
  queue.push(head, await commits.time(head));
  for (let n = 0; n < limit; n++) {
    const hash = queue.pop();
    if (hash === undefined) return;
    const commit = await commits.get(hash);
    yield { hash, commit };
    const parents = options.firstParent ? commit.parents.slice(0, 1) : commit.parents;
    for (const p of parents) {
      if (seen.has(p)) continue;
      seen.add(p);
      queue.push(p, await commits.time(p));
    }
  }
}

const A = 1;
const B = 2;
const STALE = 4;

/**
 * The best common ancestors of commits `a` and `b`: common ancestors that are not ancestors of another
 * common ancestor (one in linear histories, several after criss-cross merges), newest first. Git's
 * algorithm: paint down from both heads by commit time until only stale paths remain.
 */
export async function mergeBases(reader: ObjectReader, a: string, b: string): Promise<string[]> {
  assertHash(a, '$.a');
  assertHash(b, '$.b');
  if (a === b) return [a];
  const commits = new Commits(reader);
  const flags = new Map<string, number>([
    [a, A],
    [b, B],
  ]);
  const queue = new CommitQueue();
  queue.push(a, await commits.time(a));
  queue.push(b, await commits.time(b));
  const found: string[] = [];
  const hasNonStale = () => {
    for (const h of queue.hashes()) if (!((flags.get(h) ?? 0) & STALE)) return true;
    return false;
  };
  while (queue.size > 0 && hasNonStale()) {
    const hash = queue.pop() as string;
    let f = (flags.get(hash) ?? 0) & (A | B | STALE);
    if ((f & (A | B)) === (A | B) && !(f & STALE)) {
      found.push(hash);
      f |= STALE;
      flags.set(hash, (flags.get(hash) ?? 0) | STALE);
    }
    for (const p of (await commits.get(hash)).parents) {
      const pf = flags.get(p) ?? 0;
      if ((pf & f) === f) continue;
      flags.set(p, pf | f);
      queue.push(p, await commits.time(p));
    }
  }
  if (found.length <= 1) return found;
  // Clock skew can make a candidate an ancestor of another one; such a candidate is not a best base.
  const redundant = new Set<string>();
  for (const c of found) {
    const stack = [...(await commits.get(c)).parents];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const h = stack.pop() as string;
      if (seen.has(h)) continue;
      seen.add(h);
      if (found.includes(h)) redundant.add(h);
      stack.push(...(await commits.get(h)).parents);
    }
  }
  return found.filter((h) => !redundant.has(h));
}

/** One best common ancestor of `a` and `b` (the newest when there are several), or `undefined` when none. */
export async function mergeBase(reader: ObjectReader, a: string, b: string): Promise<string | undefined> {
  return (await mergeBases(reader, a, b))[0];
}

/** Whether `ancestor` is `descendant` or one of its ancestors. */
export async function isAncestor(reader: ObjectReader, ancestor: string, descendant: string): Promise<boolean> {
  return (await mergeBases(reader, ancestor, descendant)).includes(ancestor);
}
