import { expect } from 'chai';

// Proves the default group runs where it claims: real Chromium, cross-origin isolated pages.
describe('browser harness: default group', () => {
  it('runs in Chromium with cross-origin isolation (WASM threads possible)', () => {
    expect(navigator.userAgent).to.match(/Chrom(e|ium)\//);
    expect(globalThis.crossOriginIsolated).to.equal(true);
    expect(typeof SharedArrayBuffer).to.equal('function');
  });

  it('dispatches real pointer events through the browser', async () => {
    const { sendMouse } = await import('@web/test-runner-commands');
    const button = document.createElement('button');
    button.textContent = 'press';
    Object.assign(button.style, { position: 'fixed', left: '10px', top: '10px', width: '80px', height: '40px' });
    document.body.append(button);
    const seen: PointerEvent[] = [];
    button.addEventListener('pointerdown', (e) => seen.push(e));
    await sendMouse({ type: 'click', position: [40, 30] });
    button.remove();
    expect(seen).to.have.length(1);
    expect(seen[0]?.isTrusted).to.equal(true);
  });
});
