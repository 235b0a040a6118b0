/**
 * Canonical JSON after RFC 8785 (JCS): object keys sorted by UTF-16 code units, no whitespace, numbers in
 * ECMAScript's shortest round-trip form (`-0` becomes `0`), strings escaped as ECMAScript's JSON.stringify
 * does (which is what JCS specifies). The same value always gives the same bytes, so its hash names it.
 */
import { jsonPath } from '../errors.ts';
import { HistoryError } from './errors.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(message: string, path: string): HistoryError {
  return new HistoryError('history/invalid-json-value', message, { path });
}

function writeString(s: string, path: string): string {
  // I-JSON (RFC 7493), which JCS requires, has no lone surrogates: they cannot become UTF-8.
  if (LONE_SURROGATE.test(s)) throw invalid('String holds a lone surrogate, which has no UTF-8 form', path);
  return JSON.stringify(s);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function write(value: unknown, path: string, parents: object[], out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(writeString(value, path));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${value} has no JSON form`, path);
      // ECMAScript Number::toString is the JCS number form; `-0` must print as `0`.
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object': {
      if (value === null) {
        out.push('null');
        return;
      }
      if (parents.includes(value)) throw invalid('Cycle: the value contains itself', path);
      parents.push(value);
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          if (!(i in value)) throw invalid('Sparse array (a hole has no JSON form)', jsonPath(path, i));
          write(value[i], jsonPath(path, i), parents, out);
        }
        out.push(']');
      } else {
        if (!isPlainObject(value)) {
          throw invalid(`${value.constructor?.name ?? 'This object'} is not a plain object`, path);
        }
        // Default sort compares UTF-16 code units, exactly the order JCS prescribes.
        const keys = Object.keys(value).sort();
        out.push('{');
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i] as string;
          if (i > 0) out.push(',');
          out.push(writeString(k, jsonPath(path, k)), ':');
          write(value[k], jsonPath(path, k), parents, out);
        }
        out.push('}');
      }
      parents.pop();
      return;
    }
    default:
      // undefined, function, symbol, bigint: JSON.stringify would drop or throw; we refuse, naming the field.
      throw invalid(`A ${typeof value} has no JSON form`, path);
  }
}

/**
 * The RFC 8785 canonical JSON text of `value`.
 * @throws HistoryError `history/invalid-json-value` (with the JSON `path`) for NaN, Infinity, undefined,
 *   functions, symbols, bigints, cycles, sparse arrays, lone surrogates and objects that are not plain.
 */
export function canonicalJSON(value: unknown): string {
  const out: string[] = [];
  write(value, '$', [], out);
  return out.join('');
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of {@link canonicalJSON}: what is hashed and stored. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJSON(value));
}
