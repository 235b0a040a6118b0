import type { AnnotationDocument } from '@labelkit/core';
import { expect } from 'chai';
import type { LabelList, LabelToolbar } from '../../index.ts';
import { click, mountCanvas, unmountAll } from '../../test-support/canvas-fixture.ts';

const doc: AnnotationDocument = {
  version: 1,
  item: { id: 'i', width: 400, height: 300 },
  shapes: [
    { id: 'a', type: 'box', label: 'car', x: 10, y: 10, width: 40, height: 30 },
    { id: 'b', type: 'point', label: 'person', x: 200, y: 200 },
  ],
};
const labels = [
  { id: 'car', name: 'Car', color: '#ff0000' },
  { id: 'person', name: 'Person', color: '#00ff00' },
];

async function setup(): Promise<{ toolbar: LabelToolbar; list: LabelList }> {
  // Companions placed BEFORE the canvas in the markup still find it.
  const toolbar = document.createElement('label-toolbar');
  toolbar.setAttribute('for', 'cv');
  toolbar.style.cssText = 'position:absolute;left:0;top:320px;width:800px';
  const list = document.createElement('label-list');
  list.setAttribute('for', 'cv');
  list.style.cssText = 'position:absolute;left:420px;top:0;width:360px';
  document.body.append(toolbar, list);
  await mountCanvas({ labels, document: doc }, undefined, 'cv');
  await toolbar.updateComplete;
  await list.updateComplete;
  return { toolbar, list };
}

function centre(node: Element): [number, number] {
  const r = node.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
}

describe('<label-toolbar> and <label-list>', () => {
  afterEach(() => {
    unmountAll();
    for (const e of document.querySelectorAll('label-toolbar, label-list')) e.remove();
  });

  it('the toolbar switches tools and labels and undoes, with real clicks', async () => {
    const { toolbar } = await setup();
    const canvas = toolbar.canvas!;
    await click(centre(toolbar.shadowRoot!.querySelector('[data-tool=box]')!));
    expect(canvas.tool).to.equal('box');
    await toolbar.updateComplete;
    expect(toolbar.shadowRoot!.querySelector('[data-tool=box]')!.getAttribute('aria-pressed')).to.equal('true');
    expect(toolbar.shadowRoot!.querySelector('[data-tool=sam]')).to.equal(null);
    await click(centre(toolbar.shadowRoot!.querySelector('[data-label=person]')!));
    expect(canvas.currentLabel()).to.equal('person');
    const undo = toolbar.shadowRoot!.querySelector<HTMLButtonElement>('[data-action=undo]')!;
    expect(undo.disabled).to.equal(true);
    canvas.commit({ added: [], updated: [], removed: [doc.shapes[1]!] });
    await toolbar.updateComplete;
    expect(undo.disabled).to.equal(false);
    await click(centre(undo));
    expect(canvas.document!.shapes).to.have.length(2);
  });

  it('the list shows shapes with labels; a click selects; hide and lock toggle', async () => {
    const { list } = await setup();
    const canvas = list.canvas!;
    const rows = list.shadowRoot!.querySelectorAll('[part=item]');
    expect([...rows].map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).to.deep.equal([
      'box Car at 10, 10, 40 by 30 hide lock',
      'point Person at 200, 200 hide lock',
    ]);
    await click(centre(rows[1]!.querySelector('.name')!));
    expect(canvas.selectedIds).to.deep.equal(['b']);
    await list.updateComplete;
    expect(list.shadowRoot!.querySelector('[data-id=b]')!.getAttribute('aria-current')).to.equal('true');
    await click(centre(list.shadowRoot!.querySelector('[data-id=a] [part=visibility]')!));
    expect(canvas.isHidden('a')).to.equal(true);
    await click([20, 20]);
    expect(canvas.selectedIds).to.deep.equal([]);
    await click(centre(list.shadowRoot!.querySelector('[data-id=b] [part=lock]')!));
    expect(canvas.isLocked('b')).to.equal(true);
    canvas.select(['b']);
    expect(canvas.selectedIds).to.deep.equal([]);
  });

  it('is themed by CSS custom properties set by the host page', async () => {
    const { toolbar } = await setup();
    toolbar.style.setProperty('--label-panel-background', 'rgb(1, 2, 3)');
    expect(getComputedStyle(toolbar).backgroundColor).to.equal('rgb(1, 2, 3)');
  });
});
