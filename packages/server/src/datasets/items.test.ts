import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FsDriver } from '../storage/drivers/fs.ts';
import { cleanup, SECRET, tempRoot } from './fixtures/serve.ts';
import { isImageKey, listSourceItems } from './items.ts';

describe('listSourceItems over an fs source of 2,500 objects', () => {
  let root: string;
  let driver: FsDriver;
  const images = new Set<string>();

  before(() => {
    root = tempRoot();
    // 25 folders x 100 files; every tenth file is not an image and a few use upper-case extensions.
    const exts = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif', 'PNG'];
    for (let f = 0; f < 25; f++) {
      const dir = join(root, 'src', `f${String(f).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 100; i++) {
        const name = i % 10 === 9 ? `n${i}.${['txt', 'json', 'png.bak'][i % 3]}` : `i${i}.${exts[i % 10]}`;
        writeFileSync(join(dir, name), `${f}/${i}`);
        if (i % 10 !== 9) images.add(`f${String(f).padStart(2, '0')}/${name}`);
      }
    }
    writeFileSync(join(root, 'outside.png'), 'not under the prefix');
    driver = new FsDriver({ root, secret: SECRET, readOnly: true });
  });
  after(() => cleanup(root));

  it('pages through every image once, 100 at a time, skipping other files', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listSourceItems(driver, 'src/', { limit: 100, ...(cursor ? { cursor } : {}) });
      pages++;
      if (page.cursor) assert.equal(page.items.length, 100, `page ${pages} is full`);
      for (const item of page.items) {
        assert.equal(item.key, `src/${item.id}`);
        assert.ok(isImageKey(item.id));
        assert.match(item.url, /^\/v1\/storage\/fs\/src\/.+\?/);
        assert.ok(item.size > 0);
      }
      seen.push(...page.items.map((i) => i.id));
      cursor = page.cursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no item twice');
    assert.deepEqual(new Set(seen), images);
    assert.equal(pages, Math.ceil(images.size / 100) + (images.size % 100 === 0 ? 1 : 0));
  });

  it('stops after maxListCalls with a short page and a cursor, and resumes without a gap', async () => {
    const r = tempRoot();
    try {
      mkdirSync(join(r, 'p'));
      for (let i = 0; i < 30; i++) writeFileSync(join(r, 'p', `a${String(i).padStart(2, '0')}.txt`), 'x');
      writeFileSync(join(r, 'p', 'z.png'), 'x');
      const d = new FsDriver({ root: r, secret: SECRET });
      const first = await listSourceItems(d, 'p/', { limit: 1, maxListCalls: 8 });
      assert.deepEqual(first.items, []);
      assert.ok(first.cursor);
      let cursor: string | undefined = first.cursor;
      const ids: string[] = [];
      while (cursor) {
        const page = await listSourceItems(d, 'p/', { limit: 1, maxListCalls: 8, cursor });
        ids.push(...page.items.map((i) => i.id));
        cursor = page.cursor;
      }
      assert.deepEqual(ids, ['z.png']);
    } finally {
      cleanup(r);
    }
  });

  it('refuses cursors it did not issue with dataset/invalid-cursor', async () => {
    for (const cursor of [
      '%%%',
      Buffer.from('{"k":"log","h":"x"}').toString('base64url'),
      Buffer.from('{"k":"items","c":"../x"}').toString('base64url'),
    ]) {
      await assert.rejects(
        listSourceItems(driver, 'src/', { cursor }),
        (e: Error & { code?: string; path?: string }) => {
          assert.equal(e.code, 'dataset/invalid-cursor');
          assert.equal(e.path, '$.cursor');
          return true;
        },
      );
    }
  });
});
