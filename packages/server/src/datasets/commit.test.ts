import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Commit, createCommit } from '@labelkit/core';
import { FsDriver } from '../storage/drivers/fs.ts';
import { commitTime, landCommit } from './commit.ts';
import { cleanup, doc, tempRoot } from './fixtures/serve.ts';
import { DatasetRegistry } from './registry.ts';
import type { DatasetService } from './service.ts';

const commitAt = (time: string): Commit => ({ parents: [], tree: 'a'.repeat(64), author: 'x', message: '', time });

describe('landCommit and commit times', () => {
  it('gives a commit a time after its parents even when this clock is behind', () => {
    const parents = [commitAt('2030-01-01T00:00:00.000Z'), commitAt('2030-01-01T00:00:00.005Z')];
    assert.equal(commitTime(parents, Date.parse('2026-01-01T00:00:00Z')), '2030-01-01T00:00:00.006Z');
    assert.equal(commitTime(parents, Date.parse('2031-01-01T00:00:00Z')), '2031-01-01T00:00:00.000Z');
  });

  it('gives up with dataset/busy when every compare-and-swap loses, leaving the ref where it was', async () => {
    const root = tempRoot();
    try {
      const registry = new DatasetRegistry({
        storages: new Map([['data', new FsDriver({ root })]]),
        datasets: [{ id: 'd' }],
      });
      const service = (await registry.get('d')) as DatasetService;
      const first = await service.commit({ parent: null, items: { 'a.png': doc('a.png') }, author: 'a' });
      const c = await createCommit({ ...commitAt(new Date().toISOString()), parents: [first.head], tree: first.head });
      // Any stored commit will do to land; its tree is never read when the swap is all that is left.
      assert.ok(c.ok);
      await service.history.putImmutable([c.value.put]);
      // A store whose swaps always lose, as if other writers moved the ref every time.
      const losing = Object.create(service.history, { casRef: { value: async () => false } });
      let attempts = 0;
      const counting = Object.create(losing, {
        readRef: {
          value: (b: string) => {
            attempts++;
            return service.history.readRef(b);
          },
        },
      });
      await assert.rejects(
        landCommit(counting, { branch: 'main', commit: c.value.hash, parent: first.head, author: 'a', maxAttempts: 3 }),
        { code: 'dataset/busy' },
      );
      assert.equal(attempts, 3);
      assert.equal((await service.history.readRef('main'))?.head, first.head);
    } finally {
      cleanup(root);
    }
  });
});
