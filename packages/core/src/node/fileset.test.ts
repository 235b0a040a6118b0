import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FormatError } from '@labelkit/core';
import { readFileSet, writeFileSet } from '@labelkit/core/node';

describe('FileSet on disk', () => {
  it('writes and reads back text and bytes under nested folders, skipping dot files and links', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labelkit-fs-'));
    try {
      const bytes = Uint8Array.from([0, 1, 2, 255]);
      await writeFileSet(dir, {
        'labels/train/a.txt': '0 0.5 0.5 1 1\n',
        'images/train/a.png': bytes,
        'data.yaml': 'names: [a]\n',
      });
      await writeFile(join(dir, '.DS_Store'), 'x');
      await symlink(join(dir, 'data.yaml'), join(dir, 'link.yaml'));
      const files = await readFileSet(dir);
      assert.deepEqual(Object.keys(files).sort(), ['data.yaml', 'images/train/a.png', 'labels/train/a.txt']);
      assert.equal(files['labels/train/a.txt'], '0 0.5 0.5 1 1\n');
      assert.deepEqual(files['images/train/a.png'], bytes);
      const only = await readFileSet(dir, { filter: (p) => p.endsWith('.yaml') });
      assert.deepEqual(Object.keys(only), ['data.yaml']);
      const heads = await readFileSet(dir, { headBytes: (p) => (p.endsWith('.png') ? 2 : undefined) });
      assert.deepEqual(heads['images/train/a.png'], Uint8Array.from([0, 1]));
      const seen: number[] = [];
      await readFileSet(dir, { onProgress: (done, total) => seen.push(done, total) });
      assert.deepEqual(seen, [1, 3, 2, 3, 3, 3]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses paths that would leave the folder, writing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labelkit-fs-'));
    try {
      for (const bad of ['../x.txt', '/etc/x', 'a/../../x', 'a\\b', 'C:/x', 'a/\u0000', '']) {
        await assert.rejects(
          writeFileSet(dir, { 'ok.txt': 'fine', [bad]: 'x' }),
          (e: unknown) => e instanceof FormatError && e.code === 'format/unsafe-path',
          bad,
        );
      }
      await assert.rejects(readFile(join(dir, 'ok.txt')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
