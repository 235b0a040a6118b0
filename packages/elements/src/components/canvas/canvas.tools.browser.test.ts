import type { Box, Mask, Point, Polygon, Polyline } from '@labelkit/core';
import { decodeRLE } from '@labelkit/core';
import { sendKeys } from '@web/test-runner-commands';
import { expect } from 'chai';
import type { LabelChangeDetail } from '../../index.ts';
import { click, drag, mountCanvas, next, unmountAll } from '../../test-support/canvas-fixture.ts';

describe('<label-canvas> drawing tools (real pointer and keyboard events)', () => {
  afterEach(unmountAll);

  it('box: a drag adds one box with the active label, as one user change', async () => {
    const el = await mountCanvas({ tool: 'box', labels: [{ id: 'car', name: 'Car', color: '#ff0000' }] });
    const changed = next<LabelChangeDetail>(el, 'label-change');
    await drag([50, 60], [150, 110]);
    const d = await changed;
    expect(d.origin).to.equal('user');
    expect(d.diff.added).to.have.length(1);
    const b = el.document!.shapes[0] as Box;
    expect(b).to.include({ type: 'box', label: 'car', x: 50, y: 60, width: 100, height: 50 });
    expect(el.store!.canUndo()).to.equal(true);
  });

  it('box: two clicks (corner, then opposite corner) also draw a box', async () => {
    const el = await mountCanvas({ tool: 'box' });
    await click([200, 200]);
    expect(el.document!.shapes).to.have.length(0);
    await click([120, 150]);
    expect(el.document!.shapes[0]).to.include({ type: 'box', x: 120, y: 150, width: 80, height: 50 });
  });

  it('polygon: clicks add vertices, Backspace removes the last, a click on the first point closes it', async () => {
    const el = await mountCanvas({ tool: 'polygon' });
    await click([100, 100]);
    await click([200, 100]);
    await click([250, 250]);
    await sendKeys({ press: 'Backspace' });
    await click([200, 200]);
    await click([101, 101]);
    const p = el.document!.shapes[0] as Polygon;
    expect(p.type).to.equal('polygon');
    expect(p.points).to.deep.equal([100, 100, 200, 100, 200, 200]);
  });

  it('polygon: Enter closes; Escape drops an unfinished one', async () => {
    const el = await mountCanvas({ tool: 'polygon' });
    await click([10, 10]);
    await click([60, 10]);
    await sendKeys({ press: 'Escape' });
    await click([10, 10]);
    await click([60, 10]);
    await click([60, 60]);
    await sendKeys({ press: 'Enter' });
    expect(el.document!.shapes.map((s) => (s as Polygon).points)).to.deep.equal([[10, 10, 60, 10, 60, 60]]);
  });

  it('polyline: clicks then Enter give an open line', async () => {
    const el = await mountCanvas({ tool: 'polyline' });
    await click([10, 20]);
    await click([100, 20]);
    await click([100, 90]);
    await sendKeys({ press: 'Enter' });
    const l = el.document!.shapes[0] as Polyline;
    expect(l).to.include({ type: 'polyline' });
    expect(l.points).to.deep.equal([10, 20, 100, 20, 100, 90]);
  });

  it('point: a click adds a point', async () => {
    const el = await mountCanvas({ tool: 'point' });
    await click([33, 44]);
    expect(el.document!.shapes[0] as Point).to.include({ type: 'point', x: 33, y: 44 });
  });

  it('brush paints an RLE mask; the eraser removes from it; each stroke is one undo step', async () => {
    const el = await mountCanvas({ tool: 'brush' });
    el.brushSize = 10;
    await drag([50, 50], [150, 50], 8);
    const m = el.document!.shapes[0] as Mask;
    expect(m.type).to.equal('mask');
    expect(m.rle.size).to.deep.equal([300, 400]);
    const bits = decodeRLE(m.rle);
    const at = (x: number, y: number) => bits[y * 400 + x];
    expect([at(50, 50), at(100, 52), at(150, 47)]).to.deep.equal([1, 1, 1]);
    expect([at(100, 60), at(160, 50), at(40, 50)]).to.deep.equal([0, 0, 0]);
    el.tool = 'eraser';
    await el.updateComplete;
    await drag([100, 30], [100, 70], 4);
    const erased = decodeRLE((el.document!.shapes[0] as Mask).rle);
    expect(erased[50 * 400 + 100]).to.equal(0);
    expect(erased[50 * 400 + 60]).to.equal(1);
    el.undo();
    expect(decodeRLE((el.document!.shapes[0] as Mask).rle)[50 * 400 + 100]).to.equal(1);
  });

  it('keyboard cursor: arrows move a crosshair, Enter places corners, so a box is drawn without a pointer', async () => {
    const el = await mountCanvas({ tool: 'box' });
    el.focus();
    // The cursor starts at the centre (200, 150); each arrow press moves 10 screen pixels.
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ press: 'Enter' });
    for (let i = 0; i < 5; i++) await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Space' });
    expect(el.document!.shapes[0]).to.include({ type: 'box', x: 180, y: 150, width: 50, height: 10 });
  });

  it('sam without a segmenter reports canvas/no-segmenter', async () => {
    const el = await mountCanvas();
    const failed = next<{ error: { code: string } }>(el, 'label-error');
    el.tool = 'sam';
    expect((await failed).error.code).to.equal('canvas/no-segmenter');
  });

  it('sam with a segmenter adds its accepted polygon as a model shape with its score', async () => {
    const el = await mountCanvas();
    const prompts: unknown[] = [];
    el.segmenter = {
      setImage: async () => {},
      segment: async (prompt) => {
        prompts.push(prompt);
        return {
          score: 0.9,
          rle: { size: [10, 10], counts: '0' },
          polygons: [{ points: [1, 1, 9, 1, 9, 9], holes: [] }],
        };
      },
    };
    el.tool = 'sam';
    await el.updateComplete;
    const changed = next<LabelChangeDetail>(el, 'label-change');
    await click([40, 50]);
    await new Promise((r) => setTimeout(r, 20));
    await sendKeys({ press: 'Enter' });
    await changed;
    expect(prompts).to.deep.equal([{ points: [{ x: 40, y: 50, positive: true }], refine: false }]);
    expect(el.document!.shapes[0]).to.include({ type: 'polygon', source: 'model', score: 0.9 });
  });

  it('readonly: drawing tools add nothing', async () => {
    const el = await mountCanvas({ tool: 'box', readonly: true });
    await drag([50, 60], [150, 110]);
    el.tool = 'point';
    await el.updateComplete;
    await click([20, 20]);
    expect(el.document!.shapes).to.have.length(0);
  });
});
