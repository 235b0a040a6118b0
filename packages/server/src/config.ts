/**
 * Server configuration: defaults, then `labelkit.config.json`, then environment variables, then command-line
 * flags. Every option is described once in {@link OPTIONS}, which also writes `labelkit serve --help`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { err, ok, type Result } from '@labelkit/core';
import {
  type AuthConfig,
  type CorsConfig,
  checkAuthAndCors,
  defaultAuthConfig,
  defaultRateLimit,
  parseAuth,
  parseCors,
  parseOrigin,
  parseRateLimit,
  parseSigningSecret,
  type RateLimitConfig,
} from './auth/config.ts';
import { ConfigError } from './errors.ts';
import { type ModelManifest, validateManifest } from './models/manifest.ts';
import { type DatasetConfig, parseDatasets, parseStorages, type StorageConfig } from './storage/registry.ts';

export const ExecutionProvider = { Cpu: 'cpu', Cuda: 'cuda' } as const;
export type ExecutionProvider = (typeof ExecutionProvider)[keyof typeof ExecutionProvider];

export interface ServerConfig {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Address to listen on. */
  host: string;
  /** Folder of the site served at `/`, or none. */
  site: string | undefined;
  /** Local storage folder (images named by `{ key }`, and the shared embedding copies). */
  dataDir: string;
  /** Folder where downloaded model files are kept. */
  modelCacheDir: string;
  /** onnxruntime execution provider for encoders; `cuda` falls back to `cpu` with a logged reason. */
  executionProvider: ExecutionProvider;
  /** Encoder worker threads per model (jobs run at once). */
  encoderWorkers: number;
  /** Jobs that may wait for a worker; beyond that, 503 with Retry-After. */
  queueLength: number;
  /** Largest request body in bytes, enforced while it streams in. */
  maxBodyBytes: number;
  /** Largest image in pixels (width x height), checked from the header before decoding. */
  maxPixels: number;
  /** Bytes of embeddings kept in the in-memory LRU. */
  cacheBytes: number;
  /** Also keep embeddings in storage under `embeddings/<model>/<sha256>.bin`, shared by a fleet of servers. */
  storeEmbeddings: boolean;
  /** Seconds a SIGTERM waits for running encoder jobs before exiting. */
  shutdownSeconds: number;
  /** Model used when a request names none. */
  defaultModel: string;
  /** Extra model manifests (the built-in model is always present). Only in the config file. */
  models: ModelManifest[];
  /** Largest upload through a signed fs PUT URL (and the most a sign request may ask for), in bytes. */
  maxUploadBytes: number;
  /** Named storages besides `"data"` (an fs storage on `dataDir`). Only in the config file. */
  storages: Record<string, StorageConfig>;
  /** Datasets declared in the config file. */
  datasets: DatasetConfig[];
  /** Bearer tokens, JWTs, anonymous scopes, session cookie. Only in the config file. */
  auth: AuthConfig;
  /** Origins allowed to call the API from a browser (env `LABELKIT_CORS_ORIGINS`, comma-separated). */
  cors: CorsConfig;
  /** HMAC key of fs signed URLs (env `LABELKIT_SIGNING_SECRET`); random per process when unset. */
  signingSecret: string | undefined;
  /** Encoder requests per minute per principal. */
  rateLimit: RateLimitConfig;
}

/** Keys of {@link ServerConfig} that are not simple command-line options. */
type StructuredKey = 'models' | 'storages' | 'datasets' | 'auth' | 'cors' | 'signingSecret' | 'rateLimit';

type Kind = 'int' | 'string' | 'boolean' | 'provider';
interface OptionSpec {
  key: Exclude<keyof ServerConfig, StructuredKey>;
  flag: string;
  env: string;
  kind: Kind;
  doc: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'port', flag: 'port', env: 'LABELKIT_PORT', kind: 'int', doc: 'port to listen on; 0 picks a free one' },
  { key: 'host', flag: 'host', env: 'LABELKIT_HOST', kind: 'string', doc: 'address to listen on' },
  { key: 'site', flag: 'site', env: 'LABELKIT_SITE', kind: 'string', doc: 'folder of the site served at /' },
  { key: 'dataDir', flag: 'data', env: 'LABELKIT_DATA_DIR', kind: 'string', doc: 'local storage folder' },
  {
    key: 'modelCacheDir',
    flag: 'model-cache',
    env: 'LABELKIT_MODEL_CACHE',
    kind: 'string',
    doc: 'folder for downloaded model files',
  },
  {
    key: 'executionProvider',
    flag: 'execution-provider',
    env: 'LABELKIT_EP',
    kind: 'provider',
    doc: 'cpu or cuda (opt-in; needs the CUDA libraries; falls back to cpu)',
  },
  {
    key: 'encoderWorkers',
    flag: 'encoder-workers',
    env: 'LABELKIT_ENCODER_WORKERS',
    kind: 'int',
    doc: 'encoder jobs run at once per model (worker threads)',
  },
  {
    key: 'queueLength',
    flag: 'queue-length',
    env: 'LABELKIT_QUEUE_LENGTH',
    kind: 'int',
    doc: 'encoder jobs that may wait; beyond, 503 + Retry-After',
  },
  {
    key: 'maxBodyBytes',
    flag: 'max-body-bytes',
    env: 'LABELKIT_MAX_BODY_BYTES',
    kind: 'int',
    doc: 'largest request body (bytes)',
  },
  {
    key: 'maxUploadBytes',
    flag: 'max-upload-bytes',
    env: 'LABELKIT_MAX_UPLOAD_BYTES',
    kind: 'int',
    doc: 'largest upload through a signed storage URL (bytes)',
  },
  {
    key: 'maxPixels',
    flag: 'max-pixels',
    env: 'LABELKIT_MAX_PIXELS',
    kind: 'int',
    doc: 'largest image (width x height), checked before decoding',
  },
  {
    key: 'cacheBytes',
    flag: 'cache-bytes',
    env: 'LABELKIT_CACHE_BYTES',
    kind: 'int',
    doc: 'in-memory embedding cache size (bytes)',
  },
  {
    key: 'storeEmbeddings',
    flag: 'store-embeddings',
    env: 'LABELKIT_STORE_EMBEDDINGS',
    kind: 'boolean',
    doc: 'also keep embeddings in storage (embeddings/<model>/<sha256>.bin)',
  },
  {
    key: 'shutdownSeconds',
    flag: 'shutdown-seconds',
    env: 'LABELKIT_SHUTDOWN_SECONDS',
    kind: 'int',
    doc: 'on SIGTERM, seconds to let running jobs finish',
  },
  {
    key: 'defaultModel',
    flag: 'default-model',
    env: 'LABELKIT_DEFAULT_MODEL',
    kind: 'string',
    doc: 'model used when a request names none',
  },
];

export function defaultConfig(cwd = process.cwd()): ServerConfig {
  return {
    port: 8787,
    host: '127.0.0.1',
    site: existsSync(resolve(cwd, 'examples')) ? resolve(cwd, 'examples') : undefined,
    dataDir: resolve(cwd, 'data'),
    // Model weights are large and shared by projects: the user's cache folder, not the working tree.
    modelCacheDir: join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'labelkit', 'models'),
    executionProvider: 'cpu',
    encoderWorkers: 1,
    queueLength: 8,
    maxBodyBytes: 32 * 1024 * 1024,
    maxPixels: 64 * 1024 * 1024,
    cacheBytes: 512 * 1024 * 1024,
    storeEmbeddings: false,
    shutdownSeconds: 10,
    defaultModel: 'builtin',
    models: [],
    maxUploadBytes: 100 * 1024 * 1024,
    storages: {},
    datasets: [],
    auth: defaultAuthConfig(),
    cors: { origins: [] },
    signingSecret: undefined,
    rateLimit: defaultRateLimit(),
  };
}

/**
 * Settings read only from the environment (a secret on the command line would show in `ps`), and the
 * sections only the config file holds.
 */
export const ENV_ONLY: readonly { env: string; doc: string }[] = [
  { env: 'LABELKIT_SIGNING_SECRET', doc: 'HMAC key of fs signed URLs, 32+ characters (config "signingSecret")' },
  { env: 'LABELKIT_CORS_ORIGINS', doc: 'comma-separated exact origins allowed cross-origin (config "cors.origins")' },
];

/** The `--help` text of `labelkit serve`, one line per option. */
export function optionsHelp(): string {
  const d = defaultConfig('.');
  return OPTIONS.map((o) => {
    const def = d[o.key];
    const flag = `--${o.flag}${o.kind === 'boolean' ? '' : ' V'}`.padEnd(26);
    return `  ${flag}${o.doc} (env ${o.env}; config "${o.key}"${def === undefined ? '' : `; default ${def}`})`;
  })
    .concat(ENV_ONLY.map((e) => `  ${`env ${e.env}`.padEnd(26)}${e.doc}`))
    .concat([
      '  config file only:         "storages", "datasets", "auth" (tokens, jwt, anonymous, cookie), "rateLimit"',
      '                            (see SECURITY.md)',
    ])
    .join('\n');
}

function parseValue(spec: OptionSpec, raw: unknown, where: string): Result<unknown, ConfigError> {
  const bad = (want: string) =>
    err(
      new ConfigError('config/invalid-value', `${where}: ${spec.key} must be ${want}, got ${JSON.stringify(raw)}`, {
        path: `$.${spec.key}`,
      }),
    );
  switch (spec.kind) {
    case 'int': {
      const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return bad('a non-negative integer');
      if (spec.key === 'port' && n > 65535) return bad('a port 0-65535');
      if ((spec.key === 'encoderWorkers' || spec.key === 'maxPixels' || spec.key === 'maxBodyBytes') && n < 1)
        return bad('at least 1');
      return ok(n);
    }
    case 'boolean':
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === '1') return ok(true);
      if (raw === 'false' || raw === '0') return ok(false);
      return bad('true or false');
    case 'provider':
      return raw === 'cpu' || raw === 'cuda' ? ok(raw) : bad('"cpu" or "cuda"');
    case 'string':
      return typeof raw === 'string' && raw.length > 0 ? ok(raw) : bad('a non-empty string');
  }
}

export interface LoadConfigInput {
  /** Path of the config file; default `labelkit.config.json` in `cwd` when it exists. */
  file?: string | undefined;
  /** The config file's content as an object (embedding the server in a Node program); replaces `file`. */
  config?: unknown;
  env?: Record<string, string | undefined>;
  /** Values from command-line flags, by flag name (`port`, `execution-provider`...). */
  flags?: Record<string, string | boolean | undefined>;
  cwd?: string;
}

const PATH_KEYS = new Set(['site', 'dataDir', 'modelCacheDir']);
const STRUCTURED = { storages: 1, datasets: 1, auth: 1, cors: 1, rateLimit: 1, signingSecret: 1 } as const;

/** Builds the configuration; every problem is a {@link ConfigError} with the field's path. */
export function loadConfig(input: LoadConfigInput = {}): Result<ServerConfig, ConfigError> {
  const cwd = input.cwd ?? process.cwd();
  const env = input.env ?? process.env;
  const config = defaultConfig(cwd) as unknown as Record<string, unknown>;
  const structured: Record<string, unknown> = {};
  const explicit = input.file ?? env.LABELKIT_CONFIG;
  const file =
    input.config !== undefined
      ? '(config object)'
      : explicit
        ? resolve(cwd, explicit)
        : resolve(cwd, 'labelkit.config.json');
  if (input.config !== undefined || explicit || existsSync(file)) {
    let json: unknown = input.config;
    if (input.config === undefined) {
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (cause) {
        return err(
          new ConfigError('config/unreadable', `Cannot read ${file} as JSON: ${(cause as Error).message}`, { cause }),
        );
      }
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      return err(new ConfigError('config/invalid-value', `${file} must hold a JSON object`, { path: '$' }));
    for (const [key, raw] of Object.entries(json)) {
      if (key === '$schema') continue;
      if (key === 'models') {
        if (!Array.isArray(raw))
          return err(new ConfigError('config/invalid-value', `${file}: models must be an array`, { path: '$.models' }));
        const models: ModelManifest[] = [];
        for (const [i, m] of raw.entries()) {
          const r = validateManifest(m, `$.models[${i}]`, file);
          if (!r.ok)
            return err(
              new ConfigError(r.error.code, `${file}: ${r.error.message}`, { path: r.error.path ?? `$.models[${i}]` }),
            );
          models.push(r.value);
        }
        config.models = models;
        continue;
      }
      if (key in STRUCTURED) {
        structured[key] = raw;
        continue;
      }
      const spec = OPTIONS.find((o) => o.key === key);
      if (!spec)
        return err(
          new ConfigError('config/unknown-option', `${file}: unknown option "${key}" (see labelkit serve --help)`, {
            path: `$.${key}`,
          }),
        );
      const v = parseValue(spec, raw, file);
      if (!v.ok) return v;
      config[spec.key] = PATH_KEYS.has(spec.key) ? resolve(cwd, v.value as string) : v.value;
    }
  }
  try {
    const storages = parseStorages(structured.storages ?? {}, cwd);
    config.storages = storages;
    config.datasets = parseDatasets(structured.datasets ?? [], new Set(['data', ...Object.keys(storages)]));
    if (structured.auth !== undefined) config.auth = parseAuth(structured.auth);
    if (structured.cors !== undefined) config.cors = parseCors(structured.cors);
    if (structured.rateLimit !== undefined) config.rateLimit = parseRateLimit(structured.rateLimit);
    if (structured.signingSecret !== undefined) config.signingSecret = parseSigningSecret(structured.signingSecret);
    if (env.LABELKIT_SIGNING_SECRET)
      config.signingSecret = parseSigningSecret(env.LABELKIT_SIGNING_SECRET, 'LABELKIT_SIGNING_SECRET');
    if (env.LABELKIT_CORS_ORIGINS)
      config.cors = {
        origins: env.LABELKIT_CORS_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter((o) => o !== '')
          .map((o, i) => parseOrigin(o, `LABELKIT_CORS_ORIGINS[${i}]`)),
      };
    checkAuthAndCors(config.auth as AuthConfig, config.cors as CorsConfig);
  } catch (e) {
    if (e instanceof ConfigError) return err(new ConfigError(e.code, `${file}: ${e.message}`, { path: e.path ?? '$' }));
    throw e;
  }
  for (const spec of OPTIONS) {
    const fromEnv = env[spec.env];
    const fromFlag = input.flags?.[spec.flag];
    for (const [raw, where] of [
      [fromEnv, spec.env],
      [fromFlag, `--${spec.flag}`],
    ] as const) {
      if (raw === undefined || raw === '') continue;
      const v = parseValue(spec, raw, where);
      if (!v.ok) return v;
      config[spec.key] = PATH_KEYS.has(spec.key) ? resolve(cwd, v.value as string) : v.value;
    }
  }
  return ok(config as unknown as ServerConfig);
}
