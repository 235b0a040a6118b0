/**
 * The datasets a server knows: those declared in the configuration and those created through the API (stored
 * as `datasets/<id>/dataset.json` in the default storage, read when first asked for and kept).
 */

import { canonicalBytes, type LabelDef, validateLabels } from '@labelkit/core';
import { DATASET_ID } from '../config-fields.ts';
import { isStorageError } from '../storage/drivers/errors.ts';
import { normalizePrefix } from '../storage/drivers/keys.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { DatasetError } from './errors.ts';
import { DatasetService, type DatasetServiceOptions } from './service.ts';
import type { DatasetConfig, ResolvedDataset, StorageLocation } from './types.ts';

export { DATASET_ID };

const MAX_TITLE = 200;
/**
 * Created datasets are also marked under this prefix so that listing them reads one small folder, not every
 * object of every history. No dataset id starts with `_`, so it never meets a dataset's own folder.
 */
const INDEX_PREFIX = 'datasets/_index/';
const datasetKey = (id: string) => `datasets/${id}/dataset.json`;

export interface DatasetRegistryOptions {
  /** Named storages (`data` among them). */
  storages: ReadonlyMap<string, StorageDriver>;
  /** Datasets from the configuration. */
  datasets?: readonly DatasetConfig[];
  /** Where created datasets and default targets live (default `data`). */
  defaultStorage?: string;
  /** Options of every dataset's service (cache size, commit attempts). */
  service?: DatasetServiceOptions;
}

type Fail = (message: string, path: string) => DatasetError;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function location(x: unknown, path: string, storages: ReadonlyMap<string, StorageDriver>, fail: Fail): StorageLocation {
  if (!isRecord(x)) throw fail('Expected { storage, prefix }', path);
  for (const k of Object.keys(x))
    if (k !== 'storage' && k !== 'prefix') throw fail(`Unknown field ${k}`, `${path}.${k}`);
  if (typeof x.storage !== 'string' || !storages.has(x.storage))
    throw fail('storage names no configured storage', `${path}.storage`);
  if (x.prefix !== undefined && typeof x.prefix !== 'string') throw fail('prefix is a string', `${path}.prefix`);
  try {
    return { storage: x.storage, prefix: normalizePrefix((x.prefix as string | undefined) ?? '') };
  } catch {
    throw fail('prefix is "" or /-separated key segments (no "..", "." or empty ones)', `${path}.prefix`);
  }
}

/** Checks a dataset declaration and applies its defaults; errors name the field under `path`. */
export function resolveDataset(
  x: unknown,
  path: string,
  storages: ReadonlyMap<string, StorageDriver>,
  defaultStorage: string,
  fail: Fail,
  configured: boolean,
): ResolvedDataset {
  if (!isRecord(x)) throw fail('A dataset is an object', path);
  const known = configured ? ['id', 'title', 'source', 'target', 'labels'] : ['id', 'title', 'source', 'labels'];
  for (const k of Object.keys(x)) if (!known.includes(k)) throw fail(`Unknown field ${k}`, `${path}.${k}`);
  if (typeof x.id !== 'string' || !DATASET_ID.test(x.id)) throw fail('id is [a-z0-9][a-z0-9._-]{0,63}', `${path}.id`);
  const id = x.id;
  if (x.title !== undefined && (typeof x.title !== 'string' || x.title.length > MAX_TITLE))
    throw fail(`title is a string of at most ${MAX_TITLE} characters`, `${path}.title`);
  let labels: LabelDef[] = [];
  if (x.labels !== undefined) {
    const v = validateLabels(x.labels, `${path}.labels`);
    if (!v.ok) throw fail(v.error.message, v.error.path ?? `${path}.labels`);
    labels = v.value;
  }
  const source =
    x.source === undefined
      ? { storage: defaultStorage, prefix: `datasets/${id}/images/` }
      : location(x.source, `${path}.source`, storages, fail);
  const target =
    x.target === undefined
      ? { storage: defaultStorage, prefix: `datasets/${id}/` }
      : location(x.target, `${path}.target`, storages, fail);
  if (storages.get(target.storage)?.readOnly) throw fail('The target storage is read-only', `${path}.target.storage`);
  return { id, title: (x.title as string | undefined) ?? id, labels, source, target, configured };
}

export class DatasetRegistry {
  readonly storages: ReadonlyMap<string, StorageDriver>;
  readonly defaultStorage: string;
  readonly #configured = new Map<string, DatasetService>();
  readonly #created = new Map<string, Promise<DatasetService | undefined>>();
  readonly #serviceOptions: DatasetServiceOptions;

  /** @throws DatasetError `dataset/invalid-config` naming the field (`$.datasets[2].source.storage`). */
  constructor(options: DatasetRegistryOptions) {
    this.storages = options.storages;
    this.defaultStorage = options.defaultStorage ?? 'data';
    this.#serviceOptions = options.service ?? {};
    const fail: Fail = (message, path) => new DatasetError('dataset/invalid-config', message, { path });
    if (!this.storages.has(this.defaultStorage)) throw fail(`No storage named ${this.defaultStorage}`, '$.storages');
    (options.datasets ?? []).forEach((d, i) => {
      const r = resolveDataset(d, `$.datasets[${i}]`, this.storages, this.defaultStorage, fail, true);
      if (this.#configured.has(r.id)) throw fail(`Dataset ${r.id} is declared twice`, `$.datasets[${i}].id`);
      this.#configured.set(r.id, this.#service(r));
    });
  }

  #service(r: ResolvedDataset): DatasetService {
    const driver = (name: string) => this.storages.get(name) as StorageDriver;
    return new DatasetService(r, driver(r.source.storage), driver(r.target.storage), this.#serviceOptions);
  }

  get #data(): StorageDriver {
    return this.storages.get(this.defaultStorage) as StorageDriver;
  }

  /** The dataset `id`, or undefined when there is none (ids that could not be datasets included). */
  async get(id: string): Promise<DatasetService | undefined> {
    const configured = this.#configured.get(id);
    if (configured) return configured;
    if (!DATASET_ID.test(id)) return undefined;
    let p = this.#created.get(id);
    if (!p) {
      p = this.#load(id);
      this.#created.set(id, p);
      // Not remembered as absent: another server of the fleet may create it a moment later.
      p.then(
        (s) => s ?? this.#created.delete(id),
        () => this.#created.delete(id),
      );
    }
    return p;
  }

  async #load(id: string): Promise<DatasetService | undefined> {
    const found = await this.#data.get(datasetKey(id));
    if (!found) return undefined;
    const fail: Fail = (message, path) =>
      new DatasetError('dataset/invalid-config', `${datasetKey(id)}: ${message}`, { path });
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(found.body));
    } catch {
      throw fail('not JSON', '$');
    }
    const r = resolveDataset(json, '$', this.storages, this.defaultStorage, fail, false);
    if (r.id !== id) throw fail('its id is not its folder', '$.id');
    return this.#service(r);
  }

  /** Every dataset: the configured ones, then the created ones in id order. */
  async list(): Promise<DatasetService[]> {
    const out = [...this.#configured.values()];
    let cursor: string | undefined;
    do {
      const page = await this.#data.list(INDEX_PREFIX, cursor === undefined ? {} : { cursor });
      const ids = page.keys.map((k) => k.key.slice(INDEX_PREFIX.length)).filter((id) => !this.#configured.has(id));
      for (const s of await Promise.all(ids.map((id) => this.get(id)))) if (s) out.push(s);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return out;
  }

  async #mark(id: string): Promise<void> {
    try {
      await this.#data.put(`${INDEX_PREFIX}${id}`, new Uint8Array(0), { ifNoneMatch: '*' });
    } catch (e) {
      if (!isStorageError(e, 'storage/precondition-failed')) throw e;
    }
  }

  /**
   * Creates a dataset from a `POST /v1/datasets` body: `{ id, title?, labels?, source?: { storage, prefix } }`.
   * @throws DatasetError `dataset/invalid-request` naming the field, `dataset/exists`.
   */
  async create(body: unknown): Promise<DatasetService> {
    const fail: Fail = (message, path) => new DatasetError('dataset/invalid-request', message, { path });
    const r = resolveDataset(body, '$', this.storages, this.defaultStorage, fail, false);
    const exists = () => new DatasetError('dataset/exists', `Dataset ${r.id} exists`, { path: '$.id' });
    if (this.#configured.has(r.id)) throw exists();
    const stored = { id: r.id, title: r.title, labels: r.labels, source: r.source };
    try {
      await this.#data.put(datasetKey(r.id), canonicalBytes(stored), {
        ifNoneMatch: '*',
        contentType: 'application/json',
      });
    } catch (e) {
      if (!isStorageError(e, 'storage/precondition-failed')) throw e;
      // Also repairs the index entry of a creation that stopped between its two writes.
      await this.#mark(r.id);
      throw exists();
    }
    await this.#mark(r.id);
    const service = this.#service(r);
    this.#created.set(r.id, Promise.resolve(service));
    return service;
  }
}
