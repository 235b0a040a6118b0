import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isStorageError } from './errors.ts';
import { FsDriver } from './fs.ts';

const dirs: string[] = [];
const tempRoot = () => {
  const d = mkdtempSync(join(tmpdir(), 'labelkit-fsd-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const settle = async (ps: Promise<unknown>[]) => {
  const r = await Promise.allSettled(ps);
  const won = r.filter((x) => x.status === 'fulfilled').length;
  const lost = r.filter((x) => x.status === 'rejected' && isStorageError(x.reason, 'storage/precondition-failed'));
  assert.equal(won + lost.length, ps.length, 'every loser fails with storage/precondition-failed');
  return won;
};

describe('fs driver', () => {
  it('uses the quoted sha256 of the content as ETag', async () => {
    const d = new FsDriver({ root: tempRoot() });
    const { etag } = await d.put('a', bytes('abc'));
    assert.equal(etag, '"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"');
  });

  it('lets exactly one of many concurrent ifNoneMatch writers win, in one process and across drivers', async () => {
    const root = tempRoot();
    // Separate driver instances share no in-process mutex: only the O_EXCL lock file keeps them apart.
    const drivers = Array.from({ length: 4 }, () => new FsDriver({ root }));
    const writers = Array.from({ length: 40 }, (_, i) =>
      (drivers[i % 4] as FsDriver).put('objects/x.json', bytes(`writer ${i}`), { ifNoneMatch: '*' }),
    );
    assert.equal(await settle(writers), 1);
    const body = text((await (drivers[0] as FsDriver).get('objects/x.json'))?.body);
    assert.match(body ?? '', /^writer \d+$/);
  });

  it('compare-and-swap: of writers holding the same ETag exactly one wins, and a retry loop loses no update', async () => {
    const root = tempRoot();
    const drivers = Array.from({ length: 4 }, () => new FsDriver({ root }));
    const first = drivers[0] as FsDriver;
    const { etag } = await first.put('refs/main', bytes('0'));
    const racers = Array.from({ length: 20 }, (_, i) =>
      (drivers[i % 4] as FsDriver).put('refs/main', bytes(`racer ${i}`), { ifMatch: etag }),
    );
    assert.equal(await settle(racers), 1);

    await first.put('counter', bytes('0'));
    const increment = async (d: FsDriver) => {
      for (;;) {
        const cur = await d.get('counter');
        try {
          await d.put('counter', bytes(String(Number(text(cur?.body)) + 1)), { ifMatch: cur?.etag as string });
          return;
        } catch (e) {
          if (!isStorageError(e, 'storage/precondition-failed')) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, i) => increment(drivers[i % 4] as FsDriver)));
    assert.equal(text((await first.get('counter'))?.body), '16');
  });

  it('keeps two processes apart (compare-and-swap increments from child processes)', async () => {
    const root = tempRoot();
    await new FsDriver({ root }).put('counter', bytes('0'));
    const script = join(root, 'inc.mts');
    const driverUrl = new URL('./fs.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { FsDriver } from ${JSON.stringify(driverUrl)};
const d = new FsDriver({ root: ${JSON.stringify(join(root))} });
for (let n = 0; n < 10; ) {
  const cur = await d.get('counter');
  try { await d.put('counter', new TextEncoder().encode(String(Number(new TextDecoder().decode(cur.body)) + 1)), { ifMatch: cur.etag }); n++; }
  catch (e) { if (e.code !== 'storage/precondition-failed') throw e; }
}`,
    );
    const run = () =>
      promisify(execFile)(process.execPath, ['--conditions=labelkit-source', '--import', 'tsx', script], {
        cwd: process.cwd(),
      });
    await Promise.all([run(), run(), run()]);
    assert.equal(text((await new FsDriver({ root }).get('counter'))?.body), '30');
  });

  it('streams an object with its size and ETag', async () => {
    const d = new FsDriver({ root: tempRoot() });
    const { etag } = await d.put('s/x.bin', bytes('streamed'), { contentType: 'application/octet-stream' });
    const got = await d.getStream('s/x.bin');
    assert.deepEqual(got?.info, { size: 8, etag, contentType: 'application/octet-stream' });
    assert.equal(await new Response(got?.body).text(), 'streamed');
    assert.equal(await d.getStream('s/none'), undefined);
  });

  it('never shows a reader half a write', async () => {
    const d = new FsDriver({ root: tempRoot() });
    const a = Buffer.alloc(256 << 10, 97);
    const b = Buffer.alloc(256 << 10, 98);
    await d.put('big', a);
    let stop = false;
    const reads: Promise<void>[] = [];
    for (let r = 0; r < 3; r++)
      reads.push(
        (async () => {
          while (!stop) {
            const got = await d.get('big');
            assert.ok(got, 'the object never disappears');
            assert.ok(a.equals(got.body) || b.equals(got.body), 'one version, whole');
          }
        })(),
      );
    for (let i = 0; i < 10; i++) await d.put('big', i % 2 ? a : b);
    stop = true;
    await Promise.all(reads);
    assert.deepEqual(
      readdirSync(join(d.root)).filter((n) => n.includes('tmp')),
      [],
      'no temp file is left behind',
    );
  });

  it('removes a stale lock left by a crashed process, and times out on a live one', async () => {
    const root = tempRoot();
    const d = new FsDriver({ root, locks: { timeoutMs: 150, staleMs: 60_000 } });
    await d.put('k', bytes('1'));
    const lockDir = join(root, '.labelkit', 'locks');
    const { createHash } = await import('node:crypto');
    const lock = join(lockDir, `${createHash('sha256').update('k').digest('hex')}.lock`);
    writeFileSync(lock, '99999');
    await assert.rejects(d.put('k', bytes('2')), { code: 'storage/lock-timeout' });
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    await d.put('k', bytes('3'));
    assert.equal(text((await d.get('k'))?.body), '3');
  });

  it('reads files placed in the root by hand and keeps its bookkeeping out of reach', async () => {
    const root = tempRoot();
    mkdirSync(join(root, 'images'), { recursive: true });
    writeFileSync(join(root, 'images', 'a.jpg'), 'JPEG');
    const d = new FsDriver({ root });
    const head = await d.head('images/a.jpg');
    assert.equal(head?.size, 4);
    assert.match(head?.etag ?? '', /^"fs-4-[0-9a-f]+"$/, 'a stat-based ETag, no read of the file');
    assert.equal(head?.etag, (await d.get('images/a.jpg'))?.etag);
    // Served to browsers and the encoder with an image type from the extension (images only).
    assert.equal(head?.contentType, 'image/jpeg');
    assert.equal((await d.get('images/a.jpg'))?.contentType, 'image/jpeg');
    writeFileSync(join(root, 'images', 'page.html'), '<script>');
    assert.equal((await d.head('images/page.html'))?.contentType, undefined, 'never text/html from a file name');
    assert.equal((await d.list('images/')).keys[0]?.etag, head?.etag);
    const { etag } = await d.put('images/a.jpg', bytes('PNG!'), { ifMatch: head?.etag as string });
    assert.equal(etag, (await d.head('images/a.jpg'))?.etag, 'written through the driver: sha256 from now on');
    await d.put('x', bytes('x'), { contentType: 'text/plain' });
    for (const key of ['.labelkit/meta/x.json', '.labelkit', 'a/.b.labelkit-tmp'])
      await assert.rejects(d.get(key), { code: 'storage/forbidden-key' }, key);
    const listed = (await d.list('')).keys.map((k) => k.key);
    assert.deepEqual(listed, ['images/a.jpg', 'images/page.html', 'x']);
  });

  it('confines keys to its prefix', async () => {
    const root = tempRoot();
    const outer = new FsDriver({ root });
    await outer.put('secret.txt', bytes('s'));
    const d = new FsDriver({ root, prefix: 'datasets/d1' });
    await d.put('a.json', bytes('a'));
    assert.equal(text((await outer.get('datasets/d1/a.json'))?.body), 'a');
    assert.deepEqual(
      (await d.list('')).keys.map((k) => k.key),
      ['a.json'],
    );
    await assert.rejects(d.get('../../secret.txt'), { code: 'storage/forbidden-key' });
  });

  it('lists a tree in segment order with a cursor that skips whole folders', async () => {
    const d = new FsDriver({ root: tempRoot() });
    const keys = ['a/b/c', 'a/b/d', 'a/c', 'a-b', 'b', 'b0/x', 'c/d/e/f'];
    for (const k of [...keys].reverse()) await d.put(k, bytes(k));
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await d.list('', { limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.keys.map((k) => k.key));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(pages, [['a/b/c', 'a/b/d'], ['a/c', 'a-b'], ['b', 'b0/x'], ['c/d/e/f']]);
    assert.deepEqual(
      (await d.list('a/b')).keys.map((k) => k.key),
      ['a/b/c', 'a/b/d'],
    );
    assert.deepEqual(
      (await d.list('b')).keys.map((k) => k.key),
      ['b', 'b0/x'],
    );
    await assert.rejects(d.list('', { cursor: '../x' }), { code: 'storage/invalid-option' });
  });

  it('refuses a key under an existing object and signing without a secret', async () => {
    const d = new FsDriver({ root: tempRoot() });
    await d.put('a', bytes('a'));
    await assert.rejects(d.put('a/b', bytes('b')), { code: 'storage/forbidden-key' });
    await assert.rejects(d.sign({ key: 'a', method: 'GET' }), { code: 'storage/unsupported' });
  });
});
