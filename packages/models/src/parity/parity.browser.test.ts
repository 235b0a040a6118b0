import { decodeRLE } from '@labelkit/core';
import { createSegmenter, type Segmenter } from '@labelkit/models';
import { expect } from 'chai';
import { BUILTIN_MANIFEST, sceneImage } from '../testing/browser.ts';
import { maskIoU } from '../testing/synthetic.ts';
import { PARITY_CASES, type ParityFixture } from './cases.ts';

// onnxruntime-web (WASM, in the worker, with the in-browser encoder) against the masks onnxruntime-node computed for
// the same scenes and prompts (parity.test.ts keeps the fixture equal to what Node computes).
describe('built-in model: onnxruntime-web gives the masks onnxruntime-node gives', () => {
  let segmenter: Segmenter;
  let fixture: ParityFixture;
  before(async () => {
    fixture = (await (await fetch(new URL('./fixtures/node-masks.json', import.meta.url))).json()) as ParityFixture;
    segmenter = createSegmenter({ model: BUILTIN_MANIFEST, embeddings: { storeBytes: 0 } });
  });
  after(() => segmenter.dispose());

  for (const c of PARITY_CASES) {
    it(c.name, async function () {
      this.timeout(120_000);
      const expected = fixture.cases.find((x) => x.name === c.name);
      expect(expected, 'fixture case').to.not.equal(undefined);
      const { scene, image } = sceneImage(c.spec);
      await segmenter.setImage(image);
      const r = await segmenter.segment(c.prompt(scene));
      expect([r.width, r.height]).to.deep.equal([expected!.width, expected!.height]);
      const nodeMask = decodeRLE(expected!.rle);
      // Float rounding may flip a pixel on the boundary, nothing more.
      expect(maskIoU(r.mask, nodeMask)).to.be.greaterThan(0.995);
      expect(r.score).to.be.closeTo(expected!.score, 1e-3);
    });
  }
});
