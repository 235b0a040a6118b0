import { defineElement, LabelCanvas } from '@labelkit/elements';
import { expect } from 'chai';

function pngDataUrl(width: number, height: number): string {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d')!;
  g.fillStyle = '#c33';
  g.fillRect(0, 0, width, height);
  return c.toDataURL('image/png');
}

function mount(attrs: Record<string, string> = {}): LabelCanvas {
  const el = document.createElement('label-canvas');
  el.style.width = '400px';
  el.style.height = '300px';
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}

describe('<label-canvas> foundation', () => {
  afterEach(() => {
    for (const e of document.querySelectorAll('label-canvas')) e.remove();
  });

  it('is defined by importing the package, and defining it twice is harmless', () => {
    expect(customElements.get('label-canvas')).to.equal(LabelCanvas);
    class Other extends HTMLElement {}
    expect(() => defineElement('label-canvas', Other)).to.not.throw();
    expect(customElements.get('label-canvas')).to.equal(LabelCanvas);
  });

  it('loads an image, fires label-load with its natural size, and fits it', async () => {
    const el = mount();
    const loaded = new Promise<CustomEvent>((r) => el.addEventListener('label-load', (e) => r(e), { once: true }));
    el.src = pngDataUrl(800, 200);
    const e = await loaded;
    expect(e.detail).to.deep.equal({ width: 800, height: 200 });
    expect(e.bubbles && e.composed).to.equal(true);
    expect(el.scale).to.be.closeTo(400 / 800, 1e-9);
  });

  it('reports a broken image URL as label-error, without throwing', async () => {
    const el = mount();
    const failed = new Promise<CustomEvent>((r) => el.addEventListener('label-error', (e) => r(e), { once: true }));
    el.src = '/does-not-exist.png';
    const e = await failed;
    expect(e.detail.error.code).to.equal('canvas/image-load');
    expect(el.shadowRoot?.querySelector('[part=message]')?.textContent).to.contain('could not be loaded');
  });

  it('treats document = undefined as "no document given": keeps its own, or makes one for the image', async () => {
    const el = mount();
    const loaded = new Promise((r) => el.addEventListener('label-load', r, { once: true }));
    el.src = pngDataUrl(64, 32);
    await loaded;
    const own = el.document;
    expect(own?.item).to.include({ width: 64, height: 32 });
    // What @lit/react does on every render of <LabelCanvas document={undefined}>.
    el.document = undefined;
    expect(el.document).to.equal(own);
    const given = { version: 1 as const, item: { id: 'x', width: 64, height: 32 }, shapes: [] };
    el.document = given;
    expect(el.document?.item.id).to.equal('x');
    el.document = undefined;
    const made = el.store?.get(); // read through the store: TypeScript narrowed `el.document` to undefined
    expect(made?.item).to.include({ width: 64, height: 32 });
    expect(made?.item.id).to.not.equal('x');
  });

  it('lists shapes for assistive technology with the selection in words (no aria-selected on list items)', async () => {
    const el = mount();
    const loaded = new Promise((r) => el.addEventListener('label-load', r, { once: true }));
    el.src = pngDataUrl(64, 32);
    await loaded;
    el.document = {
      version: 1,
      item: { id: 'x', width: 64, height: 32 },
      shapes: [
        { id: 'a', type: 'point', label: 'p', x: 1, y: 1 },
        { id: 'b', type: 'point', label: 'p', x: 5, y: 5 },
      ],
    };
    el.select(['b']);
    await el.updateComplete;
    const items = [...(el.shadowRoot?.querySelectorAll('[part=shape-list] li') ?? [])];
    expect(items.map((li) => li.hasAttribute('aria-selected'))).to.deep.equal([false, false]);
    expect(items[0]?.textContent).to.not.contain('selected');
    expect(items[1]?.textContent?.trim()).to.match(/, selected$/);
  });
});
