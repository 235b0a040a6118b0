import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRLE } from '@labelkit/core';
import fc from 'fast-check';
import { boxMaskToRLE } from './masks.ts';

describe('detector masks', () => {
  it('builds the RLE of a box mask equal to encodeRLE of the whole image', () => {
    const arb = fc
      .record({ width: fc.integer({ min: 1, max: 12 }), height: fc.integer({ min: 1, max: 12 }) })
      .chain(({ width, height }) =>
        fc
          .record({
            x: fc.integer({ min: 0, max: width - 1 }),
            y: fc.integer({ min: 0, max: height - 1 }),
          })
          .chain(({ x, y }) =>
            fc
              .record({ w: fc.integer({ min: 0, max: width - x }), h: fc.integer({ min: 0, max: height - y }) })
              .chain(({ w, h }) =>
                fc
                  .uint8Array({ min: 0, max: 1, minLength: w * h, maxLength: w * h })
                  .map((data) => ({ width, height, m: { data, x, y, width: w, height: h } })),
              ),
          ),
      );
    fc.assert(
      fc.property(arb, ({ width, height, m }) => {
        const full = new Uint8Array(width * height);
        for (let r = 0; r < m.height; r++)
          for (let c = 0; c < m.width; c++) full[(m.y + r) * width + m.x + c] = m.data[r * m.width + c]!;
        assert.deepEqual(boxMaskToRLE(m, width, height), encodeRLE(full, width, height));
      }),
      { numRuns: 500 },
    );
  });
});
