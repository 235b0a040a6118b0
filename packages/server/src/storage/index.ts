/**
 * The storage the server reads images from and may keep embeddings in. Issue 9 grows this into the full
 * `StorageDriver` (signing, conditional writes, s3); the embedding routes need only these calls.
 */
export interface Storage {
  /** The object's bytes, or undefined when there is none. Throws `storage/...` errors for bad keys. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes an object (whole, atomically: readers never see half of it). */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Whether the storage answers (for `/readyz`). */
  ping(): Promise<boolean>;
}

export { normalizeKey } from './keys.ts';
export { LocalStorage } from './local.ts';
