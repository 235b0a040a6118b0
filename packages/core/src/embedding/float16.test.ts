import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float16ToFloat32, float32ToFloat16, float32ToFloat16Bits } from '@labelkit/core';
import fc from 'fast-check';

describe('float16', () => {
  it('converts known values exactly', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff], // largest half
      [65520, 0x7c00], // rounds up to infinity
      [Number.POSITIVE_INFINITY, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // halfway to zero rounds to even (zero)
      [1.5 * 2 ** -25, 0x0001],
      [2 ** -14, 0x0400], // smallest normal
      [1 + 2 ** -11, 0x3c00], // tie rounds to even
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [value, bits] of cases) assert.equal(float32ToFloat16Bits(value), bits, `value ${value}`);
    assert.ok(Number.isNaN(float16ToFloat32(new Uint16Array([float32ToFloat16Bits(Number.NaN)]))[0]));
  });

  it('round-trips every float16 bit pattern', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    for (let i = 0; i < 65536; i++) {
      const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (!nan) assert.equal(back[i], i, `bits ${i.toString(16)}`);
    }
  });

  it('keeps the relative error of normal values within 2^-11', () => {
    fc.assert(
      fc.property(fc.float({ min: 2 ** -14, max: 65000, noNaN: true }), (x) => {
        const y = float16ToFloat32(float32ToFloat16(new Float32Array([x])))[0] as number;
        return Math.abs(y - Math.fround(x)) <= Math.abs(Math.fround(x)) * 2 ** -11;
      }),
    );
  });
});
