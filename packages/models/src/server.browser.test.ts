import { createSegmenter, type Segmenter } from '@labelkit/models';
import { expect } from 'chai';
import { sceneImage } from './testing/browser.ts';
import { maskIoU } from './testing/synthetic.ts';

// The test server mounts the real LabelKit server app under /v1/ and /metrics (web-test-runner.config.mjs): the
// model's manifest and decoder come from `GET /v1/models/builtin/...`, the embedding from `POST /v1/embeddings`,
// computed by onnxruntime-node on the server.
async function encoderRuns(): Promise<number> {
  const text = await (await fetch('/metrics')).text();
  return Number(/^labelkit_embedding_cache_misses_total (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('createSegmenter with embeddings from the LabelKit server', () => {
  let segmenter: Segmenter | undefined;
  after(() => segmenter?.dispose());

  it('loads the model from the server, gets the embedding by POST and segments a click', async function () {
    this.timeout(180_000);
    segmenter = createSegmenter({
      model: '/v1/models/builtin/manifest.json',
      server: location.origin,
      embeddings: { storeBytes: 0 },
    });
    const { scene, image } = sceneImage({ seed: 21, shape: 'ellipse', texture: 'flat', noise: 4 });
    const before = await encoderRuns();
    const size = await segmenter.setImage(image);
    expect(size).to.deep.equal({ width: scene.width, height: scene.height });
    expect(await encoderRuns(), 'the server ran its encoder once').to.equal(before + 1);
    const r = await segmenter.segment({ points: [{ x: scene.inside[0], y: scene.inside[1], positive: true }] });
    expect(maskIoU(r.mask, scene.truth)).to.be.greaterThan(0.9);
    expect(r.score).to.be.within(0, 1);
  });
});
