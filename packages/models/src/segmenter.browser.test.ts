import { encodeEmbedding, LabelKitError } from '@labelkit/core';
import { createSegmenter, type Segmenter } from '@labelkit/models';
import { expect } from 'chai';
import { BUILTIN_MANIFEST, sceneImage } from './testing/browser.ts';
import { maskIoU } from './testing/synthetic.ts';

async function rejection(p: Promise<unknown>): Promise<LabelKitError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(LabelKitError);
    return e as LabelKitError;
  }
  throw new Error('expected a rejection');
}

// One segmenter for the file: each one compiles onnxruntime-web's WASM in its worker.
let segmenter: Segmenter;
before(() => {
  segmenter = createSegmenter({ model: BUILTIN_MANIFEST, embeddings: { storeBytes: 0 } });
});
after(() => segmenter.dispose());

describe('createSegmenter with the built-in model (cross-origin isolated page)', () => {
  const { scene, image } = sceneImage({ seed: 2 });

  // The first setImage compiles the WASM and runs the encoder: seconds on a busy 2-core machine.
  before(async function () {
    this.timeout(120_000);
    await segmenter.setImage(image);
  });

  it('falls back to wasm without a GPU and uses threads on an isolated page', () => {
    expect(crossOriginIsolated).to.equal(true);
    expect(segmenter.backend).to.equal('wasm');
    expect(segmenter.threads).to.be.greaterThan(1);
  });

  it('segments a click into a mask, its RLE and score, in image pixels', async () => {
    const [x, y] = scene.inside;
    const r = await segmenter.segment({ points: [{ x, y, positive: true }] });
    expect([r.width, r.height]).to.deep.equal([scene.width, scene.height]);
    expect(r.rle.size).to.deep.equal([scene.height, scene.width]);
    expect(maskIoU(r.mask, scene.truth)).to.be.greaterThan(0.9);
    expect(r.score).to.be.within(0, 1);
    expect(r.polygons).to.have.length(1);
    const xs = r.polygons[0]!.points.filter((_, i) => i % 2 === 0);
    expect(Math.min(...xs)).to.be.closeTo(scene.box[0], 3);
    expect(Math.max(...xs)).to.be.closeTo(scene.box[2], 3);
  });

  it('a newer prompt aborts an older one, whose late result is dropped', async () => {
    const [x, y] = scene.inside;
    const first = segmenter.segment({ points: [{ x, y, positive: true }] });
    const second = segmenter.segment({ points: [{ x: x + 2, y, positive: true }] });
    const error = await rejection(first);
    expect(error.code).to.equal('abort');
    const r = await second;
    expect(maskIoU(r.mask, scene.truth)).to.be.greaterThan(0.9);
  });

  it('an AbortSignal aborts a prompt', async () => {
    const controller = new AbortController();
    const p = segmenter.segment({ points: [{ x: 10, y: 10, positive: true }] }, controller.signal);
    controller.abort();
    expect((await rejection(p)).code).to.equal('abort');
  });

  it('refuses malformed prompts with a typed error and its path', async () => {
    const e = await rejection(segmenter.segment({ points: [{ x: -5, y: 10, positive: true }] }));
    expect(e.code).to.equal('model/invalid-prompt');
    expect(e.path).to.equal('$.points[0]');
    expect((await rejection(segmenter.segment({}))).code).to.equal('model/invalid-prompt');
  });

  it('a box prompt on a 1000x300 image yields a mask inside that box', async function () {
    this.timeout(120_000);
    const wide = sceneImage({ seed: 7, width: 1000, height: 300 });
    const s = segmenter;
    {
      expect(await s.setImage(wide.image)).to.deep.equal({ width: 1000, height: 300 });
      const box = { x: 120, y: 30, width: 300, height: 240 };
      const r = await s.segment({ box });
      let n = 0;
      for (let i = 0; i < r.mask.length; i++) {
        if (!r.mask[i]) continue;
        n++;
        const px = i % 1000;
        const py = Math.floor(i / 1000);
        expect(px >= box.x - 1 && px <= box.x + box.width && py >= box.y - 1 && py <= box.y + box.height).to.equal(
          true,
          `pixel (${px}, ${py}) outside the box`,
        );
      }
      expect(n).to.be.greaterThan(0);
    }
  });
});

describe('createSegmenter: bad input is a typed error, never a wrong mask', () => {
  const tensor = (shape: number[]) => ({
    name: 'image_embeddings',
    shape,
    data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  });
  const container = (model: string, shape: number[]) =>
    encodeEmbedding({
      model,
      contract: 'sam1',
      imageSize: { width: 64, height: 48 },
      inputSize: { width: 1024, height: 1024 },
      resizedSize: { width: 1024, height: 768 },
      tensors: [tensor(shape)],
    });

  it('an embedding of another model', async () => {
    const e = await rejection(segmenter.setImage({ embedding: container('sam-vit-b', [1, 256, 64, 64]) }));
    expect(e.code).to.equal('model/embedding-mismatch');
  });

  it('an embedding of the wrong shape', async () => {
    const e = await rejection(segmenter.setImage({ embedding: container('builtin', [1, 256, 32, 32]) }));
    expect(e.code).to.equal('model/embedding-mismatch');
    expect(e.path).to.equal('$.tensors.image_embeddings.shape');
  });

  it('a corrupt container', async () => {
    const bytes = container('builtin', [1, 256, 64, 64]).slice(0, 100);
    const e = await rejection(segmenter.setImage({ embedding: bytes }));
    expect(e.code).to.match(/^embedding\//);
  });

  it('a valid container segments', async () => {
    await segmenter.setImage({ embedding: container('builtin', [1, 256, 64, 64]) });
    const r = await segmenter.segment({ points: [{ x: 30, y: 20, positive: true }] });
    expect([r.width, r.height]).to.deep.equal([64, 48]);
  });

  it('a manifest whose decoder checksum does not match', async function () {
    this.timeout(60_000);
    const manifest = await (await fetch(BUILTIN_MANIFEST)).json();
    manifest.decoder.sha256 = '0'.repeat(64);
    manifest.decoder.url = new URL(manifest.decoder.url, new URL(BUILTIN_MANIFEST, location.href)).href;
    const s = createSegmenter({ model: manifest });
    try {
      const e = await rejection(s.setImage(sceneImage({ seed: 1 }).image));
      expect(e.code).to.equal('model/checksum-mismatch');
      expect(e.path).to.equal('$.decoder.sha256');
    } finally {
      s.dispose();
    }
  });

  it('a manifest that is not one', async () => {
    const s = createSegmenter({ model: { id: 'x', contract: 'sam9' } as never });
    const e = await rejection(s.setImage(sceneImage({ seed: 1 }).image));
    expect(e.code).to.equal('model/invalid-manifest');
    expect(e.path).to.equal('$.contract');
  });
});
