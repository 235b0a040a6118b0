import { expect } from 'chai';

// Proves the webgpu group really has a WebGPU adapter (SwiftShader, software) and can run a shader.
describe('browser harness: webgpu group', () => {
  it('gets a WebGPU adapter and device', async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    expect(gpu, 'navigator.gpu').to.not.equal(undefined);
    const adapter = (await gpu?.requestAdapter()) as { requestDevice(): Promise<{ queue: unknown }> } | null;
    expect(adapter, 'adapter').to.not.equal(null);
    const device = await adapter?.requestDevice();
    expect(device?.queue).to.not.equal(undefined);
    expect(globalThis.crossOriginIsolated).to.equal(true);
  });
});
