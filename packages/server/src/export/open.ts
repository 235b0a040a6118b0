/**
 * A dataset of the server's configuration, opened outside the server (the `import`/`export` commands): the
 * same storages (`buildStorages`) and datasets (`DatasetRegistry`) as `labelkit serve` would use.
 */
import { randomBytes } from 'node:crypto';
import { LabelKitError } from '@labelkit/core';
import { loadConfig } from '../config.ts';
import { DatasetRegistry, type DatasetRegistryOptions } from '../datasets/registry.ts';
import type { DatasetService } from '../datasets/service.ts';
import { buildStorages } from '../storage/registry.ts';

export interface OpenDatasetOptions {
  /** The dataset id. */
  dataset: string;
  /** Config file (default `labelkit.config.json` in `cwd` when it exists, or env `LABELKIT_CONFIG`). */
  config?: string;
  /** Overrides the config's `dataDir` (the "data" storage). */
  dataDir?: string;
  /** Folder relative paths are resolved against (default the process's). */
  cwd?: string;
  /** Environment read for `LABELKIT_*` settings (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** @throws ConfigError for a bad config, LabelKitError `dataset/unknown-dataset` for an id with no dataset. */
export async function openDataset(
  options: OpenDatasetOptions,
): Promise<{ service: DatasetService; registry: DatasetRegistry }> {
  const loaded = loadConfig({
    ...(options.config ? { file: options.config } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    flags: options.dataDir ? { data: options.dataDir } : {},
  });
  if (!loaded.ok) throw loaded.error;
  const cfg = loaded.value;
  const storages = buildStorages({
    dataDir: cfg.dataDir,
    storages: cfg.storages,
    // Nothing is signed here: a random key keeps the fs drivers' signing well-formed without a configured one.
    signingSecret: cfg.signingSecret ?? randomBytes(32),
    maxUploadBytes: cfg.maxUploadBytes,
  });
  const registry = new DatasetRegistry({
    storages,
    // The config checked the shape; the registry checks the labels (typed unknown[] there) and the rest.
    datasets: cfg.datasets as DatasetRegistryOptions['datasets'],
  });
  const service = await registry.get(options.dataset);
  if (!service)
    throw new LabelKitError(
      'dataset/unknown-dataset',
      `no dataset "${options.dataset}" in the configuration or in ${cfg.dataDir}`,
      {
        path: '$.dataset',
      },
    );
  return { service, registry };
}
