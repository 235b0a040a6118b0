import { createSegmenter } from '@labelkit/models';
import { expect } from 'chai';
import { BUILTIN_MANIFEST, sceneImage } from './testing/browser.ts';
import { maskIoU } from './testing/synthetic.ts';

// WebGPU has produced wrong SAM masks in past onnxruntime-web releases (DESIGN.md section 7): hold its
// output against WASM's on the same embedding and prompts.
// SwiftShader runs WebGPU on the CPU: loading the JSEP build and compiling the decoder's shaders take minutes
// on a busy machine, hence the long timeouts and one step per test.
describe('the built-in decoder on WebGPU', () => {
  const { scene, image } = sceneImage({ seed: 6 });
  const gpu = createSegmenter({
    model: BUILTIN_MANIFEST,
    executionProviders: ['webgpu'],
    embeddings: { storeBytes: 0 },
  });
  const cpu = createSegmenter({ model: BUILTIN_MANIFEST, executionProviders: ['wasm'], embeddings: { storeBytes: 0 } });
  after(() => {
    gpu.dispose();
    cpu.dispose();
  });

  it('loads on WebGPU', async function () {
    this.timeout(120_000);
    await gpu.setImage(image);
    expect(gpu.backend).to.equal('webgpu');
  });

  it('gives the masks WASM gives (IoU >= 0.99)', async function () {
    this.timeout(150_000);
    await cpu.setImage(image);
    expect(cpu.backend).to.equal('wasm');
    const [x, y] = scene.inside;
    const prompt = { points: [{ x, y, positive: true }] };
    const a = await gpu.segment(prompt);
    const b = await cpu.segment(prompt);
    expect(maskIoU(a.mask, b.mask)).to.be.at.least(0.99);
    expect(maskIoU(b.mask, scene.truth)).to.be.greaterThan(0.9);
  });
});
