import { createHash } from 'node:crypto';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from './errors.ts';

export interface KeyLockOptions {
  /** Give up waiting for a lock after this many ms (`storage/lock-timeout`). Default 10,000. */
  timeoutMs?: number;
  /** A lock file older than this is taken to belong to a crashed process and removed. Default 30,000. */
  staleMs?: number;
}

/**
 * Serializes writers of one key, within this process and across processes sharing the folder.
 *
 * In-process, a promise chain per key queues writers without touching the disk. Across processes, the holder
 * creates `<dir>/<sha256(key)>.lock` with O_EXCL (`wx`), which the filesystem grants to exactly one creator; the
 * others poll with backoff. A lock left by a crashed process is removed once older than `staleMs`, so writes
 * under one lock must take less than that. Two waiters that both find the same stale lock may both remove a path,
 * the second removing the lock the first just took: the window exists only after a crash left a lock behind.
 * O_EXCL is atomic on local filesystems and NFSv3+; it is not a
 * guard on filesystems without atomic exclusive create.
 */
export class KeyLocks {
  readonly #dir: string;
  readonly #timeoutMs: number;
  readonly #staleMs: number;
  readonly #chains = new Map<string, Promise<void>>();

  constructor(dir: string, options: KeyLockOptions = {}) {
    this.#dir = dir;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#staleMs = options.staleMs ?? 30_000;
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const chain = previous.then(() => mine);
    this.#chains.set(key, chain);
    await previous;
    try {
      const file = await this.#acquireFile(key);
      try {
        return await fn();
      } finally {
        await unlink(file).catch(() => undefined);
      }
    } finally {
      release();
      if (this.#chains.get(key) === chain) this.#chains.delete(key);
    }
  }

  async #acquireFile(key: string): Promise<string> {
    await mkdir(this.#dir, { recursive: true });
    const file = join(this.#dir, `${createHash('sha256').update(key).digest('hex')}.lock`);
    const deadline = Date.now() + this.#timeoutMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        const fh = await open(file, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        return file;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > this.#staleMs) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline)
        throw new StorageError('storage/lock-timeout', 'Timed out waiting for a write lock on this key');
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
}
