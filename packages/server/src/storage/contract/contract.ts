import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStorageError, type StorageDriver } from '../drivers/index.ts';

/** A driver under test, as a contract factory builds it. */
export interface ContractTarget {
  driver: StorageDriver;
  /** The same store through a driver built with `readOnly: true`. */
  readOnlyDriver: StorageDriver;
  /**
   * Whether the store itself enforces `If-Match`/`If-None-Match`. Where it does not (s3rver), the suite checks
   * the requests instead, through `sentHeaders`.
   */
  enforcesPreconditions: boolean;
  /** Lower-cased headers of every request sent to the store since the last call (then forgotten). */
  sentHeaders?: () => Record<string, string>[];
  /**
   * Whether equal bytes get equal ETags (fs: sha256, S3: MD5). Default true. Azure ETags and GCS generations
   * are per write: for them the suite checks instead that rewriting the same bytes changes the ETag.
   */
  contentEtags?: boolean;
  /** Headers a signed PUT must send besides `content-type` (Azure: `x-ms-blob-type`). Default none. */
  signedPutHeaders?: Record<string, string>;
  close(): Promise<void>;
}

export const BAD_KEYS: readonly (readonly [string, unknown])[] = [
  ['empty', ''],
  ['not a string', 42],
  ['dot-dot', '../x'],
  ['inner dot-dot', 'a/../../b'],
  ['encoded dot-dot', '%2e%2e/x'],
  ['encoded dot-dot, upper case', 'a/%2E%2E/b'],
  ['double-encoded dot-dot', '%252e%252e/x'],
  ['encoded slash and dot-dot', '..%2fetc'],
  ['backslash', 'a\\b'],
  ['encoded backslash', 'a%5c..%5cb'],
  ['double slash', 'a//b'],
  ['dot segment', 'a/./b'],
  ['absolute', '/etc/passwd'],
  ['drive letter', 'C:/windows'],
  ['NUL', 'a\u0000b'],
  ['encoded NUL', 'a%00b'],
  ['newline', 'a\nb'],
  ['DEL', 'a\u007fb'],
  ['malformed percent', 'a%zzb'],
  ['over 1024 bytes', 'x'.repeat(1025)],
  ['over 1024 bytes in UTF-8', 'é'.repeat(513)],
];

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function rejectsWith(p: Promise<unknown>, code: string, what = code): Promise<void> {
  await assert.rejects(p, (e: unknown) => isStorageError(e) && e.code === code, what);
}

/**
 * The storage contract: every driver passes the same suite. `skip` (a reason) skips it where the store cannot be
 * reached here (a real cloud bucket without credentials).
 */
export function storageContract(
  name: string,
  factory: () => Promise<ContractTarget>,
  options: { skip?: string } = {},
): void {
  describe(`storage contract: ${name}`, options.skip ? { skip: options.skip } : {}, () => {
    let t: ContractTarget;
    before(async () => {
      t = await factory();
    });
    after(async () => {
      await t?.close();
    });

    it('puts, gets and heads an object with its content type and a quoted ETag', async () => {
      const { etag } = await t.driver.put('rt/a.json', bytes('{"a":1}'), { contentType: 'application/json' });
      assert.match(etag, /^"[^"]+"$/);
      const got = await t.driver.get('rt/a.json');
      assert.equal(text(got?.body), '{"a":1}');
      assert.equal(got?.etag, etag);
      assert.equal(got?.contentType, 'application/json');
      assert.deepEqual(await t.driver.head('rt/a.json'), { size: 7, etag, contentType: 'application/json' });
      const again = await t.driver.put('rt/b.json', bytes('{"a":1}'));
      if (t.contentEtags ?? true) assert.equal(again.etag, etag, 'same bytes, same ETag');
      else {
        const rewritten = await t.driver.put('rt/a.json', bytes('{"a":1}'));
        assert.notEqual(rewritten.etag, etag, 'a per-write ETag changes when the same bytes are written again');
        assert.equal((await t.driver.head('rt/a.json'))?.etag, rewritten.etag);
      }
      const other = await t.driver.put('rt/a.json', bytes('{"a":2}'));
      assert.notEqual(other.etag, etag);
      assert.equal(text((await t.driver.get('rt/a.json'))?.body), '{"a":2}');
    });

    it('stops a read when its signal is aborted (code abort)', async () => {
      await t.driver.put('rt/abort', bytes('x'));
      const signal = AbortSignal.abort();
      await assert.rejects(t.driver.get('rt/abort', { signal }), { code: 'abort' });
    });

    it('streams an object with its size, ETag and content type', async () => {
      const { etag } = await t.driver.put('rt/stream.txt', bytes('streamed body'), { contentType: 'text/plain' });
      assert.ok(t.driver.getStream, 'both drivers stream');
      const got = await t.driver.getStream('rt/stream.txt');
      assert.deepEqual(got?.info, { size: 13, etag, contentType: 'text/plain' });
      assert.equal(await new Response(got?.body).text(), 'streamed body');
      assert.equal(await t.driver.getStream('rt/none'), undefined);
    });

    it('answers undefined for a missing object', async () => {
      assert.equal(await t.driver.get('rt/none'), undefined);
      assert.equal(await t.driver.head('rt/none'), undefined);
    });

    it('refuses every forbidden key form in every operation', async () => {
      for (const [why, key] of BAD_KEYS) {
        const k = key as string;
        await rejectsWith(t.driver.get(k), 'storage/forbidden-key', `get: ${why}`);
        await rejectsWith(t.driver.head(k), 'storage/forbidden-key', `head: ${why}`);
        await rejectsWith(t.driver.put(k, bytes('x')), 'storage/forbidden-key', `put: ${why}`);
        await rejectsWith(t.driver.delete(k), 'storage/forbidden-key', `delete: ${why}`);
        await rejectsWith(t.driver.sign({ key: k, method: 'GET' }), 'storage/forbidden-key', `sign: ${why}`);
      }
      await rejectsWith(t.driver.list('../'), 'storage/forbidden-key', 'list prefix');
    });

    it('refuses a content type that could smuggle headers', async () => {
      await rejectsWith(
        t.driver.put('rt/c', bytes('x'), { contentType: 'text/plain\r\nX-Evil: 1' }),
        'storage/invalid-option',
      );
      await rejectsWith(
        t.driver.sign({ key: 'rt/c', method: 'PUT', contentType: 'image/png\nx' }),
        'storage/invalid-option',
      );
    });

    it('lists by prefix in pages, every key exactly once', async () => {
      const want = Array.from(
        { length: 23 },
        (_, i) => `ls/p/${String(i).padStart(2, '0')}${i % 3 ? '' : '/deep'}.bin`,
      );
      await Promise.all(want.map((k, i) => t.driver.put(k, bytes(`v${i}`))));
      await t.driver.put('ls/q.bin', bytes('outside'));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await t.driver.list('ls/p/', { limit: 5, ...(cursor ? { cursor } : {}) });
        assert.ok(page.keys.length <= 5);
        for (const k of page.keys) {
          assert.equal(k.size, bytes(`v${want.indexOf(k.key)}`).length, k.key);
          assert.match(k.etag, /^"[^"]+"$/);
        }
        seen.push(...page.keys.map((k) => k.key));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 20);
      assert.equal(pages, 5);
      assert.deepEqual([...seen].sort(), [...want].sort());
      const partial = await t.driver.list('ls/p/0');
      assert.deepEqual(partial.keys.map((k) => k.key).sort(), want.filter((k) => k.startsWith('ls/p/0')).sort());
      assert.equal(partial.cursor, undefined);
      await rejectsWith(t.driver.list('ls/', { limit: 0 }), 'storage/invalid-option');
    });

    it('deletes, and deleting a missing object is not an error', async () => {
      await t.driver.put('del/x', bytes('x'));
      await t.driver.delete('del/x');
      assert.equal(await t.driver.get('del/x'), undefined);
      await t.driver.delete('del/x');
    });

    it("writes with ifNoneMatch '*' only when the object is absent", async () => {
      t.sentHeaders?.();
      await t.driver.put('cond/immutable', bytes('first'), { ifNoneMatch: '*' });
      const second = t.driver.put('cond/immutable', bytes('second'), { ifNoneMatch: '*' });
      if (t.enforcesPreconditions) {
        await rejectsWith(second, 'storage/precondition-failed');
        assert.equal(text((await t.driver.get('cond/immutable'))?.body), 'first', 'no overwrite');
      } else {
        await second;
        const puts = (t.sentHeaders?.() ?? []).filter((h) => h['if-none-match'] !== undefined);
        assert.equal(puts.length, 2, 'both PUTs carry the precondition');
        for (const h of puts) assert.equal(h['if-none-match'], '*');
      }
    });

    it('writes with ifMatch only over the given ETag (compare-and-swap)', async () => {
      const { etag } = await t.driver.put('cond/ref', bytes('v1'));
      t.sentHeaders?.();
      const { etag: etag2 } = await t.driver.put('cond/ref', bytes('v2'), { ifMatch: etag });
      assert.equal(text((await t.driver.get('cond/ref'))?.body), 'v2');
      const stale = t.driver.put('cond/ref', bytes('v3'), { ifMatch: etag });
      if (t.enforcesPreconditions) {
        await rejectsWith(stale, 'storage/precondition-failed');
        assert.equal(text((await t.driver.get('cond/ref'))?.body), 'v2', 'no overwrite');
        await rejectsWith(t.driver.put('cond/absent', bytes('x'), { ifMatch: etag }), 'storage/precondition-failed');
        await rejectsWith(t.driver.delete('cond/ref', { ifMatch: etag }), 'storage/precondition-failed');
        await t.driver.delete('cond/ref', { ifMatch: etag2 });
        assert.equal(await t.driver.get('cond/ref'), undefined);
      } else {
        await stale;
        await t.driver.delete('cond/ref', { ifMatch: etag2 });
        const sent = (t.sentHeaders?.() ?? []).map((h) => h['if-match']).filter((v) => v !== undefined);
        assert.deepEqual(sent, [etag, etag, etag2], 'every conditional PUT and DELETE carries If-Match');
      }
    });

    it('signs a PUT and a GET that a browser can use, with the content type bound', async () => {
      const put = await t.driver.sign({ key: 'signed/photo.png', method: 'PUT', contentType: 'image/png' });
      assert.equal(put.method, 'PUT');
      assert.deepEqual(put.headers, { 'content-type': 'image/png', ...t.signedPutHeaders });
      const left = Date.parse(put.expiresAt) - Date.now();
      assert.ok(left > 290_000 && left <= 300_000, `default expiry is 5 minutes (${left} ms)`);
      const up = await fetch(put.url, { method: 'PUT', headers: put.headers, body: bytes('PNGDATA') });
      assert.ok(up.ok, `signed PUT answered ${up.status}`);
      const got = await t.driver.get('signed/photo.png');
      assert.equal(text(got?.body), 'PNGDATA');
      assert.equal(got?.contentType, 'image/png');
      const get = await t.driver.sign({ key: 'signed/photo.png', method: 'GET', expiresIn: 60 });
      const down = await fetch(get.url);
      assert.equal(down.status, 200);
      assert.equal(await down.text(), 'PNGDATA');
      assert.equal(down.headers.get('content-type'), 'image/png');
    });

    it('round-trips keys with spaces, unicode, "#", "?" and "%20" through signed URLs', async () => {
      for (const key of ['odd/a b#?.png', 'odd/é/ü.png', 'odd/a%20b.png', 'odd/a%2Fb.png']) {
        const put = await t.driver.sign({ key, method: 'PUT', contentType: 'image/png' });
        const up = await fetch(put.url, { method: 'PUT', headers: put.headers, body: bytes(key) });
        assert.ok(up.ok, `${key}: PUT ${up.status}`);
        const down = await fetch((await t.driver.sign({ key, method: 'GET' })).url);
        assert.equal(await down.text(), key);
      }
      const listed = (await t.driver.list('odd/')).keys.map((k) => k.key);
      assert.deepEqual(listed.sort(), ['odd/a b#?.png', 'odd/a%20b.png', 'odd/a%2Fb.png', 'odd/é/ü.png'].sort());
    });

    it('refuses signed URLs that would live longer than an hour', async () => {
      for (const expiresIn of [0, 3601, 86_400, 1.5])
        await rejectsWith(t.driver.sign({ key: 'signed/x', method: 'GET', expiresIn }), 'storage/invalid-option');
      const hour = await t.driver.sign({ key: 'signed/x', method: 'GET', expiresIn: 3600 });
      assert.ok(Date.parse(hour.expiresAt) - Date.now() <= 3_600_000);
      await rejectsWith(
        t.driver.sign({ key: 'signed/x', method: 'DELETE' as 'GET' }),
        'storage/invalid-option',
        'method',
      );
    });

    it('a read-only driver reads but never writes or signs a PUT', async () => {
      await t.driver.put('ro/x', bytes('x'));
      assert.equal(t.readOnlyDriver.readOnly, true);
      assert.equal(text((await t.readOnlyDriver.get('ro/x'))?.body), 'x');
      await rejectsWith(t.readOnlyDriver.put('ro/x', bytes('y')), 'storage/read-only');
      await rejectsWith(t.readOnlyDriver.delete('ro/x'), 'storage/read-only');
      await rejectsWith(t.readOnlyDriver.sign({ key: 'ro/x', method: 'PUT' }), 'storage/read-only');
      assert.equal(text((await t.driver.get('ro/x'))?.body), 'x');
    });
  });
}
