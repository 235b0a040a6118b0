// Commits are counted for /metrics (commits per minute on the dashboard), and dataset answers are never cached.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config.ts';
import { silentLogger } from '../logger.ts';
import { startServer } from '../serve.ts';

test('counts commits by kind in labelkit_commits_total and sends Cache-Control: no-store', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'labelkit-metrics-'));
  const config = loadConfig({
    cwd,
    env: {},
    config: { datasets: [{ id: 'demo' }], auth: { anonymous: { demo: 'write' } } },
  });
  assert.ok(config.ok, config.ok ? '' : config.error.message);
  const server = await startServer({ ...config.value, port: 0, warm: false, logger: silentLogger, dataDir: cwd });
  try {
    const doc = (id: string, x: number) => ({
      version: 1,
      item: { id, width: 100, height: 100 },
      shapes: [{ id: 's', type: 'point', label: 'p', x, y: 1 }],
    });
    const commit = async (parent: string | null, id: string, x: number) => {
      const r = await fetch(`${server.url}/v1/datasets/demo/commits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parent, items: { [id]: doc(id, x) } }),
      });
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as { head: string; merged: boolean };
    };
    const first = await commit(null, 'a.png', 1);
    await commit(first.head, 'a.png', 2);
    const merged = await commit(first.head, 'b.png', 3); // stale parent, another item: merged
    assert.equal(merged.merged, true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^labelkit_commits_total\{kind="commit"\} 2$/m);
    assert.match(metrics, /^labelkit_commits_total\{kind="merged"\} 1$/m);
    const item = await fetch(`${server.url}/v1/datasets/demo/items/a.png`);
    assert.equal(item.headers.get('cache-control'), 'no-store');
    const log = await fetch(`${server.url}/v1/datasets/demo/commits`);
    assert.equal(log.headers.get('cache-control'), 'no-store');
  } finally {
    await server.close();
  }
});
