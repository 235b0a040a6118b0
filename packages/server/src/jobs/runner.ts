/**
 * The job queue: at most `concurrency` jobs run at once in this process, `maxQueued` wait; each runs page by
 * page over its items and checkpoints its position and partial results into the target storage, so a server
 * that stops (or dies) leaves the job for the next one to resume from the last checkpoint. The results land at
 * the end as one commit on `main`.
 */
import { randomBytes } from 'node:crypto';
import { readCommit, readItem } from '@labelkit/core';
import type { DatasetRegistry } from '../datasets/registry.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { Logger } from '../logger.ts';
import { commitResults } from './commit.ts';
import { JobError } from './errors.ts';
import type { ItemPredictor } from './predict.ts';
import { JobStore, type StoredJob } from './store.ts';
import {
  type ItemResult,
  isFinished,
  type JobErrorEntry,
  type JobRecord,
  type JobSpec,
  type JobView,
  jobView,
  MAX_ERRORS,
} from './types.ts';
import { countItems, walkItems } from './walk.ts';

export interface JobEvent {
  type: 'progress' | 'done' | 'cancelled' | 'failed' | 'queued';
  job: JobView;
}

export interface JobManagerOptions {
  datasets: DatasetRegistry;
  /** Loads the models of a job. */
  predictors: { create(spec: JobSpec): Promise<ItemPredictor> };
  logger: Logger;
  /** Jobs run at once by this process (default 1: inference already uses every core). */
  concurrency?: number;
  /** Jobs that may wait; beyond, `job/queue-full` (503). Default 16. */
  maxQueued?: number;
  /** Source keys listed per page (default 100). */
  pageSize?: number;
  /** Items between checkpoints (default 50); also checkpointed at each page end and when stopping. */
  checkpointItems?: number;
  /** A job whose owner has not written for this long is taken over by another server (default 120 s). */
  leaseMs?: number;
}

/** Thrown inside a run to leave it: the job was cancelled, taken over, or this server is stopping. */
class Stop extends Error {
  readonly reason: 'cancelled' | 'lost' | 'closing';
  constructor(reason: 'cancelled' | 'lost' | 'closing') {
    super(reason);
    this.reason = reason;
  }
}

interface Waiting {
  service: DatasetService;
  id: string;
}

const now = () => new Date().toISOString();
const errorEntry = (e: unknown, item?: string): JobErrorEntry => {
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : 'job/item-failed';
  return { ...(item === undefined ? {} : { item }), code, message: (e as Error)?.message ?? String(e) };
};

export class JobManager {
  /** This process, as the owner written into the records of the jobs it runs. */
  readonly instance = `srv-${randomBytes(6).toString('hex')}`;
  readonly #o: Required<Omit<JobManagerOptions, 'datasets' | 'predictors' | 'logger'>> & JobManagerOptions;
  readonly #waiting: Waiting[] = [];
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #listeners = new Map<string, Set<(e: JobEvent) => void>>();
  #closing = false;
  #rescan: NodeJS.Timeout | undefined;

  constructor(options: JobManagerOptions) {
    this.#o = { concurrency: 1, maxQueued: 16, pageSize: 100, checkpointItems: 50, leaseMs: 120_000, ...options };
  }

  storeOf(service: DatasetService): JobStore {
    return new JobStore(service.history.driver, service.history.prefix);
  }

  /** Records a new job (queued) and schedules it. @throws JobError `job/queue-full` */
  async create(service: DatasetService, spec: JobSpec, author: string): Promise<JobRecord> {
    if (this.#waiting.length >= this.#o.maxQueued)
      throw new JobError('job/queue-full', `${this.#waiting.length} jobs are waiting; try again later`);
    const ref = await service.history.readRef('main');
    const time = now();
    const record: JobRecord = {
      version: 1,
      id: `j-${randomBytes(8).toString('hex')}`,
      dataset: service.id,
      author,
      created: time,
      updated: time,
      spec,
      state: 'queued',
      base: ref?.head ?? null,
      total: 'list' in spec.items ? spec.items.list.length : null,
      done: 0,
      skipped: 0,
      position: { offset: 0 },
      parts: 0,
      errors: [],
      errorCount: 0,
    };
    if (!(await this.storeOf(service).create(record))) throw new Error('job id collision');
    this.#enqueue(service, record.id);
    return record;
  }

  async get(service: DatasetService, id: string): Promise<JobRecord | undefined> {
    return (await this.storeOf(service).read(id))?.record;
  }

  /** Cancels a queued or running job (its partial results are not committed). @throws `job/finished` */
  async cancel(service: DatasetService, id: string): Promise<JobRecord | undefined> {
    const store = this.storeOf(service);
    for (;;) {
      const s = await store.read(id);
      if (!s) return undefined;
      if (isFinished(s.record.state))
        throw new JobError('job/finished', `Job ${id} is ${s.record.state} already`, { path: '$.job' });
      const record: JobRecord = { ...s.record, state: 'cancelled', updated: now() };
      if (await store.swap(record, s.etag)) {
        this.#running.get(id)?.controller.abort();
        const i = this.#waiting.findIndex((w) => w.id === id);
        if (i >= 0) this.#waiting.splice(i, 1);
        this.#emit({ type: 'cancelled', job: jobView(record) });
        return record;
      }
    }
  }

  /** Calls `fn` with each event of job `id` in this process; returns the unsubscribe function. */
  subscribe(id: string, fn: (e: JobEvent) => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) this.#listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#listeners.delete(id);
    };
  }

  #emit(e: JobEvent): void {
    for (const fn of this.#listeners.get(e.job.id) ?? []) fn(e);
  }

  /**
   * Picks up the unfinished jobs of every dataset whose owner is gone (none, this process, or silent for the
   * lease). Returns how many were scheduled.
   */
  async resume(): Promise<number> {
    let n = 0;
    let held = false;
    for (const service of await this.#o.datasets.list()) {
      const store = this.storeOf(service);
      for await (const id of store.ids()) {
        if (this.#running.has(id) || this.#waiting.some((w) => w.id === id)) continue;
        const r = (await store.read(id))?.record;
        if (!r || isFinished(r.state)) continue;
        const lapsed = r.heartbeat === undefined || Date.now() - Date.parse(r.heartbeat) > this.#o.leaseMs;
        if (r.owner !== undefined && r.owner !== this.instance && !lapsed) {
          held = true;
          continue;
        }
        this.#enqueue(service, id);
        n++;
      }
    }
    // A job held by a server that died is taken over once its lease lapses: look again then.
    if (held && !this.#closing && !this.#rescan) {
      this.#rescan = setTimeout(() => {
        this.#rescan = undefined;
        this.resume().catch((e: unknown) =>
          this.#o.logger.error('job resume failed', { message: (e as Error).message }),
        );
      }, this.#o.leaseMs);
      this.#rescan.unref();
    }
    return n;
  }

  /** Stops every run at its next item, checkpointing it for the next server; waiting jobs stay queued in storage. */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#rescan);
    this.#waiting.length = 0;
    for (const r of this.#running.values()) r.controller.abort();
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Waits until no job runs or waits in this process (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.#running.size > 0 || this.#waiting.length > 0)
      await Promise.race([
        ...[...this.#running.values()].map((r) => r.done),
        new Promise<void>((r) => setTimeout(r, 20)),
      ]);
  }

  #enqueue(service: DatasetService, id: string): void {
    if (this.#closing) return;
    this.#waiting.push({ service, id });
    this.#pump();
  }

  #pump(): void {
    while (!this.#closing && this.#running.size < this.#o.concurrency && this.#waiting.length > 0) {
      const next = this.#waiting.shift() as Waiting;
      const controller = new AbortController();
      const done = this.#run(next.service, next.id, controller.signal)
        .catch((e: unknown) =>
          this.#o.logger.error('job failed to run', { job: next.id, message: (e as Error).message }),
        )
        .finally(() => {
          this.#running.delete(next.id);
          this.#pump();
        });
      this.#running.set(next.id, { controller, done });
    }
  }

  async #run(service: DatasetService, id: string, signal: AbortSignal): Promise<void> {
    const store = this.storeOf(service);
    const found = await store.read(id);
    if (!found || isFinished(found.record.state)) return;
    let { record, etag } = found as StoredJob;
    const results = new Map<string, ItemResult>();

    /** Writes the pending results as a part, then the record; leaves the run when the record moved. */
    const save = async (patch: Partial<JobRecord>): Promise<void> => {
      let parts = record.parts;
      if (results.size > 0) await store.putPart(id, parts++, Object.fromEntries(results));
      const next: JobRecord = { ...record, ...patch, parts, updated: now(), heartbeat: now() };
      const moved = await store.swap(next, etag);
      if (!moved) {
        const current = await store.read(id);
        throw new Stop(current?.record.state === 'cancelled' ? 'cancelled' : 'lost');
      }
      results.clear();
      record = next;
      etag = moved;
    };

    try {
      await save({ state: 'running', owner: this.instance });
      this.#emit({ type: 'progress', job: jobView(record) });
      const predictor = await this.#o.predictors.create(record.spec);
      if (record.total === null) await save({ total: await countItems(service, record.spec) });
      const check = () => {
        if (signal.aborted) throw new Stop(this.#closing ? 'closing' : 'cancelled');
      };
      await walkItems(service, record, this.#o.pageSize, check, async (item, key, offset, nextPage) => {
        const r = record;
        let skipped = 0;
        if (item !== undefined && key !== undefined) {
          try {
            if (await this.#labelled(service, r, item)) skipped = 1;
            else {
              const bytes = await service.source.get(key);
              if (!bytes) throw new JobError('job/missing-item', `No image ${item} in the dataset's source`);
              let n = 0;
              results.set(item, await predictor.predict(bytes.body, () => `m-${id.slice(2)}-${r.done}-${n++}`));
            }
          } catch (e) {
            if (e instanceof Stop) throw e;
            const entry = errorEntry(e, item);
            record = {
              ...r,
              errors: r.errors.length < MAX_ERRORS ? [...r.errors, entry] : r.errors,
              errorCount: r.errorCount + 1,
            };
          }
          record = { ...record, done: record.done + 1, skipped: record.skipped + skipped };
          this.#emit({ type: 'progress', job: jobView(record) });
        }
        const position =
          nextPage === false
            ? { ...record.position, offset }
            : nextPage === undefined
              ? { offset: 0, complete: true }
              : { page: nextPage, offset: 0 };
        // Time counts too: the heartbeat keeps other servers off, and readers elsewhere see progress.
        const due = results.size >= this.#o.checkpointItems || Date.now() - Date.parse(record.updated) > 5000;
        if (nextPage !== false || due) await save({ position });
        else record = { ...record, position };
      });
      const commit = await commitResults(service, store, record, results);
      await save({ state: 'done', ...(commit ? { commit } : {}), owner: undefined });
      this.#emit({ type: 'done', job: jobView(record) });
    } catch (e) {
      if (e instanceof Stop) {
        // A cancel through this process has told its listeners already; one through another server has not.
        if (e.reason === 'cancelled' && !signal.aborted)
          this.#emit({ type: 'cancelled', job: jobView({ ...record, state: 'cancelled' }) });
        if (e.reason === 'closing')
          // Checkpoint and let go, so that the next server (or this one restarted) resumes at once.
          await save({ state: 'queued', owner: undefined, heartbeat: undefined }).catch(() => undefined);
        return;
      }
      const failure = errorEntry(e);
      this.#o.logger.error('job failed', {
        job: id,
        dataset: service.id,
        code: failure.code,
        message: failure.message,
      });
      await save({ state: 'failed', failure, owner: undefined }).catch(() => undefined);
      this.#emit({ type: 'failed', job: jobView(record) });
    }
  }

  /** Whether `unlabeled` skips the item: it has shapes a person made at the job's base commit. */
  async #labelled(service: DatasetService, r: JobRecord, item: string): Promise<boolean> {
    if (!('prefix' in r.spec.items) || !r.spec.items.unlabeled || r.base === null) return false;
    const tree = (await readCommit(service.history.reader, r.base)).tree;
    const doc = await readItem(service.history.reader, tree, item);
    return doc?.shapes.some((s) => s.source !== 'model') ?? false;
  }
}
