import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type AnnotationDocument, decodeRLE, type Mask, readCommit, readItem, rleToBbox } from '@labelkit/core';
import { instance, squareOf, tempRoot, writeItems } from '../jobs/fixtures/harness.ts';
import type { JobView } from '../jobs/types.ts';

const ITEMS = 1000;

async function json<T>(res: Response, status: number): Promise<T> {
  const body = await res.text();
  assert.equal(res.status, status, body);
  return JSON.parse(body) as T;
}

const humanBox = {
  id: 'h1',
  type: 'box' as const,
  label: 'green',
  x: 1,
  y: 1,
  width: 5,
  height: 5,
  source: 'human' as const,
};
const oldPrediction = {
  id: 'old',
  type: 'box' as const,
  label: 'red',
  x: 30,
  y: 20,
  width: 4,
  height: 4,
  source: 'model' as const,
  score: 0.5,
};

describe('auto-annotation jobs', () => {
  let root: string;
  let ids: string[];
  let seed: string;

  before(async () => {
    root = tempRoot();
    ids = await writeItems(root, ITEMS);
    // A person labelled item 5 (and an earlier job left a prediction on it) before the job.
    const s = instance(root);
    const service = await s.datasets.get('shapes');
    const doc: AnnotationDocument = {
      version: 1,
      item: { id: ids[5] as string, width: 48, height: 32 },
      shapes: [humanBox, oldPrediction],
    };
    seed = (await service?.commit({ parent: null, items: { [ids[5] as string]: doc }, author: 'alice' }))
      ?.commit as string;
    await s.close();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs over 1,000 items, stops midway with its server, resumes on a new instance: each item once, one commit, human shapes kept', async () => {
    const a = instance(root, { pageSize: 64, checkpointItems: 40 });
    const started = await json<{ job: JobView }>(
      await a.call('/v1/datasets/shapes/jobs', {
        json: { model: 'squares', labelMap: { red: 'Red', green: 'green' }, thresholds: { iou: 0.3 } },
      }),
      202,
    );
    const id = started.job.id;
    assert.equal(started.job.state, 'queued');
    // Stop this server once a good part of the items are done (not on a page or checkpoint boundary).
    await new Promise<void>((resolve) => {
      const off = a.jobs.subscribe(id, (e) => {
        if (e.job.done >= 437) {
          off();
          resolve();
        }
      });
    });
    await a.close();
    const midway = await json<JobView>(await a.call(`/v1/datasets/shapes/jobs/${id}`), 200);
    assert.equal(midway.state, 'queued', 'a stopped server hands the job back');
    assert.ok(midway.done > 0 && midway.done < ITEMS, `stopped midway (${midway.done})`);
    assert.equal(midway.total, ITEMS);
    assert.equal(a.calls.n, midway.done, 'every item run before the stop is recorded as done');

    const b = instance(root, { pageSize: 64, checkpointItems: 40 });
    assert.equal(await b.jobs.resume(), 1);
    await b.jobs.idle();
    const done = await json<JobView>(await b.call(`/v1/datasets/shapes/jobs/${id}`), 200);
    assert.equal(done.state, 'done', JSON.stringify(done.failure));
    assert.equal(done.done, ITEMS);
    assert.equal(a.calls.n + b.calls.n, ITEMS, 'no item run twice');
    assert.deepEqual(done.errors, []);

    const service = await b.datasets.get('shapes');
    assert.ok(service && done.commit);
    const head = await service.history.readRef('main');
    assert.equal(head?.head, done.commit, 'the results are one commit');
    const commit = await readCommit(service.history.reader, done.commit);
    assert.deepEqual(commit.parents, [seed]);
    assert.equal(commit.author, 'alice');
    const tree = commit.tree;
    for (const [i, item] of ids.entries()) {
      const doc = await readItem(service.history.reader, tree, item);
      assert.ok(doc, `item ${item} has its predictions (none skipped)`);
      const models = doc.shapes.filter((s) => s.source === 'model');
      assert.equal(models.length, 1, item);
      const s = models[0];
      assert.ok(s?.type === 'box' && s.label === 'red' && s.score !== undefined && s.score > 0.5);
      const want = squareOf(i);
      assert.ok(Math.abs(s.x - want.x) < 1 && Math.abs(s.width - want.width) < 1, `${item}: its own square`);
      if (i === 5) {
        assert.deepEqual(doc.shapes[0], humanBox, 'the human shape is untouched');
        assert.ok(!doc.shapes.some((x) => x.id === 'old'), 'the earlier prediction is replaced');
      }
    }
    await b.close();
  });

  it('streams progress as server-sent events and ends with done', async () => {
    const s = instance(root);
    const job = (
      await json<{ job: JobView }>(
        await s.call('/v1/datasets/shapes/jobs', {
          json: { model: 'squares', items: ids.slice(0, 12), labelMap: { red: 'Red' }, thresholds: { iou: 0.3 } },
        }),
        202,
      )
    ).job;
    const res = await s.call(`/v1/datasets/shapes/jobs/${job.id}/events`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({
      type: m[1],
      job: JSON.parse(m[2] as string) as JobView,
    }));
    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length >= 2, text);
    const counts = progress.map((e) => e.job.done);
    assert.deepEqual(
      counts,
      [...counts].sort((x, y) => x - y),
      'progress only grows',
    );
    const last = events.at(-1);
    assert.equal(last?.type, 'done');
    assert.equal(last?.job.done, 12);
    assert.ok(last?.job.commit);
    await s.close();
  });

  it('cancels a running job: it stops, commits nothing, and cannot be cancelled twice', async () => {
    const s = instance(root, { delayMs: 5 });
    const service = await s.datasets.get('shapes');
    const before = await service?.history.readRef('main');
    const job = (
      await json<{ job: JobView }>(
        await s.call('/v1/datasets/shapes/jobs', {
          json: { model: 'squares', items: { prefix: 'img-00' }, labelMap: { red: 'Red' }, thresholds: { iou: 0.3 } },
        }),
        202,
      )
    ).job;
    await new Promise<void>((resolve) => {
      const off = s.jobs.subscribe(job.id, (e) => {
        if (e.job.done >= 3) {
          off();
          resolve();
        }
      });
    });
    const cancelled = await json<{ job: JobView }>(
      await s.call(`/v1/datasets/shapes/jobs/${job.id}/cancel`, { method: 'POST' }),
      200,
    );
    assert.equal(cancelled.job.state, 'cancelled');
    await s.jobs.idle();
    const calls = s.calls.n;
    assert.ok(calls < 100, `stopped after ${calls} of 100 items`);
    const after = await json<JobView>(await s.call(`/v1/datasets/shapes/jobs/${job.id}`), 200);
    assert.equal(after.state, 'cancelled');
    assert.equal(after.commit, undefined);
    assert.equal((await service?.history.readRef('main'))?.head, before?.head, 'nothing committed');
    const again = await s.call(`/v1/datasets/shapes/jobs/${job.id}/cancel`, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'job/finished');
    // A restarted server does not pick a cancelled job up again.
    const t = instance(root);
    assert.equal(await t.jobs.resume(), 0);
    await s.close();
    await t.close();
  });

  it('boxToMask: each detected box becomes a mask from the built-in SAM model, inside its box', async () => {
    const s = instance(root);
    const list = [ids[40], ids[41], ids[77]] as string[];
    const job = (
      await json<{ job: JobView }>(
        await s.call('/v1/datasets/shapes/jobs', {
          json: { model: 'squares', items: list, labelMap: { red: 'Red' }, thresholds: { iou: 0.3 }, boxToMask: true },
        }),
        202,
      )
    ).job;
    await s.jobs.idle();
    const done = await json<JobView>(await s.call(`/v1/datasets/shapes/jobs/${job.id}`), 200);
    assert.equal(done.state, 'done', JSON.stringify(done));
    const service = await s.datasets.get('shapes');
    const tree = (await readCommit(service!.history.reader, done.commit as string)).tree;
    for (const item of list) {
      const doc = await readItem(service!.history.reader, tree, item);
      const masks = doc?.shapes.filter((x): x is Mask => x.type === 'mask') ?? [];
      assert.equal(masks.length, 1, item);
      const m = masks[0] as Mask;
      assert.equal(m.source, 'model');
      assert.ok((m.score ?? 0) > 0.5);
      const want = squareOf(Number(item.slice(4, 8)));
      const [x, y, w, h] = rleToBbox(m.rle);
      assert.ok(
        x >= want.x - 1 && y >= want.y - 1 && x + w <= want.x + want.width + 1 && y + h <= want.y + want.height + 1,
        `${item}: mask ${[x, y, w, h]} inside ${JSON.stringify(want)}`,
      );
      const area = decodeRLE(m.rle).reduce((a, v) => a + v, 0);
      assert.ok(area >= 0.5 * want.width * want.height, `${item}: the mask covers the square (${area} px)`);
    }
    await s.close();
  });

  it('takes over a job whose server died once its lease lapses, from its last checkpoint', async () => {
    const a = instance(root, { delayMs: 10, checkpointItems: 5 });
    const job = (
      await json<{ job: JobView }>(
        await a.call('/v1/datasets/shapes/jobs', {
          json: { model: 'squares', items: ids.slice(100, 130), labelMap: { red: 'Red' }, thresholds: { iou: 0.3 } },
        }),
        202,
      )
    ).job;
    await new Promise<void>((resolve) => {
      const off = a.jobs.subscribe(job.id, (e) => {
        if (e.job.done >= 12) {
          off();
          resolve();
        }
      });
    });
    await a.close();
    // As if the server had died while holding it: an owner that still looks alive.
    const service = await a.datasets.get('shapes');
    const store = a.jobs.storeOf(service!);
    const held = await store.read(job.id);
    assert.ok(held);
    const checkpointed = held.record.done;
    await store.swap(
      { ...held.record, state: 'running', owner: 'srv-dead', heartbeat: new Date().toISOString() },
      held.etag,
    );
    const b = instance(root, { leaseMs: 300 });
    assert.equal(await b.jobs.resume(), 0, 'a live-looking owner keeps it');
    await new Promise((r) => setTimeout(r, 400));
    await b.jobs.idle();
    const done = await json<JobView>(await b.call(`/v1/datasets/shapes/jobs/${job.id}`), 200);
    assert.equal(done.state, 'done');
    assert.equal(done.done, 30);
    assert.equal(b.calls.n, 30 - checkpointed, 'resumed from the checkpoint');
    await b.close();
  });

  it('unlabeled: skips the items a person has labelled, re-predicts those with only predictions', async () => {
    const s = instance(root);
    const job = (
      await json<{ job: JobView }>(
        await s.call('/v1/datasets/shapes/jobs', {
          json: { model: 'squares', items: { prefix: 'img-000', unlabeled: true }, labelMap: { red: 'red' } },
        }),
        202,
      )
    ).job;
    await s.jobs.idle();
    const done = await json<JobView>(await s.call(`/v1/datasets/shapes/jobs/${job.id}`), 200);
    assert.equal(done.state, 'done');
    assert.equal(done.total, 10);
    assert.equal(done.done, 10);
    assert.equal(done.skipped, 1, 'img-0005.png has a human shape');
    assert.equal(s.calls.n, 9);
    await s.close();
  });

  it('refuses bad requests with a code and the path of the field', async () => {
    const s = instance(root);
    const post = (json: unknown, token = 'alice') => s.call('/v1/datasets/shapes/jobs', { json, token });
    const cases: [unknown, number, string, string?][] = [
      [{ model: 'nope', labelMap: { red: 'Red' } }, 400, 'job/unknown-model', '$.model'],
      [{ model: 'squares', labelMap: { cat: 'Red' } }, 400, 'job/unknown-class', '$.labelMap.cat'],
      [{ model: 'squares', labelMap: { red: 'Purple' } }, 400, 'job/unknown-label', '$.labelMap.red'],
      [{ model: 'squares', labelMap: {} }, 400, 'job/invalid-request', '$.labelMap'],
      [
        { model: 'squares', labelMap: { red: 'Red' }, thresholds: { confidence: 2 } },
        400,
        'job/invalid-request',
        '$.thresholds.confidence',
      ],
      [
        { model: 'squares', labelMap: { red: 'Red' }, items: ['a.png', 'a.png'] },
        400,
        'job/invalid-request',
        '$.items[1]',
      ],
      [
        { model: 'squares', labelMap: { red: 'Red' }, items: { prefix: '../x' } },
        400,
        'job/invalid-request',
        '$.items.prefix',
      ],
      [{ model: 'squares', labelMap: { red: 'Red' }, extra: 1 }, 400, 'job/invalid-request', '$.extra'],
    ];
    for (const [body, status, code, path] of cases) {
      const res = await post(body);
      const e = ((await res.json()) as { error: { code: string; path?: string } }).error;
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(e.code, code, JSON.stringify(body));
      assert.equal(e.path, path, JSON.stringify(body));
    }
    assert.equal(
      (await post({ model: 'squares', labelMap: { red: 'Red' } }, 'bob')).status,
      403,
      'read scope cannot start jobs',
    );
    assert.equal((await s.call('/v1/datasets/other/jobs/j-0000000000000000', { token: 'alice' })).status, 403);
    const unknown = await s.call('/v1/datasets/shapes/jobs/j-0000000000000000', { token: 'bob' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'job/unknown');
    const anon = await s.app.request('/v1/datasets/shapes/jobs/j-0000000000000000');
    assert.equal(anon.status, 401);
    await s.close();
  });
});
