import { randomBytes } from 'node:crypto';
import { serveStatic } from '@hono/node-server/serve-static';
import { AbortError, LabelKitError } from '@labelkit/core';
import { Hono } from 'hono';
import { type AuthEnv, can, type Principal } from './auth/scopes.ts';
import { defaultConfig, type ServerConfig } from './config.ts';
import { DATASET_STATUS, DatasetRegistry } from './datasets/index.ts';
import { EmbeddingService } from './encoder/service.ts';
import { HttpError } from './errors.ts';
import { PredictorFactory } from './jobs/predict.ts';
import { JobManager } from './jobs/runner.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { authenticate } from './middleware/auth/index.ts';
import { cors } from './middleware/cors/index.ts';
import { rateLimit } from './middleware/rate-limit/index.ts';
import { type RequestContextEnv, requestContext } from './middleware/request-context/index.ts';
import { secureHeaders } from './middleware/secure-headers/index.ts';
import { ModelRegistry } from './models/registry.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { embeddingRoutes } from './routes/embeddings.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { labelStudioRoutes } from './routes/labelstudio.ts';
import { modelRoutes } from './routes/models.ts';
import { storageRoutes } from './routes/storage.ts';
import { StorageError } from './storage/drivers/errors.ts';
import { FsDriver } from './storage/drivers/fs.ts';
import { fsSignedRoutes } from './storage/drivers/fs-routes.ts';
import type { StorageDriver } from './storage/drivers/types.ts';
import { buildStorages, bytesView, DATA_STORAGE, fsStorageSecret, type StorageConfig } from './storage/index.ts';

export interface AppConfig extends Partial<Omit<ServerConfig, 'storages'>> {
  /** Where logs go (JSON lines on stdout by default). */
  logger?: Logger;
  /**
   * The named storages (tests); default built from `storages`, `dataDir` and `signingSecret` by `buildStorages`.
   * Must hold `"data"`. Its fs drivers' signed URLs are served only when they were built with the same secret.
   */
  storages?: Map<string, StorageDriver> | Record<string, StorageConfig>;
}

type AppEnv = { Variables: RequestContextEnv['Variables'] & AuthEnv['Variables'] };

export interface LabelKitApp {
  app: Hono<AppEnv>;
  config: ServerConfig;
  registry: ModelRegistry;
  service: EmbeddingService;
  /** The datasets (configured and created) and their histories. */
  datasets: DatasetRegistry;
  storages: Map<string, StorageDriver>;
  /** Auto-annotation jobs (resumed by `warm()`, handed back by `close()`). */
  jobs: JobManager;
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
  'history/merge-conflict': 409,
  ...DATASET_STATUS,
};

/** Longest request URL (path and query) accepted; Node already caps the header block at 16 KiB. */
const MAX_URL_BYTES = 8 * 1024;

/** Builds the LabelKit Hono app from its configuration (defaults for everything not given). */
export function createApp(options: AppConfig = {}): LabelKitApp {
  const { logger = jsonLogger(), storages: given, ...rest } = options;
  const givenStorages = given instanceof Map ? given : undefined;
  const config: ServerConfig = {
    ...defaultConfig(),
    ...(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<ServerConfig>),
    ...(given && !(given instanceof Map) ? { storages: given } : {}),
  };
  const metrics = new Metrics();
  // Without a configured secret, signed URLs live as long as the process (and a fleet needs one shared secret).
  const signingSecret = config.signingSecret ?? randomBytes(32);
  const storages =
    givenStorages ??
    buildStorages({
      dataDir: config.dataDir,
      storages: config.storages,
      signingSecret,
      maxUploadBytes: config.maxUploadBytes,
    });
  const data = storages.get(DATA_STORAGE);
  if (!data) throw new TypeError('createApp: storages must hold "data"');
  const datasets = new DatasetRegistry({
    storages,
    datasets: config.datasets,
  });
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
    storage: config.storeEmbeddings ? bytesView(data) : undefined,
  });

  const app = new Hono<AppEnv>();
  app.use('*', requestContext({ logger, metrics }));
  app.use('*', secureHeaders());
  app.use('*', async (c, next) => {
    if (Buffer.byteLength(c.req.url) > MAX_URL_BYTES)
      throw new HttpError(414, 'request/url-too-long', `The URL is longer than ${MAX_URL_BYTES} bytes`);
    await next();
  });
  app.use('*', cors({ origins: config.cors.origins, credentials: config.auth.cookie !== undefined }));

  // Public: health, model files, and the fs signed URLs (they carry their own signature).
  app.route(
    '/',
    healthRoutes({ registry, storage: data, metrics, required: [config.defaultModel], draining: () => draining }),
  );
  app.route('/', modelRoutes(registry));
  for (const [name, driver] of storages)
    if (driver instanceof FsDriver)
      app.route(`/v1/storage/fs/${name}`, fsSignedRoutes(driver, fsStorageSecret(signingSecret, name)));

  app.use('/v1/*', authenticate({ auth: config.auth, allowedOrigins: config.cors.origins, logger }));
  app.use('/v1/embeddings', async (c, next) => {
    const p = c.get('principal');
    if (!config.auth.anonymousEncoder && (!p || p.via === 'anonymous'))
      throw new HttpError(401, 'auth/unauthenticated', 'A bearer token is required', {
        headers: { 'WWW-Authenticate': 'Bearer realm="labelkit"' },
      });
    await next();
  });
  app.use('/v1/embeddings/*', async (c, next) => {
    const p = c.get('principal');
    if (!config.auth.anonymousEncoder && (!p || p.via === 'anonymous'))
      throw new HttpError(401, 'auth/unauthenticated', 'A bearer token is required', {
        headers: { 'WWW-Authenticate': 'Bearer realm="labelkit"' },
      });
    await next();
  });
  app.on(
    'POST',
    '/v1/embeddings',
    rateLimit({ perMinute: config.rateLimit.encoderPerMinute, name: 'encoder', metrics }),
  );
  app.route(
    '/',
    embeddingRoutes({
      service,
      registry,
      storage: data,
      authorizeKey: (c) => {
        // In a server with credentials, `{ key }` reads any object of "data": only readers of every dataset.
        if (!config.auth.anonymousEncoder && !can(c.get('principal') as Principal | undefined, '*', 'read'))
          throw new HttpError(403, 'auth/forbidden', 'Reading images by key needs read access to every dataset');
      },
      maxBodyBytes: config.maxBodyBytes,
      defaultModel: config.defaultModel,
    }),
  );
  app.route(
    '/',
    storageRoutes({
      storages,
      maxUploadBytes: config.maxUploadBytes,
      datasets: { source: async (id) => (await datasets.get(id))?.dataset.source },
    }),
  );
  app.route(
    '/',
    datasetRoutes({
      registry: datasets,
      maxCommitBytes: config.maxBodyBytes,
      onCommit: (kind) => metrics.commits.inc({ kind }),
    }),
  );
  const predictors = new PredictorFactory({
    registry,
    service,
    cacheDir: config.modelCacheDir,
    maxPixels: config.maxPixels,
    executionProvider: config.executionProvider,
  });
  const jobs = new JobManager({ datasets, predictors, logger });
  const detectors = () => registry.detectors();
  app.route('/', jobRoutes({ datasets, jobs, detectors }));
  app.route('/v1/labelstudio', labelStudioRoutes({ datasets, predictors, detectors }));
  if (config.site) app.use('/*', serveStatic({ root: config.site }));
  app.notFound((c) =>
    c.json({ error: { code: 'http/not-found', message: `No route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((e, c) => {
    const requestId = c.get('requestId');
    if (e instanceof HttpError) {
      if (e.code.startsWith('auth/') && (e.status === 401 || e.status === 403))
        logger.warn('auth denied', { requestId, method: c.req.method, path: c.req.path, code: e.code });
      for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
      return c.json({ error: e.toJSON() }, e.status as 400);
    }
    // 499 as nginx logs it: the client went away; nobody reads this response.
    if (e instanceof AbortError) return c.json({ error: e.toJSON() }, 499 as 400);
    if (e instanceof StorageError) {
      if (e.status >= 500) logger.error('storage failed', { requestId, code: e.code });
      return c.json({ error: e.toJSON() }, e.status as 400);
    }
    if (e instanceof LabelKitError) {
      const status = STATUS_OF_CODE[e.code] ?? (e.code.startsWith('dataset/') ? 400 : 500);
      if (status >= 500) logger.error('request failed', { requestId, code: e.code, message: e.message });
      // Extra fields of a merge conflict (head, conflicts) travel with the error, as api.md shows.
      const extra = e.code === 'history/merge-conflict' ? conflictFields(e) : {};
      return c.json({ error: { ...e.toJSON(), ...extra } }, status as 500);
    }
    logger.error('unexpected error', { requestId, message: e.message, stack: e.stack });
    return c.json({ error: { code: 'server/internal', message: `Internal error (request ${requestId})` } }, 500);
  });

  return {
    app,
    config,
    registry,
    service,
    datasets,
    storages,
    jobs,
    metrics,
    logger,
    warm: async () => {
      jobs.resume().catch((e: unknown) => logger.error('job resume failed', { message: (e as Error).message }));
      await registry.pool(config.defaultModel);
    },
    close: async (deadlineMs = 0) => {
      draining = true;
      await jobs.close();
      await registry.close(deadlineMs);
    },
  };
}

function conflictFields(e: LabelKitError): Record<string, unknown> {
  const { head, conflicts } = e as unknown as { head?: unknown; conflicts?: unknown };
  return { ...(head === undefined ? {} : { head }), ...(conflicts === undefined ? {} : { conflicts }) };
}
