/**
 * Runs `fn` over the values of an (async) iterable with at most `limit` calls in flight, pulling values only
 * as slots free up, so a listing of 100,000 keys is never held in memory. When `signal` aborts or `fn`
 * throws, no further value is pulled, the calls in flight are awaited (their effects are thus all counted),
 * and the abort reason or the first error is thrown.
 */
export async function forEachConcurrent<T>(
  values: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (value: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const start = (v: T) => {
    const p: Promise<void> = fn(v).then(
      () => {
        inFlight.delete(p);
      },
      (error: unknown) => {
        inFlight.delete(p);
        failure ??= { error };
      },
    );
    inFlight.add(p);
  };
  try {
    for await (const v of values) {
      if (failure || signal?.aborted) break;
      start(v);
      while (inFlight.size >= limit) await Promise.race(inFlight);
      if (failure || signal?.aborted) break;
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  signal?.throwIfAborted();
}

/** At most `limit` calls of `run` in flight; the others wait their turn (first come, first served). */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit must be at least 1');
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((r) => this.#waiting.push(r));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
