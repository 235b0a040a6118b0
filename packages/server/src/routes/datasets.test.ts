import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnnotationDocument } from '@labelkit/core';
import { box, cleanup, doc, errorOf, type Served, serveDatasets, tempRoot } from '../datasets/fixtures/serve.ts';

interface Committed {
  commit: string;
  head: string;
  parents: string[];
  merged: boolean;
}

describe('/v1/datasets routes over real HTTP (fs storage)', () => {
  let root: string;
  let s: Served;
  let first: Committed;
  let second: Committed;

  const commit = async (json: unknown, token = 'alice'): Promise<Response> =>
    s.call('/v1/datasets/demo/commits', { json, token });
  const committed = async (json: unknown): Promise<Committed> => {
    const res = await commit(json);
    assert.equal(res.status, 201, JSON.stringify(await res.clone().json()));
    return (await res.json()) as Committed;
  };

  before(async () => {
    root = tempRoot();
    mkdirSync(join(root, 'images/demo/sub'), { recursive: true });
    for (const name of ['a.png', 'b.jpg', 'sub/c.webp', 'notes.txt'])
      writeFileSync(join(root, 'images/demo', name), name);
    s = await serveDatasets(root);
    first = await committed({
      parent: null,
      message: 'first',
      items: { 'a.png': doc('a.png'), 'b.jpg': doc('b.jpg') },
    });
    second = await committed({
      parent: first.head,
      message: 'second',
      items: { 'a.png': doc('a.png', [box('s1', 50)]), 'b.jpg': null, 'sub/c.webp': doc('sub/c.webp') },
    });
  });
  after(async () => {
    await s.close();
    cleanup(root);
  });

  it('lists the datasets the principal may read, and answers 401 without a principal', async () => {
    const all = (await (await s.call('/v1/datasets')).json()) as {
      datasets: { id: string; readOnlySource: boolean }[];
    };
    assert.deepEqual(
      all.datasets.map((d) => d.id),
      ['demo'],
    );
    assert.equal(all.datasets[0]?.readOnlySource, false);
    const none = (await (await s.call('/v1/datasets', { token: 'eve' })).json()) as { datasets: unknown[] };
    assert.deepEqual(none.datasets, []);
    const anon = await s.call('/v1/datasets', { token: undefined });
    assert.equal(anon.status, 401);
    assert.equal((await errorOf(anon)).code, 'auth/unauthenticated');
  });

  it('creates a dataset (admin on *), stores it, and refuses bad bodies with a path', async () => {
    const res = await s.call('/v1/datasets', {
      json: { id: 'made', title: 'Made', labels: [{ id: 'x', name: 'X', color: '#000000' }] },
    });
    assert.equal(res.status, 201);
    const made = (await res.json()) as { id: string; source: { storage: string; prefix: string } };
    assert.deepEqual(made.source, { storage: 'data', prefix: 'datasets/made/images/' });
    // A second server over the same folder reads it from storage.
    const other = await serveDatasets(root);
    try {
      const list = (await (await other.call('/v1/datasets')).json()) as { datasets: { id: string }[] };
      assert.deepEqual(list.datasets.map((d) => d.id).sort(), ['demo', 'made']);
      assert.equal((await other.call('/v1/datasets/made')).status, 200);
      // No commit yet: an empty log, and no document at the default branch.
      assert.deepEqual(await (await other.call('/v1/datasets/made/commits')).json(), { commits: [] });
      assert.deepEqual(await (await other.call('/v1/datasets/made/items/x.png')).json(), {
        commit: null,
        document: null,
      });
    } finally {
      await other.close();
    }
    const again = await s.call('/v1/datasets', { json: { id: 'made' } });
    assert.equal(again.status, 409);
    assert.equal((await errorOf(again)).code, 'dataset/exists');
    const clash = await s.call('/v1/datasets', { json: { id: 'demo' } });
    assert.equal((await errorOf(clash)).code, 'dataset/exists');
    for (const [body, path] of [
      [{ id: 'Bad Id' }, '$.id'],
      [{ id: 'ok1', title: 5 }, '$.title'],
      [{ id: 'ok2', source: { storage: 'nowhere', prefix: '' } }, '$.source.storage'],
      [{ id: 'ok3', source: { storage: 'data', prefix: '../up/' } }, '$.source.prefix'],
      [
        {
          id: 'ok4',
          labels: [
            { id: 'x', name: 'X', color: '#000' },
            { id: 'x', name: 'Y', color: '#fff' },
          ],
        },
        '$.labels[1].id',
      ],
      [{ id: 'ok5', target: { storage: 'data', prefix: 'x/' } }, '$.target'],
    ] as const) {
      const bad = await s.call('/v1/datasets', { json: body });
      assert.equal(bad.status, 400, JSON.stringify(body));
      const e = await errorOf(bad);
      assert.equal(e.path, path, JSON.stringify(e));
    }
    const forbidden = await s.call('/v1/datasets', { json: { id: 'nope' }, token: 'alice' });
    assert.equal(forbidden.status, 403);
    assert.equal((await errorOf(forbidden)).code, 'auth/forbidden');
  });

  it('shows a dataset with its branches; unknown datasets answer 403 like forbidden ones', async () => {
    const res = await s.call('/v1/datasets/demo', { token: 'bob' });
    const body = (await res.json()) as { id: string; branches: { name: string; head: string }[]; labels: unknown[] };
    assert.equal(body.id, 'demo');
    assert.equal(body.labels.length, 2);
    assert.deepEqual(body.branches, [{ name: 'main', head: second.head }]);
    for (const [path, token] of [
      ['/v1/datasets/ghost', 'admin'],
      ['/v1/datasets/demo', 'eve'],
    ] as const) {
      const r = await s.call(path, { token });
      assert.equal(r.status, 403);
      assert.equal((await errorOf(r)).code, 'auth/forbidden');
    }
    assert.equal((await s.call('/v1/datasets/demo', { token: undefined })).status, 401);
  });

  it('lists image items with signed URLs that serve them, and refuses bad limits and cursors', async () => {
    const res = await s.call('/v1/datasets/demo/items?limit=2', { token: 'bob' });
    assert.equal(res.status, 200);
    const page = (await res.json()) as {
      items: { id: string; key: string; url: string; expiresAt: string }[];
      cursor?: string;
    };
    assert.deepEqual(
      page.items.map((i) => i.id),
      ['a.png', 'b.jpg'],
    );
    assert.equal(page.items[0]?.key, 'images/demo/a.png');
    assert.match(page.items[0]?.url ?? '', /^\/v1\/storage\/fs\/images\/demo\/a\.png\?/);
    assert.ok(Date.parse(page.items[0]?.expiresAt ?? '') > Date.now());
    assert.ok(page.cursor);
    const rest = (await (
      await s.call(`/v1/datasets/demo/items?limit=2&cursor=${page.cursor}`, { token: 'bob' })
    ).json()) as { items: { id: string }[]; cursor?: string };
    assert.deepEqual(
      rest.items.map((i) => i.id),
      ['sub/c.webp'],
    );
    assert.equal(rest.cursor, undefined);
    for (const [q, path] of [
      ['limit=0', '$.limit'],
      ['limit=1001', '$.limit'],
      ['limit=abc', '$.limit'],
      ['cursor=', '$.cursor'],
      ['cursor=bm9wZQ', '$.cursor'],
      ['limit=1&limit=2', '$.limit'],
    ]) {
      const r = await s.call(`/v1/datasets/demo/items?${q}`, { token: 'bob' });
      assert.equal(r.status, 400, q);
      assert.equal((await errorOf(r)).path, path, q);
    }
  });

  it('reads an item at the head, at an older commit, and null where it has no document', async () => {
    const read = async (q: string) =>
      (await (await s.call(`/v1/datasets/demo/items/${q}`, { token: 'bob' })).json()) as {
        commit: string;
        document: AnnotationDocument | null;
      };
    // Lineage (issue 12): each committed document records its source image as the storage saw it.
    const stamped = async (d: AnnotationDocument) => {
      const info = await s.storages.get('data')?.head(`images/demo/${d.item.id}`);
      return { ...d, item: { ...d.item, image: { etag: info?.etag, size: info?.size } } };
    };
    const now = await read('a.png');
    assert.equal(now.commit, second.head);
    assert.deepEqual(now.document, await stamped(doc('a.png', [box('s1', 50)])));
    assert.deepEqual((await read(`a.png?at=${first.head}`)).document, await stamped(doc('a.png')));
    assert.equal((await read('b.jpg')).document, null);
    assert.deepEqual((await read('sub/c.webp?at=main')).document, await stamped(doc('sub/c.webp')));
    const long = await s.call(`/v1/datasets/demo/items/${'x'.repeat(1025)}`, { token: 'bob' });
    assert.equal(long.status, 400);
    assert.deepEqual(await errorOf(long), {
      code: 'history/invalid-item-id',
      message: (await errorOf(await s.call(`/v1/datasets/demo/items/${'y'.repeat(1025)}`, { token: 'bob' }))).message,
      path: '$.item',
    });
    for (const at of ['0'.repeat(64), 'no-such-branch', '../x']) {
      const r = await s.call(`/v1/datasets/demo/items/a.png?at=${at}`, { token: 'bob' });
      assert.equal(r.status, 404, at);
      assert.equal((await errorOf(r)).code, 'dataset/unknown-commit');
    }
  });

  it('pages the log newest first and shows a commit with its changes', async () => {
    const p1 = (await (await s.call('/v1/datasets/demo/commits?limit=1', { token: 'bob' })).json()) as {
      commits: { hash: string; author: string; message: string; parents: string[] }[];
      cursor?: string;
    };
    assert.equal(p1.commits[0]?.hash, second.head);
    assert.equal(p1.commits[0]?.author, 'alice');
    const p2 = (await (
      await s.call(`/v1/datasets/demo/commits?limit=1&cursor=${p1.cursor}`, { token: 'bob' })
    ).json()) as {
      commits: { hash: string; parents: string[] }[];
      cursor?: string;
    };
    assert.deepEqual(
      p2.commits.map((c) => c.hash),
      [first.head],
    );
    assert.deepEqual(p2.commits[0]?.parents, []);
    assert.equal(p2.cursor, undefined);
    const shown = (await (await s.call(`/v1/datasets/demo/commits/${second.head}`, { token: 'bob' })).json()) as {
      message: string;
      changes: { item: string; kind: string }[];
    };
    assert.equal(shown.message, 'second');
    assert.deepEqual(
      [...shown.changes].sort((a, b) => a.item.localeCompare(b.item)),
      [
        { item: 'a.png', kind: 'modified' },
        { item: 'b.jpg', kind: 'removed' },
        { item: 'sub/c.webp', kind: 'added' },
      ],
    );
    const bad = await s.call('/v1/datasets/demo/commits/xyz', { token: 'bob' });
    assert.equal((await errorOf(bad)).path, '$.hash');
    const missing = await s.call(`/v1/datasets/demo/commits/${'1'.repeat(64)}`, { token: 'bob' });
    assert.equal(missing.status, 404);
    const badBranch = await s.call('/v1/datasets/demo/commits?branch=a..b', { token: 'bob' });
    assert.equal((await errorOf(badBranch)).path, '$.branch');
    const logCursorInDiff = await s.call(`/v1/datasets/demo/diff?cursor=${p1.cursor}`, { token: 'bob' });
    assert.equal((await errorOf(logCursorInDiff)).code, 'dataset/invalid-cursor');
  });

  it('diffs two commits with object hashes, a page at a time', async () => {
    const all = (await (
      await s.call(`/v1/datasets/demo/diff?from=${first.head}&to=main`, { token: 'bob' })
    ).json()) as {
      changes: { item: string; kind: string; from?: string; to?: string }[];
    };
    assert.equal(all.changes.length, 3);
    const removed = all.changes.find((c) => c.item === 'b.jpg');
    assert.equal(removed?.kind, 'removed');
    assert.match(removed?.from ?? '', /^[0-9a-f]{64}$/);
    assert.equal(removed?.to, undefined);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const q = cursor ? `cursor=${cursor}&limit=1` : `from=${first.head}&limit=1`;
      const page = (await (await s.call(`/v1/datasets/demo/diff?${q}`, { token: 'bob' })).json()) as {
        changes: { item: string }[];
        cursor?: string;
      };
      seen.push(...page.changes.map((c) => c.item));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      all.changes.map((c) => c.item),
    );
    // Page 1 on this server, page 2 on another one over the same folder (it re-walks instead of resuming).
    const other = await serveDatasets(root);
    try {
      const p1 = (await (
        await s.call(`/v1/datasets/demo/diff?from=${first.head}&limit=2`, { token: 'bob' })
      ).json()) as {
        changes: { item: string }[];
        cursor: string;
      };
      const p2 = (await (
        await other.call(`/v1/datasets/demo/diff?cursor=${p1.cursor}&limit=2`, { token: 'bob' })
      ).json()) as {
        changes: { item: string }[];
      };
      assert.deepEqual(
        [...p1.changes, ...p2.changes].map((c) => c.item),
        seen,
      );
      const l1 = (await (await s.call('/v1/datasets/demo/commits?limit=1', { token: 'bob' })).json()) as {
        commits: { hash: string }[];
        cursor: string;
      };
      const l2 = (await (
        await other.call(`/v1/datasets/demo/commits?limit=5&cursor=${l1.cursor}`, { token: 'bob' })
      ).json()) as {
        commits: { hash: string }[];
      };
      const whole = (await (await s.call('/v1/datasets/demo/commits', { token: 'bob' })).json()) as {
        commits: { hash: string }[];
      };
      assert.deepEqual(
        [...l1.commits, ...l2.commits].map((c) => c.hash),
        whole.commits.slice(0, 1 + l2.commits.length).map((c) => c.hash),
      );
    } finally {
      await other.close();
    }
    const noFrom = await s.call('/v1/datasets/demo/diff', { token: 'bob' });
    assert.equal((await errorOf(noFrom)).path, '$.from');
    const badTo = await s.call(`/v1/datasets/demo/diff?from=${first.head}&to=nope`, { token: 'bob' });
    assert.equal(badTo.status, 404);
  });

  it('refuses invalid commits with a typed code and the JSON path of the bad field', async () => {
    const head = second.head;
    const cases: [unknown, string, string][] = [
      [
        { parent: head, items: { 'a.png': { ...doc('a.png'), shapes: [{ ...box('s1', 1), x: 'no' }] } } },
        '$.items["a.png"].shapes[0].x',
        '',
      ],
      [
        { parent: head, items: { 'a.png': doc('a.png', [box('s1', 1, 'horse')]) } },
        '$.items["a.png"].shapes[0].label',
        '',
      ],
      [{ parent: head, items: { 'a.png': doc('other.png') } }, '$.items["a.png"].item.id', 'history/invalid-document'],
      [{ parent: head, items: {} }, '$.items', 'dataset/invalid-request'],
      [{ parent: head, items: { 'a.png': 5 } }, '$.items["a.png"]', 'dataset/invalid-request'],
      [{ parent: 'abc', items: { 'a.png': doc('a.png') } }, '$.parent', 'dataset/invalid-request'],
      [{ items: { 'a.png': doc('a.png') } }, '$.parent', 'dataset/invalid-request'],
      [{ parent: head, branch: '../x', items: { 'a.png': doc('a.png') } }, '$.branch', 'dataset/invalid-request'],
      [{ parent: head, message: 7, items: { 'a.png': doc('a.png') } }, '$.message', 'dataset/invalid-request'],
      [{ parent: head, author: 'mallory', items: { 'a.png': doc('a.png') } }, '$.author', 'dataset/invalid-request'],
    ];
    for (const [json, path, code] of cases) {
      const res = await commit(json);
      assert.equal(res.status, 400, JSON.stringify(json));
      const e = await errorOf(res);
      assert.equal(e.path, path, JSON.stringify(e));
      if (code) assert.equal(e.code, code);
    }
    const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`i${i}.png`, null]));
    assert.equal((await errorOf(await commit({ parent: head, items: tooMany }))).path, '$.items');
    const unknownParent = await commit({ parent: 'f'.repeat(64), items: { 'a.png': doc('a.png') } });
    assert.equal(unknownParent.status, 404);
    assert.equal((await errorOf(unknownParent)).code, 'dataset/unknown-commit');
    const notJson = await s.call('/v1/datasets/demo/commits', {
      method: 'POST',
      token: 'alice',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal((await errorOf(notJson)).code, 'request/invalid-json');
    const form = await s.call('/v1/datasets/demo/commits', {
      method: 'POST',
      token: 'alice',
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    const huge = await commit({ parent: head, message: 'x'.repeat(2 * 1024 * 1024), items: { 'a.png': doc('a.png') } });
    assert.equal(huge.status, 413);
    const readOnly = await commit({ parent: head, items: { 'a.png': doc('a.png') } }, 'bob');
    assert.equal(readOnly.status, 403);
    // Nothing of the refused commits moved the branch.
    const main = (await (await s.call('/v1/datasets/demo/branches', { token: 'bob' })).json()) as {
      branches: { head: string }[];
    };
    assert.equal(main.branches.find(() => true)?.head, second.head);
  });

  it('merges a commit from a stale parent and reports 409 with the head and the conflicting items', async () => {
    const base = (await (await s.call('/v1/datasets/demo/branches', { token: 'bob' })).json()) as {
      branches: { name: string; head: string }[];
    };
    const head = base.branches.find((b) => b.name === 'main')?.head as string;
    const ours = await committed({ parent: head, items: { 'm1.png': doc('m1.png') } });
    const theirs = await committed({ parent: head, items: { 'm2.png': doc('m2.png') } });
    assert.equal(theirs.merged, true);
    assert.deepEqual(theirs.parents, [ours.head, theirs.commit]);
    const conflict = await commit({ parent: head, items: { 'm1.png': doc('m1.png', [box('s1', 99)]) } });
    assert.equal(conflict.status, 409);
    const e = await errorOf(conflict);
    assert.equal(e.code, 'history/merge-conflict');
    assert.equal(e.head, theirs.head);
    assert.deepEqual(
      e.conflicts?.map((x) => [x.item, x.reason]),
      [['m1.png', 'both-added']],
    );
  });

  it('reverts a commit, creates branches, and refuses an existing branch', async () => {
    const created = await s.call('/v1/datasets/demo/branches', {
      json: { name: 'review/x', from: first.head },
      token: 'alice',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { name: 'review/x', head: first.head });
    const again = await s.call('/v1/datasets/demo/branches', {
      json: { name: 'review/x', from: 'main' },
      token: 'alice',
    });
    assert.equal(again.status, 409);
    assert.equal((await errorOf(again)).code, 'dataset/branch-exists');
    const bad = await s.call('/v1/datasets/demo/branches', { json: { name: '.hidden', from: 'main' }, token: 'alice' });
    assert.equal((await errorOf(bad)).path, '$.name');
    const onBranch = await s.call('/v1/datasets/demo/commits', {
      json: { branch: 'review/x', parent: first.head, items: { 'b.jpg': doc('b.jpg', [box('s9', 3)]) } },
      token: 'alice',
    });
    assert.equal(onBranch.status, 201);
    // Revert the first commit on the review branch: a.png (unchanged since) goes away; b.jpg was changed since: conflict.
    const conflict = await s.call('/v1/datasets/demo/revert', {
      json: { commit: first.head, branch: 'review/x' },
      token: 'alice',
    });
    assert.equal(conflict.status, 409);
    assert.deepEqual(
      (await errorOf(conflict)).conflicts?.map((x) => x.item),
      ['b.jpg'],
    );
    const c = await committed({ parent: null, branch: 'solo', items: { 'z.png': doc('z.png') } });
    const reverted = await s.call('/v1/datasets/demo/revert', {
      json: { commit: c.head, branch: 'solo' },
      token: 'alice',
    });
    assert.equal(reverted.status, 201);
    const r = (await reverted.json()) as Committed;
    assert.deepEqual(r.parents, [c.head]);
    const item = (await (await s.call('/v1/datasets/demo/items/z.png?at=solo', { token: 'bob' })).json()) as {
      document: unknown;
    };
    assert.equal(item.document, null);
    const msg = (await (await s.call(`/v1/datasets/demo/commits/${r.head}`, { token: 'bob' })).json()) as {
      message: string;
    };
    assert.match(msg.message, /^Revert ""/);
    const badRevert = await s.call('/v1/datasets/demo/revert', { json: { commit: 'x' }, token: 'alice' });
    assert.equal((await errorOf(badRevert)).path, '$.commit');
    const noBranch = await s.call('/v1/datasets/demo/revert', {
      json: { commit: c.head, branch: 'ghost' },
      token: 'alice',
    });
    assert.equal((await errorOf(noBranch)).code, 'dataset/unknown-branch');
    assert.equal((await s.call('/v1/datasets/demo/revert', { json: { commit: c.head }, token: 'bob' })).status, 403);
  });

  it('checks the scope of every route first: 401 without a principal, 403 without the scope', async () => {
    const h = second.head;
    const routes: [string, string, unknown, 'read' | 'write'][] = [
      ['GET', '/v1/datasets/demo', undefined, 'read'],
      ['GET', '/v1/datasets/demo/items', undefined, 'read'],
      ['GET', '/v1/datasets/demo/items/a.png', undefined, 'read'],
      ['GET', '/v1/datasets/demo/commits', undefined, 'read'],
      ['GET', `/v1/datasets/demo/commits/${h}`, undefined, 'read'],
      ['GET', `/v1/datasets/demo/diff?from=${h}`, undefined, 'read'],
      ['GET', '/v1/datasets/demo/branches', undefined, 'read'],
      ['GET', '/v1/datasets/demo/export?format=coco', undefined, 'read'],
      ['POST', '/v1/datasets/demo/commits', { parent: h, items: { 'q.png': doc('q.png') } }, 'write'],
      ['POST', '/v1/datasets/demo/revert', { commit: h }, 'write'],
      ['POST', '/v1/datasets/demo/branches', { name: 'x', from: h }, 'write'],
    ];
    for (const [method, path, json, need] of routes) {
      const init = json === undefined ? { method } : { method, json };
      const anon = await s.call(path, { ...init, token: undefined });
      assert.equal(anon.status, 401, `${method} ${path}`);
      assert.equal((await errorOf(anon)).code, 'auth/unauthenticated');
      const other = await s.call(path, { ...init, token: 'eve' });
      assert.equal(other.status, 403, `${method} ${path}`);
      assert.equal((await errorOf(other)).code, 'auth/forbidden');
      if (need === 'write')
        assert.equal((await s.call(path, { ...init, token: 'bob' })).status, 403, `${method} ${path}`);
    }
    // None of the refused writes moved anything.
    const branches = (await (await s.call('/v1/datasets/demo/branches', { token: 'bob' })).json()) as {
      branches: { name: string }[];
    };
    assert.ok(!branches.branches.some((b) => b.name === 'x'));
  });

  it('exports a commit as a zip with the fidelity report and summary', async () => {
    const res = await s.call(`/v1/datasets/demo/export?format=coco&at=${second.head}`, { token: 'bob' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="demo-${second.head.slice(0, 12)}-coco.zip"`,
    );
    const zip = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...zip.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
    const text = new TextDecoder('latin1').decode(zip);
    assert.ok(text.includes('fidelity.json') && text.includes('labelkit-export.json'));
    const bad = await s.call('/v1/datasets/demo/export?format=pdf', { token: 'bob' });
    assert.equal((await errorOf(bad)).path, '$.format');
    const unknown = await s.call('/v1/datasets/demo/export?format=yolo&at=nope', { token: 'bob' });
    assert.equal(unknown.status, 404);
    assert.equal((await s.call('/v1/datasets/demo/export?format=coco', { token: 'eve' })).status, 403);
  });
});
