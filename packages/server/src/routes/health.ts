/** `/healthz` (the process answers), `/readyz` (models loaded, storage reachable) and `/metrics` (Prometheus). */
import { Hono } from 'hono';
import type { Metrics } from '../metrics.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { pingStorage } from '../storage/index.ts';

export interface HealthRoutesOptions {
  registry: ModelRegistry;
  /** The `"data"` storage, pinged by `/readyz`. */
  storage: StorageDriver;
  metrics: Metrics;
  /** Models that must be loaded for the server to be ready (the default model). */
  required: string[];
  /** Whether the server is shutting down (then it is not ready, so balancers drain it). */
  draining: () => boolean;
}

export function healthRoutes(options: HealthRoutesOptions): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const models = options.registry.status();
    const storage = await pingStorage(options.storage);
    const loaded = options.required.every((id) => models.find((m) => m.id === id)?.loaded);
    const ready = loaded && storage && !options.draining();
    return c.json(
      {
        status: ready ? 'ready' : 'not-ready',
        draining: options.draining(),
        storage: { reachable: storage },
        models: models.map((m) => ({
          id: m.id,
          contract: m.contract,
          loaded: m.loaded,
          ...(m.executionProvider ? { executionProvider: m.executionProvider } : {}),
          ...(m.fallbackReason ? { fallbackReason: m.fallbackReason } : {}),
        })),
      },
      ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) =>
    c.text(await options.metrics.registry.metrics(), 200, { 'Content-Type': options.metrics.registry.contentType }),
  );
  return app;
}
