/**
 * The embedding container of DESIGN.md section 8: what `POST /v1/embeddings` returns and the browser decoder reads.
 *
 * Layout (all integers little-endian):
 *
 * | bytes            | content                                                                       |
 * | ---------------- | ----------------------------------------------------------------------------- |
 * | 0..3             | magic `LKEM`                                                                  |
 * | 4..7             | uint32 H: byte length of the header                                           |
 * | 8..8+H           | UTF-8 JSON header ({@link EmbeddingHeader}), space-padded so 8+H is a multiple of 8 |
 * | 8+H..end         | tensor data: each tensor at `offset` (from the start of this section), 8-byte aligned, in header order, no gaps beyond alignment, nothing after the last one |
 *
 * Tensors are raw little-endian `float16` or `float32` values in row-major order of `shape`.
 */
import { LabelKitError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { float16ToFloat32, float32ToFloat16 } from './float16.ts';

/** Errors of the embedding container; `code` is one of `embedding/...`. */
export class EmbeddingError extends LabelKitError {
  override name = 'EmbeddingError';
}

export const EMBEDDING_MAGIC = 'LKEM';
export const EMBEDDING_VERSION = 1;
/** Largest header accepted by the decoder (a real one is a few hundred bytes). */
export const MAX_EMBEDDING_HEADER_BYTES = 1 << 20;

export const EmbeddingDType = { Float16: 'float16', Float32: 'float32' } as const;
export type EmbeddingDType = (typeof EmbeddingDType)[keyof typeof EmbeddingDType];

const BYTES_PER_ELEMENT: Record<EmbeddingDType, number> = { float16: 2, float32: 4 };

export interface EmbeddingTensorInfo {
  name: string;
  dtype: EmbeddingDType;
  shape: number[];
  /** Byte offset from the start of the data section. */
  offset: number;
  byteLength: number;
}

export interface EmbeddingHeader {
  version: 1;
  /** Model id the embedding was computed with (e.g. `builtin`, `sam-vit-b`). */
  model: string;
  /** Model contract (`sam1`, `sam2`): tells the decoder which inputs these tensors feed. */
  contract: string;
  /** Size of the source image after EXIF orientation, in pixels. */
  imageSize: { width: number; height: number };
  /** Size of the encoder input frame (1024 x 1024 for SAM). */
  inputSize: { width: number; height: number };
  /** Part of the input frame the image covers after resizing (the rest is padding for `sam1`). */
  resizedSize: { width: number; height: number };
  tensors: EmbeddingTensorInfo[];
}

export interface EmbeddingTensorInput {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface EncodeEmbeddingInput {
  model: string;
  contract: string;
  imageSize: { width: number; height: number };
  inputSize: { width: number; height: number };
  resizedSize: { width: number; height: number };
  tensors: EmbeddingTensorInput[];
}

export interface EncodeEmbeddingOptions {
  /** Storage type of the tensor values. Default `float16`. */
  dtype?: EmbeddingDType;
}

export interface DecodedTensor {
  name: string;
  /** How the values were stored in the container; `data` is always float32. */
  dtype: EmbeddingDType;
  shape: number[];
  data: Float32Array;
}

export interface DecodedEmbedding {
  header: EmbeddingHeader;
  /** Tensors by name, values widened to float32. */
  tensors: Record<string, DecodedTensor>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Packs tensors into a container. Throws an {@link EmbeddingError} (`embedding/invalid-tensor`) when a tensor's
 * data does not match its shape: that is a programming error of the caller, not bad outside input.
 */
export function encodeEmbedding(input: EncodeEmbeddingInput, options: EncodeEmbeddingOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'float16';
  const bytesPer = BYTES_PER_ELEMENT[dtype];
  let offset = 0;
  const infos: EmbeddingTensorInfo[] = input.tensors.map((t, i) => {
    if (!isShape(t.shape) || product(t.shape) !== t.data.length)
      throw new EmbeddingError(
        'embedding/invalid-tensor',
        `Tensor "${t.name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`,
        { path: `$.tensors[${i}].shape` },
      );
    offset = align8(offset);
    const info = { name: t.name, dtype, shape: [...t.shape], offset, byteLength: t.data.length * bytesPer };
    offset += info.byteLength;
    return info;
  });
  const header: EmbeddingHeader = {
    version: EMBEDDING_VERSION,
    model: input.model,
    contract: input.contract,
    imageSize: { ...input.imageSize },
    inputSize: { ...input.inputSize },
    resizedSize: { ...input.resizedSize },
    tensors: infos,
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = align8(8 + json.length) - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const dataStart = 8 + json.length;
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(EMBEDDING_MAGIC), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  input.tensors.forEach((t, i) => {
    const info = infos[i] as EmbeddingTensorInfo;
    const bytes = dtype === 'float16' ? toBytes16(float32ToFloat16(t.data)) : toBytes32(t.data);
    out.set(bytes, dataStart + info.offset);
  });
  return out;
}

/** Reads a container. Every malformed input gives an `embedding/...` error, never a throw or a wrong tensor. */
export function decodeEmbedding(bytes: Uint8Array): Result<DecodedEmbedding, EmbeddingError> {
  if (bytes.length < 8) return fail('embedding/truncated', `Container of ${bytes.length} bytes is shorter than 8`);
  const magic = String.fromCharCode(bytes[0] as number, bytes[1] as number, bytes[2] as number, bytes[3] as number);
  if (magic !== EMBEDDING_MAGIC) return fail('embedding/bad-magic', 'Not a LabelKit embedding (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (headerLength > MAX_EMBEDDING_HEADER_BYTES)
    return fail('embedding/invalid-header', `Header length ${headerLength} exceeds ${MAX_EMBEDDING_HEADER_BYTES}`);
  if (8 + headerLength > bytes.length)
    return fail('embedding/truncated', `Header of ${headerLength} bytes runs past the end (${bytes.length} bytes)`);
  if ((8 + headerLength) % 8 !== 0)
    return fail('embedding/invalid-header', 'Header length does not align the data section to 8 bytes');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (cause) {
    return fail('embedding/invalid-header', 'Header is not valid UTF-8 JSON', { cause });
  }
  const header = validateHeader(parsed);
  if (!header.ok) return header;
  const data = bytes.subarray(8 + headerLength);
  let expected = 0;
  const tensors: Record<string, DecodedTensor> = {};
  for (const [i, t] of header.value.tensors.entries()) {
    const path = `$.tensors[${i}]`;
    if (t.offset !== align8(expected))
      return fail(
        'embedding/invalid-header',
        `Tensor "${t.name}" is at offset ${t.offset}, expected ${align8(expected)}`,
        {
          path: `${path}.offset`,
        },
      );
    if (t.byteLength !== product(t.shape) * BYTES_PER_ELEMENT[t.dtype])
      return fail('embedding/invalid-header', `Tensor "${t.name}" byteLength does not match its shape and dtype`, {
        path: `${path}.byteLength`,
      });
    if (t.offset + t.byteLength > data.length)
      return fail('embedding/truncated', `Tensor "${t.name}" runs past the end of the container`, { path });
    if (Object.hasOwn(tensors, t.name))
      return fail('embedding/invalid-header', `Tensor "${t.name}" appears twice`, { path: `${path}.name` });
    const raw = data.subarray(t.offset, t.offset + t.byteLength);
    const values = t.dtype === 'float16' ? float16ToFloat32(fromBytes16(raw)) : fromBytes32(raw);
    tensors[t.name] = { name: t.name, dtype: t.dtype, shape: [...t.shape], data: values };
    expected = t.offset + t.byteLength;
  }
  if (data.length !== expected)
    return fail('embedding/trailing-bytes', `${data.length - expected} bytes follow the last tensor`);
  return ok({ header: header.value, tensors });
}

function fail(code: string, message: string, options: { path?: string; cause?: unknown } = {}) {
  return err(new EmbeddingError(code, message, options));
}

function isShape(x: unknown): x is number[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.length <= 8 &&
    x.every((d) => Number.isSafeInteger(d) && d > 0) &&
    product(x as number[]) <= 2 ** 31
  );
}

const isSize = (x: unknown): x is { width: number; height: number } =>
  typeof x === 'object' &&
  x !== null &&
  Number.isSafeInteger((x as { width: unknown }).width) &&
  Number.isSafeInteger((x as { height: unknown }).height) &&
  (x as { width: number }).width > 0 &&
  (x as { height: number }).height > 0;

function validateHeader(x: unknown): Result<EmbeddingHeader, EmbeddingError> {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    return fail('embedding/invalid-header', 'Header is not a JSON object', { path: '$' });
  const h = x as Record<string, unknown>;
  if (h.version !== EMBEDDING_VERSION)
    return fail('embedding/unsupported-version', `Container version ${JSON.stringify(h.version)} is not supported`, {
      path: '$.version',
    });
  for (const key of ['model', 'contract'] as const)
    if (typeof h[key] !== 'string' || (h[key] as string).length === 0)
      return fail('embedding/invalid-header', `Header field ${key} must be a non-empty string`, { path: `$.${key}` });
  for (const key of ['imageSize', 'inputSize', 'resizedSize'] as const)
    if (!isSize(h[key]))
      return fail('embedding/invalid-header', `Header field ${key} must be { width, height } in pixels`, {
        path: `$.${key}`,
      });
  if (!Array.isArray(h.tensors) || h.tensors.length === 0)
    return fail('embedding/invalid-header', 'Header has no tensors', { path: '$.tensors' });
  for (const [i, t] of (h.tensors as unknown[]).entries()) {
    const path = `$.tensors[${i}]`;
    if (typeof t !== 'object' || t === null)
      return fail('embedding/invalid-header', 'Tensor is not an object', { path });
    const r = t as Record<string, unknown>;
    if (typeof r.name !== 'string' || r.name.length === 0)
      return fail('embedding/invalid-header', 'Tensor name must be a non-empty string', { path: `${path}.name` });
    if (r.dtype !== 'float16' && r.dtype !== 'float32')
      return fail('embedding/unsupported-dtype', `Tensor dtype ${JSON.stringify(r.dtype)} is not float16/float32`, {
        path: `${path}.dtype`,
      });
    if (!isShape(r.shape))
      return fail('embedding/invalid-header', 'Tensor shape must be 1-8 positive integers', { path: `${path}.shape` });
    for (const key of ['offset', 'byteLength'] as const)
      if (!Number.isSafeInteger(r[key]) || (r[key] as number) < 0)
        return fail('embedding/invalid-header', `Tensor ${key} must be a non-negative integer`, {
          path: `${path}.${key}`,
        });
  }
  const hh = h as unknown as EmbeddingHeader;
  return ok({
    version: EMBEDDING_VERSION,
    model: hh.model,
    contract: hh.contract,
    imageSize: { width: hh.imageSize.width, height: hh.imageSize.height },
    inputSize: { width: hh.inputSize.width, height: hh.inputSize.height },
    resizedSize: { width: hh.resizedSize.width, height: hh.resizedSize.height },
    tensors: hh.tensors.map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: [...t.shape],
      offset: t.offset,
      byteLength: t.byteLength,
    })),
  });
}

function toBytes16(values: Uint16Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setUint16(i * 2, values[i] as number, true);
  return out;
}

function toBytes32(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setFloat32(i * 4, values[i] as number, true);
  return out;
}

// Copies so the typed array is aligned and owns its buffer (the input may sit at any byte offset).
function fromBytes16(raw: Uint8Array): Uint16Array {
  const out = new Uint16Array(raw.length / 2);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(raw);
  else {
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = v.getUint16(i * 2, true);
  }
  return out;
}

function fromBytes32(raw: Uint8Array): Float32Array {
  const out = new Float32Array(raw.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(raw);
  else {
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = v.getFloat32(i * 4, true);
  }
  return out;
}
