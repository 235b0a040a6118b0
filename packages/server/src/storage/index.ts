/**
 * Storage as the server uses it: named `StorageDriver`s (drivers/, built from the configuration by registry.ts),
 * and the small byte view the encoder service keeps embeddings in.
 */
import { mkdir } from 'node:fs/promises';
import { FsDriver } from './drivers/fs.ts';
import type { StorageDriver } from './drivers/types.ts';

/** The byte view of a driver that the encoder service reads and writes embedding copies through. */
export interface Storage {
  /** The object's bytes, or undefined when there is none. Throws `storage/...` errors for bad keys. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes an object (whole, atomically: readers never see half of it). */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Whether the storage answers (for `/readyz`). */
  ping(): Promise<boolean>;
}

/**
 * Whether a driver answers: an fs root can be created, an s3 bucket can be listed. Never throws (the error may
 * name an endpoint, so it is dropped).
 */
export async function pingStorage(driver: StorageDriver): Promise<boolean> {
  try {
    if (driver instanceof FsDriver) await mkdir(driver.root, { recursive: true });
    else await driver.list('', { limit: 1 });
    return true;
  } catch {
    return false;
  }
}

/** {@link Storage} over a driver. */
export function bytesView(driver: StorageDriver): Storage {
  return {
    get: async (key) => (await driver.get(key))?.body,
    put: async (key, bytes) => {
      await driver.put(key, bytes);
    },
    ping: () => pingStorage(driver),
  };
}

export { normalizeKey } from './keys.ts';
export { LocalStorage } from './local.ts';
export {
  type AzureStorageConfig,
  type BuildStoragesOptions,
  buildStorages,
  DATA_STORAGE,
  type DatasetConfig,
  type FsStorageConfig,
  fsStorageSecret,
  type GcsStorageConfig,
  type S3StorageConfig,
  type StorageConfig,
} from './registry.ts';
