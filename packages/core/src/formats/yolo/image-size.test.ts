import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture } from '../fixtures/helpers.ts';
import { imageSize } from './image-size.ts';

describe('imageSize', () => {
  it('reads a real JPEG header', async () => {
    const files = await fixture('yolo/fixtures/detection');
    assert.deepEqual(imageSize(files['images/train/1.jpg'] as Uint8Array), { width: 15, height: 10 });
  });

  it('reads PNG, GIF and the three WebP headers', () => {
    const png = new Uint8Array(24);
    png.set([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0x2c, 0, 0, 0, 200,
    ]);
    assert.deepEqual(imageSize(png), { width: 300, height: 200 });
    const gif = Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x20, 0x03, 0x58, 0x02]);
    assert.deepEqual(imageSize(gif), { width: 800, height: 600 });
    const riff = (kind: string, body: number[]) => {
      const b = new Uint8Array(30);
      b.set(
        [...'RIFF'].map((c) => c.charCodeAt(0)),
        0,
      );
      b.set(
        [...`WEBP${kind}`].map((c) => c.charCodeAt(0)),
        8,
      );
      b.set(body, 20);
      return b;
    };
    // VP8: frame tag + start code, then 14-bit width/height at 26 and 28.
    assert.deepEqual(imageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01])), {
      width: 640,
      height: 480,
    });
    // VP8L: signature 0x2f, then (w-1) in 14 bits and (h-1) in the next 14.
    const w = 99;
    const h = 49;
    const bits = (w - 1) | ((h - 1) << 14);
    assert.deepEqual(
      imageSize(riff('VP8L', [0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, (bits >> 24) & 255])),
      { width: 99, height: 49 },
    );
    // VP8X: 24-bit (w-1), (h-1) at 24 and 27.
    assert.deepEqual(imageSize(riff('VP8X', [0, 0, 0, 0, 0x3f, 0x01, 0, 0xef, 0, 0])), { width: 320, height: 240 });
  });

  it('returns undefined for bytes that are no image or a truncated header', () => {
    assert.equal(imageSize(new TextEncoder().encode('not an image')), undefined);
    assert.equal(imageSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16])), undefined);
  });
});
