import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTRACTS, resizeTransform } from '@labelkit/models';

describe('model contracts', () => {
  it('sam1 resizes the longest side to 1024 and keeps aspect', () => {
    const t = resizeTransform('sam1', 1000, 300);
    assert.equal(t.resizedWidth, 1024);
    assert.equal(t.resizedHeight, 307);
    assert.equal(t.scaleX, t.scaleY);
  });

  it('sam2 stretches to 1024x1024', () => {
    const t = resizeTransform('sam2', 1000, 300);
    assert.deepEqual([t.resizedWidth, t.resizedHeight], [1024, 1024]);
    assert.notEqual(t.scaleX, t.scaleY);
  });

  it('names the sam1 embedding as DESIGN.md gives it', () => {
    assert.deepEqual(CONTRACTS.sam1.encoderOutputs, { image_embeddings: [1, 256, 64, 64] });
  });
});
