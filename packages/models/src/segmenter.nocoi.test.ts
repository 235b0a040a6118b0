import { createSegmenter } from '@labelkit/models';
import { expect } from 'chai';
import { BUILTIN_MANIFEST, sceneImage } from './testing/browser.ts';
import { maskIoU } from './testing/synthetic.ts';

describe('createSegmenter on a page without cross-origin isolation', () => {
  it('segments with single-threaded WASM', async function () {
    this.timeout(120_000);
    expect(crossOriginIsolated).to.equal(false);
    const { scene, image } = sceneImage({ seed: 4 });
    const segmenter = createSegmenter({ model: BUILTIN_MANIFEST, embeddings: { storeBytes: 0 } });
    try {
      await segmenter.setImage(image);
      expect(segmenter.backend).to.equal('wasm');
      expect(segmenter.threads).to.equal(1);
      const [x, y] = scene.inside;
      const r = await segmenter.segment({ points: [{ x, y, positive: true }] });
      expect(maskIoU(r.mask, scene.truth)).to.be.greaterThan(0.9);
    } finally {
      segmenter.dispose();
    }
  });
});
