// Azure and GCS load their SDKs (1-2 s) only when a storage uses them: types here, drivers via buildStorages.
export type { AzureDriverOptions } from './azure.ts';
export { isStorageError, STORAGE_STATUS, StorageError, StorageErrorCode } from './errors.ts';
export { FsDriver, type FsDriverOptions } from './fs.ts';
export type { KeyLockOptions } from './fs-lock.ts';
export { fsSignedRoutes } from './fs-routes.ts';
export type { GcsDriverOptions, GcsServiceAccount } from './gcs.ts';
export { MAX_KEY_BYTES, normalizeStorageKey } from './keys.ts';
export { lazyDriver } from './lazy.ts';
export { S3Driver, type S3DriverOptions, type SignedPost, type SignPostRequest } from './s3.ts';
export { type FsGrant, type FsSignatureParams, fsSignature, verifyFsSignature } from './signing.ts';
export type {
  ListOptions,
  ListPage,
  ObjectInfo,
  PutOptions,
  SignedRequest,
  SignRequest,
  StorageDriver,
  StoredObject,
} from './types.ts';
