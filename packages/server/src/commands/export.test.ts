import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { AnnotationDocument } from '@labelkit/core';
import { unzipSync } from 'fflate';
import { openDataset } from '../export/open.ts';
import { main } from '../main.ts';
import { exportCommand } from './export.ts';

async function run(command: typeof exportCommand, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (t: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(String(chunk));
        cb();
      },
    });
  const code = await command(argv, {
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink((t) => {
      stderr += t;
    }),
  });
  return { code, stdout, stderr };
}

const doc = (id: string, x: number): AnnotationDocument => ({
  version: 1,
  item: { id, width: 200, height: 100 },
  shapes: [{ id: 's1', type: 'box', label: 'cat', x, y: 5, width: 20, height: 10 }],
});

describe('labelkit export', () => {
  let dir = '';
  let config = '';
  let first = '';
  let second = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'labelkit-export-'));
    config = join(dir, 'labelkit.config.json');
    await writeFile(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        datasets: [{ id: 'pets', labels: [{ id: 'cat', name: 'Cat', color: '#f00' }] }],
      }),
    );
    const { service } = await openDataset({ dataset: 'pets', config });
    first = (await service.commit({ parent: null, items: { 'a.jpg': doc('a.jpg', 1) }, author: 't' })).head;
    second = (await service.commit({ parent: first, items: { 'b.jpg': doc('b.jpg', 2) }, author: 't' })).head;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const yoloLabels = async (file: string) =>
    Object.keys(unzipSync(new Uint8Array(await readFile(file))))
      .filter((p) => p.startsWith('labels/'))
      .sort();

  it('exports the head of main by default, and an older commit or a branch with --at', async () => {
    const head = join(dir, 'head.zip');
    const r = await run(exportCommand, ['--dataset', 'pets', '--format', 'yolo', '--out', head, '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`pets at ${second} as yolo: .*head\\.zip \\(\\d+ bytes\\)`));
    assert.deepEqual(await yoloLabels(head), ['labels/train/a.txt', 'labels/train/b.txt']);
    const old = join(dir, 'old.zip');
    const o = await run(exportCommand, [
      '--dataset',
      'pets',
      '--format',
      'yolo',
      '--at',
      first,
      '--out',
      old,
      '--config',
      config,
    ]);
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(await yoloLabels(old), ['labels/train/a.txt']);
    const { service } = await openDataset({ dataset: 'pets', config });
    await service.createBranch('review', first);
    const br = join(dir, 'branch.zip');
    assert.equal(
      (
        await run(exportCommand, [
          '--dataset',
          'pets',
          '--format',
          'yolo',
          '--at',
          'review',
          '--out',
          br,
          '--config',
          config,
        ])
      ).code,
      0,
    );
    assert.deepEqual(await yoloLabels(br), ['labels/train/a.txt']);
  });

  it('runs through `labelkit export` and names the zip <id>-<short hash>-<format>.zip by default', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(await main(['export', '--dataset', 'pets', '--format', 'voc', '--config', config]), 0);
    } finally {
      process.chdir(cwd);
    }
    const name = `pets-${second.slice(0, 12)}-voc.zip`;
    assert.ok((await readdir(dir)).includes(name));
    const files = unzipSync(new Uint8Array(await readFile(join(dir, name))));
    assert.deepEqual(Object.keys(files).sort(), [
      'Annotations/a.xml',
      'Annotations/b.xml',
      'fidelity.json',
      'labelkit-export.json',
    ]);
  });

  it('fails with the code for an unknown commit and leaves no file; refuses bad usage with exit code 2', async () => {
    const out = join(dir, 'none.zip');
    const r = await run(exportCommand, [
      '--dataset',
      'pets',
      '--format',
      'coco',
      '--at',
      'f'.repeat(64),
      '--out',
      out,
      '--config',
      config,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(dataset\/unknown-commit\)/);
    assert.ok(!(await readdir(dir)).some((n) => n.startsWith('none.zip')));
    const bad = await run(exportCommand, ['--dataset', 'pets', '--format', 'pascal', '--config', config]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown format "pascal"[\s\S]*Usage: labelkit export/);
    assert.equal((await run(exportCommand, ['--dataset', 'pets', '--config', config])).code, 2);
  });
});
