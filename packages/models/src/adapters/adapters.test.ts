import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelKitError } from '@labelkit/core';
import { checkEmbedding, sam2, upsampleToMask } from '@labelkit/models';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../builtin/graph.ts';

/**
 * A tiny graph with samexporter's sam2 decoder inputs and outputs: three candidate masks, discs of radius
 * 10, 20 and 30 cells around the first point, scored 0.2, 0.9, 0.5.
 */
function tinySam2Decoder(): Uint8Array {
  const g = new GraphBuilder('tiny_sam2_decoder');
  g.input('image_embed', [1, 256, 64, 64]);
  g.input('high_res_feats_0', [1, 32, 256, 256]);
  g.input('high_res_feats_1', [1, 64, 128, 128]);
  const coords = g.input('point_coords', [1, 'n', 2]);
  g.input('point_labels', [1, 'n']);
  g.input('mask_input', [1, 1, 256, 256]);
  g.input('has_mask_input', [1]);
  const first = (axis: number) =>
    g.op('Reshape', [
      g.op('Div', [g.op('Slice', [coords, g.i64([0, axis]), g.i64([1, axis + 1]), g.i64([1, 2])]), g.f32([4], [])]),
      g.i64([1, 1, 1, 1]),
    ]);
  const centres = Array.from({ length: 256 }, (_, i) => i + 0.5);
  const dx = g.op('Sub', [g.f32(centres, [1, 1, 1, 256]), first(0)]);
  const dy = g.op('Sub', [g.f32(centres, [1, 1, 256, 1]), first(1)]);
  const d2 = g.op('Add', [g.op('Mul', [dx, dx]), g.op('Mul', [dy, dy])]);
  g.output(g.op('Sub', [g.f32([100, 400, 900], [1, 3, 1, 1]), d2]), 'masks', [1, 3, 256, 256]);
  g.output(g.op('Identity', [g.f32([0.2, 0.9, 0.5], [1, 3])]), 'iou_predictions', [1, 3]);
  return g.toBytes('test graph with the sam2 (samexporter) decoder signature');
}

const zeros = (dims: number[]) => ({ data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims });

describe('sam2 adapter', () => {
  it('feeds samexporter inputs, picks the best mask and stretches it back to the image', async () => {
    const session = await ort.InferenceSession.create(tinySam2Decoder());
    const embedding = {
      image_embed: zeros([1, 256, 64, 64]),
      high_res_feats_0: zeros([1, 32, 256, 256]),
      high_res_feats_1: zeros([1, 64, 128, 128]),
    };
    const width = 512;
    const height = 256;
    const feeds = sam2.feeds(embedding, { points: [{ x: 256, y: 128, positive: true }] }, width, height);
    assert.deepEqual(Object.keys(feeds).sort(), [...session.inputNames].sort());
    // sam2 stretches: x by 1024/512, y by 1024/256.
    assert.deepEqual([...feeds.point_coords!.data], [512, 512, 0, 0]);
    assert.deepEqual([...feeds.point_labels!.data], [1, -1]);
    const out = await session.run(
      Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)])),
    );
    const r = sam2.read(
      Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: [...v.dims] }])),
      width,
      height,
    );
    assert.ok(Math.abs(r.score - 0.9) < 1e-6, `score ${r.score}`);
    assert.equal(r.lowRes.length, 256 * 256);
    // Mask 1 (radius 20 cells = 80 frame pixels) is an ellipse of radii 40 x 20 image pixels.
    const at = (x: number, y: number) => r.mask[y * width + x];
    assert.equal(at(256, 128), 1);
    assert.equal(at(256 + 36, 128), 1);
    assert.equal(at(256 + 44, 128), 0);
    assert.equal(at(256, 128 + 18), 1);
    assert.equal(at(256, 128 + 22), 0);
  });

  it('refuses an embedding without the high-resolution features', () => {
    assert.throws(
      () => sam2.feeds({ image_embed: zeros([1, 256, 64, 64]) }, { points: [{ x: 1, y: 1, positive: true }] }, 8, 8),
      (e: unknown) =>
        e instanceof LabelKitError && e.code === 'model/embedding-mismatch' && e.path === '$.tensors.high_res_feats_0',
    );
  });
});

describe('checkEmbedding and upsampleToMask', () => {
  it('names the tensor whose shape is wrong', () => {
    assert.throws(
      () => checkEmbedding('sam1', { image_embeddings: { dims: [1, 256, 32, 32] } }),
      (e: unknown) => e instanceof LabelKitError && e.path === '$.tensors.image_embeddings.shape',
    );
  });

  it('upsamples logits with half-pixel centres and thresholds at 0', () => {
    // 2x2 logits: left column inside, right outside -> the left half of a 4x2 mask.
    const mask = upsampleToMask(Float32Array.of(1, -1, 1, -1), 2, 2, 4, 2);
    assert.deepEqual([...mask], [1, 1, 0, 0, 1, 1, 0, 0]);
  });
});
