import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeToTensor, prepareImage, resizedSize } from '@labelkit/server';
import { image } from '../fixtures/setup.ts';

describe('preprocessing', () => {
  it('resizes the longest side to 1024 (sam1) rounding as segment-anything, or stretches (sam2)', () => {
    const sam1 = { inputSize: 1024, resize: 'longest-side' } as const;
    assert.deepEqual(resizedSize(sam1, 640, 480), { width: 1024, height: 768 });
    assert.deepEqual(resizedSize(sam1, 333, 1000), { width: 341, height: 1024 }); // 340.99 rounds up
    assert.deepEqual(resizedSize(sam1, 5000, 3), { width: 1024, height: 1 });
    assert.deepEqual(resizedSize({ inputSize: 1024, resize: 'stretch' }, 640, 480), { width: 1024, height: 1024 });
  });

  it('normalizes with mean/std into CHW and pads with zeros after normalizing', () => {
    const pixels = new Uint8Array([255, 0, 100, 10, 20, 30]); // two pixels in one row
    const t = normalizeToTensor({ pixels, resizedWidth: 2, resizedHeight: 1 }, 4, [100, 50, 0], [5, 10, 2]);
    assert.equal(t.length, 3 * 16);
    assert.deepEqual([t[0], t[1], t[2], t[4]], [31, -18, 0, 0]);
    assert.deepEqual([t[16], t[17], t[18]], [-5, -3, 0]);
    assert.deepEqual([t[32], t[33], t[47]], [50, 15, 0]);
  });

  it('decodes with sharp to RGB at the resized size', async () => {
    const png = await image('png', 64, 32, 1);
    const out = await prepareImage(png, { inputSize: 1024, resize: 'longest-side' }, 1e6, 'image/png');
    assert.equal(out.pixels.length, 1024 * 512 * 3);
    assert.deepEqual([out.imageWidth, out.imageHeight], [64, 32]);
    assert.deepEqual([out.pixels[0], out.pixels[2]], [220, 10], 'left half red');
    assert.deepEqual([out.pixels[1023 * 3], out.pixels[1023 * 3 + 2]], [10, 220], 'right half blue');
    await assert.rejects(prepareImage(png, { inputSize: 1024, resize: 'stretch' }, 64 * 32 - 1), {
      code: 'image/too-many-pixels',
    });
  });
});
