import { expect } from 'chai';

// Proves the no-coi group runs like a host page that cannot send COOP/COEP: no isolation, no SharedArrayBuffer.
describe('browser harness: no-coi group', () => {
  it('is not cross-origin isolated', () => {
    expect(globalThis.crossOriginIsolated).to.equal(false);
    expect(typeof SharedArrayBuffer).to.equal('undefined');
  });
});
