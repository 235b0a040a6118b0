/**
 * IEEE 754 binary16 <-> binary32 conversion for embedding transport. Float16 halves the bytes of a SAM
 * embedding (2 MB instead of 4 MB) at a relative error below 2^-11, far under what the decoders notice.
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** Rounds float32 bits to the nearest float16 (ties to even) and returns the half's bits. */
function halfBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200 | (mantissa >>> 13));
  const e = exponent - 112; // re-biased from 127 to 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the full 24-bit significand, rounding to nearest even.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches infinity at the top).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Rounds one number to the nearest float16 (ties to even) and returns its bits. */
export function float32ToFloat16Bits(value: number): number {
  scratch[0] = value;
  return halfBits(scratchBits[0] as number);
}

/** Converts float32 values to float16 bits (round to nearest even; overflow gives +-Infinity). */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  // Read the float bits in place: a Float32Array is always 4-byte aligned, so the Uint32Array view is valid.
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfBits(bits[i] as number);
  return out;
}

let halfTable: Float32Array | undefined;

/** All 65,536 float16 values as float32, built on first use (256 KB): decoding is then one lookup per value. */
function table(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) t[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) t[h] = mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else t[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  halfTable = t;
  return t;
}

/** Converts float16 bits to float32 values (exact: every float16 is a float32). */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const t = table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i] as number] as number;
  return out;
}
