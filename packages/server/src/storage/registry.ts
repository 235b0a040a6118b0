/**
 * The named storages of the configuration (`"storages"`, plus `"data"`, an fs driver on `dataDir`), and the
 * light checks of `"datasets"` that need them. Endpoints come only from here, never from a request.
 */

import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { jsonPath } from '@labelkit/core';
import { bad, DATASET_ID, object, onlyKeys } from '../config-fields.ts';
import type { DatasetConfig } from '../datasets/types.ts';
import type { AzureDriverOptions } from './drivers/azure.ts';
import { FsDriver } from './drivers/fs.ts';
import type { GcsDriverOptions } from './drivers/gcs.ts';
import { lazyDriver } from './drivers/lazy.ts';
import { S3Driver } from './drivers/s3.ts';
import type { StorageDriver } from './drivers/types.ts';

export interface FsStorageConfig {
  driver: 'fs';
  /** Folder of the objects (resolved against the working folder). */
  root: string;
  prefix?: string;
  readOnly?: boolean;
}

export interface S3StorageConfig {
  driver: 's3';
  bucket: string;
  endpoint?: string;
  publicEndpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  prefix?: string;
  readOnly?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AzureStorageConfig extends Omit<AzureDriverOptions, 'container'> {
  driver: 'azure';
  container: string;
}

export interface GcsStorageConfig extends GcsDriverOptions {
  driver: 'gcs';
}

export type StorageConfig = FsStorageConfig | S3StorageConfig | AzureStorageConfig | GcsStorageConfig;

export type { DatasetConfig };

/** Storage names appear in URLs (`/v1/storage/fs/<name>/...`). */
export const STORAGE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export { DATASET_ID };
export const DATA_STORAGE = 'data';

const optString = (o: Record<string, unknown>, k: string, path: string): string | undefined => {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(jsonPath(path, k), `${jsonPath(path, k)} must be a string`);
  return v;
};
const optBool = (o: Record<string, unknown>, k: string, path: string): boolean | undefined => {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw bad(jsonPath(path, k), `${jsonPath(path, k)} must be true or false`);
  return v;
};

const optInt = (o: Record<string, unknown>, k: string, path: string): number | undefined => {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 1)
    throw bad(jsonPath(path, k), `${jsonPath(path, k)} must be a positive integer`);
  return v as number;
};

const AZURE_STRINGS = ['container', 'connectionString', 'accountName', 'accountKey', 'accountUrl', 'sasToken'] as const;
const GCS_STRINGS = ['bucket', 'projectId', 'keyFilename'] as const;

function httpUrl(o: Record<string, unknown>, k: string, path: string): string | undefined {
  const v = optString(o, k, path);
  if (v === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw bad(jsonPath(path, k), `${jsonPath(path, k)} must be an http(s) URL without credentials`);
  return v;
}

function parseStorage(raw: unknown, path: string, cwd: string): StorageConfig {
  const o = object(raw, path);
  const prefix = optString(o, 'prefix', path);
  const readOnly = optBool(o, 'readOnly', path);
  const common = { ...(prefix === undefined ? {} : { prefix }), ...(readOnly === undefined ? {} : { readOnly }) };
  if (o.driver === 'fs') {
    onlyKeys(o, ['driver', 'root', 'prefix', 'readOnly'], path);
    const root = optString(o, 'root', path);
    if (!root) throw bad(`${path}.root`, `${path}.root is required for an fs storage`);
    return { driver: 'fs', root: resolve(cwd, root), ...common };
  }
  if (o.driver === 's3') {
    onlyKeys(
      o,
      [
        'driver',
        'bucket',
        'endpoint',
        'publicEndpoint',
        'region',
        'forcePathStyle',
        'prefix',
        'readOnly',
        'credentials',
      ],
      path,
    );
    const bucket = optString(o, 'bucket', path);
    if (!bucket) throw bad(`${path}.bucket`, `${path}.bucket is required for an s3 storage`);
    const endpoint = httpUrl(o, 'endpoint', path);
    const publicEndpoint = httpUrl(o, 'publicEndpoint', path);
    const region = optString(o, 'region', path);
    const forcePathStyle = optBool(o, 'forcePathStyle', path);
    let credentials: S3StorageConfig['credentials'];
    if (o.credentials !== undefined) {
      const c = object(o.credentials, `${path}.credentials`);
      onlyKeys(c, ['accessKeyId', 'secretAccessKey', 'sessionToken'], `${path}.credentials`);
      const accessKeyId = optString(c, 'accessKeyId', `${path}.credentials`);
      const secretAccessKey = optString(c, 'secretAccessKey', `${path}.credentials`);
      const sessionToken = optString(c, 'sessionToken', `${path}.credentials`);
      if (!accessKeyId || !secretAccessKey)
        throw bad(`${path}.credentials`, 'credentials need accessKeyId and secretAccessKey');
      credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    }
    return {
      driver: 's3',
      bucket,
      ...(endpoint ? { endpoint } : {}),
      ...(publicEndpoint ? { publicEndpoint } : {}),
      ...(region ? { region } : {}),
      ...(forcePathStyle === undefined ? {} : { forcePathStyle }),
      ...(credentials ? { credentials } : {}),
      ...common,
    };
  }
  if (o.driver === 'azure') {
    onlyKeys(o, ['driver', ...AZURE_STRINGS, 'publicEndpoint', 'prefix', 'readOnly', 'maxTries'], path);
    const container = optString(o, 'container', path);
    if (!container) throw bad(`${path}.container`, `${path}.container is required for an azure storage`);
    const strings = Object.fromEntries(AZURE_STRINGS.map((k) => [k, optString(o, k, path)]).filter(([, v]) => v));
    if (!strings.connectionString && !strings.accountName && !strings.accountUrl)
      throw bad(path, `${path} needs connectionString, accountName + accountKey, or accountUrl + sasToken`);
    const publicEndpoint = httpUrl(o, 'publicEndpoint', path);
    const maxTries = optInt(o, 'maxTries', path);
    return {
      driver: 'azure',
      ...strings,
      container,
      ...(publicEndpoint ? { publicEndpoint } : {}),
      ...(maxTries === undefined ? {} : { maxTries }),
      ...common,
    };
  }
  if (o.driver === 'gcs') {
    onlyKeys(
      o,
      ['driver', ...GCS_STRINGS, 'credentials', 'apiEndpoint', 'publicEndpoint', 'prefix', 'readOnly', 'maxRetries'],
      path,
    );
    const bucket = optString(o, 'bucket', path);
    if (!bucket) throw bad(`${path}.bucket`, `${path}.bucket is required for a gcs storage`);
    const strings = Object.fromEntries(GCS_STRINGS.map((k) => [k, optString(o, k, path)]).filter(([, v]) => v));
    let credentials: GcsStorageConfig['credentials'];
    if (o.credentials !== undefined) {
      const c = object(o.credentials, `${path}.credentials`);
      const email = optString(c, 'client_email', `${path}.credentials`);
      const key = optString(c, 'private_key', `${path}.credentials`);
      if (!email || !key) throw bad(`${path}.credentials`, 'credentials need client_email and private_key');
      credentials = { ...c, client_email: email, private_key: key };
    }
    const apiEndpoint = httpUrl(o, 'apiEndpoint', path);
    const publicEndpoint = httpUrl(o, 'publicEndpoint', path);
    const maxRetries = optInt(o, 'maxRetries', path);
    return {
      driver: 'gcs',
      ...strings,
      bucket,
      ...(credentials ? { credentials } : {}),
      ...(apiEndpoint ? { apiEndpoint } : {}),
      ...(publicEndpoint ? { publicEndpoint } : {}),
      ...(maxRetries === undefined ? {} : { maxRetries }),
      ...common,
    };
  }
  throw bad(`${path}.driver`, `${path}.driver must be "fs", "s3", "azure" or "gcs", got ${JSON.stringify(o.driver)}`);
}

/**
 * `"storages": { "<name>": { "driver": "fs"|"s3"|"azure"|"gcs", ... } }`. `"data"` (datasets created at run time,
 * default targets, stored embeddings) is an fs storage on `dataDir` unless it is given here: a fleet of servers
 * points it at one bucket so that they share everything.
 */
export function parseStorages(raw: unknown, cwd: string, path = '$.storages'): Record<string, StorageConfig> {
  const o = object(raw, path);
  const out: Record<string, StorageConfig> = {};
  for (const [name, v] of Object.entries(o)) {
    const p = jsonPath(path, name);
    if (!STORAGE_NAME.test(name)) throw bad(p, `storage name "${name}" must match ${STORAGE_NAME.source}`);
    out[name] = parseStorage(v, p, cwd);
  }
  return out;
}

function parseLocation(raw: unknown, path: string, storages: ReadonlySet<string>) {
  const o = object(raw, path);
  onlyKeys(o, ['storage', 'prefix'], path);
  const storage = optString(o, 'storage', path) ?? DATA_STORAGE;
  if (!storages.has(storage)) throw bad(`${path}.storage`, `no storage named "${storage}" is configured`);
  const prefix = optString(o, 'prefix', path) ?? '';
  return { storage, prefix };
}

/** `"datasets": [...]`: ids, storages named and their shape; the dataset registry checks the labels. */
export function parseDatasets(raw: unknown, storageNames: ReadonlySet<string>, path = '$.datasets'): DatasetConfig[] {
  if (!Array.isArray(raw)) throw bad(path, `${path} must be an array`);
  const seen = new Set<string>();
  return raw.map((d, i) => {
    const p = `${path}[${i}]`;
    const o = object(d, p);
    onlyKeys(o, ['id', 'title', 'source', 'target', 'labels'], p);
    if (typeof o.id !== 'string' || !DATASET_ID.test(o.id))
      throw bad(`${p}.id`, `dataset id must match ${DATASET_ID.source}`);
    if (seen.has(o.id)) throw bad(`${p}.id`, `dataset "${o.id}" is declared twice`);
    seen.add(o.id);
    const title = optString(o, 'title', p);
    if (o.labels !== undefined && !Array.isArray(o.labels)) throw bad(`${p}.labels`, 'labels must be an array');
    return {
      id: o.id,
      ...(title === undefined ? {} : { title }),
      ...(o.source === undefined ? {} : { source: parseLocation(o.source, `${p}.source`, storageNames) }),
      ...(o.target === undefined ? {} : { target: parseLocation(o.target, `${p}.target`, storageNames) }),
      // The dataset registry checks each label (core validateLabels) when it loads the datasets.
      ...(o.labels === undefined ? {} : { labels: o.labels as DatasetConfig['labels'] }),
    };
  });
}

/**
 * The HMAC key of one fs storage's signed URLs, derived from the signing secret and the storage's name, so a
 * URL signed for one storage is refused by every other (their keys may coincide, their folders do not).
 */
export function fsStorageSecret(signingSecret: string | Uint8Array, name: string): Buffer {
  return createHmac('sha256', signingSecret).update(`labelkit-fs-storage\n${name}`).digest();
}

export interface BuildStoragesOptions {
  dataDir: string;
  storages: Record<string, StorageConfig>;
  signingSecret: string | Uint8Array;
  /** Most bytes a signed fs PUT may carry. */
  maxUploadBytes: number;
  /** Base of the fs signed routes (default `/v1/storage/fs`); each storage is under `<base>/<name>`. */
  fsBaseUrl?: string;
}

/** Builds every configured driver, `"data"` first. Nothing here contacts a storage. */
export function buildStorages(options: BuildStoragesOptions): Map<string, StorageDriver> {
  const base = (options.fsBaseUrl ?? '/v1/storage/fs').replace(/\/+$/, '');
  const fs = (name: string, root: string, extra: { prefix?: string; readOnly?: boolean } = {}) =>
    new FsDriver({
      root,
      ...extra,
      secret: fsStorageSecret(options.signingSecret, name),
      signBaseUrl: `${base}/${name}`,
      maxUploadBytes: options.maxUploadBytes,
    });
  const out = new Map<string, StorageDriver>();
  if (!options.storages[DATA_STORAGE]) out.set(DATA_STORAGE, fs(DATA_STORAGE, options.dataDir));
  for (const [name, s] of Object.entries(options.storages)) {
    const { prefix, readOnly } = s;
    const extra = { ...(prefix === undefined ? {} : { prefix }), ...(readOnly === undefined ? {} : { readOnly }) };
    if (s.driver === 'fs') out.set(name, fs(name, s.root, extra));
    else if (s.driver === 's3') {
      const { driver: _driver, ...rest } = s;
      out.set(name, new S3Driver(rest));
    } else if (s.driver === 'azure') {
      const { driver: _driver, ...rest } = s;
      out.set(
        name,
        lazyDriver('azure', readOnly ?? false, async () => new (await import('./drivers/azure.ts')).AzureDriver(rest)),
      );
    } else {
      const { driver: _driver, ...rest } = s;
      out.set(
        name,
        lazyDriver('gcs', readOnly ?? false, async () => new (await import('./drivers/gcs.ts')).GcsDriver(rest)),
      );
    }
  }
  return out;
}
