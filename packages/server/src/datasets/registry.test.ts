import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FsDriver } from '../storage/drivers/fs.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { cleanup, LABELS, tempRoot } from './fixtures/serve.ts';
import { DatasetRegistry } from './registry.ts';
import type { DatasetConfig } from './types.ts';

const storages = (root: string) =>
  new Map<string, StorageDriver>([
    ['data', new FsDriver({ root })],
    ['photos', new FsDriver({ root, prefix: 'photos/', readOnly: true })],
  ]);

describe('DatasetRegistry', () => {
  it('applies defaults to configured datasets and keeps their order', async () => {
    const root = tempRoot();
    try {
      const r = new DatasetRegistry({
        storages: storages(root),
        datasets: [
          { id: 'b', source: { storage: 'photos', prefix: 'cats' }, labels: LABELS },
          { id: 'a', title: 'A', target: { storage: 'data', prefix: 'hist/a/' } },
        ],
      });
      const [b, a] = await r.list();
      assert.deepEqual(b?.info(), {
        id: 'b',
        title: 'b',
        labels: LABELS,
        source: { storage: 'photos', prefix: 'cats/' },
        readOnlySource: true,
      });
      assert.deepEqual(a?.dataset.target, { storage: 'data', prefix: 'hist/a/' });
      assert.deepEqual(a?.dataset.source, { storage: 'data', prefix: 'datasets/a/images/' });
      assert.equal(await r.get('nope'), undefined);
      assert.equal(await r.get('../etc'), undefined);
    } finally {
      cleanup(root);
    }
  });

  it('refuses bad configuration with dataset/invalid-config and the path of the field', () => {
    const root = tempRoot();
    try {
      const cases: [unknown[], string][] = [
        [[{ id: 'UPPER' }], '$.datasets[0].id'],
        [[{ id: 'a' }, { id: 'a' }], '$.datasets[1].id'],
        [[{ id: 'a', source: { storage: 'missing', prefix: '' } }], '$.datasets[0].source.storage'],
        [[{ id: 'a', target: { storage: 'photos', prefix: 'x/' } }], '$.datasets[0].target.storage'],
        [[{ id: 'a', target: { storage: 'data', prefix: 'a//b/' } }], '$.datasets[0].target.prefix'],
        [[{ id: 'a', labels: [{ id: 'x', name: 'X' }] }], '$.datasets[0].labels[0].color'],
        [[{ id: 'a', colour: 'red' }], '$.datasets[0].colour'],
        [[{ id: 'a', title: 'x'.repeat(201) }], '$.datasets[0].title'],
      ];
      for (const [datasets, path] of cases) {
        assert.throws(
          () => new DatasetRegistry({ storages: storages(root), datasets: datasets as DatasetConfig[] }),
          (e: Error & { code?: string; path?: string }) => {
            assert.equal(e.code, 'dataset/invalid-config');
            assert.equal(e.path, path, JSON.stringify(datasets));
            return true;
          },
        );
      }
      assert.throws(
        () => new DatasetRegistry({ storages: storages(root), defaultStorage: 'nope' }),
        /No storage named nope/,
      );
    } finally {
      cleanup(root);
    }
  });

  it('finds a dataset another registry created in the shared storage, and refuses a corrupt dataset.json', async () => {
    const root = tempRoot();
    try {
      const one = new DatasetRegistry({ storages: storages(root) });
      const two = new DatasetRegistry({ storages: storages(root) });
      assert.equal(await two.get('late'), undefined);
      await one.create({ id: 'late', title: 'Late' });
      assert.equal((await two.get('late'))?.info().title, 'Late');
      await assert.rejects(one.create({ id: 'late' }), { code: 'dataset/exists', path: '$.id' });
      const data = storages(root).get('data') as StorageDriver;
      await data.put('datasets/broken/dataset.json', new TextEncoder().encode('{"id":"other"}'));
      await assert.rejects(two.get('broken'), { code: 'dataset/invalid-config', path: '$.id' });
      // A creation that stopped before its index entry: not listed, and a second creation repairs the entry.
      await data.put('datasets/half/dataset.json', new TextEncoder().encode('{"id":"half"}'));
      assert.deepEqual(
        (await one.list()).map((d) => d.id),
        ['late'],
      );
      await assert.rejects(one.create({ id: 'half' }), { code: 'dataset/exists' });
      assert.deepEqual((await two.list()).map((d) => d.id).sort(), ['half', 'late']);
    } finally {
      cleanup(root);
    }
  });
});
