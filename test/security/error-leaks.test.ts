import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningS3rver, startS3rver } from '../../packages/server/src/storage/contract/s3rver.ts';
import { authFrom, call, type Served, serve, TOKENS } from './helpers.ts';

const KEY_ID = 'AKIALEAKCANARY000001';
const SECRET = 'leak-canary-secret-access-key-0000000001';

describe('attack: storage errors that echo credentials or internal URLs', () => {
  let s: Served;
  let s3: RunningS3rver;
  let forbidden: string[];
  before(async () => {
    s3 = await startS3rver();
    const dead = 'http://127.0.0.1:9';
    forbidden = [KEY_ID, SECRET, 'leaky-bucket', 'wrong-creds-bucket', '127.0.0.1', s3.endpoint, dead, 'S3RVER'];
    const storage = (endpoint: string, bucket: string) => ({
      driver: 's3' as const,
      bucket,
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    });
    s = await serve({
      storages: { dead: storage(dead, 'leaky-bucket'), creds: storage(s3.endpoint, 'wrong-creds-bucket') },
      datasets: [
        { id: 'dead', source: { storage: 'dead', prefix: 'img/' }, target: { storage: 'dead', prefix: 'h/' } },
        { id: 'creds', source: { storage: 'creds', prefix: 'img/' }, target: { storage: 'creds', prefix: 'h/' } },
      ],
      auth: authFrom({ tokens: [{ name: 'root', token: TOKENS.root, scopes: { '*': 'admin' } }] }),
    });
  });
  after(async () => {
    await s.close();
    await s3.close();
  });

  const assertClean = async (res: Response, what: string) => {
    const text = `${await res.text()}${JSON.stringify([...res.headers])}`;
    assert.ok(res.status >= 400, `${what}: ${res.status}`);
    for (const f of forbidden) assert.ok(!text.includes(f), `${what} leaked ${f}: ${text}`);
    assert.match(text, /"code":"storage\/(unavailable|access-denied)"/, what);
  };

  it('answers a dead endpoint with a generic storage error', async () => {
    await assertClean(await call(s.url, '/v1/datasets/dead/items', { token: TOKENS.root }), 'items on a dead endpoint');
    await assertClean(
      await call(s.url, '/v1/datasets/dead/commits', {
        token: TOKENS.root,
        json: {
          parent: null,
          items: { 'a.png': { version: 1, item: { id: 'a.png', width: 1, height: 1 }, shapes: [] } },
        },
      }),
      'commit on a dead endpoint',
    );
  });

  it('answers wrong credentials and a missing bucket with a generic storage error', async () => {
    await assertClean(
      await call(s.url, '/v1/datasets/creds/items', { token: TOKENS.root }),
      'items, wrong credentials',
    );
    await assertClean(
      await call(s.url, '/v1/datasets/creds/commits', { token: TOKENS.root }),
      'log, wrong credentials',
    );
  });
});
