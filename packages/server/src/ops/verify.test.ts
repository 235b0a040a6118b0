/**
 * verify finds what breaks a history: a flipped byte in a stored object, a deleted tree, a ref to a missing
 * commit, a dangling commit, and reports nothing on a sound one.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCommit, listItems, readCommit } from '@labelkit/core';
import type { DatasetService } from '../datasets/service.ts';
import type { FsDriver } from '../storage/drivers/fs.ts';
import { makeDataset, tempRoot } from './fixtures/dataset.ts';
import { datasetLocations } from './ops.ts';
import { type VerifyProblem, verifyHistory } from './verify.ts';

const kinds = (ps: VerifyProblem[]) => ps.map((p) => [p.kind, p.key]).sort();

describe('verifyHistory', () => {
  let root = '';
  let service: DatasetService;
  let data: FsDriver;
  const file = (key: string) => join(root, 'datasets/demo', key);

  before(async () => {
    root = tempRoot('verify');
    ({ service, data } = await makeDataset(root, 'demo', 70));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a sound history has no problem; every commit, tree and object is counted', async () => {
    const seen: VerifyProblem[] = [];
    const r = await verifyHistory({ ...datasetLocations(service), onProblem: (p) => seen.push(p) });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(seen, []);
    assert.equal(r.refs, 2);
    assert.equal(r.commits, 4, 'three on main, one on review');
    assert.ok(r.trees > 4, `inner trees and leaves (${r.trees})`);
    // 70 first documents, 35 edited on main, 1 on review.
    assert.equal(r.objects, 70 + 35 + 1);
    // The documents at the two heads, each once: main's 35 edited + 34 first ones, review's own + 35 first
    // ones main edited since.
    assert.equal(r.lineage.unrecorded + r.lineage.checked, 35 + 34 + 1 + 35);
  });

  it('finds a flipped byte, a deleted tree, a ref to a missing commit and a dangling commit', async () => {
    const main = (await service.history.readRef('main'))?.head as string;
    const head = await readCommit(service.history.reader, main);
    // A document only main's head holds: flip one byte.
    const first = (await listItems(service.history.reader, head.tree).next()).value as { object: string };
    const objectKey = `objects/${first.object}.json`;
    const bytes = readFileSync(file(objectKey));
    const at = bytes.length - 3;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    writeFileSync(file(objectKey), bytes);
    // A subtree of the review head's tree (the root is inner: 70 items > 64 per leaf).
    const review = await readCommit(service.history.reader, (await service.history.readRef('review'))?.head as string);
    const root = JSON.parse(readFileSync(file(`trees/${review.tree}.json`), 'utf8')) as {
      children: Record<string, { tree: string }>;
    };
    const child = Object.values(root.children)[0]?.tree as string;
    unlinkSync(file(`trees/${child}.json`));
    // A branch whose commit was never stored.
    const ghost = 'e'.repeat(64);
    await data.put('datasets/demo/refs/ghost', new TextEncoder().encode(`${ghost}\n`));
    // A commit no ref reaches.
    const c = await createCommit({
      parents: [main],
      tree: head.tree,
      author: 'nobody',
      message: 'lost',
      time: head.time,
    });
    assert.ok(c.ok);
    await service.history.putImmutable([c.value.put]);

    const r = await verifyHistory(datasetLocations(service));
    const found = kinds(r.problems);
    assert.deepEqual(
      found,
      [
        ['broken-ref', 'refs/ghost'],
        ['corrupt-object', objectKey],
        ['dangling-commit', `commits/${c.value.hash}.json`],
        ['missing-object', `trees/${child}.json`],
      ].sort(),
    );
    const corrupt = r.problems.find((p) => p.kind === 'corrupt-object');
    assert.match(corrupt?.detail ?? '', /hashes to [0-9a-f]{64}/);
    assert.match(r.problems.find((p) => p.kind === 'missing-object')?.detail ?? '', /child [0-9a-f] of trees\//);
  });

  it('finds a tree whose shape is wrong and a corrupt ref', async () => {
    const r0 = tempRoot('verify-shape');
    try {
      const { service: s, data: d } = await makeDataset(r0, 'demo', 3);
      const head = await readCommit(s.history.reader, (await s.history.readRef('main'))?.head as string);
      // Valid JSON under the right hash, but not a tree: the hash check passes, the shape check must not.
      const fake = new TextEncoder().encode('{"items":{"a.png":"not-a-hash"}}');
      const { createHash } = await import('node:crypto');
      const h = createHash('sha256').update(fake).digest('hex');
      await d.put(`datasets/demo/trees/${h}.json`, fake);
      const c = await createCommit({ parents: [], tree: h, author: 'x', message: '', time: head.time });
      assert.ok(c.ok);
      await s.history.putImmutable([c.value.put]);
      await d.put('datasets/demo/refs/fake', new TextEncoder().encode(`${c.value.hash}\n`));
      await d.put('datasets/demo/refs/junk', new TextEncoder().encode('not a hash\n'));
      const r = await verifyHistory(datasetLocations(s));
      assert.deepEqual(kinds(r.problems), [
        ['corrupt-object', `trees/${h}.json`],
        ['corrupt-ref', 'refs/junk'],
      ]);
      assert.match(r.problems.find((p) => p.kind === 'corrupt-object')?.detail ?? '', /bad leaf entry "a.png"/);
    } finally {
      rmSync(r0, { recursive: true, force: true });
    }
  });
});
