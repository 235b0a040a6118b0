import { serveStatic } from '@hono/node-server/serve-static';
import { AbortError, LabelKitError } from '@labelkit/core';
import { Hono } from 'hono';
import { defaultConfig, type ServerConfig } from './config.ts';
import { EmbeddingService } from './encoder/service.ts';
import { HttpError } from './errors.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { type RequestContextEnv, requestContext } from './middleware/request-context/index.ts';
import { secureHeaders } from './middleware/secure-headers/index.ts';
import { ModelRegistry } from './models/registry.ts';
import { embeddingRoutes } from './routes/embeddings.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
import { LocalStorage, type Storage } from './storage/index.ts';

export interface AppConfig extends Partial<ServerConfig> {
  /** Where logs go (JSON lines on stdout by default). */
  logger?: Logger;
  /** Storage to read `{ key }` images from and share embeddings in; default a {@link LocalStorage} on `dataDir`. */
  storage?: Storage;
}

export interface LabelKitApp {
  app: Hono<RequestContextEnv>;
  config: ServerConfig;
  registry: ModelRegistry;
  service: EmbeddingService;
  metrics: Metrics;
  logger: Logger;
  /** Loads the default model's encoder (so `/readyz` turns ready); resolves once loaded. */
  warm(): Promise<void>;
  /** Stops the encoders, letting running jobs finish within `deadlineMs`; requests after that get 503. */
  close(deadlineMs?: number): Promise<void>;
}

const STATUS_OF_CODE: Record<string, number> = {
  'model/checksum-mismatch': 502,
  'model/download-failed': 502,
  'model/file-not-found': 500,
  'model/load-failed': 500,
  'model/contract-mismatch': 500,
  'storage/forbidden-key': 400,
};

/** Builds the LabelKit Hono app from its configuration (defaults for everything not given). */
export function createApp(options: AppConfig = {}): LabelKitApp {
  const { logger = jsonLogger(), storage: givenStorage, ...rest } = options;
  const config: ServerConfig = {
    ...defaultConfig(),
    ...(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<ServerConfig>),
  };
  const metrics = new Metrics();
  const storage = givenStorage ?? new LocalStorage(config.dataDir);
  let draining = false;
  const registry = new ModelRegistry({
    manifests: config.models,
    cacheDir: config.modelCacheDir,
    executionProvider: config.executionProvider,
    encoderWorkers: config.encoderWorkers,
    queueLength: config.queueLength,
    onStateChange: (model, waiting, running) => {
      metrics.queueLength.set({ model }, waiting);
      metrics.running.set({ model }, running);
    },
    onEncoderReady: (model, provider, fallbackReason) =>
      (fallbackReason ? logger.warn : logger.info)('encoder ready', {
        model,
        executionProvider: provider,
        ...(fallbackReason ? { fallbackReason } : {}),
      }),
  });
  const service = new EmbeddingService({
    registry,
    metrics,
    logger,
    cacheBytes: config.cacheBytes,
    maxPixels: config.maxPixels,
    storage: config.storeEmbeddings ? storage : undefined,
  });

  const app = new Hono<RequestContextEnv>();
  app.use('*', requestContext({ logger, metrics }));
  app.use('*', secureHeaders());
  app.route(
    '/',
    healthRoutes({ registry, storage, metrics, required: [config.defaultModel], draining: () => draining }),
  );
  app.route('/', modelRoutes(registry));
  app.route(
    '/',
    embeddingRoutes({
      service,
      registry,
      storage,
      maxBodyBytes: config.maxBodyBytes,
      defaultModel: config.defaultModel,
    }),
  );
  if (config.site) app.use('/*', serveStatic({ root: config.site }));
  app.notFound((c) =>
    c.json({ error: { code: 'http/not-found', message: `No route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((e, c) => {
    if (e instanceof HttpError) {
      for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
      return c.json({ error: e.toJSON() }, e.status as 400);
    }
    // 499 as nginx logs it: the client went away; nobody reads this response.
    if (e instanceof AbortError) return c.json({ error: e.toJSON() }, 499 as 400);
    if (e instanceof LabelKitError) {
      const status = STATUS_OF_CODE[e.code] ?? 500;
      logger.error('request failed', { requestId: c.get('requestId'), code: e.code, message: e.message });
      return c.json({ error: e.toJSON() }, status as 500);
    }
    logger.error('unexpected error', { requestId: c.get('requestId'), message: e.message, stack: e.stack });
    return c.json(
      { error: { code: 'server/internal', message: `Internal error (request ${c.get('requestId')})` } },
      500,
    );
  });

  return {
    app,
    config,
    registry,
    service,
    metrics,
    logger,
    warm: async () => {
      await registry.pool(config.defaultModel);
    },
    close: async (deadlineMs = 0) => {
      draining = true;
      await registry.close(deadlineMs);
    },
  };
}
