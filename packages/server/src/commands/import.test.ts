import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Dataset, formats } from '@labelkit/core';
import { unzipSync } from 'fflate';
import { openDataset } from '../export/open.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';

const cocoFixture = fileURLToPath(
  new URL('../../../core/src/formats/coco/fixtures/urban-scene-cvat-coco.json', import.meta.url),
);

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

async function run(command: typeof importCommand, argv: string[]) {
  const out = sink();
  const errs = sink();
  const code = await command(argv, { stdout: out.stream, stderr: errs.stream });
  return { code, stdout: out.text(), stderr: errs.text() };
}

/** Shapes per item keyed by label name, numbers rounded, shape ids and category ids left out. */
function comparable(d: Dataset) {
  const names = new Map(d.labels.map((l) => [l.id, l.name]));
  const round = (x: unknown) =>
    JSON.parse(JSON.stringify(x), (_k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v));
  return Object.fromEntries(
    d.items.map((doc) => [
      doc.item.id,
      {
        size: [doc.item.width, doc.item.height],
        shapes: doc.shapes
          .map(({ id: _id, ...s }) => round({ ...s, label: names.get(s.label) ?? s.label }))
          .map((s) => JSON.stringify(s))
          .sort(),
      },
    ]),
  );
}

describe('labelkit import / export', () => {
  let dir = '';
  let config = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'labelkit-import-'));
    config = join(dir, 'labelkit.config.json');
    await writeFile(
      config,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        datasets: [
          { id: 'urban' },
          {
            id: 'typed',
            labels: [
              { id: 'car', name: 'CAR', color: '#ff0000' },
              { id: 'road', name: 'ROAD_SURFACE', color: '#00ff00' },
            ],
          },
        ],
      }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a COCO export as the first commit, and exports the same annotations back as COCO', async () => {
    const imported = await run(importCommand, [
      cocoFixture,
      '--dataset',
      'urban',
      '--config',
      config,
      '--author',
      'tester',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    const m = /Imported 2 items and (\d+) shapes \(coco\) into urban: commit ([0-9a-f]{64})/.exec(imported.stdout);
    assert.ok(m, imported.stdout);
    assert.equal(Number(m[1]), 39);
    const { service } = await openDataset({ dataset: 'urban', config });
    const log = await service.log('main');
    assert.equal(log.commits.length, 1);
    assert.equal(log.commits[0]?.hash, m[2]);
    assert.equal(log.commits[0]?.author, 'tester');
    assert.deepEqual(log.commits[0]?.parents, []);

    const zipPath = join(dir, 'urban.zip');
    const exported = await run(exportCommand, [
      '--dataset',
      'urban',
      '--format',
      'coco',
      '--out',
      zipPath,
      '--config',
      config,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`at ${m[2]} as coco`));
    const files = unzipSync(new Uint8Array(await readFile(zipPath)));
    const dec = new TextDecoder();
    const coco = Object.fromEntries(
      Object.entries(files)
        .filter(([p]) => p !== 'fidelity.json' && p !== 'labelkit-export.json')
        .map(([p, v]) => [p, dec.decode(v)]),
    );
    const back = formats.coco.parse(coco);
    assert.ok(back.ok, back.ok ? '' : back.error.message);
    const original = formats.coco.parse({ 'a.json': await readFile(cocoFixture, 'utf8') });
    assert.ok(original.ok);
    assert.deepEqual(comparable(back.value.dataset), comparable(original.value.dataset));
    const summary = JSON.parse(dec.decode(files['labelkit-export.json']));
    assert.equal(summary.commit, m[2]);
    assert.equal(summary.items, 2);
    assert.equal(summary.shapes, 39);
    assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n.endsWith('.tmp'))), []);

    // A second import lands on top of the head.
    const again = await run(importCommand, [
      cocoFixture,
      '--dataset',
      'urban',
      '--config',
      config,
      '--message',
      'again',
    ]);
    assert.equal(again.code, 0, again.stderr);
    const after2 = await service.log('main');
    assert.equal(after2.commits.length, 2);
    assert.deepEqual(after2.commits[0]?.parents, [m[2]]);
    assert.equal(after2.commits[0]?.message, 'again');
  });

  it('maps the export labels onto a dataset declaring labels, and refuses one it does not declare', async () => {
    const r = await run(importCommand, [cocoFixture, '--dataset', 'typed', '--config', config]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /urban-scene-cvat-coco\.json at \$\.items\[\d+\]\.shapes\[\d+\]\.label: label "(?!car|road)[^"]+" is not one of the dataset's labels \(car, road\) \(import\/unknown-label\)/,
    );
    const { service } = await openDataset({ dataset: 'typed', config });
    assert.equal(await service.history.readRef('main'), undefined);
    const small = join(dir, 'small.json');
    const coco = JSON.parse(await readFile(cocoFixture, 'utf8'));
    coco.annotations = coco.annotations.filter((a: { category_id: number }) => a.category_id <= 2);
    await writeFile(small, JSON.stringify(coco));
    const ok = await run(importCommand, [small, '--dataset', 'typed', '--config', config, '--format', 'coco']);
    assert.equal(ok.code, 0, ok.stderr);
    const labels = new Set<string>();
    for await (const d of service.documents('main')) for (const s of d.shapes) labels.add(s.label);
    assert.deepEqual([...labels].sort(), ['car', 'road']);
  });

  it('refuses a bad file with its path and code, exits non-zero and writes nothing', async () => {
    const bad = join(dir, 'bad.json');
    const coco = JSON.parse(await readFile(cocoFixture, 'utf8'));
    coco.annotations[3].segmentation = 'oops';
    await writeFile(bad, JSON.stringify(coco));
    const data = join(dir, 'fresh-data');
    const r = await run(importCommand, [bad, '--dataset', 'urban', '--config', config, '--data', data]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.json (at )?\$\.annotations\[3\]\.segmentation/);
    assert.match(r.stderr, /\(format\/[a-z-]+\)\n$/);
    await assert.rejects(readdir(data), { code: 'ENOENT' });

    const unknown = await run(importCommand, [
      join(dir, 'labelkit.config.json'),
      '--dataset',
      'urban',
      '--config',
      config,
      '--data',
      data,
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /cannot tell the format .* \(format\/unknown\)/);
    await assert.rejects(readdir(data), { code: 'ENOENT' });
  });

  it('answers bad usage with exit code 2 and the help', async () => {
    const noDataset = await run(importCommand, [cocoFixture, '--config', config]);
    assert.equal(noDataset.code, 2);
    assert.match(noDataset.stderr, /--dataset is required[\s\S]*Usage: labelkit import/);
    const badFormat = await run(importCommand, [cocoFixture, '--dataset', 'urban', '--format', 'pascal']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /unknown format "pascal"/);
    const noDs = await run(importCommand, [cocoFixture, '--dataset', 'nope', '--config', config]);
    assert.equal(noDs.code, 1);
    assert.match(noDs.stderr, /no dataset "nope" .*\(dataset\/unknown-dataset\)/);
  });
});
