/**
 * A bounded pool of encoder worker threads for one model. At most `workers` jobs run at once and at most
 * `queueLength` wait; a job submitted beyond that is refused at once with 503 and `Retry-After`. A waiting
 * job whose signal aborts (its client went away) leaves the queue without running.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AbortError } from '@labelkit/core';
import { HttpError, ModelError } from '../errors.ts';
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerTensor } from './protocol.ts';

export interface EncoderPoolOptions extends WorkerInit {
  /** Jobs run at once (one worker thread each). */
  workers: number;
  /** Jobs that may wait for a worker. */
  queueLength: number;
  /** Called whenever the number of waiting or running jobs changes (for the metrics gauges). */
  onStateChange?: (waiting: number, running: number) => void;
}

export interface EncodeResult {
  tensors: WorkerTensor[];
  inferenceMs: number;
}

interface Job {
  request: Omit<WorkerRequest, 'id'>;
  resolve: (r: EncodeResult) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/** The worker script: the built `encoder-worker.js` from dist, or the `.ts` file when running from sources. */
function workerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker.ts', import.meta.url);
  for (const rel of ['./encoder-worker.js', '../encoder-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new ModelError('model/worker-missing', 'encoder-worker.js is missing next to the built server');
}

/**
 * Starts a worker on the script. From sources (tests, benchmarks) the worker registers tsx itself first:
 * Node 20 does not carry `--import tsx` loader hooks into worker threads.
 */
function startWorker(workerData: WorkerInit): Worker {
  const url = workerUrl();
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export class EncoderPool {
  readonly provider: 'cpu' | 'cuda';
  /** Why CUDA was not used although asked for, when it was not. */
  readonly fallbackReason: string | undefined;
  readonly outputNames: readonly string[];
  private readonly options: EncoderPoolOptions;
  private readonly slots: Slot[];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private meanMs = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  private constructor(options: EncoderPoolOptions, slots: Slot[], ready: Extract<WorkerReply, { type: 'ready' }>) {
    this.options = options;
    this.slots = slots;
    this.provider = ready.provider;
    this.fallbackReason = ready.fallbackReason;
    this.outputNames = ready.outputNames;
    for (const slot of slots) this.attach(slot);
  }

  /** Starts the workers and resolves when every one has loaded the model. */
  static async start(options: EncoderPoolOptions): Promise<EncoderPool> {
    const init = initOf(options);
    const slots = Array.from({ length: Math.max(1, options.workers) }, () => ({
      worker: startWorker(init),
      job: undefined,
    }));
    try {
      const replies = await Promise.all(slots.map((s) => firstReply(s.worker)));
      return new EncoderPool(options, slots, replies[0] as Extract<WorkerReply, { type: 'ready' }>);
    } catch (e) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw e;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.slots.filter((s) => s.job).length;
  }

  /** Runs one job; rejects with 503 `encoder/queue-full` when the queue is full, or an AbortError when aborted while waiting. */
  run(request: Omit<WorkerRequest, 'id'>, signal?: AbortSignal): Promise<EncodeResult> {
    if (this.closed)
      return Promise.reject(
        new HttpError(503, 'server/shutting-down', 'The server is shutting down', { headers: { 'Retry-After': '5' } }),
      );
    if (signal?.aborted) return Promise.reject(new AbortError());
    const free = this.slots.find((s) => !s.job);
    if (!free && this.waiting.length >= this.options.queueLength) {
      const seconds = Math.max(
        1,
        Math.ceil(((this.waiting.length + 1) * (this.meanMs || 1000)) / this.slots.length / 1000),
      );
      return Promise.reject(
        new HttpError(
          503,
          'encoder/queue-full',
          `The encoder queue is full (${this.waiting.length} waiting); retry in ${seconds} s`,
          {
            headers: { 'Retry-After': String(seconds) },
          },
        ),
      );
    }
    return new Promise<EncodeResult>((resolve, reject) => {
      const job: Job = { request, resolve, reject, signal, onAbort: () => this.cancel(job) };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      if (free) this.dispatch(free, job);
      else {
        this.waiting.push(job);
        this.report();
      }
    });
  }

  /** Lets the process exit while the workers are alive (benchmarks, tools). */
  unref(): void {
    for (const slot of this.slots) slot.worker.unref();
  }

  /** Stops taking jobs, lets running ones finish within `deadlineMs`, then terminates the workers. */
  async close(deadlineMs = 0): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0))
      this.settle(job, () => job.reject(new HttpError(503, 'server/shutting-down', 'The server is shutting down')));
    this.report();
    if (this.running > 0 && deadlineMs > 0) {
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise((r) => setTimeout(r, deadlineMs).unref()),
      ]);
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private report(): void {
    this.options.onStateChange?.(this.waiting.length, this.running);
  }

  private cancel(job: Job): void {
    const i = this.waiting.indexOf(job);
    if (i < 0) return; // already running: its result still fills the cache
    this.waiting.splice(i, 1);
    this.report();
    job.reject(new AbortError('The client went away before its job started'));
  }

  private settle(job: Job, f: () => void): void {
    job.signal?.removeEventListener('abort', job.onAbort);
    f();
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    const p = job.request.pixels;
    // Transfer, never share: copy when the pixels are a view into a larger (possibly pooled) buffer.
    const pixels = p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : p.slice();
    const request: WorkerRequest = { ...job.request, pixels, id: this.nextId++ };
    slot.worker.postMessage(request, [request.pixels.buffer as ArrayBuffer]);
    this.report();
  }

  private next(slot: Slot): void {
    slot.job = undefined;
    const job = this.waiting.shift();
    if (job) {
      this.report();
      this.dispatch(slot, job);
    } else {
      this.report();
      if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private attach(slot: Slot): void {
    slot.worker.on('message', (reply: WorkerReply) => {
      const job = slot.job;
      if (!job || (reply.type !== 'result' && reply.type !== 'error')) return;
      if (reply.type === 'result') {
        this.meanMs = this.meanMs ? this.meanMs * 0.8 + reply.inferenceMs * 0.2 : reply.inferenceMs;
        this.settle(job, () => job.resolve({ tensors: reply.tensors, inferenceMs: reply.inferenceMs }));
      } else
        this.settle(job, () =>
          job.reject(new HttpError(500, 'encoder/failed', `The encoder failed: ${reply.message}`)),
        );
      this.next(slot);
    });
    slot.worker.on('error', (e) => {
      const job = slot.job;
      if (job)
        this.settle(job, () =>
          job.reject(new HttpError(500, 'encoder/crashed', `The encoder worker crashed: ${e.message}`)),
        );
      if (this.closed) return;
      // Replace the dead worker so one crash does not shrink the pool for good.
      slot.worker = startWorker(initOf(this.options));
      slot.job = undefined;
      this.attach(slot);
      void firstReply(slot.worker).then(
        () => {
          if (!slot.job) this.next(slot);
        },
        () => undefined,
      );
    });
  }
}

const initOf = (o: EncoderPoolOptions): WorkerInit => ({
  modelPath: o.modelPath,
  executionProvider: o.executionProvider,
  ...(o.intraOpThreads ? { intraOpThreads: o.intraOpThreads } : {}),
});

function firstReply(worker: Worker): Promise<Extract<WorkerReply, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      worker.off('error', onError);
      if (reply.type === 'ready') resolve(reply);
      else
        reject(
          new ModelError(
            'model/load-failed',
            `The encoder model cannot be loaded: ${reply.type === 'failed' ? reply.message : reply.type}`,
          ),
        );
    };
    const onError = (e: Error) => {
      worker.off('message', onMessage);
      reject(new ModelError('model/load-failed', `The encoder worker failed to start: ${e.message}`, { cause: e }));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}
