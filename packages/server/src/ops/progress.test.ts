import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digest, etagDigest, matchesEtag, sameContent } from './digest.ts';
import { forEachConcurrent, Limiter } from './pool.ts';
import { formatBytes, Progress } from './progress.ts';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, s: { isTTY, write: (t: string) => writes.push(t) } };
}

describe('Progress', () => {
  it('on a terminal, redraws one line in place at most every 100 ms and ends it with a newline', () => {
    let t = 0;
    const { writes, s } = stream(true);
    const p = new Progress({ label: 'backup', stream: s, now: () => t });
    p.phase('objects');
    for (let i = 0; i < 10; i++) {
      t += 30;
      p.copied(1000);
    }
    p.skipped();
    p.done();
    assert.ok(writes.length >= 3 && writes.length <= 5, `throttled (${writes.length} writes)`);
    assert.ok(writes.slice(0, -1).every((w) => w.startsWith('\r\x1b[K')));
    assert.equal(writes.at(-1), '\n');
    assert.equal(writes.at(-2), '\r\x1b[Kbackup objects: 10 copied, 1 skipped, 10.0 KB, 33.3 KB/s');
  });

  it('elsewhere, writes whole lines: one per phase and at most one every 5 s within a phase', () => {
    let t = 0;
    const { writes, s } = stream(false);
    const p = new Progress({ label: 'restore', stream: s, now: () => t });
    p.phase('objects');
    for (let i = 0; i < 100; i++) {
      t += 100;
      p.copied(10);
    }
    p.phase('refs');
    p.done();
    assert.deepEqual(writes, [
      'restore objects: 50 copied, 0 skipped, 500 B, 100 B/s\n',
      'restore objects: 100 copied, 0 skipped, 1.0 KB, 100 B/s\n',
      'restore refs: 100 copied, 0 skipped, 1.0 KB, 100 B/s\n',
    ]);
    assert.equal(formatBytes(1_234_567), '1.2 MB');
  });
});

describe('content comparison', () => {
  const bytes = new TextEncoder().encode('hello');
  const d = digest(bytes);
  const fsTag = `"${d.sha256}"`;
  const s3Tag = `"${d.md5}"`;

  it('reads content hashes from fs (sha256) and S3 (MD5) ETags, nothing from opaque ones', () => {
    assert.deepEqual(etagDigest(fsTag), { sha256: d.sha256 });
    assert.deepEqual(etagDigest(`W/${s3Tag}`), { md5: d.md5 });
    assert.deepEqual(etagDigest('"0x8DC1A2B3C4D5E6F"'), {});
    assert.equal(matchesEtag(d, fsTag), true);
    assert.equal(matchesEtag(d, s3Tag), true);
    assert.equal(matchesEtag(d, `"${'0'.repeat(64)}"`), false);
    assert.equal(matchesEtag(d, `"${'0'.repeat(32)}"`), undefined, 'an S3 ETag that is not the MD5 (SSE-KMS)');
    assert.equal(matchesEtag(d, '"1718000000000000"'), undefined);
  });

  it('decides by size and ETags when it can, reads the destination, then the source, only when it must', async () => {
    const reads: string[] = [];
    const read = (side: string, b: Uint8Array | undefined) => async () => {
      reads.push(side);
      return b;
    };
    const other = new TextEncoder().encode('hellO');
    const same = (dst: { size: number; etag: string }, src: { size: number; etag: string }, db = bytes, sha?: string) =>
      sameContent({ dst, src, readDst: read('dst', db), readSrc: read('src', bytes), ...(sha ? { sha256: sha } : {}) });
    assert.equal(await same({ size: 4, etag: fsTag }, { size: 5, etag: fsTag }), false);
    assert.equal(await same({ size: 5, etag: fsTag }, { size: 5, etag: s3Tag }, bytes, d.sha256), true);
    assert.equal(await same({ size: 5, etag: s3Tag }, { size: 5, etag: s3Tag }), true);
    assert.deepEqual(reads, []);
    // S3 destination, fs source: the source is hashed against the destination's MD5.
    assert.equal(await same({ size: 5, etag: s3Tag }, { size: 5, etag: fsTag }, other), true);
    assert.equal(await same({ size: 5, etag: '"00000000000000000000000000000000"' }, { size: 5, etag: fsTag }), false);
    assert.deepEqual(reads.splice(0), ['src', 'src']);
    // fs destination, Azure source: the destination is read and hashed.
    assert.equal(await same({ size: 5, etag: '"fs-5-1"' }, { size: 5, etag: '"0x2"' }, bytes, d.sha256), true);
    assert.deepEqual(reads.splice(0), ['dst']);
    // Opaque ETags on both sides (Azure, GCS): both sides are read.
    assert.equal(await same({ size: 5, etag: '"0x1"' }, { size: 5, etag: '"0x2"' }), true);
    assert.deepEqual(reads.splice(0), ['dst', 'src']);
    assert.equal(await same({ size: 5, etag: '"0x1"' }, { size: 5, etag: '"0x2"' }, other), false);
  });
});

describe('forEachConcurrent and Limiter', () => {
  it('keeps at most `limit` calls in flight, and on abort awaits them before rejecting', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const controller = new AbortController();
    const work = async (n: number) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 2));
      active--;
      done.push(n);
      if (n === 5) controller.abort(new Error('stop'));
    };
    await assert.rejects(
      forEachConcurrent(
        Array.from({ length: 50 }, (_, i) => i),
        3,
        work,
        controller.signal,
      ),
      /stop/,
    );
    assert.equal(peak, 3);
    assert.equal(active, 0, 'nothing left running');
    assert.ok(done.length < 10, `stopped pulling (${done.length} done)`);
    await assert.rejects(
      forEachConcurrent([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('boom');
      }),
      /boom/,
    );
    const limiter = new Limiter(2);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.run(async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 1));
          inside--;
        }),
      ),
    );
    assert.equal(most, 2);
  });
});
