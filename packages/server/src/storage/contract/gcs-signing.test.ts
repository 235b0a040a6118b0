import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { GcsDriver } from '../drivers/gcs.ts';

/**
 * GCS V4 signed URLs, checked offline: no emulator checks signatures, so this test re-implements Google's
 * documented algorithm (cloud.google.com/storage/docs/authentication/signatures: canonical request, string to
 * sign `GOOG4-RSA-SHA256\n<date>\n<scope>\n<hex sha256 of the canonical request>`, RSA-SHA256) and verifies the
 * driver's URLs with the public key of a service account made up here, as GCS would on a request.
 */
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const account = {
  type: 'service_account',
  client_email: 'labelkit-test@labelkit-test.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

interface Request {
  method: string;
  url: string;
  /** Headers the client sends, lower-cased (host is taken from the URL). */
  headers?: Record<string, string>;
  /** The time GCS receives the request (ms). */
  at?: number;
}

/** RFC 3986 percent-encoding, as V4 canonical query strings require. */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** What GCS does with a V4 signed request: true when the signature holds and the URL has not expired. */
function gcsAccepts(req: Request): boolean {
  const url = new URL(req.url);
  const q = url.searchParams;
  const signature = q.get('X-Goog-Signature');
  const date = q.get('X-Goog-Date') ?? '';
  const expires = Number(q.get('X-Goog-Expires'));
  const signedHeaders = (q.get('X-Goog-SignedHeaders') ?? '').split(';');
  if (!signature || q.get('X-Goog-Algorithm') !== 'GOOG4-RSA-SHA256') return false;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m) return false;
  const start = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const at = req.at ?? Date.now();
  if (!Number.isInteger(expires) || expires > 604_800 || at > start + expires * 1000) return false;
  const sent: Record<string, string> = { host: url.host, ...req.headers };
  if (signedHeaders.some((h) => sent[h] === undefined)) return false;
  const query = [...q.entries()]
    .filter(([k]) => k !== 'X-Goog-Signature')
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const headers = signedHeaders.map((h) => `${h}:${sent[h]?.trim()}\n`).join('');
  const canonical = [req.method, url.pathname, query, headers, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date.slice(0, 8)}/auto/storage/goog4_request`;
  if (q.get('X-Goog-Credential') !== `${account.client_email}/${scope}`) return false;
  const toSign = ['GOOG4-RSA-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  return verify('RSA-SHA256', Buffer.from(toSign), publicKey, Buffer.from(signature, 'hex'));
}

const driver = (extra: Partial<ConstructorParameters<typeof GcsDriver>[0]> = {}) =>
  new GcsDriver({ bucket: 'labelkit-test', projectId: 'labelkit-test', credentials: account, ...extra });

describe('gcs V4 signed URLs (offline, Google documented algorithm)', () => {
  it('signs a GET that verifies, with the documented parameters', async () => {
    const d = driver({ prefix: 'datasets/d1/' });
    const before = Date.now();
    const get = await d.sign({ key: 'cat.png', method: 'GET' });
    const url = new URL(get.url);
    assert.equal(url.origin, 'https://storage.googleapis.com');
    assert.equal(url.pathname, '/labelkit-test/datasets/d1/cat.png');
    assert.equal(url.searchParams.get('X-Goog-Expires'), '300');
    assert.equal(url.searchParams.get('X-Goog-SignedHeaders'), 'host');
    assert.equal(url.searchParams.get('response-content-disposition'), 'attachment');
    assert.deepEqual(get.headers, {});
    const left = Date.parse(get.expiresAt) - before;
    assert.ok(left <= 300_000 && left > 298_000, `${left} ms`);
    assert.equal(gcsAccepts({ method: 'GET', url: get.url }), true);
  });

  it('binds the method, the object, the bucket, the host, the expiry and the disposition', async () => {
    const { url } = await driver().sign({ key: 'cat.png', method: 'GET' });
    const edit = (f: (u: URL) => void) => {
      const u = new URL(url);
      f(u);
      return u.toString();
    };
    const refused: [string, Request][] = [
      ['another method', { method: 'PUT', url }],
      ['another method (DELETE)', { method: 'DELETE', url }],
      ['another object', { method: 'GET', url: url.replace('/cat.png?', '/dog.png?') }],
      ['another bucket', { method: 'GET', url: url.replace('/labelkit-test/', '/other-bucket/') }],
      ['another host', { method: 'GET', url: url.replace('storage.googleapis.com', 'evil.example.com') }],
      ['a longer life', { method: 'GET', url: edit((u) => u.searchParams.set('X-Goog-Expires', '3600')) }],
      ['an earlier start', { method: 'GET', url: edit((u) => u.searchParams.set('X-Goog-Date', '20200101T000000Z')) }],
      ['no disposition', { method: 'GET', url: edit((u) => u.searchParams.delete('response-content-disposition')) }],
      [
        'an added parameter',
        { method: 'GET', url: edit((u) => u.searchParams.set('response-content-type', 'text/html')) },
      ],
      [
        'a flipped signature',
        { method: 'GET', url: edit((u) => u.searchParams.set('X-Goog-Signature', '00'.repeat(256))) },
      ],
      ['after expiry', { method: 'GET', url, at: Date.now() + 301_000 }],
    ];
    assert.equal(gcsAccepts({ method: 'GET', url }), true, 'the untouched URL');
    for (const [what, req] of refused) assert.equal(gcsAccepts(req), false, what);
  });

  it('signs a PUT that binds its content type (a signed header the client must send)', async () => {
    const put = await driver().sign({ key: 'up/a.png', method: 'PUT', contentType: 'image/png', expiresIn: 60 });
    const url = new URL(put.url);
    assert.equal(url.searchParams.get('X-Goog-SignedHeaders'), 'content-type;host');
    assert.equal(url.searchParams.get('X-Goog-Expires'), '60');
    assert.equal(url.searchParams.get('response-content-disposition'), null);
    assert.deepEqual(put.headers, { 'content-type': 'image/png' });
    assert.equal(gcsAccepts({ method: 'PUT', url: put.url, headers: put.headers }), true);
    assert.equal(gcsAccepts({ method: 'PUT', url: put.url, headers: { 'content-type': 'text/html' } }), false);
    assert.equal(gcsAccepts({ method: 'PUT', url: put.url }), false, 'no content type');
    assert.equal(gcsAccepts({ method: 'GET', url: put.url, headers: put.headers }), false, 'PUT URL used to read');
    assert.equal(gcsAccepts({ method: 'PUT', url: put.url, headers: put.headers, at: Date.now() + 61_000 }), false);
  });

  it('encodes odd keys so the signed path is the path GCS decodes to the object name', async () => {
    const d = driver();
    for (const key of ['odd/a b#?.png', 'odd/é/ü.png', 'odd/a%20b.png', "odd/(x)!*'.png"]) {
      const { url } = await d.sign({ key, method: 'GET' });
      const path = new URL(url).pathname;
      assert.equal(path.split('/').slice(2).map(decodeURIComponent).join('/'), key, key);
      assert.doesNotMatch(path, /[ #?é]/, key);
      assert.equal(gcsAccepts({ method: 'GET', url }), true, key);
    }
  });

  it('signs for the public endpoint; http only on loopback; an hour at most; no size limit', async () => {
    const pub = await driver({ publicEndpoint: 'https://files.example.com' }).sign({ key: 'a', method: 'GET' });
    assert.match(pub.url, /^https:\/\/files\.example\.com\/labelkit-test\/a\?/);
    assert.equal(gcsAccepts({ method: 'GET', url: pub.url }), true);
    assert.equal(
      gcsAccepts({ method: 'GET', url: pub.url.replace('files.example.com', 'storage.googleapis.com') }),
      false,
    );
    const local = driver({ apiEndpoint: 'http://127.0.0.1:4443' });
    assert.match(
      (await local.sign({ key: 'a', method: 'GET' })).url,
      /^http:\/\/127\.0\.0\.1:4443\/labelkit-test\/a\?/,
    );
    for (const [what, extra, path] of [
      ['http public endpoint', { publicEndpoint: 'http://files.example.com' }, '$.publicEndpoint'],
      ['http api endpoint, no public one', { apiEndpoint: 'http://gcs.internal' }, '$.publicEndpoint'],
      ['a path', { publicEndpoint: 'https://files.example.com/x' }, '$.publicEndpoint'],
      ['bucket', { bucket: 'Bad..Name' }, '$.bucket'],
      ['credentials', { credentials: { client_email: 'x' } as never }, '$.credentials'],
      ['both key forms', { keyFilename: '/tmp/key.json' }, '$.credentials'],
      ['retries', { maxRetries: -1 }, '$.maxRetries'],
    ] as const)
      assert.throws(() => driver(extra), { code: 'storage/invalid-option', path }, what);
    const d = driver();
    await assert.rejects(d.sign({ key: 'a', method: 'GET', expiresIn: 3601 }), { code: 'storage/invalid-option' });
    await assert.rejects(d.sign({ key: 'a', method: 'PUT', maxBytes: 5 }), { code: 'storage/unsupported' });
    await assert.rejects(d.sign({ key: '../a', method: 'GET' }), { code: 'storage/forbidden-key' });
    await assert.rejects(driver({ readOnly: true }).sign({ key: 'a', method: 'PUT' }), { code: 'storage/read-only' });
  });

  it('maps ETags to generations and refuses an ETag that cannot be one before any request', async () => {
    const d = driver({ apiEndpoint: 'http://127.0.0.1:9', maxRetries: 0 });
    await assert.rejects(d.put('a', new Uint8Array(1), { ifMatch: '"0x8DC"' }), {
      code: 'storage/precondition-failed',
    });
    await assert.rejects(d.delete('a', { ifMatch: 'W/"1"' }), { code: 'storage/precondition-failed' });
    const e = await d.get('a').then(
      () => assert.fail('an unreachable store answered'),
      (x: unknown) => x as Error & { code: string },
    );
    assert.equal(e.code, 'storage/unavailable');
    const shown = `${e.message} ${JSON.stringify(e)} ${e.stack}`;
    for (const leak of ['127.0.0.1', 'labelkit-test', account.client_email, 'BEGIN PRIVATE KEY', 'ECONNREFUSED'])
      assert.ok(!shown.includes(leak), `leaks ${leak}`);
  });
});
