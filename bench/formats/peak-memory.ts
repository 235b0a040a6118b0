/**
 * Peak memory of one parse or serialize, measured in a fresh child process per case: the child loads its input
 * (a Dataset it builds, or for parse the files read from a folder the parent wrote, so that making the input
 * costs no more than holding it), records its peak RSS so far, runs the case once and reports the growth of
 * the peak (maxRSS).
 * Run: node --conditions=labelkit-source --import tsx bench/formats/peak-memory.ts [10000 100000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FileSet, formats } from '../../packages/core/src/index.ts';
import { readFileSet, writeFileSet } from '../../packages/core/src/node/index.ts';
import { syntheticDataset } from './dataset.ts';

const NAMES = ['coco', 'yolo', 'voc', 'cvat', 'labelstudio'] as const;
type Name = (typeof NAMES)[number];

function inputBytes(files: FileSet): number {
  let b = 0;
  for (const v of Object.values(files)) b += typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;
  return b;
}

const [, , mode, name, nArg, op, inputDir] = process.argv;
if (mode === '--child') {
  const n = Number(nArg);
  const d = syntheticDataset(n, name === 'voc' ? 'boxes' : 'mixed');
  const adapter = formats[name as Name];
  const files = op === 'parse' ? await readFileSet(inputDir as string) : undefined;
  const sizes = Object.fromEntries(
    d.items.map((doc) => [doc.item.id, { width: doc.item.width, height: doc.item.height }]),
  );
  globalThis.gc?.();
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let kept: unknown;
  if (op === 'parse') {
    const r = adapter.parse(files as FileSet, { imageSizes: sizes });
    if (!r.ok) throw r.error;
    kept = r;
  } else kept = adapter.serialize(d);
  const ms = performance.now() - t0;
  const after = process.resourceUsage().maxRSS;
  process.stdout.write(
    JSON.stringify({
      ms,
      peakGrowthMB: (after - before) / 1024,
      inputMB: files ? inputBytes(files) / 2 ** 20 : 0,
      kept: !!kept,
    }),
  );
} else {
  const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['10000', '100000']).map(Number);
  const self = fileURLToPath(import.meta.url);
  console.log('| format | op | shapes | time ms | input MB | peak RSS growth MB |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const n of sizes)
    for (const f of NAMES)
      for (const o of ['parse', 'serialize']) {
        const dir = mkdtempSync(join(tmpdir(), 'labelkit-peak-'));
        if (o === 'parse')
          await writeFileSet(dir, formats[f].serialize(syntheticDataset(n, f === 'voc' ? 'boxes' : 'mixed')).files);
        const out = execFileSync(
          process.execPath,
          ['--expose-gc', '--conditions=labelkit-source', '--import', 'tsx', self, '--child', f, String(n), o, dir],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        rmSync(dir, { recursive: true, force: true });
        const r = JSON.parse(out) as { ms: number; peakGrowthMB: number; inputMB: number };
        console.log(
          `| ${f} | ${o} | ${n} | ${r.ms.toFixed(0)} | ${o === 'parse' ? r.inputMB.toFixed(1) : ''} | ${r.peakGrowthMB.toFixed(0)} |`,
        );
      }
}
