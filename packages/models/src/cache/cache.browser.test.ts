import { IndexedDbStore } from '@labelkit/models';
import { expect } from 'chai';

describe('IndexedDbStore', () => {
  it('keeps containers across instances and evicts the least recently used past its bound', async () => {
    const name = `labelkit-test-${Math.random()}`;
    const store = new IndexedDbStore(1000, name);
    await store.put('a', new Uint8Array(400).fill(1));
    await new Promise((r) => setTimeout(r, 5));
    await store.put('b', new Uint8Array(400).fill(2));
    await new Promise((r) => setTimeout(r, 5));
    expect((await store.get('a'))?.[0]).to.equal(1); // a becomes the most recently used
    await new Promise((r) => setTimeout(r, 5));
    await store.put('c', new Uint8Array(400).fill(3));
    expect(await store.get('b')).to.equal(undefined);
    expect(await store.bytes()).to.equal(800);
    const again = new IndexedDbStore(1000, name);
    expect((await again.get('c'))?.[0]).to.equal(3);
    await store.put('huge', new Uint8Array(2000));
    expect(await store.get('huge')).to.equal(undefined);
  });
});
