/**
 * Walks (log, diff) suspended between pages. A page's cursor is self-contained (it pins the commits and counts
 * what was given, so any server of a fleet can re-walk to it); when the next page reaches the server that gave
 * the cursor, it resumes the suspended walk instead, so paging through N changes costs one walk, not N/limit.
 * This is a cache: an entry lost (another server, expiry, eviction, a cursor used twice) only costs the re-walk.
 */
export interface Suspended<T> {
  walk: AsyncGenerator<T>;
  /** The item read past the end of the page, to start the next one. */
  next: IteratorResult<T>;
}

export class SuspendedWalks<T> {
  readonly #entries = new Map<string, Suspended<T> & { expires: number }>();
  readonly #max: number;
  readonly #ttlMs: number;

  /** At most `max` walks are kept, each for `ttlMs` (default 32, 2 minutes). */
  constructor(max = 32, ttlMs = 120_000) {
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  /** The walk suspended under `cursor`, removed from the cache (a cursor resumes once). */
  take(cursor: string): Suspended<T> | undefined {
    this.#expire();
    const e = this.#entries.get(cursor);
    if (!e) return undefined;
    this.#entries.delete(cursor);
    return e;
  }

  put(cursor: string, s: Suspended<T>): void {
    this.#expire();
    // Two readers at the same position of the same walk get the same cursor: keep the newer walk.
    const old = this.#entries.get(cursor);
    if (old && old.walk !== s.walk) this.#drop(cursor, old);
    this.#entries.set(cursor, { ...s, expires: Date.now() + this.#ttlMs });
    for (const [k, v] of this.#entries) {
      if (this.#entries.size <= this.#max) break;
      this.#drop(k, v);
    }
  }

  #expire(): void {
    const now = Date.now();
    for (const [k, v] of this.#entries) if (v.expires <= now) this.#drop(k, v);
  }

  #drop(k: string, v: Suspended<T>): void {
    this.#entries.delete(k);
    // Closing the generator lets it release what it holds (tree nodes on its path).
    v.walk.return(undefined).catch(() => undefined);
  }
}

/**
 * One page of `limit` items from a walk: resumes `suspended` when given, else starts `start()` and skips the
 * first `skip` items. Returns the items and, when more follow, the suspended walk for the next page.
 */
export async function page<T>(
  suspended: Suspended<T> | undefined,
  start: () => AsyncGenerator<T>,
  skip: number,
  limit: number,
): Promise<{ items: T[]; rest?: Suspended<T> }> {
  let walk: AsyncGenerator<T>;
  let next: IteratorResult<T>;
  if (suspended) {
    ({ walk, next } = suspended);
  } else {
    walk = start();
    next = await walk.next();
    for (let i = 0; i < skip && !next.done; i++) next = await walk.next();
  }
  const items: T[] = [];
  try {
    while (!next.done && items.length < limit) {
      items.push(next.value);
      next = await walk.next();
    }
  } catch (e) {
    await walk.return(undefined).catch(() => undefined);
    throw e;
  }
  if (next.done) return { items };
  return { items, rest: { walk, next } };
}
