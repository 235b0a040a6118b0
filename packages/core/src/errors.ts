/**
 * Every error LabelKit raises or returns. `code` is stable (documented, safe to switch on);
 * `path` is the JSON path of the offending field when the error is about data (e.g. `$.shapes[3].points`).
 */
export class LabelKitError extends Error {
  override name = 'LabelKitError';
  readonly code: string;
  readonly path: string | undefined;
  /** The file a format error comes from, where there is one. */
  readonly file: string | undefined;

  constructor(code: string, message: string, options: { path?: string; file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.file = options.file;
  }

  toJSON(): { code: string; message: string; path?: string; file?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.file === undefined ? {} : { file: this.file }),
    };
  }
}

/** A document, shape or diff that does not satisfy the records' rules. */
export class ValidationError extends LabelKitError {
  override name = 'ValidationError';
}

/** Input in an interchange format (COCO, YOLO, VOC, CVAT, Label Studio) that cannot be read. */
export class FormatError extends LabelKitError {
  override name = 'FormatError';
}

/** Geometry given impossible input (mask size mismatch, malformed RLE...). */
export class GeometryError extends LabelKitError {
  override name = 'GeometryError';
}

/** An operation cancelled through an AbortSignal. */
export class AbortError extends LabelKitError {
  override name = 'AbortError';
  constructor(message = 'The operation was aborted', options: { cause?: unknown } = {}) {
    super('abort', message, options);
  }
}

/** Joins a JSON path: `jsonPath('$.shapes', 3, 'points')` -> `$.shapes[3].points`. */
export function jsonPath(base: string, ...parts: (string | number)[]): string {
  let out = base;
  for (const p of parts)
    out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}
