/**
 * Backup and restore: fs -> s3 (s3rver) -> a fresh fs dataset leaves identical bytes under every key; a backup
 * stopped half-way has no ref and a rerun copies only the rest; restore refuses to move a branch backwards
 * unless forced; a corrupt source object is refused, not copied.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DatasetService } from '../datasets/service.ts';
import { type RunningS3rver, startS3rver } from '../storage/contract/s3rver.ts';
import { FsDriver } from '../storage/drivers/fs.ts';
import { S3Driver } from '../storage/drivers/s3.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import type { Location } from './digest.ts';
import { image, makeDataset, openFs, snapshot, tempRoot } from './fixtures/dataset.ts';
import { BACKUP_IMAGES, BACKUP_MANIFEST, backupDataset, datasetLocations, restoreDataset } from './ops.ts';
import { Progress } from './progress.ts';
import { verifyHistory } from './verify.ts';

const ITEMS = 70; // more than a leaf holds (64): the trees have inner nodes
const IMAGES = 12;

describe('backup and restore', () => {
  let s3: RunningS3rver;
  let s3driver: S3Driver;
  let root = '';
  let service: DatasetService;
  let history: Location;
  const roots: string[] = [];
  const fresh = (tag: string) => {
    const r = tempRoot(tag);
    roots.push(r);
    return r;
  };

  before(async () => {
    s3 = await startS3rver();
    s3driver = new S3Driver(s3.options);
    root = fresh('src');
    ({ service } = await makeDataset(root, 'demo', ITEMS, IMAGES));
    history = datasetLocations(service).history;
  });
  after(async () => {
    s3driver.destroy();
    await s3.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('fs -> s3rver -> a fresh fs dataset: identical hashes under every ref, commit, tree and object', async () => {
    const original = await snapshot(history);
    assert.ok(original.size > ITEMS * 1.5, `a real history (${original.size} keys)`);
    const backup: Location = { driver: s3driver, prefix: 'backups/demo/' };
    const b = await backupDataset(service, backup, { images: true });
    assert.deepEqual(b.problems, []);
    assert.equal(b.copied, original.size - 2 + IMAGES, 'every history object, the refs apart, and the images');
    assert.deepEqual(b.refs.map((r) => [r.branch, r.action]).sort(), [
      ['main', 'created'],
      ['review', 'created'],
    ]);
    assert.deepEqual(await snapshot(backup), original);
    const manifest = JSON.parse(
      new TextDecoder().decode((await s3driver.get(`backups/demo/${BACKUP_MANIFEST}`))?.body),
    );
    assert.equal(manifest.dataset, 'demo');
    assert.equal(manifest.refs.main, (await service.history.readRef('main'))?.head);

    // A second run finds everything there (S3 ETags are MD5s: the history objects are compared by reading them).
    const again = await backupDataset(service, backup, { images: true });
    assert.equal(again.copied, 0);
    assert.equal(again.skipped, b.copied);
    assert.deepEqual(
      again.refs.map((r) => r.action),
      ['unchanged', 'unchanged'],
    );

    const target = fresh('restored');
    const { registry, data } = openFs(target, [{ id: 'copy', source: { storage: 'data', prefix: 'pics/' } }]);
    const copy = (await registry.get('copy')) as DatasetService;
    const r = await restoreDataset(copy, backup, { images: true });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(await snapshot(datasetLocations(copy).history), original);
    for (const i of [0, 5, IMAGES - 1]) {
      const k = `img-${String(i).padStart(4, '0')}.png`;
      assert.deepEqual((await data.get(`pics/${k}`))?.body, image(i), k);
    }
    assert.equal((await copy.readItem('img-0002.png')).document?.shapes[0]?.type, 'box');
    const v = await verifyHistory(datasetLocations(copy));
    assert.deepEqual(v.problems, []);
    assert.equal(v.refs, 2);
  });

  it('a backup stopped after N objects has no ref; running it again copies only the rest', async () => {
    const dest: Location = { driver: new FsDriver({ root: fresh('resume') }), prefix: 'b/' };
    const controller = new AbortController();
    const N = 40;
    class StopAfter extends Progress {
      override copied(bytes: number): void {
        super.copied(bytes);
        if (this.counts.copied === N) controller.abort(new Error('stopped by the test'));
      }
    }
    const quiet = { write: () => true };
    const progress = new StopAfter({ label: 'backup', stream: quiet });
    await assert.rejects(
      backupDataset(service, dest, { images: true, progress, signal: controller.signal, concurrency: 4 }),
      /stopped by the test/,
    );
    const first = progress.counts.copied;
    assert.ok(first >= N && first < N + 4, `stops after the objects in flight (${first})`);
    assert.equal(await dest.driver.head('b/refs/main'), undefined, 'no ref before every object is there');
    assert.equal(await dest.driver.head(`b/${BACKUP_MANIFEST}`), undefined);

    const rest = await backupDataset(service, dest, { images: true });
    assert.deepEqual(rest.problems, []);
    assert.equal(rest.skipped, first, 'what the first run copied is skipped');
    const total = (await snapshot(history)).size - 2 + IMAGES;
    assert.equal(rest.copied, total - first, 'only the rest is copied');
    assert.deepEqual(await snapshot(dest), await snapshot(history));
    assert.equal((await snapshot(dest, [BACKUP_IMAGES])).size, IMAGES);
  });

  it('restore moves a branch only forward unless --force, and leaves it when nothing changed', async () => {
    const dest: Location = { driver: new FsDriver({ root: fresh('fwd') }), prefix: '' };
    await backupDataset(service, dest);
    const target = fresh('fwd-target');
    const { registry } = openFs(target, [{ id: 'x' }]);
    const x = (await registry.get('x')) as DatasetService;
    assert.deepEqual((await restoreDataset(x, dest)).problems, []);
    const head = (await x.history.readRef('main'))?.head as string;
    const ahead = await x.commit({ parent: head, items: { 'new.png': null, 'img-0003.png': null }, author: 't' });

    const refused = await restoreDataset(x, dest);
    assert.deepEqual(
      refused.problems.map((p) => [p.kind, p.key]),
      [['ref-not-forward', 'refs/main']],
    );
    assert.equal((await x.history.readRef('main'))?.head, ahead.head, 'the newer head is kept');
    assert.deepEqual(refused.refs.map((r) => [r.branch, r.action]).sort(), [
      ['main', 'refused'],
      ['review', 'unchanged'],
    ]);

    const forced = await restoreDataset(x, dest, { force: true });
    assert.deepEqual(forced.problems, []);
    assert.equal((await x.history.readRef('main'))?.head, head);
    assert.deepEqual(
      forced.refs.find((r) => r.branch === 'main'),
      { branch: 'main', head, action: 'forced' },
    );

    // The backup moves forward as the dataset does.
    const more = await service.commit({
      parent: (await service.history.readRef('main'))?.head as string,
      items: { 'img-0004.png': null },
      author: 't',
    });
    const b = await backupDataset(service, dest);
    assert.deepEqual(
      b.refs.find((r) => r.branch === 'main'),
      { branch: 'main', head: more.head, action: 'fast-forward' },
    );
  });

  it('refuses a corrupt source object or a bad write and writes no ref; an empty backup cannot be restored', async () => {
    const src = fresh('corrupt');
    const { service: broken, data } = await makeDataset(src, 'bad', 3);
    const head = (await broken.history.readRef('main'))?.head as string;
    const commitFile = join(src, `datasets/bad/commits/${head}.json`);
    writeFileSync(commitFile, '{"not":"the commit"}');
    const dest: Location = { driver: new FsDriver({ root: fresh('corrupt-dest') }), prefix: '' };
    const r = await backupDataset(broken, dest);
    assert.deepEqual(
      r.problems.map((p) => [p.kind, p.key]),
      [['corrupt-object', `commits/${head}.json`]],
    );
    assert.deepEqual(r.refs, []);
    assert.equal(await dest.driver.head('refs/main'), undefined);
    assert.ok(await data.head(`datasets/bad/commits/${head}.json`));

    // A destination that stores other bytes than it was sent (a bad disk, a broken proxy) is caught.
    const real = new FsDriver({ root: fresh('bad-disk') });
    const lossy: StorageDriver = {
      kind: 'fs',
      readOnly: false,
      get: (k) => real.get(k),
      head: (k) => real.head(k),
      list: (p, o) => real.list(p, o),
      delete: (k, o) => real.delete(k, o),
      sign: (r) => real.sign(r),
      put: async (k, body, o) => {
        const bytes = body.slice();
        if (k.startsWith('trees/')) bytes[0] = 0x20;
        await real.put(k, bytes, o);
        return { etag: '"opaque-etag"' }; // like Azure: the ETag says nothing, so the copy reads the object back
      },
    };
    const w = await backupDataset(service, { driver: lossy, prefix: '' });
    assert.ok(w.problems.length > 0);
    assert.ok(w.problems.every((p) => p.kind === 'write-mismatch' && p.key.startsWith('trees/')));
    assert.equal(await real.head('refs/main'), undefined, 'no ref over a bad copy');

    const empty: Location = { driver: new FsDriver({ root: fresh('empty') }), prefix: '' };
    await assert.rejects(restoreDataset(broken, empty), { code: 'ops/empty-backup' });
  });
});
