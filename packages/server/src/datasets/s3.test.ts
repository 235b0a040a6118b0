/**
 * The history on S3 (s3rver): refs move only with `If-Match` (or `If-None-Match: *` for a new branch) and
 * immutable objects are written with `If-None-Match: *`. s3rver enforces neither, so a recording proxy
 * between the driver and s3rver checks the requests as they go over the wire, and plays a 412 to prove that a
 * refused compare-and-swap is retried, not overwritten.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RunningS3rver, startS3rver } from '../storage/contract/s3rver.ts';
import { S3Driver } from '../storage/drivers/s3.ts';
import { box, doc } from './fixtures/serve.ts';
import { DatasetRegistry } from './registry.ts';
import type { DatasetService } from './service.ts';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** Forwards every request to `target`, recording it; `refuseNext(pred)` answers the next match with 412. */
async function recordingProxy(target: string) {
  const seen: Seen[] = [];
  let refuse: ((s: Seen) => boolean) | undefined;
  const server: Server = createServer((req, res) => {
    const s: Seen = {
      method: req.method ?? '',
      path: decodeURIComponent((req.url ?? '').split('?')[0] ?? ''),
      headers: req.headers,
    };
    seen.push(s);
    if (refuse?.(s)) {
      refuse = undefined;
      req.resume();
      res.writeHead(412, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
      );
      return;
    }
    const up = new URL(target);
    const out = request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    take: () => seen.splice(0),
    refuseNext: (pred: (s: Seen) => boolean) => {
      refuse = pred;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('dataset history on s3 (s3rver behind a recording proxy)', () => {
  let s3: RunningS3rver;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let driver: S3Driver;
  let service: DatasetService;
  const puts = (seen: Seen[]) => seen.filter((s) => s.method === 'PUT');
  const refPuts = (seen: Seen[]) => puts(seen).filter((s) => s.path.includes('/datasets/demo/refs/'));
  const objectPuts = (seen: Seen[]) =>
    puts(seen).filter((s) => /\/datasets\/demo\/(objects|trees|commits)\//.test(s.path));

  before(async () => {
    s3 = await startS3rver();
    proxy = await recordingProxy(s3.endpoint);
    driver = new S3Driver({ ...s3.options, endpoint: proxy.url });
    const registry = new DatasetRegistry({
      storages: new Map([['data', driver]]),
      datasets: [{ id: 'demo', source: { storage: 'data', prefix: 'images/' } }],
    });
    service = (await registry.get('demo')) as DatasetService;
  });
  after(async () => {
    driver.destroy();
    await proxy.close();
    await s3.close();
  });

  it('creates the branch with If-None-Match: * and writes every object with If-None-Match: *', async () => {
    proxy.take();
    const r = await service.commit({
      parent: null,
      items: { 'a.png': doc('a.png'), 'b.png': doc('b.png') },
      author: 'alice',
    });
    const seen = proxy.take();
    const refs = refPuts(seen);
    assert.equal(refs.length, 1);
    assert.equal(refs[0]?.headers['if-none-match'], '*');
    assert.equal(refs[0]?.headers['if-match'], undefined);
    const objects = objectPuts(seen);
    assert.equal(objects.length, 4, 'two documents, one tree, one commit');
    for (const o of objects) assert.equal(o.headers['if-none-match'], '*', o.path);
    assert.equal(puts(seen).length, objects.length + refs.length, 'nothing else is written');
    assert.equal((await service.history.readRef('main'))?.head, r.head);
  });

  it('moves the ref with If-Match carrying the ref ETag, also after merging a stale parent', async () => {
    const first = (await service.history.readRef('main')) as { head: string; etag: string };
    const second = await service.commit({
      parent: first.head,
      items: { 'a.png': doc('a.png', [box('s1', 40)]) },
      author: 'alice',
    });
    let refs = refPuts(proxy.take());
    assert.equal(refs.length, 1);
    assert.equal(refs[0]?.headers['if-match'], first.etag);
    assert.equal(refs[0]?.headers['if-none-match'], undefined);
    const atSecond = (await service.history.readRef('main')) as { head: string; etag: string };
    assert.equal(atSecond.head, second.head);
    const stale = await service.commit({ parent: first.head, items: { 'c.png': doc('c.png') }, author: 'bob' });
    assert.equal(stale.merged, true);
    assert.deepEqual(stale.parents, [second.head, stale.commit]);
    refs = refPuts(proxy.take());
    assert.deepEqual(
      refs.map((s) => s.headers['if-match']),
      [atSecond.etag],
    );
    assert.deepEqual((await service.readItem('a.png')).document, doc('a.png', [box('s1', 40)]));
    assert.deepEqual((await service.readItem('c.png')).document, doc('c.png'));
  });

  it('retries a compare-and-swap the store refused (412) instead of overwriting the ref', async () => {
    const before = (await service.history.readRef('main')) as { head: string; etag: string };
    proxy.take();
    proxy.refuseNext((s) => s.method === 'PUT' && s.path.includes('/refs/main'));
    const r = await service.commit({ parent: before.head, items: { 'd.png': doc('d.png') }, author: 'alice' });
    const refs = refPuts(proxy.take());
    assert.equal(refs.length, 2, 'refused once, then swapped');
    for (const s of refs) assert.equal(s.headers['if-match'], before.etag);
    assert.equal((await service.history.readRef('main'))?.head, r.head);
    const log = await service.log('main', { limit: 10 });
    assert.equal(log.commits[0]?.hash, r.head);
  });

  it('pages items through S3 continuation tokens without gaps or repeats', async () => {
    const names: string[] = [];
    const direct = new S3Driver(s3.options);
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const name = i % 7 === 3 ? `x${i}.txt` : `p${String(i).padStart(3, '0')}.jpg`;
          if (!name.endsWith('.txt')) names.push(name);
          return direct.put(`images/${name}`, new Uint8Array([i]));
        }),
      );
    } finally {
      direct.destroy();
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.items({ limit: 10, ...(cursor ? { cursor } : {}) });
      for (const item of page.items)
        assert.match(item.url, new RegExp(`/labelkit-test/images/${item.id}\\?.*X-Amz-Signature=`));
      seen.push(...page.items.map((i) => i.id));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(seen, [...names].sort());
  });
});
