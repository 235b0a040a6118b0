export type { AppConfig, LabelKitApp } from './app.ts';
export { createApp } from './app.ts';
export type { AuthConfig, CorsConfig, JwtAlgorithm, JwtConfig, RateLimitConfig, TokenConfig } from './auth/config.ts';
export { can, type Principal, requireScope, Scope, scopeOf } from './auth/scopes.ts';
export type { LoadConfigInput, ServerConfig } from './config.ts';
export { defaultConfig, ExecutionProvider, loadConfig, OPTIONS, optionsHelp } from './config.ts';
export * from './datasets/index.ts';
export { EncoderPool, type EncoderPoolOptions } from './encoder/pool.ts';
export { normalizeToTensor, prepareImage, resizedSize } from './encoder/preprocess.ts';
export { EmbeddingService } from './encoder/service.ts';
export { ConfigError, HttpError, ModelError } from './errors.ts';
export { jsonLogger, type Logger, silentLogger } from './logger.ts';
export { Metrics } from './metrics.ts';
export { type AuthMiddlewareOptions, authenticate } from './middleware/auth/index.ts';
export { type CorsOptions, cors } from './middleware/cors/index.ts';
export { type RateLimitOptions, rateLimit } from './middleware/rate-limit/index.ts';
export type { SecureHeadersOptions } from './middleware/secure-headers/index.ts';
export { secureHeaders } from './middleware/secure-headers/index.ts';
export {
  isDetectorManifest,
  type ModelFile,
  type ModelManifest,
  type SamManifest,
  validateManifest,
} from './models/manifest.ts';
export { type PulledModel, type PullOptions, type PullProgress, pullModel } from './models/pull.ts';
export { builtinModelManifest, ModelRegistry } from './models/registry.ts';
export {
  backupDataset,
  type CopyReport,
  lineageFidelity,
  OpsError,
  restoreDataset,
  verifyDataset,
} from './ops/index.ts';
export { datasetRoutes } from './routes/datasets.ts';
export { EMBEDDING_CONTENT_TYPE, embeddingEtag } from './routes/embeddings.ts';
export { type StorageRoutesOptions, storageRoutes, UPLOAD_TYPES } from './routes/storage.ts';
export type { RunningServer, ServeOptions } from './serve.ts';
export { startServer } from './serve.ts';
export * from './storage/drivers/index.ts';
export {
  type AzureStorageConfig,
  type BuildStoragesOptions,
  buildStorages,
  bytesView,
  DATA_STORAGE,
  type FsStorageConfig,
  fsStorageSecret,
  type GcsStorageConfig,
  LocalStorage,
  normalizeKey,
  pingStorage,
  type S3StorageConfig,
  type Storage,
  type StorageConfig,
} from './storage/index.ts';
