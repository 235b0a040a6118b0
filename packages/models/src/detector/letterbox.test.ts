import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelKitError } from '@labelkit/core';
import { letterbox, letterboxTransform, pyRound, unletterboxBox } from './letterbox.ts';

describe('detector letterbox', () => {
  it('rounds as Python does (halves to even)', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(pyRound), [0, 2, 2, 0, -2, 2, 3]);
  });

  it('centres a wide image with grey rows above and below (640x360 in 640)', () => {
    assert.deepEqual(letterboxTransform(640, 360, 640), {
      size: 640,
      width: 640,
      height: 360,
      resizedWidth: 640,
      resizedHeight: 360,
      padLeft: 0,
      padTop: 140,
    });
  });

  it('centres a tall image, the odd column of padding on the right (300x900 in 640)', () => {
    // r = 640/900, 300r = 213.33 -> 213; dw = 427, left = round(213.5 - 0.1) = 213, right = 214.
    const t = letterboxTransform(300, 900, 640);
    assert.deepEqual([t.resizedWidth, t.resizedHeight, t.padLeft, t.padTop], [213, 640, 213, 0]);
  });

  it('fills the padding with 114/255 and places the image pixels inside it', () => {
    const w = 4;
    const h = 2;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([255, 0, 51, 255], i * 4);
    const { tensor, letterbox: lb } = letterbox(rgba, w, h, 8);
    assert.deepEqual([lb.resizedWidth, lb.resizedHeight, lb.padLeft, lb.padTop], [8, 4, 0, 2]);
    const at = (ch: number, y: number, x: number) => tensor[ch * 64 + y * 8 + x]!;
    for (let x = 0; x < 8; x++) {
      for (const y of [0, 1, 6, 7]) assert.ok(Math.abs(at(0, y, x) - 114 / 255) < 1e-7, `pad at ${x},${y}`);
      for (const y of [2, 3, 4, 5]) {
        assert.equal(at(0, y, x), 1);
        assert.equal(at(1, y, x), 0);
        assert.ok(Math.abs(at(2, y, x) - 0.2) < 1e-7);
      }
    }
  });

  it('inverts the letterbox exactly and clips to the image', () => {
    const lb = letterboxTransform(300, 900, 640);
    // Image box (30, 90)-(150, 450) -> input frame x' = 213 + x * 213/300, y' = y * 640/900.
    const b = unletterboxBox(lb, 213 + 30 * 0.71, 90 * (640 / 900), 213 + 150 * 0.71, 450 * (640 / 900));
    for (const [k, v] of Object.entries({ x: 30, y: 90, width: 120, height: 360 }))
      assert.ok(Math.abs(b[k as keyof typeof b] - v) < 1e-9, `${k}: ${b[k as keyof typeof b]}`);
    assert.deepEqual(unletterboxBox(lb, 0, -5, 1000, 1000), { x: 0, y: 0, width: 300, height: 900 });
  });

  it('refuses bad sizes and buffers with typed errors', () => {
    for (const f of [
      () => letterboxTransform(0, 10, 640),
      () => letterboxTransform(10.5, 10, 640),
      () => letterbox(new Uint8Array(12), 2, 2, 640),
    ])
      assert.throws(f, (e: unknown) => e instanceof LabelKitError && e.code === 'model/invalid-image');
    assert.throws(
      () => letterboxTransform(10, 10, 0),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/invalid-option',
    );
  });
});
