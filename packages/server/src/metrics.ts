import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in a registry of their own (several apps can live in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'labelkit_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'labelkit_http_request_seconds',
    help: 'HTTP request duration by route pattern',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueLength = new Gauge({
    name: 'labelkit_encoder_queue_length',
    help: 'Encoder jobs waiting for a worker, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly running = new Gauge({
    name: 'labelkit_encoder_running',
    help: 'Encoder jobs running in workers, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly encoderSeconds = new Histogram({
    name: 'labelkit_encoder_seconds',
    help: 'Encoder inference time (in the worker), by model',
    labelNames: ['model'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: 'labelkit_embedding_cache_hits_total',
    help: 'Embeddings served without running the encoder, by layer (memory, storage)',
    labelNames: ['layer'] as const,
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'labelkit_embedding_cache_misses_total',
    help: 'Embeddings that ran the encoder',
    registers: [this.registry],
  });
  readonly cacheBytes = new Gauge({
    name: 'labelkit_embedding_cache_bytes',
    help: 'Bytes held by the in-memory embedding cache',
    registers: [this.registry],
  });
  readonly commits = new Counter({
    name: 'labelkit_commits_total',
    help: 'Commits landed on a branch, by kind (commit: fast-forward, merged: merged per item, revert)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
}
