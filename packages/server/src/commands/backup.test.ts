import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openDataset } from '../export/open.ts';
import { main } from '../main.ts';
import { doc, tempRoot } from '../ops/fixtures/dataset.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { verifyCommand } from './verify.ts';

type Command = (
  argv: string[],
  io?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
) => Promise<number>;

async function run(command: Command, argv: string[]) {
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

describe('labelkit backup / restore / verify', () => {
  let dir = '';
  let config = '';
  let head = '';
  before(async () => {
    dir = tempRoot('cli');
    config = join(dir, 'labelkit.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        storages: {
          vault: { driver: 'fs', root: join(dir, 'vault') },
          shelf: { driver: 'fs', root: join(dir, 'shelf'), readOnly: true },
        },
        datasets: [{ id: 'pets' }, { id: 'again' }],
      }),
    );
    const { service } = await openDataset({ dataset: 'pets', config });
    await service.source.put('datasets/pets/images/a.png', new TextEncoder().encode('png a'));
    const first = await service.commit({ parent: null, items: { 'a.png': doc('a.png') }, author: 't' });
    head = (await service.commit({ parent: first.head, items: { 'b.png': doc('b.png') }, author: 't' })).head;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up to a folder and to storage:prefix, restores into another dataset, verifies it clean', async () => {
    const folder = join(dir, 'backup-folder');
    const b = await run(backupCommand, ['--dataset', 'pets', '--to', folder, '--images', '--config', config]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(
      b.stdout,
      /^Backed up pets to .*backup-folder: 7 copied, 0 already there, [\d.]+ \w?B; refs: main [0-9a-f]{12} \(created\)\n$/,
    );
    assert.match(b.stderr, /backup refs: \d+ copied/, 'plain progress lines when stderr is not a terminal');
    assert.equal(readFileSync(join(folder, 'refs/main'), 'utf8'), `${head}\n`);
    assert.equal(readFileSync(join(folder, 'images/a.png'), 'utf8'), 'png a');

    const s = await run(backupCommand, ['--dataset', 'pets', '--to', 'vault:pets/', '--images', '--config', config]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /to storage vault:pets\/: 7 copied/);
    assert.equal(readFileSync(join(dir, 'vault/pets/refs/main'), 'utf8'), `${head}\n`);

    // Without its images the restored dataset's items have none: verify says so.
    const r = await run(restoreCommand, ['--from', 'vault:pets/', '--dataset', 'again', '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Restored again from storage vault:pets\/: 6 copied/);
    const missing = await run(verifyCommand, ['--dataset', 'again', '--config', config]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^image-missing a\.png: /);
    const ri = await run(restoreCommand, [
      '--from',
      'vault:pets/',
      '--dataset',
      'again',
      '--images',
      '--config',
      config,
    ]);
    assert.equal(ri.code, 0, ri.stderr);
    assert.match(ri.stdout, /: 1 copied, 6 already there/);
    const vb = await run(verifyCommand, ['--dataset', 'pets', '--backup', folder, '--config', config]);
    assert.equal(vb.code, 0, vb.stdout);
    assert.match(vb.stderr, /verify the backup of pets at .*backup-folder: 1 refs, 2 commits/);
    writeFileSync(join(folder, 'images/a.png'), 'another a');
    const changed = await run(verifyCommand, ['--dataset', 'pets', '--backup', folder, '--config', config]);
    assert.equal(changed.code, 1);
    assert.match(changed.stdout, /^image-changed a\.png: /);
    const v = await run(verifyCommand, ['--dataset', 'again', '--config', config]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout, '');
    assert.match(v.stderr, /verify again: 1 refs, 2 commits, \d+ trees, 2 documents; .*: no problem/);
  });

  it('verify exits 1 with one line per problem; main dispatches the three commands', async () => {
    const { service } = await openDataset({ dataset: 'pets', config });
    await service.history.driver.put('datasets/pets/refs/lost', new TextEncoder().encode(`${'0'.repeat(64)}\n`));
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((t: string) => {
      out += t;
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['verify', '--dataset', 'pets', '--config', config]);
    } finally {
      process.stdout.write = write;
    }
    assert.equal(code, 1);
    assert.equal(out, `broken-ref refs/lost: points to commit ${'0'.repeat(64)}, which is not stored\n`);
    await service.history.driver.delete('datasets/pets/refs/lost');
  });

  it('bad usage exits 2; an unknown storage, a read-only destination or an empty backup exit 1 with a code', async () => {
    assert.equal((await run(backupCommand, ['--dataset', 'pets', '--config', config])).code, 2);
    assert.equal((await run(restoreCommand, ['--dataset', 'pets', '--to', 'x', '--config', config])).code, 2);
    assert.equal((await run(verifyCommand, ['--config', config])).code, 2);
    const u = await run(backupCommand, ['--dataset', 'pets', '--to', 'nowhere:x/', '--config', config]);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /no storage named "nowhere" is configured \(ops\/unknown-storage\)/);
    const ro = await run(backupCommand, ['--dataset', 'pets', '--to', 'shelf', '--config', config]);
    assert.equal(ro.code, 1);
    assert.match(ro.stderr, /the backup destination is read-only \(ops\/read-only-destination\)/);
    const e = await run(restoreCommand, ['--dataset', 'pets', '--from', join(dir, 'empty'), '--config', config]);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /\(ops\/empty-backup\)/);
    const h = await run(verifyCommand, ['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /dangling-commit/);
  });
});
