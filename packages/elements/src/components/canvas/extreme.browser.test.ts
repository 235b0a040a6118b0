import type { Mask } from '@labelkit/core';
import { decodeRLE } from '@labelkit/core';
import { createSegmenter, type Segmenter } from '@labelkit/models';
import { sendKeys } from '@web/test-runner-commands';
import { expect } from 'chai';
import type { LabelToolbar } from '../../index.ts';
import { click, frame, mountCanvas, next, pixel, unmountAll } from '../../test-support/canvas-fixture.ts';
import type { LabelCanvas } from './canvas.component.ts';
import type { SamPrompt, SamToolHost } from './tools/sam.ts';

/** The generated built-in model, served from the repository by the test server. */
const BUILTIN_MANIFEST = '/packages/models/models/builtin/manifest.json';
const W = 400;
const H = 300;
/** An upright ellipse: its extreme points differ in x and y, unlike a disc's bounding box corners. */
const OBJ = { cx: 200, cy: 150, rx: 90, ry: 60 };
/**
 * The four extremes, a few pixels inside the outline: the built-in model samples colour and texture features
 * under each click, and those of a cell on the outline itself match neither the object nor the background.
 */
const IN = 6;
const EXTREMES: [number, number][] = [
  [OBJ.cx, OBJ.cy - OBJ.ry + IN],
  [OBJ.cx + OBJ.rx - IN, OBJ.cy],
  [OBJ.cx, OBJ.cy + OBJ.ry - IN],
  [OBJ.cx - OBJ.rx + IN, OBJ.cy],
];

/** A filled ellipse on a plain background, as a PNG data URL, and its true mask. */
function objectImage(): { url: string; truth: Uint8Array } {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const g = c.getContext('2d')!;
  const data = g.createImageData(W, H);
  const truth = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const inside = ((x + 0.5 - OBJ.cx) / OBJ.rx) ** 2 + ((y + 0.5 - OBJ.cy) / OBJ.ry) ** 2 <= 1;
      truth[y * W + x] = inside ? 1 : 0;
      data.data.set(inside ? [40, 90, 170, 255] : [216, 201, 160, 255], (y * W + x) * 4);
    }
  g.putImageData(data, 0, 0);
  return { url: c.toDataURL('image/png'), truth };
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

async function mountExtreme(segmenter: SamToolHost, url: string): Promise<LabelCanvas> {
  document.body.style.margin = '0';
  const el = document.createElement('label-canvas');
  el.style.cssText = `position:absolute;left:0;top:0;width:${W}px;height:${H}px`;
  Object.assign(el, { segmenter, tool: 'extreme', samOutput: 'mask' });
  document.body.append(el);
  const loaded = new Promise((r) => el.addEventListener('label-load', r, { once: true }));
  el.src = url;
  await loaded;
  await el.updateComplete;
  return el;
}

/** A segmenter that records prompts and answers each with a small triangle. */
function scripted(prompts: SamPrompt[]): SamToolHost {
  return {
    setImage: async () => ({ width: W, height: H }),
    segment: async (prompt) => {
      prompts.push(prompt);
      return { score: 0.5, rle: { size: [H, W], counts: '0' }, polygons: [{ points: [1, 1, 9, 1, 9, 9], holes: [] }] };
    },
  };
}

describe('<label-canvas> extreme tool with the built-in model (real pointer events)', () => {
  let segmenter: Segmenter;
  const { url, truth } = objectImage();
  before(() => {
    segmenter = createSegmenter({ model: BUILTIN_MANIFEST, embeddings: { storeBytes: 0 } });
  });
  after(() => segmenter.dispose());
  afterEach(unmountAll);

  it('four clicks on the extremes give one mask inside the object covering most of it; undo removes it', async function () {
    this.timeout(120_000);
    const el = await mountExtreme(segmenter, url);
    await until(() => message(el) === '', 'the model to take the image', 110_000);
    for (const p of EXTREMES.slice(0, 3)) await click(p);
    await frame();
    // Markers are drawn as they come; three points prompt nothing yet.
    const [r, g, b] = pixel(el, EXTREMES[0]![0], EXTREMES[0]![1]);
    expect([r, g, b]).to.deep.equal([27, 158, 62]);
    await new Promise((res) => setTimeout(res, 50));
    expect(accept(el)).to.equal(null);
    await click(EXTREMES[3]!);
    await until(() => !!accept(el), 'a candidate');
    expect(el.document!.shapes).to.have.length(0);
    const changed = next(el, 'label-change');
    await sendKeys({ press: 'Enter' });
    await changed;
    expect(el.document!.shapes).to.have.length(1);
    const m = el.document!.shapes[0] as Mask;
    expect(m).to.include({ type: 'mask', source: 'model' });
    const mask = decodeRLE(m.rle);
    let inside = 0;
    let covered = 0;
    let outsideBounds = 0;
    let area = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (truth[i]) area++;
        if (!mask[i]) continue;
        inside++;
        if (truth[i]) covered++;
        // The object's bounds, with one pixel for the outline's antialiasing.
        if (Math.abs(x + 0.5 - OBJ.cx) > OBJ.rx + 1 || Math.abs(y + 0.5 - OBJ.cy) > OBJ.ry + 1) outsideBounds++;
      }
    expect(outsideBounds).to.equal(0);
    expect(covered / area).to.be.at.least(0.9);
    expect(covered / inside).to.be.at.least(0.9);
    expect(accept(el)).to.equal(null);
    expect(el.undo()).to.equal(true);
    expect(el.document!.shapes).to.have.length(0);
    expect(el.redo()).to.equal(true);
    expect(el.document!.shapes).to.have.length(1);
  });

  it('Escape drops the candidate and its points, leaving nothing', async function () {
    this.timeout(60_000);
    const el = await mountExtreme(segmenter, url);
    await until(() => message(el) === '', 'the model to take the image');
    for (const p of EXTREMES) await click(p);
    await until(() => !!accept(el), 'a candidate');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(accept(el)).to.equal(null);
    expect(el.document!.shapes).to.have.length(0);
    expect(el.store!.canUndo()).to.equal(false);
    await frame();
    // The markers are gone with the candidate: the background shows at the first click again.
    const [r, g, b] = pixel(el, EXTREMES[0]![0], EXTREMES[0]![1]);
    expect([r, g, b]).to.deep.equal([40, 90, 170]);
  });
});

describe('<label-canvas> extreme tool prompts (a scripted segmenter)', () => {
  afterEach(() => {
    unmountAll();
    for (const e of document.querySelectorAll('label-toolbar')) e.remove();
  });

  it('prompts once with the four points (positive) and their box grown by 2%; Backspace removes the last point', async () => {
    const prompts: SamPrompt[] = [];
    const el = await mountCanvas();
    el.segmenter = scripted(prompts);
    el.tool = 'extreme';
    await el.updateComplete;
    await click([100, 40]);
    await click([100, 240]);
    await click([50, 140]);
    await click([300, 150]);
    await until(() => !!accept(el), 'a candidate');
    expect(prompts).to.deep.equal([
      {
        points: [
          { x: 100, y: 40, positive: true },
          { x: 100, y: 240, positive: true },
          { x: 50, y: 140, positive: true },
          { x: 300, y: 150, positive: true },
        ],
        box: { x: 45, y: 36, width: 260, height: 208 },
        refine: false,
      },
    ]);
    // Backspace drops the candidate and the right point; a new fourth click prompts again.
    await sendKeys({ press: 'Backspace' });
    await el.updateComplete;
    expect(accept(el)).to.equal(null);
    await click([250, 150]);
    await until(() => prompts.length === 2, 'the second prompt');
    expect(prompts[1]!.points![3]).to.deep.equal({ x: 250, y: 150, positive: true });
    expect(prompts[1]!.box).to.deep.equal({ x: 46, y: 36, width: 208, height: 208 });
    // A fifth click moves the nearest point (the left one) and segments again.
    await click([60, 145]);
    await until(() => prompts.length === 3, 'the third prompt');
    expect(prompts[2]!.points![2]).to.deep.equal({ x: 60, y: 145, positive: true });
    expect(el.document!.shapes).to.have.length(0);
    accept(el)!.click();
    expect(el.document!.shapes[0]).to.include({ type: 'polygon', source: 'model', score: 0.5 });
  });

  it('the keyboard cursor places the points (arrows, then Space) and Enter accepts', async () => {
    const prompts: SamPrompt[] = [];
    const el = await mountCanvas();
    el.segmenter = scripted(prompts);
    el.focus();
    // X is the tool's shortcut.
    await sendKeys({ press: 'x' });
    expect(el.tool).to.equal('extreme');
    // The cursor starts at the centre (200, 150) and moves 10 pixels per arrow.
    const steps: [string, number][] = [
      ['ArrowUp', 5],
      ['ArrowDown', 10],
      ['ArrowUp', 5],
      ['ArrowLeft', 8],
      ['ArrowRight', 16],
    ];
    for (const [i, [key, n]] of steps.entries()) {
      for (let k = 0; k < n; k++) await sendKeys({ press: key });
      if (i !== 2) await sendKeys({ press: 'Space' });
    }
    await until(() => !!accept(el), 'a candidate');
    expect(prompts[0]!.points!.map((p) => [p.x, p.y])).to.deep.equal([
      [200, 100],
      [200, 200],
      [120, 150],
      [280, 150],
    ]);
    const changed = next(el, 'label-change');
    await sendKeys({ press: 'Enter' });
    await changed;
    expect(el.document!.shapes).to.have.length(1);
  });

  it('without a segmenter: canvas/no-segmenter, and the toolbar button is disabled with the reason', async () => {
    const toolbar = document.createElement('label-toolbar') as LabelToolbar;
    toolbar.setAttribute('for', 'cv-extreme');
    toolbar.style.cssText = 'position:absolute;left:0;top:320px;width:800px';
    document.body.append(toolbar);
    const el = await mountCanvas({}, undefined, 'cv-extreme');
    await toolbar.updateComplete;
    const button = toolbar.shadowRoot!.querySelector<HTMLButtonElement>('[data-tool=extreme]')!;
    expect(button.disabled).to.equal(true);
    expect(button.title).to.equal('Extreme points (X): needs a segmenter model');
    const failed = next<{ error: { code: string } }>(el, 'label-error');
    el.tool = 'extreme';
    expect((await failed).error.code).to.equal('canvas/no-segmenter');
    await click([50, 50]);
    expect(el.document!.shapes).to.have.length(0);
  });
});
