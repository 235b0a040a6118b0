import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AzureDriver, type AzureDriverOptions } from './azure.ts';

// A made-up key (base64 of 64 bytes); nothing here talks to a store: SAS signing is local.
const accountKey = Buffer.alloc(64, 7).toString('base64');
const options: AzureDriverOptions = { container: 'images', accountName: 'labelkitacct', accountKey };

describe('azure driver (offline)', () => {
  it('signs a GET for exactly one blob: sr=b, sp=r, https only, attachment, 5 minutes by default', async () => {
    const d = new AzureDriver({ ...options, prefix: 'datasets/d1/' });
    const before = Date.now();
    const get = await d.sign({ key: 'a b/c%20d#.png', method: 'GET' });
    const url = new URL(get.url);
    assert.equal(url.origin, 'https://labelkitacct.blob.core.windows.net');
    assert.equal(url.pathname, '/images/datasets/d1/a%20b/c%2520d%23.png');
    const q = url.searchParams;
    assert.equal(q.get('sr'), 'b', 'a blob SAS, not a container SAS');
    assert.equal(q.get('sp'), 'r');
    assert.equal(q.get('spr'), 'https');
    assert.equal(q.get('rscd'), 'attachment');
    assert.ok(q.get('sig'));
    const start = Date.parse(q.get('st') ?? '');
    const end = Date.parse(q.get('se') ?? '');
    assert.ok(start < before - 60_000 && start > before - 10 * 60_000, 'start a little in the past');
    assert.ok(end - before <= 300_000 && end - before > 298_000, `expiry ${end - before} ms`);
    assert.equal(get.expiresAt, new Date(end).toISOString());
    assert.deepEqual(get.headers, {});
  });

  it('signs a PUT with create+write only and returns the headers the client must send', async () => {
    const d = new AzureDriver({ ...options, publicEndpoint: 'https://cdn.example.com/acct/' });
    const put = await d.sign({ key: 'up/a.png', method: 'PUT', contentType: 'IMAGE/PNG', expiresIn: 60 });
    const url = new URL(put.url);
    assert.equal(`${url.origin}${url.pathname}`, 'https://cdn.example.com/acct/images/up/a.png');
    assert.equal(url.searchParams.get('sp'), 'cw');
    assert.equal(url.searchParams.get('rscd'), null);
    assert.deepEqual(put.headers, { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'image/png' });
    assert.ok(Date.parse(put.expiresAt) - Date.now() <= 60_000);
    await assert.rejects(d.sign({ key: 'a', method: 'PUT', maxBytes: 10 }), { code: 'storage/unsupported' });
    await assert.rejects(d.sign({ key: 'a', method: 'GET', expiresIn: 3601 }), { code: 'storage/invalid-option' });
  });

  it('allows http signed URLs only on a loopback endpoint', async () => {
    const local = new AzureDriver({ ...options, accountUrl: 'http://127.0.0.1:10000/labelkitacct' });
    assert.equal(new URL((await local.sign({ key: 'a', method: 'GET' })).url).searchParams.get('spr'), 'https,http');
    assert.throws(() => new AzureDriver({ ...options, publicEndpoint: 'http://blobs.example.com' }), {
      code: 'storage/invalid-option',
      path: '$.publicEndpoint',
    });
    const internal = { ...options, accountUrl: 'http://azurite:10000/labelkitacct' };
    assert.throws(() => new AzureDriver(internal), { code: 'storage/invalid-option', path: '$.publicEndpoint' });
    const proxied = new AzureDriver({ ...internal, publicEndpoint: 'https://blobs.example.com/labelkitacct' });
    assert.match((await proxied.sign({ key: 'a', method: 'GET' })).url, /^https:\/\/blobs\.example\.com\//);
  });

  it('signs with the key of a connection string; a SAS-token driver cannot sign', async () => {
    const cs = `DefaultEndpointsProtocol=https;AccountName=labelkitacct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`;
    const fromCs = new AzureDriver({ container: 'images', connectionString: cs });
    const a = new URL((await fromCs.sign({ key: 'x.png', method: 'GET', expiresIn: 60 })).url);
    const b = new URL((await new AzureDriver(options).sign({ key: 'x.png', method: 'GET', expiresIn: 60 })).url);
    assert.equal(a.origin, b.origin);
    assert.equal(a.searchParams.get('sp'), 'r');
    const sas = new AzureDriver({
      container: 'images',
      accountUrl: 'https://labelkitacct.blob.core.windows.net',
      sasToken: '?sv=2024-08-04&sp=rl&sig=abc',
    });
    await assert.rejects(sas.sign({ key: 'x', method: 'GET' }), { code: 'storage/unsupported' });
  });

  it('refuses bad options with the path of the option, never echoing a credential', () => {
    const cases: [string, AzureDriverOptions, string][] = [
      ['container', { ...options, container: 'Bad_Name' }, '$.container'],
      ['container --', { ...options, container: 'a--b' }, '$.container'],
      ['no credentials', { container: 'images' }, '$.connectionString'],
      ['two forms', { ...options, sasToken: 'sig=x', accountUrl: 'https://a.example' }, '$.connectionString'],
      ['account name', { ...options, accountName: 'Bad.Name' }, '$.accountName'],
      ['account url', { ...options, accountUrl: 'ftp://x' }, '$.accountUrl'],
      ['sas without url', { container: 'images', sasToken: 'sig=x' }, '$.accountUrl'],
      ['maxTries', { ...options, maxTries: 0 }, '$.maxTries'],
      [
        'connection string',
        { container: 'images', connectionString: `AccountKey=${accountKey};Nonsense` },
        '$.connectionString',
      ],
    ];
    for (const [what, o, path] of cases) {
      const e = (() => {
        try {
          new AzureDriver(o);
        } catch (x) {
          return x as Error & { code: string; path: string };
        }
        return assert.fail(`${what}: accepted`);
      })();
      assert.equal(e.code, 'storage/invalid-option', what);
      assert.equal(e.path, path, what);
      assert.ok(!`${e.message} ${e.stack} ${JSON.stringify(e)}`.includes(accountKey), `${what} leaks the key`);
    }
  });
});
