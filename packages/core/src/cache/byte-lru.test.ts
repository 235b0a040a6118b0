import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteLru } from '@labelkit/core';

describe('ByteLru', () => {
  it('evicts the least recently used entries beyond its byte budget', () => {
    const lru = new ByteLru<string>(100);
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    assert.equal(lru.get('a'), 'A'); // a is now the most recent
    lru.set('c', 'C', 40);
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.get('a'), 'A');
    assert.equal(lru.bytes, 80);
    lru.set('huge', 'H', 101);
    assert.equal(lru.get('huge'), undefined, 'a value larger than the cache is not kept');
    lru.set('a', 'A2', 10);
    assert.equal(lru.bytes, 50);
    assert.equal(lru.size, 2);
    lru.delete('a');
    assert.equal(lru.bytes, 40);
  });
});
