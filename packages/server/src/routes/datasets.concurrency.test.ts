/**
 * Racing writers over real HTTP: many clients commit from stale parents at once, to one server and to two
 * servers sharing one data folder (a fleet). Every accepted edit must be in the final history; edits of the
 * same shape must conflict (409 with the head and the items), and nothing else may be lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnnotationDocument } from '@labelkit/core';
import { box, cleanup, doc, errorOf, type Served, serveDatasets, tempRoot } from '../datasets/fixtures/serve.ts';

interface Committed {
  commit: string;
  head: string;
  merged: boolean;
}

async function headOf(s: Served): Promise<string> {
  const res = await s.call('/v1/datasets/demo/branches');
  const { branches } = (await res.json()) as { branches: { name: string; head: string }[] };
  return branches.find((b) => b.name === 'main')?.head as string;
}

async function readDoc(s: Served, item: string): Promise<AnnotationDocument | null> {
  const res = await s.call(`/v1/datasets/demo/items/${item}`);
  return ((await res.json()) as { document: AnnotationDocument | null }).document;
}

/** Every commit hash reachable from main, paging the log. */
async function history(s: Served): Promise<Set<string>> {
  const out = new Set<string>();
  let cursor: string | undefined;
  do {
    const res = await s.call(`/v1/datasets/demo/commits?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    const page = (await res.json()) as { commits: { hash: string }[]; cursor?: string };
    for (const c of page.commits) out.add(c.hash);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * `clients` x `rounds` commits, each client on `servers[c % servers.length]`, each commit adding item
 * `c<client>-<round>.png`. Even clients always commit on the first parent; odd ones on their own last commit
 * (which the merges of others have made stale as well).
 */
async function race(servers: Served[], clients: number, rounds: number) {
  const start = await headOf(servers[0] as Served);
  const accepted: { item: string; doc: AnnotationDocument; commit: string }[] = [];
  const refused: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const s = servers[c % servers.length] as Served;
      let parent = start;
      for (let k = 0; k < rounds; k++) {
        const item = `c${c}-${k}.png`;
        const d = doc(item, [box(`s${c}`, c + k)]);
        const res = await s.call('/v1/datasets/demo/commits', {
          json: { parent, message: `${c}/${k}`, items: { [item]: d } },
          token: 'alice',
        });
        if (res.status !== 201) {
          refused.push(res.status);
          await res.body?.cancel();
          continue;
        }
        const r = (await res.json()) as Committed;
        accepted.push({ item, doc: d, commit: r.commit });
        if (c % 2 === 1) parent = r.commit;
      }
    }),
  );
  return { start, accepted, refused };
}

async function assertAllKept(s: Served, accepted: { item: string; doc: AnnotationDocument; commit: string }[]) {
  const log = await history(s);
  for (const a of accepted) assert.ok(log.has(a.commit), `commit of ${a.item} is in the history`);
  const docs = await Promise.all(accepted.map((a) => readDoc(s, a.item)));
  accepted.forEach((a, i) => {
    assert.deepEqual(docs[i], a.doc, a.item);
  });
}

describe('concurrent commits from stale parents', () => {
  let root: string;
  let one: Served;
  let two: Served;

  before(async () => {
    root = tempRoot();
    one = await serveDatasets(root);
    two = await serveDatasets(root);
    const res = await one.call('/v1/datasets/demo/commits', {
      json: { parent: null, items: { 'seed.png': doc('seed.png') } },
      token: 'alice',
    });
    assert.equal(res.status, 201);
  });
  after(async () => {
    await one.close();
    await two.close();
    cleanup(root);
  });

  it('12 clients x 5 commits to one server: every edit lands and is in the history', async () => {
    const { accepted, refused } = await race([one], 12, 5);
    assert.deepEqual(refused, []);
    assert.equal(accepted.length, 60);
    await assertAllKept(one, accepted);
  });

  it('12 clients x 5 commits to two servers sharing the data folder: nothing is lost', async () => {
    const { accepted, refused } = await race([one, two], 12, 5);
    assert.deepEqual(refused, []);
    assert.equal(accepted.length, 60);
    await assertAllKept(two, accepted);
    // Both servers see the same head.
    assert.equal(await headOf(one), await headOf(two));
  });

  it('edits of one shape from one parent: exactly the losers get 409, other edits land', async () => {
    const parent = await headOf(one);
    const base = doc('shared.png', [box('s1', 10), box('s2', 20)]);
    const res = await one.call('/v1/datasets/demo/commits', {
      json: { parent, items: { 'shared.png': base } },
      token: 'alice',
    });
    assert.equal(res.status, 201);
    const start = ((await res.json()) as Committed).head;
    // 6 writers change shape s1 differently (plus an item of their own); 6 others each add their own shape.
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, async (_, c) => {
        const s = c % 2 ? one : two;
        const shared =
          c < 6
            ? doc('shared.png', [box('s1', 100 + c), box('s2', 20)])
            : doc('shared.png', [box('s1', 10), box('s2', 20), box(`n${c}`, c)]);
        const own = doc(`own-${c}.png`);
        const r = await s.call('/v1/datasets/demo/commits', {
          json: { parent: start, items: { 'shared.png': shared, [`own-${c}.png`]: own } },
          token: 'alice',
        });
        return { c, status: r.status, body: r.status === 201 ? ((await r.json()) as Committed) : await errorOf(r) };
      }),
    );
    const won = outcomes.filter((o) => o.status === 201);
    const lost = outcomes.filter((o) => o.status === 409);
    assert.equal(won.length + lost.length, 12);
    // Every adder lands; of the s1 editors, exactly one does (whichever swapped the ref first).
    assert.deepEqual(won.filter((o) => o.c >= 6).length, 6);
    const editors = won.filter((o) => o.c < 6);
    assert.equal(editors.length, 1);
    assert.equal(lost.length, 5);
    const heads = new Set<string>();
    for (const o of lost) {
      const e = o.body as Awaited<ReturnType<typeof errorOf>>;
      assert.equal(e.code, 'history/merge-conflict');
      assert.match(e.head ?? '', /^[0-9a-f]{64}$/);
      heads.add(e.head as string);
      assert.deepEqual(e.conflicts, [{ item: 'shared.png', reason: 'both-modified', shapes: ['s1'] }]);
    }
    const winner = editors[0]?.c as number;
    const final = await readDoc(one, 'shared.png');
    const shapes = new Map(final?.shapes.map((s) => [s.id, s]));
    assert.equal((shapes.get('s1') as { x: number }).x, 100 + winner);
    for (let c = 6; c < 12; c++) assert.ok(shapes.has(`n${c}`), `shape n${c} kept`);
    for (let c = 0; c < 12; c++) {
      const landed = c >= 6 || c === winner;
      assert.deepEqual(await readDoc(two, `own-${c}.png`), landed ? doc(`own-${c}.png`) : null, `own-${c}`);
    }
    const log = await history(one);
    for (const o of won) assert.ok(log.has((o.body as Committed).commit));
  });
});
