import type { AnnotationDocument, Shape } from '@labelkit/core';
import { expect } from 'chai';
import { click, frame, mountCanvas, next, pixel, unmountAll } from '../../test-support/canvas-fixture.ts';

const labels = [
  { id: 'red', name: 'Red', color: '#ff0000' },
  { id: 'blue', name: 'Blue', color: '#0000ff' },
];
const doc = (shapes: Shape[]): AnnotationDocument => ({
  version: 1,
  item: { id: 'i', width: 400, height: 300 },
  shapes,
});
/** Channel distance allowing for antialiasing. */
const near = (a: number[], b: number[], tol = 40) =>
  a.slice(0, 3).every((v, i) => Math.abs(v - (b[i] as number)) <= tol);

describe('<label-canvas> rendering (pixels compared with tolerance)', () => {
  afterEach(unmountAll);

  it('draws per-label colours: a solid stroke on the edge, a translucent fill inside, the image outside', async () => {
    const el = await mountCanvas({
      labels,
      document: doc([
        { id: 'a', type: 'box', label: 'red', x: 50, y: 50, width: 100, height: 80 },
        { id: 'b', type: 'polygon', label: 'blue', points: [250, 50, 350, 50, 300, 150] },
      ]),
    });
    await frame();
    expect(near(pixel(el, 50, 90), [255, 0, 0])).to.equal(true);
    // 18% red over the grey (128) image.
    expect(near(pixel(el, 100, 90), [151, 105, 105], 12)).to.equal(true);
    expect(near(pixel(el, 20, 20), [128, 128, 128], 2)).to.equal(true);
    expect(near(pixel(el, 300, 50), [0, 0, 255])).to.equal(true);
  });

  it('keeps strokes 2 screen pixels wide at any zoom', async () => {
    const el = await mountCanvas({
      labels,
      document: doc([{ id: 'a', type: 'box', label: 'red', x: 50, y: 50, width: 100, height: 80 }]),
    });
    const redRun = () => {
      let n = 0;
      const y = Math.round(el.toScreen(0, 90).y);
      const x0 = Math.round(el.toScreen(50, 0).x);
      for (let x = x0 - 6; x <= x0 + 6; x++) if (near(pixel(el, x, y), [255, 0, 0], 60)) n++;
      return n;
    };
    await frame();
    const atOne = redRun();
    el.zoomTo(4, { x: 50, y: 90 });
    await frame();
    expect(redRun()).to.equal(atOne);
    expect(atOne).to.be.within(1, 3);
  });

  it('draws model shapes dashed (gaps along the edge) and labels them with their score', async () => {
    const el = await mountCanvas({
      labels,
      document: doc([
        { id: 'm', type: 'box', label: 'red', x: 50, y: 50, width: 200, height: 100, source: 'model', score: 0.87 },
      ]),
    });
    await frame();
    let red = 0;
    let gap = 0;
    for (let x = 60; x < 240; x++) {
      const p = pixel(el, x, 150);
      if (near(p, [255, 0, 0], 60)) red++;
      else gap++;
    }
    expect(red).to.be.greaterThan(40);
    expect(gap).to.be.greaterThan(40);
    // The score text sits above the top-left corner.
    let text = 0;
    for (let x = 50; x < 110; x++) for (let y = 38; y < 48; y++) if (near(pixel(el, x, y), [255, 0, 0], 90)) text++;
    expect(text).to.be.greaterThan(5);
  });

  it('draws the selected box with handles, and a hidden shape not at all', async () => {
    const el = await mountCanvas({
      labels,
      document: doc([{ id: 'a', type: 'box', label: 'red', x: 50, y: 50, width: 100, height: 80 }]),
    });
    await click([100, 90]);
    await frame();
    // Corner handle: white square centred on (150, 130).
    expect(near(pixel(el, 149, 129), [255, 255, 255], 10)).to.equal(true);
    el.select([]);
    el.setHidden('a', true);
    await frame();
    expect(near(pixel(el, 50, 90), [128, 128, 128], 2)).to.equal(true);
  });

  it('refuses an invalid document with label-error carrying the validation code and path', async () => {
    const el = await mountCanvas({
      document: doc([{ id: 'a', type: 'box', label: 'x', x: 1, y: 1, width: 2, height: 2 }]),
    });
    const failed = next<{ error: { code: string; path?: string } }>(el, 'label-error');
    el.document = doc([{ id: 'a', type: 'box', label: 'x', x: 1, y: 1, width: -2, height: 2 }]);
    const { error } = await failed;
    expect(error.code).to.equal('document/out-of-range');
    expect(error.path).to.equal('$.shapes[0].width');
    expect(el.document?.shapes[0]).to.include({ width: 2 });
  });

  it('holds 10,000 shapes: selection by click finds the right one through the spatial index', async () => {
    const shapes: Shape[] = [];
    for (let i = 0; i < 10_000; i++)
      shapes.push({
        id: `b${i}`,
        type: 'box',
        label: 'red',
        x: (i % 100) * 4,
        y: Math.floor(i / 100) * 3,
        width: 3,
        height: 2,
      });
    const el = await mountCanvas({ labels, document: doc(shapes) });
    await click([4 * 37 + 1, 3 * 42 + 1]);
    expect(el.selectedIds).to.deep.equal(['b4237']);
  });
});

describe('<label-canvas> labels', () => {
  afterEach(unmountAll);

  it('new labels that refuse the document keep the document and report the unknown label', async () => {
    const el = await mountCanvas({ labels, document: doc([{ id: 'a', type: 'point', label: 'red', x: 1, y: 1 }]) });
    const failed = next<{ error: { code: string; path?: string } }>(el, 'label-error');
    el.labels = [{ id: 'blue', name: 'Blue', color: '#00f' }];
    const { error } = await failed;
    expect(error.code).to.equal('shape/unknown-label');
    expect(el.document?.shapes).to.have.length(1);
    expect(el.store).to.not.equal(undefined);
  });
});
