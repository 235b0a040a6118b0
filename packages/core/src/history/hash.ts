import { HistoryError } from './errors.ts';
import { sha256HexSync } from './sha256.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const encoder = new TextEncoder();
const HASH = /^[0-9a-f]{64}$/;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  // WebCrypto is only exposed in secure contexts in browsers; say so rather than fail on `undefined`.
  if (!s) throw new HistoryError('history/no-webcrypto', 'crypto.subtle is unavailable (not a secure context?)');
  return s;
}

/**
 * Below this size the plain-JS digest beats WebCrypto's fixed cost per call (~40 µs in Node 20, measured by
 * bench/history); above it WebCrypto's native code wins.
 */
const SYNC_LIMIT = 16 * 1024;

/**
 * Lowercase hex SHA-256 of bytes, or of a string's UTF-8 bytes: through WebCrypto (browser, worker, Node 20),
 * or the synchronous plain-JS digest for small inputs, where WebCrypto's cost per call dominates.
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  if (bytes.length < SYNC_LIMIT) return sha256HexSync(bytes);
  const digest = new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (let i = 0; i < digest.length; i++) hex += HEX[digest[i] as number];
  return hex;
}

/** Whether `s` is a hash as this format writes it: 64 lowercase hex digits. */
export function isHash(s: unknown): s is string {
  return typeof s === 'string' && HASH.test(s);
}

/** Throws `history/invalid-hash` unless `s` is a hash; `path` names the argument or field. */
export function assertHash(s: unknown, path: string): asserts s is string {
  if (!isHash(s)) {
    throw new HistoryError('history/invalid-hash', `Expected 64 lowercase hex digits, got ${describe(s)}`, { path });
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v);
  return v === null ? 'null' : typeof v;
}

/** SHA-256 of a string's UTF-8 bytes, synchronously (item ids, to pick their shard). */
export function sha256HexOfString(s: string): string {
  return sha256HexSync(encoder.encode(s));
}
