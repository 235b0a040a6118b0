import { LabelKitError } from '@labelkit/core';

/** An error that maps to an HTTP status; the JSON body is `{ error: { code, message, path? } }`. */
export class HttpError extends LabelKitError {
  override name = 'HttpError';
  readonly status: number;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { path?: string; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(code, message, options);
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** Invalid configuration (file, environment or flags); `path` names the offending field. */
export class ConfigError extends LabelKitError {
  override name = 'ConfigError';
}

/** A model that cannot be found, downloaded, verified or loaded. */
export class ModelError extends LabelKitError {
  override name = 'ModelError';
}
