import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AzureDriver } from '../drivers/azure.ts';
import { isStorageError } from '../drivers/index.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type RunningAzurite, startAzurite, TEST_CONTAINER } from './azurite.ts';

/** Attacks on the Azure driver's SAS URLs over real HTTP; Azurite checks the signatures and refuses. */
const bytes = (s: string) => new TextEncoder().encode(s);

describe('security: azure SAS URLs against Azurite', () => {
  let store: RunningAzurite;
  let d: AzureDriver;
  before(async () => {
    store = await startAzurite();
    await new BlobServiceClient(store.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY))
      .getContainerClient(TEST_CONTAINER)
      .create();
    d = new AzureDriver({ ...store.options, prefix: 'datasets/d1/' });
    await d.put('cat.png', bytes('PNG'), { contentType: 'image/png' });
    await d.put('dog.png', bytes('DOG'), { contentType: 'image/png' });
  });
  after(async () => {
    await store?.close();
  });

  const status = async (url: string, init: RequestInit = {}) => (await fetch(url, init)).status;

  it('a signed GET and PUT work', async () => {
    const get = await d.sign({ key: 'cat.png', method: 'GET' });
    const reply = await fetch(get.url);
    assert.equal(reply.status, 200);
    assert.equal(await reply.text(), 'PNG');
    assert.equal(reply.headers.get('content-disposition'), 'attachment');
    const put = await d.sign({ key: 'up/new.png', method: 'PUT', contentType: 'image/png' });
    assert.equal(await status(put.url, { method: 'PUT', headers: put.headers, body: bytes('NEW') }), 201);
    assert.equal((await d.head('up/new.png'))?.contentType, 'image/png');
  });

  it('a tampered signature, permission, expiry or disposition: 403', async () => {
    const { url } = await d.sign({ key: 'cat.png', method: 'GET' });
    const q = new URL(url).searchParams;
    const sig = q.get('sig') ?? '';
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const edits: [string, (u: URL) => void][] = [
      ['signature', (u) => u.searchParams.set('sig', flipped)],
      ['no signature', (u) => u.searchParams.delete('sig')],
      ['permissions widened', (u) => u.searchParams.set('sp', 'rcwd')],
      [
        'expiry extended',
        (u) => u.searchParams.set('se', new Date(Date.now() + 86_400_000).toISOString().slice(0, 19) + 'Z'),
      ],
      ['disposition removed', (u) => u.searchParams.delete('rscd')],
      ['resource widened to the container', (u) => u.searchParams.set('sr', 'c')],
    ];
    for (const [what, edit] of edits) {
      const u = new URL(url);
      edit(u);
      assert.equal(await status(u.toString()), 403, what);
    }
  });

  it('an expired URL: 403', async () => {
    const { url } = await d.sign({ key: 'cat.png', method: 'GET', expiresIn: 1 });
    assert.equal(await status(url), 200, 'valid while it lives');
    await new Promise((r) => setTimeout(r, 2100));
    assert.equal(await status(url), 403);
  });

  it('the URL of one blob used for another: 403', async () => {
    const { url } = await d.sign({ key: 'cat.png', method: 'GET' });
    assert.equal(await status(url.replace('/cat.png?', '/dog.png?')), 403, 'sibling');
    assert.equal(await status(url.replace('/datasets/d1/cat.png?', '/cat.png?')), 403, 'outside the prefix');
    const put = await d.sign({ key: 'up/a.png', method: 'PUT', contentType: 'image/png' });
    const other = put.url.replace('/up/a.png?', '/cat.png?');
    assert.equal(await status(other, { method: 'PUT', headers: put.headers, body: bytes('EVIL') }), 403);
    assert.equal(new TextDecoder().decode((await d.get('cat.png'))?.body), 'PNG', 'nothing was overwritten');
  });

  it('a URL used with another method: 403', async () => {
    const get = await d.sign({ key: 'cat.png', method: 'GET' });
    const headers = { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'image/png' };
    assert.equal(await status(get.url, { method: 'PUT', headers, body: bytes('EVIL') }), 403, 'GET URL, PUT');
    assert.equal(await status(get.url, { method: 'DELETE' }), 403, 'GET URL, DELETE');
    const put = await d.sign({ key: 'cat.png', method: 'PUT', contentType: 'image/png' });
    assert.equal(await status(put.url), 403, 'PUT URL, GET');
    assert.equal(await status(put.url, { method: 'DELETE' }), 403, 'PUT URL, DELETE');
    assert.equal(new TextDecoder().decode((await d.get('cat.png'))?.body), 'PNG');
  });

  it('an https-only SAS is refused over http', async () => {
    const https = new AzureDriver({ ...store.options, publicEndpoint: 'https://127.0.0.1:1/devstoreaccount1' });
    const { url } = await https.sign({ key: 'datasets/d1/cat.png', method: 'GET' });
    const u = new URL(url);
    assert.equal(u.searchParams.get('spr'), 'https');
    const plain = `${store.accountUrl}${u.pathname.replace('/devstoreaccount1', '')}${u.search}`;
    assert.equal(await status(plain), 403);
  });

  it('conditional writes are enforced: exactly one of racing writers wins', async () => {
    const racers = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => d.put('race/immutable', bytes(`w${i}`), { ifNoneMatch: '*' })),
    );
    assert.equal(racers.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of racers)
      if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'storage/precondition-failed'));
    const { etag } = await d.put('race/ref', bytes('v0'));
    const swaps = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => d.put('race/ref', bytes(`v${i + 1}`), { ifMatch: etag })),
    );
    assert.equal(swaps.filter((r) => r.status === 'fulfilled').length, 1, 'one compare-and-swap wins');
    for (const r of swaps)
      if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'storage/precondition-failed'));
  });

  it('never echoes the account key, a SAS, a URL or the container in its errors', async () => {
    const wrongKey = Buffer.alloc(64, 9).toString('base64');
    const sasToken = (await d.sign({ key: 'cat.png', method: 'GET' })).url.split('?')[1] ?? '';
    const drivers = {
      unreachable: new AzureDriver({ ...store.options, accountUrl: 'http://127.0.0.1:9/devstoreaccount1' }),
      wrongKey: new AzureDriver({ ...store.options, accountKey: wrongKey }),
      missingContainer: new AzureDriver({ ...store.options, container: 'no-such-container-here' }),
      narrowSas: new AzureDriver({ container: TEST_CONTAINER, accountUrl: store.accountUrl, sasToken, maxTries: 1 }),
    };
    const attempts: [string, string, () => Promise<unknown>][] = [
      ['get, unreachable', 'storage/unavailable', () => drivers.unreachable.get('a')],
      ['put, unreachable', 'storage/unavailable', () => drivers.unreachable.put('a', bytes('x'))],
      ['list, unreachable', 'storage/unavailable', () => drivers.unreachable.list('')],
      ['get, wrong key', 'storage/access-denied', () => drivers.wrongKey.get('a')],
      ['put, wrong key', 'storage/access-denied', () => drivers.wrongKey.put('a', bytes('x'))],
      ['get, missing container', 'storage/unavailable', () => drivers.missingContainer.get('a')],
      ['head, missing container', 'storage/unavailable', () => drivers.missingContainer.head('a')],
      ['list, missing container', 'storage/unavailable', () => drivers.missingContainer.list('')],
      ['put with a read-only SAS', 'storage/access-denied', () => drivers.narrowSas.put('a', bytes('x'))],
    ];
    for (const [what, code, attempt] of attempts) {
      const e = await attempt().then(
        () => assert.fail(`${what} succeeded`),
        (x: unknown) => x as Error,
      );
      assert.equal((e as { code?: string }).code, code, `${what}: ${(e as Error).message}`);
      const shown = `${e.message} ${JSON.stringify(e)} ${e.stack} ${String(e.cause)}`;
      for (const leak of [
        AZURITE_KEY,
        wrongKey,
        sasToken,
        new URLSearchParams(sasToken).get('sig') ?? 'sig',
        '127.0.0.1',
        AZURITE_ACCOUNT,
        'no-such-container',
        'ECONNREFUSED',
      ])
        assert.ok(!shown.includes(leak), `${what} leaks ${leak}`);
    }
  });
});
