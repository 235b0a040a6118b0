import type { Mask, Polygon } from '@labelkit/core';
import { decodeRLE, LabelKitError, polygonToMask } from '@labelkit/core';
import { createSegmenter, type Segmenter } from '@labelkit/models';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { expect } from 'chai';
import { click, mountCanvas, next, unmountAll } from '../../test-support/canvas-fixture.ts';
import type { LabelCanvas } from './canvas.component.ts';
import type { SamPrompt, SamToolHost } from './tools/sam.ts';

/** The generated built-in model, served from the repository by the test server. */
const BUILTIN_MANIFEST = '/packages/models/models/builtin/manifest.json';
const W = 400;
const H = 300;
const DISC = { cx: 190, cy: 140, r: 70 };

/** A filled disc on a plain background, as a PNG data URL, and its true mask. */
function discImage(): { url: string; truth: Uint8Array } {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const g = c.getContext('2d')!;
  g.fillStyle = '#d8c9a0';
  g.fillRect(0, 0, W, H);
  const truth = new Uint8Array(W * H);
  const data = g.getImageData(0, 0, W, H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (Math.hypot(x + 0.5 - DISC.cx, y + 0.5 - DISC.cy) <= DISC.r) {
        truth[y * W + x] = 1;
        data.data.set([30, 70, 160, 255], (y * W + x) * 4);
      }
  g.putImageData(data, 0, 0);
  return { url: c.toDataURL('image/png'), truth };
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union ? inter / union : 0;
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const accept = (el: LabelCanvas) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>('[aria-label="Accept segmentation"]');
const message = (el: LabelCanvas) => el.shadowRoot!.querySelector('[part=message]')?.textContent?.trim() ?? '';

/** Mounts a canvas on the disc image with the segmenter, and waits for the model to take the image. */
async function mountSam(segmenter: SamToolHost, extra: Partial<LabelCanvas> = {}): Promise<LabelCanvas> {
  document.body.style.margin = '0';
  const el = document.createElement('label-canvas');
  el.style.cssText = `position:absolute;left:0;top:0;width:${W}px;height:${H}px`;
  Object.assign(el, { segmenter, tool: 'sam', ...extra });
  document.body.append(el);
  const loaded = new Promise((r) => el.addEventListener('label-load', r, { once: true }));
  el.src = discImage().url;
  await loaded;
  await el.updateComplete;
  return el;
}

describe('<label-canvas> sam tool with the built-in model (real pointer events)', () => {
  let segmenter: Segmenter;
  const { truth } = discImage();
  before(() => {
    segmenter = createSegmenter({ model: BUILTIN_MANIFEST, embeddings: { storeBytes: 0 } });
  });
  after(() => segmenter.dispose());
  afterEach(unmountAll);

  it('a click gives a candidate only; Enter commits one model polygon (IoU >= 0.9) as one undo step', async function () {
    this.timeout(120_000);
    const el = await mountSam(segmenter);
    expect(message(el)).to.equal('Preparing the model…');
    await until(() => message(el) === '', 'the model to take the image', 110_000);
    await click([DISC.cx, DISC.cy]);
    await until(() => !!accept(el), 'a candidate');
    expect(el.document!.shapes).to.have.length(0);
    const changed = next(el, 'label-change');
    await sendKeys({ press: 'Enter' });
    await changed;
    expect(el.document!.shapes).to.have.length(1);
    const p = el.document!.shapes[0] as Polygon;
    expect(p).to.include({ type: 'polygon', source: 'model' });
    expect(p.score).to.be.within(0, 1);
    expect(iou(polygonToMask(p.points, p.holes, W, H), truth)).to.be.at.least(0.9);
    expect(accept(el)).to.equal(null);
    expect(el.undo()).to.equal(true);
    expect(el.document!.shapes).to.have.length(0);
  });

  it('Escape drops the candidate; the accept button commits a mask with sam-output="mask"', async function () {
    this.timeout(60_000);
    const el = await mountSam(segmenter, { samOutput: 'mask' });
    await until(() => message(el) === '', 'the model to take the image');
    await click([DISC.cx, DISC.cy]);
    await until(() => !!accept(el), 'a candidate');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(accept(el)).to.equal(null);
    expect(el.document!.shapes).to.have.length(0);
    // A drag is a box prompt around the disc.
    await sendMouse({ type: 'move', position: [DISC.cx - 80, DISC.cy - 80] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [DISC.cx, DISC.cy] });
    await sendMouse({ type: 'move', position: [DISC.cx + 80, DISC.cy + 80] });
    await sendMouse({ type: 'up' });
    await until(() => !!accept(el), 'a candidate');
    accept(el)!.click();
    const m = el.document!.shapes[0] as Mask;
    expect(m).to.include({ type: 'mask', source: 'model' });
    expect(iou(decodeRLE(m.rle), truth)).to.be.at.least(0.9);
  });
});

describe('<label-canvas> sam tool prompts (a scripted segmenter)', () => {
  afterEach(unmountAll);

  it('a newer prompt aborts the older one, whose late result is dropped', async () => {
    const signals: AbortSignal[] = [];
    const resolvers: ((r: Awaited<ReturnType<SamToolHost['segment']>>) => void)[] = [];
    const el = await mountCanvas();
    el.segmenter = {
      setImage: async () => ({ width: W, height: H }),
      segment: (_prompt, signal) => {
        signals.push(signal!);
        return new Promise((r) => resolvers.push(r));
      },
    };
    el.tool = 'sam';
    await el.updateComplete;
    await click([40, 50]);
    await click([60, 50]);
    expect(signals.map((s) => s.aborted)).to.deep.equal([true, false]);
    const result = (x: number) => ({
      score: 0.5,
      rle: { size: [H, W] as [number, number], counts: '0' },
      polygons: [{ points: [x, 1, 9, 1, 9, 9], holes: [] }],
    });
    resolvers[1]!(result(2));
    resolvers[0]!(result(1));
    await until(() => !!accept(el), 'a candidate');
    accept(el)!.click();
    expect((el.document!.shapes[0] as Polygon).points[0]).to.equal(2);
  });

  it('alt-click and right-click add negative points that refine the candidate; Escape clears the points', async () => {
    const prompts: SamPrompt[] = [];
    const el = await mountCanvas();
    el.segmenter = {
      setImage: async () => ({ width: W, height: H }),
      segment: async (prompt) => {
        prompts.push(prompt);
        return {
          score: 0.5,
          rle: { size: [H, W], counts: '0' },
          polygons: [{ points: [1, 1, 9, 1, 9, 9], holes: [] }],
        };
      },
    };
    el.tool = 'sam';
    await el.updateComplete;
    await click([40, 50]);
    await until(() => !!accept(el), 'a candidate');
    await sendKeys({ down: 'Alt' });
    await click([70, 80]);
    await sendKeys({ up: 'Alt' });
    await until(() => prompts.length === 2, 'the second prompt');
    expect(prompts[1]).to.deep.equal({
      points: [
        { x: 40, y: 50, positive: true },
        { x: 70, y: 80, positive: false },
      ],
      refine: true,
    });
    await sendKeys({ press: 'Escape' });
    await click([90, 90]);
    await until(() => prompts.length === 3, 'the third prompt');
    expect(prompts[2]).to.deep.equal({ points: [{ x: 90, y: 90, positive: true }], refine: false });
    // A right click is a negative point too (and opens no context menu over the canvas).
    await click([20, 30], 'right');
    await until(() => prompts.length === 4, 'the fourth prompt');
    expect(prompts[3]?.points).to.deep.equal([
      { x: 90, y: 90, positive: true },
      { x: 20, y: 30, positive: false },
    ]);
    expect(el.document!.shapes).to.have.length(0);
  });

  it('a failing setImage reports label-error with its code and the message; other tools keep working', async () => {
    const el = await mountCanvas();
    const failed = next<{ error: { code: string } }>(el, 'label-error');
    el.segmenter = {
      setImage: async () => {
        throw new LabelKitError('model/unreachable', 'down');
      },
      segment: async () => {
        throw new Error('unused');
      },
    };
    expect((await failed).error.code).to.equal('model/unreachable');
    await el.updateComplete;
    expect(message(el)).to.equal('The model could not be prepared.');
    el.tool = 'point';
    await el.updateComplete;
    await click([20, 20]);
    expect(el.document!.shapes).to.have.length(1);
  });
});
