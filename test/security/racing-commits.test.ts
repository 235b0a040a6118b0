import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, type Served, serve, TOKENS } from './helpers.ts';

const box = (id: string, x: number) => ({ id, type: 'box', label: 'cat', x, y: 10, width: 20, height: 20 });
const doc = (item: string, shapes = [box('s1', 10)]) => ({
  version: 1,
  item: { id: item, width: 200, height: 100 },
  shapes,
});

describe('attack: racing commits from stale parents (lost update)', () => {
  let s: Served;
  let start: string;
  const commit = (body: Record<string, unknown>) =>
    call(s.url, '/v1/datasets/demo/commits', { token: TOKENS.alice, json: body });
  const read = async (item: string) =>
    (
      (await (await call(s.url, `/v1/datasets/demo/items/${item}`, { token: TOKENS.alice })).json()) as {
        document: unknown;
      }
    ).document;

  before(async () => {
    s = await serve();
    const first = await commit({ parent: null, message: 'base', items: { 'base.png': doc('base.png') } });
    assert.equal(first.status, 201);
    start = ((await first.json()) as { head: string }).head;
  });
  after(() => s.close());

  it('keeps every accepted edit when 8 writers commit distinct items on the same stale parent', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        const accepted: string[] = [];
        for (let k = 0; k < 3; k++) {
          const item = `w${c}-${k}.png`;
          const res = await commit({
            parent: start,
            message: `${c}/${k}`,
            items: { [item]: doc(item, [box('s1', c + k)]) },
          });
          assert.equal(res.status, 201, `${item}: ${await res.clone().text()}`);
          accepted.push(item);
        }
        return accepted;
      }),
    );
    for (const item of results.flat()) {
      const d = (await read(item)) as { shapes: { x: number }[] } | null;
      assert.ok(d, `${item} was lost`);
    }
    assert.ok(await read('base.png'), 'the base item survived');
  });

  it('answers 409 with the head and the item when two writers change the same shape; the winner stays', async () => {
    const base = (await (await call(s.url, '/v1/datasets/demo/branches', { token: TOKENS.alice })).json()) as {
      branches: { name: string; head: string }[];
    };
    const head = base.branches.find((b) => b.name === 'main')?.head;
    const attempts = await Promise.all(
      [101, 202, 303, 404].map(async (x) => {
        const res = await commit({ parent: head, items: { 'base.png': doc('base.png', [box('s1', x)]) } });
        return {
          x,
          status: res.status,
          body: (await res.json()) as { error?: { head?: string; conflicts?: { item: string }[] } },
        };
      }),
    );
    const won = attempts.filter((a) => a.status === 201);
    const lost = attempts.filter((a) => a.status === 409);
    assert.equal(won.length, 1, JSON.stringify(attempts.map((a) => a.status)));
    assert.equal(lost.length, 3);
    for (const l of lost) {
      assert.match(l.body.error?.head ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual(
        l.body.error?.conflicts?.map((c) => c.item),
        ['base.png'],
      );
    }
    const final = (await read('base.png')) as { shapes: { x: number }[] };
    assert.equal(final.shapes[0]?.x, won[0]?.x, 'the accepted edit is the one in the history');
  });
});
