/**
 * Lineage of source images: a commit stamps each document with its image's ETag and size (never the client's
 * value); after the image is replaced, export's fidelity report has `image-changed` and verify lists it; after
 * it is deleted, `image-missing`.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnnotationDocument, FidelityEntry } from '@labelkit/core';
import { unzipSync } from 'fflate';
import { exportDataset } from '../commands/export.ts';
import type { DatasetService } from '../datasets/service.ts';
import { openDataset } from '../export/open.ts';
import { doc, image, tempRoot } from './fixtures/dataset.ts';
import { stampImages, withLineage } from './lineage.ts';
import { datasetLocations, verifyDataset } from './ops.ts';

describe('image lineage', () => {
  let dir = '';
  let config = '';
  let service: DatasetService;
  const key = (id: string) => `images/demo/${id}`;

  before(async () => {
    dir = tempRoot('lineage');
    config = join(dir, 'labelkit.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        datasets: [
          {
            id: 'demo',
            source: { storage: 'data', prefix: 'images/demo/' },
            labels: [{ id: 'cat', name: 'Cat', color: '#e6194b' }],
          },
        ],
      }),
    );
    ({ service } = await openDataset({ dataset: 'demo', config }));
    for (const [i, id] of ['a.png', 'b.png', 'c.png'].entries()) await service.source.put(key(id), image(i));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fidelity = async (): Promise<Record<string, FidelityEntry[]>> => {
    const out = join(dir, `export-${Date.now()}.zip`);
    await exportDataset({ dataset: 'demo', config, format: 'coco', out });
    const files = unzipSync(new Uint8Array(readFileSync(out)));
    return JSON.parse(new TextDecoder().decode(files['fidelity.json'])).items;
  };
  const lineageProblems = async () =>
    (await verifyDataset(service)).problems
      .map((p): [string, string] => [p.kind, p.key])
      .sort((x, y) => (x[1] < y[1] ? -1 : 1));

  it('stamps every committed document with its image, replacing what a client sent', async () => {
    const forged: AnnotationDocument = { ...doc('a.png'), item: { ...doc('a.png').item, image: { etag: '"forged"' } } };
    const noImage: AnnotationDocument = { ...doc('z.png'), item: { ...doc('z.png').item, image: { etag: '"x"' } } };
    await service.commit({
      parent: null,
      items: { 'a.png': forged, 'b.png': doc('b.png'), 'c.png': doc('c.png'), 'z.png': noImage },
      author: 't',
    });
    for (const id of ['a.png', 'b.png', 'c.png']) {
      const info = await service.source.head(key(id));
      const stored = (await service.readItem(id)).document;
      assert.deepEqual(stored?.item.image, { etag: info?.etag, size: info?.size }, id);
    }
    assert.equal((await service.readItem('z.png')).document?.item.image, undefined, 'no image: no stamp at all');
    assert.deepEqual(await fidelity(), {});
    assert.deepEqual(await lineageProblems(), []);
  });

  it('a replaced image gives image-changed, a deleted one image-missing, in export and in verify', async () => {
    await service.source.put(key('a.png'), image(99));
    let items = await fidelity();
    assert.deepEqual(Object.keys(items), ['a.png']);
    assert.equal(items['a.png']?.[0]?.code, 'image-changed');
    assert.match(items['a.png']?.[0]?.message ?? '', /changed since it was labeled/);
    assert.deepEqual(await lineageProblems(), [['image-changed', 'a.png']]);

    await service.source.delete(key('b.png'));
    items = await fidelity();
    assert.deepEqual(
      Object.entries(items)
        .map(([id, e]) => [id, e.map((x) => x.code)])
        .sort(),
      [
        ['a.png', ['image-changed']],
        ['b.png', ['image-missing']],
      ],
    );
    assert.deepEqual(await lineageProblems(), [
      ['image-changed', 'a.png'],
      ['image-missing', 'b.png'],
    ]);

    // Committing the item again records the image as it is now: the warning goes away.
    const head = (await service.history.readRef('main'))?.head as string;
    await service.commit({ parent: head, items: { 'a.png': doc('a.png', 3) }, author: 't' });
    assert.deepEqual(await lineageProblems(), [['image-missing', 'b.png']]);
  });

  it('stampImages leaves deletions and non-documents alone; withLineage keeps the order', async () => {
    const source = datasetLocations(service).source;
    const items = new Map<string, unknown>([
      ['c.png', doc('c.png')],
      ['gone.png', null],
      ['bad.png', 'not a document'],
    ]);
    const stamped = await stampImages(source, items);
    assert.equal(stamped.get('gone.png'), null);
    assert.equal(stamped.get('bad.png'), 'not a document');
    assert.ok((stamped.get('c.png') as AnnotationDocument).item.image);
    const entries: FidelityEntry[] = [];
    const docs = Array.from({ length: 40 }, (_, i) => doc(`d${i}.png`));
    const seen: string[] = [];
    const check = async (d: AnnotationDocument) => {
      await new Promise((r) => setTimeout(r, (7 * Number(d.item.id.slice(1, -4))) % 5));
      return d.item.id.endsWith('7.png') ? { code: 'image-missing', itemId: d.item.id, message: 'm' } : undefined;
    };
    for await (const d of withLineage(docs, check, entries, 8)) seen.push(d.item.id);
    assert.deepEqual(
      seen,
      docs.map((d) => d.item.id),
    );
    assert.deepEqual(
      entries.map((e) => e.itemId),
      ['d7.png', 'd17.png', 'd27.png', 'd37.png'],
    );
  });
});
