import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formats } from '@labelkit/core';
import { readFileSet, writeFileSet } from '@labelkit/core/node';
import { unzipSync, zipSync } from 'fflate';
import { convert, convertCommand } from './convert.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const coreFixtures = join(root, 'packages/core/src/formats');

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

async function run(argv: string[]) {
  const out = sink();
  const errs = sink();
  const code = await convertCommand(argv, { stdout: out.stream, stderr: errs.stream });
  return { code, stdout: out.text(), stderr: errs.text() };
}

describe('labelkit convert', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'labelkit-convert-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('converts a CVAT file to a COCO folder, detecting the source, and prints the fidelity report', async () => {
    const r = await run(['--to', 'coco', join(coreFixtures, 'cvat/fixtures/urban-scene.xml'), join(dir, 'coco')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Converted 2 images and 38 shapes from cvat to coco: 1 files/);
    assert.match(r.stdout, /Fidelity: 2 entries\n {2}tags-dropped: 2\n/);
    const files = await readFileSet(join(dir, 'coco'));
    const parsed = formats.coco.parse(files);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.dataset.items.flatMap((d) => d.shapes).length, 38);
  });

  it('reads and writes zips, and a single output file', async () => {
    const yolo = await readFileSet(join(coreFixtures, 'yolo/fixtures/oriented_boxes'));
    const enc = new TextEncoder();
    const zip = zipSync(
      Object.fromEntries(Object.entries(yolo).map(([k, v]) => [`ds/${k}`, typeof v === 'string' ? enc.encode(v) : v])),
    );
    await writeFile(join(dir, 'in.zip'), zip);
    const a = await run(['--from', 'yolo', '--to', 'labelstudio', join(dir, 'in.zip'), join(dir, 'out.zip')]);
    assert.equal(a.code, 0, a.stderr);
    const entries = unzipSync(new Uint8Array(await readFile(join(dir, 'out.zip'))));
    assert.deepEqual(Object.keys(entries), ['tasks.json']);
    const tasks = JSON.parse(new TextDecoder().decode(entries['tasks.json']));
    assert.equal(tasks[0].annotations[0].result.length, 2);
    assert.equal(tasks[0].annotations[0].result[0].value.rotation, 30.00001156757613);
    const single = await convert({ to: 'cvat', input: join(dir, 'out.zip'), output: join(dir, 'one.xml') });
    assert.equal(single.from, 'labelstudio');
    assert.match(await readFile(join(dir, 'one.xml'), 'utf8'), /<box label="label_2"/);
  });

  it('fails with exit code 1 and a message naming the file and place on bad input', async () => {
    await writeFile(join(dir, 'broken.json'), '{"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height"');
    const r = await run(['--from', 'coco', '--to', 'voc', join(dir, 'broken.json'), join(dir, 'voc')]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^labelkit convert: broken\.json 1:\d+: invalid JSON at line 1, column \d+.*\(format\/invalid-json\)\n$/,
    );
    await writeFile(
      join(dir, 'evil.xml'),
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><annotations>&x;</annotations>',
    );
    const x = await run(['--from', 'cvat', '--to', 'coco', join(dir, 'evil.xml'), join(dir, 'x')]);
    assert.equal(x.code, 1);
    assert.match(x.stderr, /DOCTYPE and ENTITY declarations are not allowed \(format\/xml-doctype\)/);
    const unknown = await run(['--to', 'coco', join(dir, 'evil.xml'), join(dir, 'y')]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /cannot tell the format .* pass --from/);
    const missing = await run(['--to', 'coco', join(dir, 'nope'), join(dir, 'y')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /input not found/);
  });

  it('draws a progress bar on a terminal for large inputs only', async () => {
    const items = Array.from({ length: 250 }, (_, i) => ({
      version: 1 as const,
      item: { id: `img${i}.jpg`, width: 20, height: 20 },
      shapes: [{ type: 'box' as const, id: '0', label: 'cat', x: 1, y: 1, width: 5, height: 5 }],
    }));
    const voc = formats.voc.serialize({ labels: [{ id: 'cat', name: 'cat', color: '#f00' }], items });
    await writeFileSet(join(dir, 'voc-big'), voc.files);
    const tty = () => {
      const s = sink();
      Object.assign(s.stream, { isTTY: true });
      return s;
    };
    const big = tty();
    const code = await convertCommand(['--to', 'yolo', join(dir, 'voc-big'), join(dir, 'yolo-big')], {
      stdout: sink().stream,
      stderr: big.stream,
    });
    assert.equal(code, 0, big.text());
    assert.match(big.text(), /\[#{30}\] reading 250\/250/);
    assert.match(big.text(), /\[#{30}\] writing 251\/251/);
    assert.ok(big.text().endsWith('\r\x1b[2K'));
    const small = tty();
    await convertCommand(['--to', 'yolo', join(coreFixtures, 'voc/fixtures'), join(dir, 'yolo-small')], {
      stdout: sink().stream,
      stderr: small.stream,
    });
    assert.equal(small.text(), '');
  });

  it('fails with exit code 2 on bad usage', async () => {
    for (const argv of [
      [],
      ['--to', 'pdf', 'a', 'b'],
      ['--to', 'coco', 'a'],
      ['--from', 'x', '--to', 'coco', 'a', 'b'],
      ['--nope'],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /Usage: labelkit convert/);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: labelkit convert/);
  });

  it('runs in a child process started with the source conditions', async () => {
    const script = join(dir, 'cli.mts');
    await writeFile(
      script,
      `import { convertCommand } from ${JSON.stringify(join(root, 'packages/server/src/commands/convert.ts'))};\nprocess.exitCode = await convertCommand(process.argv.slice(2));\n`,
    );
    const child = spawn(
      process.execPath,
      [
        '--conditions=labelkit-source',
        '--import',
        'tsx',
        script,
        '--to',
        'yolo',
        join(coreFixtures, 'voc/fixtures'),
        join(dir, 'yolo'),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /from voc to yolo/);
    const written = await readFile(join(dir, 'yolo/labels/train/000001.txt'), 'utf8');
    assert.equal(written.trim().split('\n').length, 2);
    const bad = spawn(
      process.execPath,
      [
        '--conditions=labelkit-source',
        '--import',
        'tsx',
        script,
        '--to',
        'yolo',
        join(dir, 'broken.json'),
        join(dir, 'z'),
      ],
      {
        cwd: root,
        stdio: 'ignore',
      },
    );
    assert.equal(await new Promise((resolve) => bad.on('exit', resolve)), 1);
  });
});
