import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CRC32C } from '@google-cloud/storage';
import { GcsDriver } from './gcs.ts';

/**
 * The GCS driver against a small fake of the JSON API written here (no GCS emulator runs on this machine). It
 * keeps objects with generations and enforces `ifGenerationMatch` as GCS documents it (0 = must not exist), so
 * it proves the requests the driver sends and how it reads the answers; Google's own behaviour is covered by
 * the contract run against a real bucket (gcs.contract.test.ts, opt-in).
 */
const crc32c = (body: Buffer): string => {
  const c = new CRC32C();
  c.update(body);
  return c.toString();
};

interface FakeObject {
  body: Buffer;
  generation: number;
  contentType: string;
}

class FakeGcs {
  readonly objects = new Map<string, FakeObject>();
  readonly requests: string[] = [];
  #generation = 1_700_000_000_000_000;
  server: Server = createServer((req, res) =>
    this.#handle(req, res).catch((e: unknown) => this.#fail(res, 500, `fake failed: ${String(e)}`)),
  );

  #meta(name: string, o: FakeObject) {
    return {
      kind: 'storage#object',
      name,
      bucket: 'fake-bucket',
      generation: String(o.generation),
      metageneration: '1',
      size: String(o.body.length),
      contentType: o.contentType,
      // The library checks these after an upload (and deletes the object when they differ).
      md5Hash: createHash('md5').update(o.body).digest('base64'),
      crc32c: crc32c(o.body),
    };
  }

  #send(res: ServerResponse, status: number, json: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  }

  #fail(res: ServerResponse, status: number, message: string): void {
    this.#send(res, status, { error: { code: status, message, errors: [{ message, reason: 'x' }] } });
  }

  /** GCS semantics of `ifGenerationMatch`: 0 means "no live object". */
  #preconditionHolds(url: URL, current: FakeObject | undefined): boolean {
    const want = url.searchParams.get('ifGenerationMatch');
    if (want === null) return true;
    return want === '0' ? current === undefined : current?.generation === Number(want);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const object = /^\/storage\/v1\/b\/fake-bucket\/o\/(.+)$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/upload/storage/v1/b/fake-bucket/o') {
      const name = url.searchParams.get('name') ?? '';
      const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1]?.replace(/"/g, '') ?? '';
      const parts = body.toString('latin1').split(`--${boundary}`).slice(1, -1);
      const [metaPart = '', mediaPart = ''] = parts.map((p) => p.slice(p.indexOf('\r\n\r\n') + 4, -2));
      const meta = JSON.parse(metaPart) as { name?: string; contentType?: string };
      if (!this.#preconditionHolds(url, this.objects.get(name))) return this.#fail(res, 412, 'Precondition Failed');
      const stored = {
        body: Buffer.from(mediaPart, 'latin1'),
        generation: ++this.#generation,
        contentType: meta.contentType ?? 'application/octet-stream',
      };
      this.objects.set(name, stored);
      return this.#send(res, 200, this.#meta(name, stored));
    }
    if (object) {
      const name = decodeURIComponent(object[1] ?? '');
      const current = this.objects.get(name);
      if (req.method === 'DELETE') {
        if (!current) return this.#fail(res, 404, `No such object: fake-bucket/${name}`);
        if (!this.#preconditionHolds(url, current)) return this.#fail(res, 412, 'Precondition Failed');
        this.objects.delete(name);
        res.writeHead(204).end();
        return;
      }
      const generation = url.searchParams.get('generation');
      if (!current || (generation !== null && Number(generation) !== current.generation))
        return this.#fail(res, 404, `No such object: fake-bucket/${name}`);
      if (url.searchParams.get('alt') !== 'media') return this.#send(res, 200, this.#meta(name, current));
      res.writeHead(200, { 'content-type': current.contentType, 'x-goog-generation': String(current.generation) });
      res.end(current.body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/storage/v1/b/fake-bucket/o') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const max = Number(url.searchParams.get('maxResults') ?? 1000);
      const names = [...this.objects.keys()].filter((n) => n.startsWith(prefix)).sort();
      const from = Number(url.searchParams.get('pageToken') ?? 0);
      const page = names.slice(from, from + max);
      const next = from + max < names.length ? { nextPageToken: String(from + max) } : {};
      return this.#send(res, 200, {
        items: page.map((n) => this.#meta(n, this.objects.get(n) as FakeObject)),
        ...next,
      });
    }
    if (url.pathname.startsWith('/storage/v1/b/no-such-bucket/'))
      return this.#fail(res, 404, 'The specified bucket does not exist.');
    if (url.pathname.startsWith('/storage/v1/b/denied-bucket/'))
      return this.#fail(res, 403, 'denied-bucket: forbidden');
    this.#fail(res, 400, 'unexpected request');
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe('gcs driver (fake JSON API)', () => {
  const fake = new FakeGcs();
  let endpoint = '';
  let d: GcsDriver;
  before(async () => {
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    // A custom endpoint makes the library send no credentials, as with an emulator.
    d = new GcsDriver({ bucket: 'fake-bucket', apiEndpoint: endpoint, prefix: 'd1/', maxRetries: 0 });
  });
  after(async () => {
    fake.server.closeAllConnections();
    await new Promise<void>((r) => fake.server.close(() => r()));
  });

  it('puts, gets, heads and streams with the generation as a quoted ETag', async () => {
    const { etag } = await d.put('a b/x.json', bytes('{"a":1}'), { contentType: 'application/json' });
    assert.match(etag, /^"\d+"$/);
    assert.equal(fake.objects.get('d1/a b/x.json')?.contentType, 'application/json');
    const got = await d.get('a b/x.json');
    assert.deepEqual({ ...got, body: text(got?.body) }, { body: '{"a":1}', etag, contentType: 'application/json' });
    assert.deepEqual(await d.head('a b/x.json'), { size: 7, etag, contentType: 'application/json' });
    const stream = await d.getStream('a b/x.json');
    assert.deepEqual(stream?.info, { size: 7, etag, contentType: 'application/json' });
    assert.equal(await new Response(stream?.body).text(), '{"a":1}');
    assert.ok(fake.requests.some((r) => /alt=media/.test(r) && r.includes(`generation=${etag.slice(1, -1)}`)));
    assert.equal(await d.get('none'), undefined);
    assert.equal(await d.head('none'), undefined);
    assert.equal(await d.getStream('none'), undefined);
    await assert.rejects(d.get('a b/x.json', { signal: AbortSignal.abort() }), { code: 'abort' });
  });

  it("ifNoneMatch '*' sends ifGenerationMatch=0; ifMatch sends the generation", async () => {
    await d.put('cond/i', bytes('first'), { ifNoneMatch: '*' });
    await assert.rejects(d.put('cond/i', bytes('second'), { ifNoneMatch: '*' }), {
      code: 'storage/precondition-failed',
    });
    assert.equal(text((await d.get('cond/i'))?.body), 'first');
    const { etag } = await d.put('cond/ref', bytes('v1'));
    const { etag: etag2 } = await d.put('cond/ref', bytes('v2'), { ifMatch: etag });
    assert.ok(fake.requests.some((r) => r.includes(`ifGenerationMatch=${etag.slice(1, -1)}`)));
    await assert.rejects(d.put('cond/ref', bytes('v3'), { ifMatch: etag }), { code: 'storage/precondition-failed' });
    await assert.rejects(d.put('cond/absent', bytes('x'), { ifMatch: etag }), { code: 'storage/precondition-failed' });
    await assert.rejects(d.delete('cond/ref', { ifMatch: etag }), { code: 'storage/precondition-failed' });
    await d.delete('cond/ref', { ifMatch: etag2 });
    assert.equal(await d.head('cond/ref'), undefined);
    await d.delete('cond/ref');
    await assert.rejects(d.delete('cond/ref', { ifMatch: etag2 }), { code: 'storage/precondition-failed' });
  });

  it('lists in pages with page tokens, every key once, prefix stripped', async () => {
    const want = Array.from({ length: 12 }, (_, i) => `ls/${String(i).padStart(2, '0')}.bin`);
    await Promise.all(want.map((k) => d.put(k, bytes(k))));
    await d.put('lsx', bytes('outside'));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await d.list('ls/', { limit: 5, ...(cursor ? { cursor } : {}) });
      for (const k of page.keys) assert.deepEqual(k, { key: k.key, size: 9, etag: k.etag });
      seen.push(...page.keys.map((k) => k.key));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, want);
  });

  it('read-only refuses writes; bad keys are refused before any request', async () => {
    const ro = new GcsDriver({ bucket: 'fake-bucket', apiEndpoint: endpoint, readOnly: true, maxRetries: 0 });
    await assert.rejects(ro.put('a', bytes('x')), { code: 'storage/read-only' });
    await assert.rejects(ro.delete('a'), { code: 'storage/read-only' });
    const before = fake.requests.length;
    for (const key of ['../x', 'a//b', '%2e%2e/x']) await assert.rejects(d.get(key), { code: 'storage/forbidden-key' });
    assert.equal(fake.requests.length, before);
  });

  it('maps a missing bucket and a refusal to generic errors that name nothing', async () => {
    const cases = [
      ['no-such-bucket', 'storage/unavailable'],
      ['denied-bucket', 'storage/access-denied'],
    ] as const;
    for (const [bucket, code] of cases) {
      const other = new GcsDriver({ bucket, apiEndpoint: endpoint, maxRetries: 0 });
      for (const attempt of [() => other.get('secret-key'), () => other.head('secret-key')]) {
        const e = await attempt().then(
          () => assert.fail(`${bucket}: answered`),
          (x: unknown) => x as Error & { code: string },
        );
        assert.equal(e.code, code, bucket);
        const shown = `${e.message} ${JSON.stringify(e)} ${e.stack}`;
        for (const leak of [bucket, 'secret-key', '127.0.0.1']) assert.ok(!shown.includes(leak), `leaks ${leak}`);
      }
    }
  });
});
