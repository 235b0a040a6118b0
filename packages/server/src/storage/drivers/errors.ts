import { LabelKitError } from '@labelkit/core';

/**
 * Stable codes of storage failures. Messages are generic on purpose: they never carry a storage response, an
 * endpoint, a path on disk or a credential, so they are safe to send to a browser.
 */
export const StorageErrorCode = {
  ForbiddenKey: 'storage/forbidden-key',
  PreconditionFailed: 'storage/precondition-failed',
  NotFound: 'storage/not-found',
  ReadOnly: 'storage/read-only',
  InvalidOption: 'storage/invalid-option',
  Unsupported: 'storage/unsupported',
  AccessDenied: 'storage/access-denied',
  Unavailable: 'storage/unavailable',
  LockTimeout: 'storage/lock-timeout',
  BadSignature: 'storage/bad-signature',
  Expired: 'storage/expired',
  MethodMismatch: 'storage/method-mismatch',
  ContentTypeMismatch: 'storage/content-type-mismatch',
  TooLarge: 'storage/too-large',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** HTTP status for each code, for the routes that serve or sign storage URLs. */
export const STORAGE_STATUS: Record<StorageErrorCode, number> = {
  'storage/forbidden-key': 400,
  'storage/precondition-failed': 412,
  'storage/not-found': 404,
  'storage/read-only': 405,
  'storage/invalid-option': 400,
  'storage/unsupported': 400,
  'storage/access-denied': 502,
  'storage/unavailable': 502,
  'storage/lock-timeout': 503,
  'storage/bad-signature': 403,
  'storage/expired': 403,
  'storage/method-mismatch': 403,
  'storage/content-type-mismatch': 403,
  'storage/too-large': 413,
};

/** A storage operation that failed; `code` is one of `StorageErrorCode`. */
export class StorageError extends LabelKitError {
  override name = 'StorageError';
  declare readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options: { path?: string } = {}) {
    // No `cause`: the underlying error may hold a storage response, an endpoint or a credential.
    super(code, message, options);
  }

  get status(): number {
    return STORAGE_STATUS[this.code];
  }
}

export const isStorageError = (e: unknown, code?: StorageErrorCode): e is StorageError =>
  e instanceof StorageError && (code === undefined || e.code === code);
