/**
 * Quality of the built-in model on synthetic scenes (run: node --conditions=labelkit-source --import tsx
 * bench/models/quality.ts): mean IoU after one click and after a box, and NoC@90 with the standard clicker
 * (next click at the centre of the largest error region, at most 20 clicks), in onnxruntime-node.
 */
import { nextClick } from '../../packages/models/src/testing/clicker.ts';
import { nodeBuiltin } from '../../packages/models/src/testing/node-decoder.ts';
import { makeScene, makeTouchingScene, maskIoU, type Scene } from '../../packages/models/src/testing/synthetic.ts';

const MAX_CLICKS = 20;
const model = await nodeBuiltin();
const rows: { kind: string; click: number; box: number; noc: number }[] = [];
const scenes: Scene[] = [
  ...Array.from({ length: 36 }, (_, seed) => makeScene({ seed, noise: seed % 2 ? 14 : 8 })),
  // The object touches a block 14 levels away in colour: one click takes both, the clicker must add a negative one.
  ...Array.from({ length: 8 }, (_, i) => makeTouchingScene(i + 1)),
];
for (const s of scenes) {
  const e = await model.embed(s.rgba, s.width, s.height);
  const [x0, y0, x1, y1] = s.box;
  const box = await model.segment(e, { box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } }, s.width, s.height);
  const points: { x: number; y: number; positive: boolean }[] = [];
  let mask: Uint8Array = new Uint8Array(s.width * s.height);
  let previous: Float32Array | undefined;
  let first = 0;
  while (points.length < MAX_CLICKS && (points.length === 0 || maskIoU(mask, s.truth) < 0.9)) {
    const c = nextClick(mask, s.truth, s.width, s.height);
    if (!c) break;
    points.push(c);
    const r = await model.segment(e, { points }, s.width, s.height, previous);
    mask = r.mask;
    previous = r.lowRes;
    if (points.length === 1) first = maskIoU(mask, s.truth);
  }
  const noc = maskIoU(mask, s.truth) >= 0.9 ? points.length : MAX_CLICKS;
  rows.push({ kind: s.name.split('#')[0]!, click: first, box: maskIoU(box.mask, s.truth), noc });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const kinds = [...new Set(rows.map((r) => r.kind.split('/')[1] ?? r.kind))];
console.log('| scenes | n | mean IoU, 1 click | mean IoU, box | NoC@90 | IoU >= 0.9 after 1 click |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const k of [...kinds, 'all']) {
  const r = rows.filter((x) => k === 'all' || x.kind === k || x.kind.endsWith(`/${k}`));
  const good = r.filter((x) => x.click >= 0.9).length;
  console.log(
    `| ${k} | ${r.length} | ${mean(r.map((x) => x.click)).toFixed(3)} | ${mean(r.map((x) => x.box)).toFixed(3)} | ${mean(r.map((x) => x.noc)).toFixed(2)} | ${good}/${r.length} |`,
  );
}
