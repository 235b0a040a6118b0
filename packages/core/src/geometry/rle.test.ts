import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  countsToRLE,
  decodeRLE,
  encodeRLE,
  GeometryError,
  intersectRLE,
  iouRLE,
  LabelKitError,
  mergeRLE,
  type RLE,
  rleArea,
  rleToBbox,
  rleToCounts,
} from '@labelkit/core';
import fc from 'fast-check';
import { allocMask } from './rle.ts';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const gt = fixture<{
  crowd: { id: number; size: [number, number]; counts: number[]; area: number; bbox: number[] }[];
}>('coco-val2014-gt.json');
const golden = fixture<{ cases: { width: number; height: number; dense: number[]; counts: string; area: number }[] }>(
  'pycocotools-golden.json',
);
const fake = fixture<{ masks: { size: [number, number]; counts: string }[] }>('cocoapi-fakesegm.json');

const code = (c: string) => (e: unknown) => e instanceof GeometryError && e.code === c;

/** Reference decoding written the slow, obvious way: column-major runs, pixel by pixel. */
function naiveDecode(counts: ArrayLike<number>, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  let k = 0;
  for (let i = 0; i < counts.length; i++)
    for (let c = 0; c < (counts[i] as number); c++, k++) {
      const x = Math.floor(k / h);
      const y = k % h;
      out[y * w + x] = i % 2;
    }
  return out;
}

describe('COCO RLE against pycocotools reference data', () => {
  it('pycocotools 2.0.11 golden masks: encode gives its string byte for byte, decode its pixels, area its area', () => {
    for (const c of golden.cases) {
      const dense = Uint8Array.from(c.dense);
      const rle = encodeRLE(dense, c.width, c.height);
      assert.deepEqual(rle, { size: [c.height, c.width], counts: c.counts });
      assert.deepEqual(decodeRLE(rle), dense);
      assert.equal(rleArea(rle), c.area);
    }
  });

  it('crowd masks of COCO val2014: bbox as the annotation, decode/encode keeps the counts', () => {
    for (const a of gt.crowd) {
      const [h, w] = a.size;
      const rle = countsToRLE(a.counts, h, w);
      // COCO 2014 ground truth was made by the early COCO API, whose toBbox gave w = xe - xs (today's
      // pycocotools adds 1): origins agree, sizes are one more (see fixtures/README.md).
      const [x, y, bw, bh] = rleToBbox(rle);
      assert.deepEqual([x, y, bw - 1, bh - 1], a.bbox, `bbox of ${a.id}`);
      // COCO's `area` of crowd annotations is not the mask's pixel count (it comes from the original
      // annotation; see fixtures/README.md): the pixel count is the sum of the foreground runs.
      const fg = a.counts.reduce((s, c, i) => s + (i % 2 ? c : 0), 0);
      assert.equal(rleArea(rle), fg, `area of ${a.id}`);
      if (a.id === 900100001176) assert.equal(rleArea(rle), a.area);
      const mask = decodeRLE(rle);
      assert.equal(
        mask.reduce((s, v) => s + v, 0),
        fg,
      );
      assert.deepEqual(mask, naiveDecode(a.counts, h, w));
      const again = encodeRLE(mask, w, h);
      assert.equal(again.counts, rle.counts);
      assert.deepEqual(Array.from(rleToCounts(again)), a.counts);
    }
  });

  it('compressed strings written by the COCO API re-encode byte for byte', () => {
    for (const m of fake.masks) {
      const [h, w] = m.size;
      const mask = decodeRLE(m);
      assert.equal(mask.length, h * w);
      assert.equal(
        mask.reduce((s, v) => s + v, 0),
        rleArea(m),
      );
      assert.deepEqual(mask, naiveDecode(rleToCounts(m), h, w));
      assert.equal(encodeRLE(mask, w, h).counts, m.counts);
    }
  });
});

describe('RLE operations', () => {
  const h = 7;
  const w = 9;
  const rect = (x0: number, y0: number, x1: number, y1: number) => {
    const m = new Uint8Array(h * w);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
    return m;
  };

  it('encodes and decodes edge cases: empty, full, first pixel set, 0x0', () => {
    for (const m of [new Uint8Array(h * w), new Uint8Array(h * w).fill(1), rect(0, 0, 1, 1), rect(8, 6, 9, 7)]) {
      const rle = encodeRLE(m, w, h);
      assert.deepEqual(decodeRLE(rle), m);
    }
    assert.deepEqual(encodeRLE(new Uint8Array(0), 0, 0), { size: [0, 0], counts: '0' });
    assert.deepEqual(rleToBbox(encodeRLE(new Uint8Array(h * w), w, h)), [0, 0, 0, 0]);
    assert.equal(
      encodeRLE(new Uint8Array(h * w).fill(255), w, h).counts,
      encodeRLE(new Uint8Array(h * w).fill(1), w, h).counts,
    );
  });

  it('area, bbox, merge, intersect and IoU agree with pixel arithmetic', () => {
    const a = rect(1, 1, 5, 4);
    const b = rect(3, 2, 8, 7);
    const ra = encodeRLE(a, w, h);
    const rb = encodeRLE(b, w, h);
    assert.equal(rleArea(ra), 12);
    assert.deepEqual(rleToBbox(ra), [1, 1, 4, 3]);
    const or = a.map((v, i) => v | (b[i] as number));
    const and = a.map((v, i) => v & (b[i] as number));
    assert.deepEqual(decodeRLE(mergeRLE([ra, rb])), or);
    assert.deepEqual(decodeRLE(intersectRLE(ra, rb)), and);
    assert.equal(mergeRLE([ra, rb]).counts, encodeRLE(or, w, h).counts);
    assert.equal(intersectRLE(ra, rb).counts, encodeRLE(and, w, h).counts);
    assert.equal(iouRLE(ra, rb), 4 / (12 + 25 - 4));
    assert.equal(iouRLE(ra, ra), 1);
    const empty = encodeRLE(new Uint8Array(h * w), w, h);
    assert.equal(iouRLE(empty, empty), 0);
    assert.deepEqual(mergeRLE([]), { size: [0, 0], counts: '' });
    assert.deepEqual(mergeRLE([ra]), ra);
  });

  it('merge, intersect and encode match pixel arithmetic on random masks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.boolean(), { minLength: 144, maxLength: 144 }),
        fc.array(fc.boolean(), { minLength: 144, maxLength: 144 }),
        (hh, ww, ba, bb) => {
          const a = Uint8Array.from(ba.slice(0, hh * ww), Number);
          const b = Uint8Array.from(bb.slice(0, hh * ww), Number);
          const ra = encodeRLE(a, ww, hh);
          const rb = encodeRLE(b, ww, hh);
          assert.deepEqual(decodeRLE(ra), a);
          assert.deepEqual(naiveDecode(rleToCounts(ra), hh, ww), a);
          assert.equal(
            mergeRLE([ra, rb]).counts,
            encodeRLE(
              a.map((v, i) => v | (b[i] as number)),
              ww,
              hh,
            ).counts,
          );
          assert.equal(
            mergeRLE([ra, rb], true).counts,
            encodeRLE(
              a.map((v, i) => v & (b[i] as number)),
              ww,
              hh,
            ).counts,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws GeometryError with a code on sizes and counts that do not match', () => {
    assert.throws(() => encodeRLE(new Uint8Array(5), 2, 2), code('geometry/size-mismatch'));
    assert.throws(() => encodeRLE([1, 0] as unknown as Uint8Array, 2, 1), code('geometry/invalid-mask'));
    assert.throws(() => encodeRLE(new Uint8Array(4), -2, -2), code('geometry/invalid-size'));
    assert.throws(() => encodeRLE(new Uint8Array(4), 2.5, 2), code('geometry/invalid-size'));
    assert.throws(() => decodeRLE({ size: [2, 2], counts: '3' }), code('geometry/size-mismatch'));
    assert.throws(() => decodeRLE({ size: [2, 2], counts: '4 ' }), code('geometry/invalid-rle'));
    assert.throws(() => decodeRLE({ size: [2, 2], counts: '0`' }), code('geometry/invalid-rle'));
    assert.throws(() => decodeRLE({ size: [2], counts: '4' } as unknown as RLE), code('geometry/invalid-rle'));
    assert.throws(() => countsToRLE([1, 2], 2, 2), code('geometry/size-mismatch'));
    // A mask the engine refuses to allocate is a coded error, not a RangeError from deep inside.
    assert.throws(() => allocMask(2 ** 53), code('geometry/too-large'));
    assert.throws(() => countsToRLE([1, -1, 4], 2, 2), code('geometry/invalid-rle'));
    const small = encodeRLE(new Uint8Array(4), 2, 2);
    assert.throws(() => mergeRLE([small, encodeRLE(new Uint8Array(6), 3, 2)]), code('geometry/size-mismatch'));
    assert.throws(() => iouRLE(small, encodeRLE(new Uint8Array(6), 3, 2)), code('geometry/size-mismatch'));
  });

  it('fuzz: garbage counts strings never crash or hang: a mask or a GeometryError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[0-o]{0,40}$/)),
        fc.nat(40),
        fc.nat(40),
        (counts, hh, ww) => {
          try {
            const m = decodeRLE({ size: [hh, ww], counts });
            assert.equal(m.length, hh * ww);
            assert.equal(encodeRLE(m, ww, hh).counts.length > 0, true);
          } catch (e) {
            assert.ok(e instanceof LabelKitError && e.code.startsWith('geometry/'), String(e));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
