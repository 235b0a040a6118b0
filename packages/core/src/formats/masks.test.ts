import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRLE, rleArea, rleToBbox } from '../geometry/rle.ts';
import { fixture } from './fixtures/helpers.ts';
import { brushToRLE, cvatRunsToRLE, decodeRLE, rleToBrush, rleToCvatRuns } from './masks.ts';

interface BrushTask {
  annotations: { result: { original_width: number; original_height: number; value: { rle: number[] } }[] }[];
}

async function brushFixture() {
  const files = await fixture('labelstudio/fixtures');
  const task = (JSON.parse(files['brush-mask2rle.json'] as string) as BrushTask[])[0] as BrushTask;
  const r = task.annotations[0]?.result[0];
  assert.ok(r);
  return r;
}

describe('Label Studio brush RLE', () => {
  it('decodes what label-studio-converter mask2rle wrote (area and box as documented in SOURCES.md)', async () => {
    const r = await brushFixture();
    const rle = brushToRLE(r.value.rle, r.original_width, r.original_height);
    assert.ok(typeof rle !== 'string', String(rle));
    assert.equal(rleArea(rle), 321);
    assert.deepEqual(rleToBbox(rle), [6, 2, 32, 21]);
    const mask = decodeRLE(rle);
    assert.equal(mask[14 * 40 + 18], 1); // the ellipse centre
    assert.equal(mask[3 * 40 + 37], 1); // inside the rectangle
    assert.equal(mask[0], 0);
  });

  it('encodes byte for byte as label-studio-converter does', async () => {
    const r = await brushFixture();
    const rle = brushToRLE(r.value.rle, r.original_width, r.original_height);
    assert.ok(typeof rle !== 'string');
    assert.deepEqual(rleToBrush(rle), r.value.rle);
  });

  it('round-trips long runs (over 2^16 RGBA values) and full or empty masks', () => {
    for (const [w, h, fill] of [
      [300, 300, (i: number) => (i > 1000 && i < 80000 ? 1 : 0)],
      [7, 5, () => 1],
      [7, 5, () => 0],
      [9, 4, (i: number) => i % 2],
    ] as const) {
      const mask = Uint8Array.from({ length: w * h }, (_, i) => fill(i));
      const rle = encodeRLE(mask, w, h);
      const back = brushToRLE(rleToBrush(rle), w, h);
      assert.deepEqual(back, rle);
    }
  });

  it('says what is wrong with a broken brush RLE', () => {
    assert.match(String(brushToRLE([1, 2, 3], 4, 4)), /ends early/);
    assert.match(String(brushToRLE([0, 0, 0, 8, 0, 0, 0, 0], 4, 4)), /holds 8 values, a 4x4 RGBA image has 64/);
    assert.match(String(brushToRLE([300], 4, 4)), /not 0\.\.255/);
  });
});

describe('CVAT mask runs', () => {
  it('places the runs inside their box and comes back unchanged', () => {
    // 3x2 box at (2, 1) of a 6x4 image: row 0 = 0 1 1, row 1 = 1 1 0
    const rle = cvatRunsToRLE([1, 4, 1], 2, 1, 3, 2, 6, 4);
    assert.ok(typeof rle !== 'string', String(rle));
    const m = decodeRLE(rle);
    const at = (x: number, y: number) => m[y * 6 + x];
    assert.deepEqual([at(2, 1), at(3, 1), at(4, 1), at(2, 2), at(3, 2), at(4, 2)], [0, 1, 1, 1, 1, 0]);
    assert.equal(rleArea(rle), 4);
    // The box shrinks to the mask's own bounds: (2,1)-(4,2) is already tight.
    assert.deepEqual(rleToCvatRuns(rle), { runs: [1, 4, 1], left: 2, top: 1, width: 3, height: 2 });
  });

  it('refuses runs that do not fill the box or a box outside the image', () => {
    assert.match(String(cvatRunsToRLE([1, 4], 0, 0, 3, 2, 6, 4)), /cover 5 pixels, the mask box has 6/);
    assert.match(String(cvatRunsToRLE([6], 5, 0, 3, 2, 6, 4)), /outside the 6x4 image/);
    assert.match(String(cvatRunsToRLE([1.5, 4.5], 0, 0, 3, 2, 6, 4)), /not a non-negative integer/);
  });

  it('gives undefined for an empty mask', () => {
    assert.equal(rleToCvatRuns(encodeRLE(new Uint8Array(12), 4, 3)), undefined);
  });
});
