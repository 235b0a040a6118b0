import type { AnnotationDocument, Box, Polygon } from '@labelkit/core';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { expect } from 'chai';
import type { LabelChangeDetail, LabelSelectDetail } from '../../index.ts';
import { chord, click, drag, mountCanvas, next, unmountAll } from '../../test-support/canvas-fixture.ts';

const doc = (shapes: AnnotationDocument['shapes']): AnnotationDocument => ({
  version: 1,
  item: { id: 'i', width: 400, height: 300 },
  shapes,
});
const box = (id: string, x: number, y: number, w = 40, h = 30): Box => ({
  id,
  type: 'box',
  label: 'a',
  x,
  y,
  width: w,
  height: h,
});
const mod = navigator.platform.startsWith('Mac') ? 'Meta' : 'Control';

describe('<label-canvas> editing with the select tool', () => {
  afterEach(unmountAll);

  it('setting document from outside is not an undo step and fires no label-change', async () => {
    const el = await mountCanvas();
    let changes = 0;
    el.addEventListener('label-change', () => changes++);
    el.document = doc([box('a', 10, 10)]);
    expect(el.store!.canUndo()).to.equal(false);
    expect(el.undo()).to.equal(false);
    expect(el.document?.shapes).to.have.length(1);
    expect(changes).to.equal(0);
  });

  it('click selects (label-select), shift-click adds, a click on empty space clears', async () => {
    const el = await mountCanvas({ document: doc([box('a', 10, 10), box('b', 100, 100)]) });
    const sel = next<LabelSelectDetail>(el, 'label-select');
    await click([20, 20]);
    expect((await sel).ids).to.deep.equal(['a']);
    await sendKeys({ down: 'Shift' });
    await click([110, 110]);
    await sendKeys({ up: 'Shift' });
    expect(el.selectedIds.sort()).to.deep.equal(['a', 'b']);
    await click([300, 250]);
    expect(el.selectedIds).to.deep.equal([]);
  });

  it('rubber band selects the shapes inside it', async () => {
    const el = await mountCanvas({ document: doc([box('a', 10, 10), box('b', 100, 100), box('c', 300, 200)]) });
    await drag([5, 5], [160, 160]);
    expect(el.selectedIds.sort()).to.deep.equal(['a', 'b']);
  });

  it('dragging a shape moves it as ONE undo step; undo and redo restore each state', async () => {
    const el = await mountCanvas({ document: doc([box('a', 10, 10)]) });
    let changes = 0;
    el.addEventListener('label-change', () => changes++);
    await drag([20, 20], [70, 45], 10);
    expect(el.document!.shapes[0]).to.include({ x: 60, y: 35 });
    expect(changes).to.equal(1);
    el.undo();
    expect(el.document!.shapes[0]).to.include({ x: 10, y: 10 });
    el.redo();
    expect(el.document!.shapes[0]).to.include({ x: 60, y: 35 });
    el.focus();
    await chord([mod], 'z');
    expect(el.document!.shapes[0]).to.include({ x: 10, y: 10 });
    await chord([mod, 'Shift'], 'Z');
    expect(el.document!.shapes[0]).to.include({ x: 60, y: 35 });
  });

  it('resizes a box by its corner handle and rotates it by the rotation handle', async () => {
    const el = await mountCanvas({ document: doc([box('a', 100, 100, 80, 60)]) });
    await click([140, 130]);
    await drag([180, 160], [200, 190]);
    expect(el.document!.shapes[0]).to.include({ x: 100, y: 100, width: 100, height: 90 });
    // Rotation handle: 24 screen pixels above the top edge's midpoint; drag it to the right of the centre.
    await drag([150, 76], [260, 145]);
    const b = el.document!.shapes[0] as Box;
    expect(b.rotation).to.be.closeTo(90, 1);
    expect(b.width).to.equal(100);
  });

  it('edits polygon vertices: drag one, insert at an edge midpoint, alt-click deletes', async () => {
    const tri: Polygon = { id: 'p', type: 'polygon', label: 'a', points: [100, 100, 200, 100, 150, 200] };
    const el = await mountCanvas({ document: doc([tri]) });
    await click([150, 130]);
    await drag([200, 100], [220, 90]);
    expect((el.document!.shapes[0] as Polygon).points).to.deep.equal([100, 100, 220, 90, 150, 200]);
    await drag([160, 95], [160, 60]);
    expect((el.document!.shapes[0] as Polygon).points).to.deep.equal([100, 100, 160, 60, 220, 90, 150, 200]);
    await sendKeys({ down: 'Alt' });
    await click([160, 60]);
    await sendKeys({ up: 'Alt' });
    expect((el.document!.shapes[0] as Polygon).points).to.deep.equal([100, 100, 220, 90, 150, 200]);
  });

  it('Delete removes the selection; copy/paste and duplicate add offset copies; arrows nudge', async () => {
    const el = await mountCanvas({ document: doc([box('a', 10, 10), box('b', 100, 100)]) });
    await click([20, 20]);
    await sendKeys({ press: 'Delete' });
    expect(el.document!.shapes.map((s) => s.id)).to.deep.equal(['b']);
    await click([110, 110]);
    await chord([mod], 'c');
    await chord([mod], 'v');
    expect(el.document!.shapes).to.have.length(2);
    expect(el.document!.shapes[1]).to.include({ x: 110, y: 110 });
    await chord([mod], 'd');
    expect(el.document!.shapes[2]).to.include({ x: 120, y: 120 });
    await sendKeys({ press: 'ArrowRight' });
    await chord(['Shift'], 'ArrowDown');
    expect(el.document!.shapes[2]).to.include({ x: 121, y: 130 });
  });

  it('number keys pick the active label and relabel the selection; tool keys switch tools', async () => {
    const labels = [
      { id: 'a', name: 'A', color: '#f00' },
      { id: 'b', name: 'B', color: '#0f0' },
    ];
    const el = await mountCanvas({ labels, document: doc([box('x', 10, 10)]) });
    await click([20, 20]);
    await sendKeys({ press: '2' });
    expect(el.document!.shapes[0]!.label).to.equal('b');
    expect(el.activeLabel).to.equal('b');
    await sendKeys({ press: 'b' });
    expect(el.tool).to.equal('box');
  });

  it('shortcuts are configurable and turned off with []', async () => {
    const el = await mountCanvas({ document: doc([box('a', 10, 10)]) });
    el.shortcuts = { delete: ['x'], 'tool:box': [] };
    await click([20, 20]);
    await sendKeys({ press: 'Delete' });
    await sendKeys({ press: 'b' });
    expect(el.document!.shapes).to.have.length(1);
    expect(el.tool).to.equal('select');
    await sendKeys({ press: 'x' });
    expect(el.document!.shapes).to.have.length(0);
  });

  it('readonly: shapes can be selected but not moved or deleted', async () => {
    const el = await mountCanvas({ readonly: true, document: doc([box('a', 10, 10)]) });
    await drag([20, 20], [80, 80]);
    expect(el.selectedIds).to.deep.equal(['a']);
    await sendKeys({ press: 'Delete' });
    expect(el.document!.shapes[0]).to.include({ x: 10, y: 10 });
  });

  it('announces changes in a live region and lists shapes for assistive technology', async () => {
    const el = await mountCanvas({ tool: 'box' });
    const changed = next<LabelChangeDetail>(el, 'label-change');
    await drag([50, 60], [150, 110]);
    await changed;
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[aria-live]')!.textContent).to.contain('added box object at 50, 60, 100 by 50');
    const items = root.querySelectorAll('[role=list] [role=listitem]');
    expect(items).to.have.length(1);
    expect(items[0]!.textContent).to.contain('box object');
  });
});

describe('<label-canvas> view', () => {
  afterEach(unmountAll);

  it('wheel zoom keeps the image point under the cursor fixed', async () => {
    const el = await mountCanvas();
    const before = el.toImage(123, 77);
    await sendMouse({ type: 'move', position: [123, 77] });
    const surface = el.shadowRoot!.querySelector('[part=stage]')!;
    surface.dispatchEvent(
      new WheelEvent('wheel', { deltaY: -200, clientX: 123, clientY: 77, bubbles: true, cancelable: true }),
    );
    expect(el.scale).to.be.greaterThan(1.2);
    const after = el.toImage(123, 77);
    expect(after.x).to.be.closeTo(before.x, 1e-6);
    expect(after.y).to.be.closeTo(before.y, 1e-6);
    const at = el.toImage(300, 10);
    el.zoomTo(4, { x: 300, y: 10 });
    expect(el.scale).to.equal(4);
    expect(el.toScreen(at.x, at.y).x).to.be.closeTo(300, 1e-9);
    expect(el.toScreen(at.x, at.y).y).to.be.closeTo(10, 1e-9);
  });

  it('+ and - keys zoom around the centre; f fits', async () => {
    const el = await mountCanvas();
    el.focus();
    const centre = el.toImage(200, 150);
    await sendKeys({ press: '+' });
    expect(el.scale).to.be.closeTo(1.25, 1e-9);
    expect(el.toImage(200, 150).x).to.be.closeTo(centre.x, 1e-9);
    await sendKeys({ press: '-' });
    await sendKeys({ press: '-' });
    expect(el.scale).to.be.closeTo(0.8, 1e-9);
    await sendKeys({ press: 'f' });
    expect(el.scale).to.equal(1);
  });

  it('pans with space+drag, with the middle button and with the pan tool', async () => {
    const el = await mountCanvas({ document: doc([box('a', 10, 10)]) });
    el.focus();
    await sendKeys({ down: ' ' });
    await drag([200, 150], [230, 170]);
    await sendKeys({ up: ' ' });
    expect(el.toScreen(0, 0)).to.deep.equal({ x: 30, y: 20 });
    await drag([200, 150], [190, 150], 3, 'middle');
    expect(el.toScreen(0, 0)).to.deep.equal({ x: 20, y: 20 });
    el.tool = 'pan';
    await el.updateComplete;
    await drag([200, 150], [200, 100]);
    expect(el.toScreen(0, 0)).to.deep.equal({ x: 20, y: -30 });
    expect(el.document!.shapes[0]).to.include({ x: 10, y: 10 });
  });
});
