// Runs the server-only example as a user would (plain node on the built packages) and checks what it produced.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

test('server-only example: sign, commit, log, export COCO', () => {
  const out = mkdtempSync(join(tmpdir(), 'labelkit-sdk-test-'));
  const main = fileURLToPath(new URL('./main.mjs', import.meta.url));
  const stdout = execFileSync(process.execPath, [main, out], { encoding: 'utf8', timeout: 60_000 });
  assert.match(stdout, /^items: scene-01\.jpg, scene-02\.jpg$/m);
  assert.match(stdout, /^signed GET of scene-01\.jpg: 200, 14777 bytes$/m);
  assert.match(stdout, /^log: [0-9a-f]{12} sdk-example "first labels from a script"$/m);
  const files = unzipSync(readFileSync(join(out, 'street-coco.zip')));
  const coco = JSON.parse(new TextDecoder().decode(files['annotations/instances_default.json']));
  assert.deepEqual(coco.categories.map((c: { name: string }) => c.name).sort(), ['Car', 'House']);
  assert.equal(coco.images.length, 2);
  assert.equal(coco.annotations.length, 3);
  const car = coco.annotations.find((a: { bbox: number[] }) => a.bbox[0] === 190);
  assert.deepEqual(car.bbox, [190, 380, 162, 88]);
  const meta = JSON.parse(new TextDecoder().decode(files['labelkit-export.json']));
  assert.equal(meta.format, 'coco');
  assert.ok(files['fidelity.json'], 'the fidelity report is in the zip');
});
