import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelKitError } from '@labelkit/core';
import {
  checkPrompt,
  encodePoints,
  parseManifest,
  preprocessSam1,
  preprocessSam2,
  sha256Hex,
  verifyFile,
} from '@labelkit/models';

const fails = (f: () => unknown, code: string, path?: string) =>
  assert.throws(
    f,
    (e: unknown) => e instanceof LabelKitError && e.code === code && (path === undefined || e.path === path),
  );

describe('preprocessSam1 / preprocessSam2', () => {
  const width = 4;
  const height = 2;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);

  it('sam1 resizes the longest side to 1024, normalizes and zero-pads the bottom', () => {
    const t = preprocessSam1(rgba, width, height);
    assert.equal(t.length, 3 * 1024 * 1024);
    const white = (255 - 123.675) / 58.395;
    assert.ok(Math.abs(t[0]! - white) < 1e-5);
    assert.ok(Math.abs(t[511 * 1024 + 1023]! - white) < 1e-5, 'last row of the image (512 rows)');
    assert.equal(t[512 * 1024], 0, 'first padding row');
    assert.equal(t[2 * 1024 * 1024 + 1023 * 1024], 0);
  });

  it('sam2 stretches over the whole frame', () => {
    const t = preprocessSam2(rgba, width, height);
    assert.ok(Math.abs(t[1023 * 1024 + 1023]! - (255 - 123.675) / 58.395) < 1e-5);
  });

  it('interpolates bilinearly with half-pixel centres', () => {
    // A 2x1 image black | white becomes a ramp in the middle of the 1024 frame row.
    const two = Uint8ClampedArray.of(0, 0, 0, 255, 255, 255, 255, 255);
    const t = preprocessSam1(two, 2, 1);
    const value = (x: number) => t[x]! * 58.395 + 123.675;
    assert.ok(Math.abs(value(0)) < 1e-3);
    assert.ok(Math.abs(value(1023) - 255) < 1e-3);
    assert.ok(Math.abs(value(511) + value(512) - 255) < 1e-3, 'symmetric around the centre');
  });

  it('refuses a buffer that does not match the size', () => {
    fails(() => preprocessSam1(new Uint8Array(10), 4, 2), 'model/invalid-image');
    fails(() => preprocessSam1(rgba, 0, 2), 'model/invalid-image');
  });
});

describe('prompts', () => {
  it('encodes points then box corners (labels 2, 3), or a padding point without a box', () => {
    const a = encodePoints({ points: [{ x: 10, y: 20, positive: false }] }, 2, 2);
    assert.deepEqual([...a.coords], [20, 40, 0, 0]);
    assert.deepEqual([...a.labels], [0, -1]);
    const b = encodePoints(
      { points: [{ x: 1, y: 1, positive: true }], box: { x: 1, y: 2, width: 3, height: 4 } },
      1,
      1,
    );
    assert.deepEqual([...b.coords], [1, 1, 1, 2, 4, 6]);
    assert.deepEqual([...b.labels], [1, 2, 3]);
  });

  it('refuses empty prompts, points outside the image and empty boxes', () => {
    fails(() => checkPrompt({}, 10, 10), 'model/invalid-prompt', '$');
    fails(
      () => checkPrompt({ points: [{ x: 11, y: 1, positive: true }] }, 10, 10),
      'model/invalid-prompt',
      '$.points[0]',
    );
    fails(() => checkPrompt({ points: [{ x: Number.NaN, y: 1, positive: true }] }, 10, 10), 'model/invalid-prompt');
    fails(() => checkPrompt({ box: { x: 1, y: 1, width: 0, height: 3 } }, 10, 10), 'model/invalid-prompt', '$.box');
  });
});

describe('manifests', () => {
  const file = { url: 'decoder.onnx', sha256: 'a'.repeat(64) };
  const good = { id: 'sam-vit-b', contract: 'sam1', decoder: file, license: 'Apache-2.0' };

  it('accepts a manifest and refuses each malformed field with its path', () => {
    assert.ok(parseManifest(good).ok);
    const bad = (x: unknown, path: string) => {
      const r = parseManifest(x);
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'model/invalid-manifest');
      assert.equal(r.error.path, path);
    };
    bad([], '$');
    bad({ ...good, id: '../x' }, '$.id');
    bad({ ...good, contract: 'sam3' }, '$.contract');
    bad({ ...good, decoder: { url: 'd.onnx', sha256: 'XYZ' } }, '$.decoder.sha256');
    bad({ ...good, encoder: { sha256: file.sha256 } }, '$.encoder.url');
    bad({ ...good, license: 1 }, '$.license');
  });

  it('verifies a file against its checksum', async () => {
    const bytes = new TextEncoder().encode('model');
    const sha256 = await sha256Hex(bytes);
    assert.ok((await verifyFile(bytes, { url: 'm', sha256 })).ok);
    const r = await verifyFile(bytes, { url: 'm', sha256: '0'.repeat(64) });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'model/checksum-mismatch');
  });
});
