/**
 * The page side of the canvas benchmarks, bundled by canvas.bench.ts and run in headless Chromium. Konva's
 * frames are driven by hand (requestAnimationFrame is replaced by a queue that `flush()` runs), so that one step
 * (an input handler plus the frame it causes, pixels included) is measured synchronously, the same way for the
 * element and for the plain-Konva baseline.
 */
import type { AnnotationDocument, Shape } from '@labelkit/core';
import '@labelkit/elements';
import type { LabelCanvas } from '@labelkit/elements';
// konva is a dependency of @labelkit/elements, not of the root: import the same copy the element uses.
import Konva from '../../packages/elements/node_modules/konva/lib/index.js';

const queue: FrameRequestCallback[] = [];
window.requestAnimationFrame = (cb) => {
  queue.push(cb);
  return queue.length;
};

/** Runs pending frames, then reads a pixel of every canvas so that deferred rasterisation is paid for now. */
function runFrames(): void {
  while (queue.length) {
    const batch = queue.splice(0);
    for (const cb of batch) cb(performance.now());
  }
}

function flush(root: ParentNode): void {
  runFrames();
  for (const c of root.querySelectorAll('canvas')) c.getContext('2d')?.getImageData(0, 0, 1, 1);
}

/** Layer draws so far: each step must cause at least one, or the bench measures nothing. */
let draws = 0;
/** Milliseconds spent in each layer's draw, by layer index (0 = image). */
const layerMs: number[] = [];
const layerDraw = Konva.Layer.prototype.draw;
Konva.Layer.prototype.draw = function (this: Konva.Layer, ...args: Parameters<typeof layerDraw>) {
  draws++;
  const t0 = performance.now();
  const r = layerDraw.apply(this, args);
  const i = this.index;
  layerMs[i] = (layerMs[i] ?? 0) + performance.now() - t0;
  return r;
};
function layerTimes(): number[] {
  return layerMs.splice(0);
}
function expectDraws(before: number, steps: number): void {
  if (draws - before < steps) throw new Error(`only ${draws - before} layer draws for ${steps} steps`);
}

const W = 1280;
const H = 800;
const SIZE = 4096;
let imageUrl = '';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeShapes(n: number): Shape[] {
  const r = rng(42);
  const shapes: Shape[] = [];
  for (let i = 0; i < n; i++) {
    const x = r() * (SIZE - 80);
    const y = r() * (SIZE - 80);
    const s = 10 + r() * 60;
    const label = `l${i % 5}`;
    if (i % 10 < 7) shapes.push({ id: `s${i}`, type: 'box', label, x, y, width: s, height: s * (0.5 + r()) });
    else {
      const points: number[] = [];
      for (let k = 0; k < 6; k++) {
        const a = (k / 6) * Math.PI * 2;
        points.push(x + s / 2 + Math.cos(a) * s * (0.3 + r() * 0.2), y + s / 2 + Math.sin(a) * s * (0.3 + r() * 0.2));
      }
      shapes.push({ id: `s${i}`, type: 'polygon', label, points });
    }
  }
  return shapes;
}
const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4'];
const labels = COLORS.map((color, i) => ({ id: `l${i}`, name: `L${i}`, color }));

let el: LabelCanvas | undefined;
let stage: Konva.Stage | undefined;
let nodes: Konva.Shape[] = [];
let host: HTMLDivElement | undefined;
let dragX = 0;
let pans = 0;

async function init(): Promise<void> {
  document.body.style.margin = '0';
  const c = new OffscreenCanvas(SIZE, SIZE);
  const g = c.getContext('2d')!;
  const grad = g.createLinearGradient(0, 0, SIZE, SIZE);
  grad.addColorStop(0, '#335');
  grad.addColorStop(1, '#aa8');
  g.fillStyle = grad;
  g.fillRect(0, 0, SIZE, SIZE);
  imageUrl = URL.createObjectURL(await c.convertToBlob({ type: 'image/jpeg', quality: 0.8 }));
}

async function mountElement(n: number, view: 'fit' | '1:1'): Promise<void> {
  unmount();
  const doc: AnnotationDocument = {
    version: 1,
    item: { id: 'bench', width: SIZE, height: SIZE },
    shapes: makeShapes(n),
  };
  const e = document.createElement('label-canvas');
  e.style.cssText = `display:block;width:${W}px;height:${H}px`;
  e.labels = labels;
  e.document = doc;
  document.body.append(e);
  const loaded = new Promise((r) => e.addEventListener('label-load', r, { once: true }));
  e.src = imageUrl;
  await loaded;
  if (view === '1:1') e.zoomTo(1, { x: W / 2, y: H / 2 });
  flush(e.shadowRoot!);
  el = e;
}

async function decodedImage(): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = imageUrl;
  await img.decode();
  return img;
}

/** Plain Konva as one would first write it: one node per shape, one layer, nodes draggable. */
async function mountKonva(n: number, view: 'fit' | '1:1'): Promise<void> {
  unmount();
  host = document.createElement('div');
  host.style.cssText = `width:${W}px;height:${H}px`;
  document.body.append(host);
  const img = await decodedImage();
  stage = new Konva.Stage({ container: host, width: W, height: H });
  const bg = new Konva.Layer({ listening: false });
  bg.add(new Konva.Image({ image: img, width: SIZE, height: SIZE }));
  const layer = new Konva.Layer();
  nodes = makeShapes(n).map((s, i) => {
    const color = COLORS[i % 5] as string;
    const common = { stroke: color, strokeWidth: 2, strokeScaleEnabled: false, fill: `${color}2e`, draggable: true };
    return s.type === 'box'
      ? new Konva.Rect({ ...common, x: s.x, y: s.y, width: s.width, height: s.height })
      : new Konva.Line({ ...common, points: s.type === 'polygon' ? s.points : [], closed: true });
  });
  layer.add(...nodes);
  stage.add(bg, layer);
  const scale = view === 'fit' ? Math.min(W / SIZE, H / SIZE) : 1;
  stage.scale({ x: scale, y: scale });
  stage.position(view === 'fit' ? { x: (W - SIZE * scale) / 2, y: 0 } : { x: W / 2 - SIZE / 2, y: H / 2 - SIZE / 2 });
  stage.draw();
  flush(host);
}

function unmount(): void {
  // Pending frames must run: Konva keeps one queue per window until its frame comes, and a dropped frame
  // would leave every later batchDraw waiting in that queue forever.
  runFrames();
  el?.remove();
  el = undefined;
  stage?.destroy();
  stage = undefined;
  host?.remove();
  host = undefined;
  nodes = [];
  dragX = 0;
}

function panSteps(k: number): void {
  const before = draws;
  for (let i = 0; i < k; i++) {
    const dx = pans++ % 20 < 10 ? 4 : -4;
    if (el) {
      el.panBy(dx, 2 * Math.sign(dx));
      flush(el.shadowRoot!);
    } else if (stage && host) {
      stage.position({ x: stage.x() + dx, y: stage.y() + 2 * Math.sign(dx) });
      stage.batchDraw();
      flush(host);
    }
  }
  expectDraws(before, k);
}

function pointer(type: string, x: number, y: number): PointerEvent {
  return new PointerEvent(type, {
    clientX: x,
    clientY: y,
    button: 0,
    buttons: 1,
    pointerId: 1,
    bubbles: true,
    composed: true,
  });
}

/** Drags the first shape by one screen pixel per step (the pointer stays down between runs). */
function dragSteps(k: number): void {
  const before = draws;
  if (el) {
    const surface = el.shadowRoot!.querySelector('[part=stage]')!;
    const s = el.document!.shapes[0]!;
    const anchor = s.type === 'box' ? { x: s.x + s.width / 2, y: s.y + s.height / 2 } : { x: 0, y: 0 };
    const p = el.toScreen(anchor.x, anchor.y);
    if (dragX === 0) surface.dispatchEvent(pointer('pointerdown', p.x, p.y));
    for (let i = 0; i < k; i++) {
      dragX++;
      surface.dispatchEvent(pointer('pointermove', p.x + dragX, p.y));
      flush(el.shadowRoot!);
    }
  } else if (host) {
    const node = nodes[0]!;
    const layer = node.getLayer()!;
    const step = 1 / (stage?.scaleX() ?? 1);
    for (let i = 0; i < k; i++) {
      node.x(node.x() + step);
      layer.batchDraw();
      flush(host);
    }
  }
  expectDraws(before, k);
}

/** From nothing to the first frame with the image and every shape drawn. */
async function firstRender(kind: 'element' | 'konva', n: number): Promise<void> {
  if (kind === 'element') await mountElement(n, 'fit');
  else await mountKonva(n, 'fit');
  unmount();
}

Object.assign(window, {
  lk: { layerTimes, init, mountElement, mountKonva, unmount, panSteps, dragSteps, firstRender },
});
