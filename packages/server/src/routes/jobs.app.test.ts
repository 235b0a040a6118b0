import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp, type LabelKitApp, silentLogger } from '@labelkit/server';
import { SHAPES, tempRoot, writeDetector, writeItems } from '../jobs/fixtures/harness.ts';
import type { JobView } from '../jobs/types.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('jobs and Label Studio routes in the app (config, auth, resume at warm)', () => {
  let root: string;
  let lk: LabelKitApp;
  const call = (path: string, token: string | undefined, json?: unknown) =>
    lk.app.request(path, {
      method: json === undefined ? 'GET' : 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  const make = () =>
    createApp({
      dataDir: root,
      modelCacheDir: join(root, 'model-cache'),
      models: [writeDetector(root)],
      datasets: [SHAPES],
      auth: {
        tokens: [
          { name: 'writer', sha256: sha('writer-token'), scopes: { shapes: 'write' } },
          { name: 'reader', sha256: sha('reader-token'), scopes: { shapes: 'read' } },
        ],
        anonymous: {},
        anonymousEncoder: false,
      },
      logger: silentLogger,
    });

  before(async () => {
    root = tempRoot();
    await writeItems(root, 6);
    lk = make();
  });
  after(async () => {
    await lk.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a job from the configured detector, authored by the token, and answers Label Studio', async () => {
    assert.equal((await call('/v1/datasets/shapes/jobs', undefined, { model: 'squares' })).status, 401);
    assert.equal((await call('/v1/datasets/shapes/jobs', 'reader-token', { model: 'squares' })).status, 403);
    const res = await call('/v1/datasets/shapes/jobs', 'writer-token', {
      model: 'squares',
      labelMap: { red: 'red' },
      thresholds: { iou: 0.3 },
    });
    assert.equal(res.status, 202, await res.clone().text());
    const { job } = (await res.json()) as { job: JobView };
    await lk.jobs.idle();
    const done = (await (await call(`/v1/datasets/shapes/jobs/${job.id}`, 'reader-token')).json()) as JobView;
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.equal(done.done, 6);
    const commit = (await (await call(`/v1/datasets/shapes/commits/${done.commit}`, 'reader-token')).json()) as {
      author: string;
      changes: unknown[];
    };
    assert.equal(commit.author, 'writer');
    assert.equal(commit.changes.length, 6);
    const health = await call('/v1/labelstudio/shapes/squares/health', 'reader-token');
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'UP');
  });

  it('a restarted server resumes the unfinished jobs when it warms up', async () => {
    const res = await call('/v1/datasets/shapes/jobs', 'writer-token', {
      model: 'squares',
      labelMap: { red: 'red' },
      items: ['img-0001.png', 'img-0002.png'],
    });
    const { job } = (await res.json()) as { job: JobView };
    // Stop before it runs, as a server shut down with jobs in its queue.
    await lk.close();
    const left = (await (await call(`/v1/datasets/shapes/jobs/${job.id}`, 'reader-token')).json()) as JobView;
    assert.equal(left.state, 'queued', 'handed back, not run');
    lk = make();
    await lk.warm();
    await lk.jobs.idle();
    const done = (await (await call(`/v1/datasets/shapes/jobs/${job.id}`, 'reader-token')).json()) as JobView;
    assert.equal(done.state, 'done');
    assert.equal(done.done, 2);
  });
});
