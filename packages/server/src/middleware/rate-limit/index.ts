import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { Counter } from 'prom-client';
import type { AuthEnv } from '../../auth/scopes.ts';
import { HttpError } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';

export interface RateLimitOptions {
  /** Requests per minute per principal; also the burst a quiet client may spend at once. */
  perMinute: number;
  /** Label of the limited route group in the metric (`labelkit_rate_limited_total{limit}`). */
  name: string;
  metrics: Metrics;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Buckets kept before full (idle) ones are dropped. Default 10,000. */
  maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const counters = new WeakMap<Metrics, Counter<'limit'>>();
function limitedCounter(metrics: Metrics): Counter<'limit'> {
  let counter = counters.get(metrics);
  if (!counter) {
    counter = new Counter({
      name: 'labelkit_rate_limited_total',
      help: 'Requests refused with 429 by a rate limit, by limit',
      labelNames: ['limit'] as const,
      registers: [metrics.registry],
    });
    counters.set(metrics, counter);
  }
  return counter;
}

/** Who a request counts against: its principal, or its peer address when anonymous. */
export function rateKey(c: Context<AuthEnv>): string {
  const p = c.get('principal');
  if (p && p.via !== 'anonymous') return `${p.via === 'token' ? 'token' : 'jwt'}:${p.name}`;
  try {
    return `ip:${getConnInfo(c).remote.address ?? 'unknown'}`;
  } catch {
    // Not served by @hono/node-server (app.request in tests): every such request shares one bucket.
    return 'ip:unknown';
  }
}

/**
 * A token bucket per principal (per IP address when anonymous), in memory: `perMinute` tokens refilled
 * continuously. An empty bucket answers 429 `rate/limited` with `Retry-After` (seconds until one token).
 * Each server of a fleet keeps its own buckets, so a fleet of N allows up to N times the rate.
 */
export const rateLimit = (options: RateLimitOptions): MiddlewareHandler<AuthEnv> => {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? Date.now;
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxBuckets = options.maxBuckets ?? 10_000;
  const counter = limitedCounter(options.metrics);
  const sweep = (t: number) => {
    for (const [k, b] of buckets) if (b.tokens + (t - b.at) * perMs >= capacity) buckets.delete(k);
  };
  return async (c, next) => {
    const t = now();
    const key = rateKey(c);
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= maxBuckets) sweep(t);
      // Still full of busy clients: forget the oldest (a Map iterates in insertion order).
      if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value as string);
      b = { tokens: capacity, at: t };
      buckets.set(key, b);
    }
    b.tokens = Math.min(capacity, b.tokens + (t - b.at) * perMs);
    b.at = t;
    if (b.tokens < 1) {
      counter.inc({ limit: options.name });
      const retry = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
      throw new HttpError(429, 'rate/limited', `Too many requests: at most ${capacity} per minute`, {
        headers: { 'Retry-After': String(retry) },
      });
    }
    b.tokens -= 1;
    await next();
  };
};
