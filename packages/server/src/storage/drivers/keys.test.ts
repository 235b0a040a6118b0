import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAD_KEYS } from '../contract/contract.ts';
import { normalizeListPrefix, normalizePrefix, normalizeStorageKey } from './keys.ts';

describe('storage keys', () => {
  it('keeps ordinary keys, NFC-normalized and un-decoded', () => {
    assert.equal(normalizeStorageKey('images/a.png'), 'images/a.png');
    assert.equal(normalizeStorageKey('a%20b/c d.jpg'), 'a%20b/c d.jpg');
    assert.equal(normalizeStorageKey('cafe\u0301.png'), 'caf\u00e9.png');
    assert.equal(normalizeStorageKey('x'.repeat(1024)), 'x'.repeat(1024));
    assert.equal(normalizeStorageKey('..a/b..'), '..a/b..', 'dots inside a name are fine');
  });

  it('refuses every form that could leave the prefix, with storage/forbidden-key and the path of the key', () => {
    for (const [why, key] of BAD_KEYS)
      assert.throws(() => normalizeStorageKey(key), { code: 'storage/forbidden-key', path: '$.key' }, why);
  });

  it('checks prefixes with the same rules', () => {
    assert.equal(normalizePrefix(undefined), '');
    assert.equal(normalizePrefix('datasets/d1'), 'datasets/d1/');
    assert.equal(normalizePrefix('datasets/d1/'), 'datasets/d1/');
    assert.throws(() => normalizePrefix('../d1/'), { code: 'storage/forbidden-key' });
    assert.equal(normalizeListPrefix('images/a'), 'images/a');
    assert.equal(normalizeListPrefix('images/'), 'images/');
    assert.throws(() => normalizeListPrefix('images//'), { code: 'storage/forbidden-key' });
  });
});
