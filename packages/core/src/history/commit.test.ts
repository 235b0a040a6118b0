import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createCommit,
  encodeRef,
  HistoryError,
  isBranchName,
  MemoryObjectStore,
  parseRef,
  readCommit,
  refKey,
  sha256Hex,
} from '@labelkit/core';

const tree = 'a'.repeat(64);
const good = { parents: [], tree, author: 'alice', message: 'first', time: '2026-11-25T21:00:00.000Z' };

describe('createCommit', () => {
  it('encodes { parents, tree, author, message, time } canonically; its hash names it', async () => {
    const c = await createCommit(good);
    assert.ok(c.ok);
    const text = new TextDecoder().decode(c.value.put.bytes);
    assert.equal(
      text,
      `{"author":"alice","message":"first","parents":[],"time":"2026-11-25T21:00:00.000Z","tree":"${tree}"}`,
    );
    assert.equal(c.value.hash, await sha256Hex(text));
    assert.equal(c.value.put.key, `commits/${c.value.hash}.json`);
    const again = await createCommit({ time: good.time, message: 'first', author: 'alice', tree, parents: [] });
    assert.ok(again.ok);
    assert.equal(again.value.hash, c.value.hash, 'identical content, identical hash');
  });

  it('refuses malformed commits with the path of the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, parents: ['nope'] }, '$.parents[0]'],
      [{ ...good, parents: [tree, tree] }, '$.parents[1]'],
      [{ ...good, parents: Array(17).fill(tree) }, '$.parents'],
      [{ ...good, tree: 'A'.repeat(64) }, '$.tree'],
      [{ ...good, author: '  ' }, '$.author'],
      [{ ...good, message: 7 }, '$.message'],
      [{ ...good, time: '2026-11-25 21:00' }, '$.time'],
      [{ ...good, time: '2026-13-45T99:00:00Z' }, '$.time'],
      [{ ...good, branch: 'main' }, '$.branch'],
    ];
    for (const [c, path] of cases) {
      const r = await createCommit(c as never);
      assert.ok(!r.ok, path);
      assert.equal(r.error.code, 'history/invalid-commit');
      assert.equal(r.error.path, path);
    }
  });

  it('readCommit checks the hash and the shape of what it reads', async () => {
    const store = new MemoryObjectStore();
    const c = await createCommit(good);
    assert.ok(c.ok);
    store.write([c.value.put]);
    assert.deepEqual(await readCommit(store, c.value.hash), good);
    const bytes = new TextEncoder().encode('{"parents":[],"tree":"x"}');
    const h = await sha256Hex(bytes);
    store.objects.set(`commits/${h}.json`, bytes);
    await assert.rejects(
      readCommit(store, h),
      (e: unknown) => e instanceof HistoryError && e.code === 'history/corrupt-object' && e.key === `commits/${h}.json`,
    );
    await assert.rejects(
      readCommit(store, 'b'.repeat(64)),
      (e: unknown) => e instanceof HistoryError && e.code === 'history/missing-object',
    );
  });
});

describe('refs', () => {
  it('names branches safely and round-trips a head', () => {
    assert.equal(refKey('main'), 'refs/main');
    assert.equal(refKey('review/alice-2'), 'refs/review/alice-2');
    for (const bad of [
      '',
      '../x',
      'a/../b',
      '/abs',
      'a//b',
      '.hidden',
      'x.lock',
      'sp ace',
      'back\\slash',
      'nul\u0000',
      'a'.repeat(201),
    ]) {
      assert.equal(isBranchName(bad), false, bad);
      assert.throws(
        () => refKey(bad),
        (e: unknown) => e instanceof HistoryError && e.code === 'history/invalid-ref',
      );
    }
    assert.equal(parseRef(encodeRef(tree), 'refs/main'), tree);
    assert.throws(
      () => parseRef(new TextEncoder().encode('garbage'), 'refs/main'),
      (e: unknown) => e instanceof HistoryError && e.key === 'refs/main',
    );
    assert.throws(
      () => encodeRef('short'),
      (e: unknown) => e instanceof HistoryError && e.code === 'history/invalid-hash',
    );
  });
});
