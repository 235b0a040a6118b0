import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, silentLogger, startServer } from '@labelkit/server';

describe('server over real HTTP', () => {
  let server: RunningServer;
  before(async () => {
    const site = mkdtempSync(join(tmpdir(), 'lk-site-'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>LabelKit</title>');
    server = await startServer({
      port: 0,
      site,
      logger: silentLogger,
      warm: false,
      modelCacheDir: join(site, 'models'),
    });
  });
  after(() => server.close());

  it('answers /healthz', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('serves the site cross-origin isolated with secure headers', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>LabelKit<\/title>/);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  it('answers unknown routes with a JSON error', async () => {
    const res = await fetch(`${server.url}/v1/nothing`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'http/not-found');
  });
});
