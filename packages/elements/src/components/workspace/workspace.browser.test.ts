// <label-workspace> against the real LabelKit server app that the test runner mounts under /v1/ (see
// web-test-runner.config.mjs: datasets ws-* with three generated PNGs each, and the token below).
import type { Box, Shape } from '@labelkit/core';
import { sendKeys } from '@web/test-runner-commands';
import { expect } from 'chai';
import '../../index.ts';
import { drag, frame } from '../../test-support/canvas-fixture.ts';
import { WorkspaceClient } from '../../workspace/client.ts';
import type { LabelConflictDetail, LabelItemChangeDetail, LabelSaveDetail } from './events.ts';
import type { LabelWorkspace } from './workspace.component.ts';

const TOKEN = 'labelkit-wtr-token';
/** label-error events seen, so that a timeout says what went wrong. */
const errors: string[] = [];
document.addEventListener('label-error', (e) => {
  const err = e.detail.error;
  errors.push(`${err.code}: ${err.message}${err.path ? ` at ${err.path}` : ''}`);
});

function waitFor<T>(el: EventTarget, name: string, timeout = 15000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no ${name} within ${timeout} ms; errors: ${errors.join(' | ')}`)),
      timeout,
    );
    el.addEventListener(
      name,
      (e) => {
        clearTimeout(t);
        resolve((e as CustomEvent<T>).detail);
      },
      { once: true },
    );
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 15000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; errors: ${errors.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mounts a workspace and resolves once its first item is open and its image drawn. */
async function mount(dataset: string, props: Partial<LabelWorkspace> = {}): Promise<LabelWorkspace> {
  document.body.style.margin = '0';
  const el = document.createElement('label-workspace');
  el.style.cssText = 'position:absolute;left:0;top:0;width:1100px;height:700px';
  Object.assign(el, { server: '', token: TOKEN, autosaveDelay: 150, ...props });
  el.datasetId = dataset;
  const opened = waitFor<LabelItemChangeDetail>(el, 'label-item-change');
  document.body.append(el);
  await opened;
  await until(() => !!el.canvas?.imageSize && el.canvas.document?.item.id === el.currentItem, 'the image');
  await frame();
  return el;
}

/** Page position of image pixel (x, y) of the workspace's canvas. */
function at(el: LabelWorkspace, x: number, y: number): [number, number] {
  const c = el.canvas!;
  const r = c.getBoundingClientRect();
  const p = c.toScreen(x, y);
  return [r.left + p.x, r.top + p.y];
}

const shadow = (el: LabelWorkspace) => el.shadowRoot!;
const button = (el: LabelWorkspace, action: string) =>
  shadow(el).querySelector<HTMLButtonElement>(`button[data-action="${action}"]`)!;
const saveState = (el: LabelWorkspace) => shadow(el).querySelector('[part=save-state]')!;

async function drawBox(el: LabelWorkspace, from: [number, number], to: [number, number]): Promise<void> {
  el.canvas!.tool = 'box';
  await el.canvas!.updateComplete;
  await drag(at(el, ...from), at(el, ...to));
}

describe('<label-workspace> against the real server', () => {
  afterEach(() => {
    for (const e of document.querySelectorAll('label-workspace')) e.remove();
  });

  it('loads the dataset, autosaves a box drawn with the mouse, and shows it and its commit after a reload', async () => {
    const el = await mount('ws-save');
    const items = shadow(el).querySelectorAll('[part=strip] li button');
    expect([...items].map((b) => b.getAttribute('data-item'))).to.deep.equal(['img-1.png', 'img-2.png', 'img-3.png']);
    expect(el.currentItem).to.equal('img-1.png');
    const saved = waitFor<LabelSaveDetail>(el, 'label-save');
    await drawBox(el, [40, 50], [140, 120]);
    expect(el.canvas!.document!.shapes).to.have.length(1);
    const { commit, items: committed } = await saved;
    expect(committed).to.deep.equal(['img-1.png']);
    expect(commit).to.match(/^[0-9a-f]{64}$/);
    await until(() => saveState(el).getAttribute('data-state') === 'saved', 'saved state');
    expect(saveState(el).textContent).to.contain('saved');
    el.remove();

    const again = await mount('ws-save');
    const box = again.canvas!.document!.shapes[0] as Box;
    expect(box).to.include({ type: 'box', label: 'cat' });
    expect(box.x).to.be.closeTo(40, 1.5);
    expect(box.width).to.be.closeTo(100, 1.5);
    button(again, 'history').click();
    await until(() => shadow(again).querySelectorAll('[part=history] li[data-hash]').length > 0, 'the history');
    const first = shadow(again).querySelector('[part=history] li[data-hash]')!;
    expect(first.getAttribute('data-hash')).to.equal(commit);
    expect(first.querySelector('.meta')!.textContent).to.contain('wtr');
  });

  it('offline: edits stay staged across a reload and are sent when the connection is back', async () => {
    let offline = false;
    const fetcher: typeof fetch = (input, init) =>
      offline ? Promise.reject(new TypeError('Failed to fetch')) : fetch(input, init);
    const el = await mount('ws-offline', { fetcher });
    offline = true;
    await drawBox(el, [20, 20], [80, 60]);
    await until(() => saveState(el).getAttribute('data-state') === 'offline', 'the offline state', 20000);
    expect(saveState(el).textContent).to.contain('1 pending');
    el.remove();

    // "Reload" while still offline: a new element on the same IndexedDB still holds the edit.
    const again = document.createElement('label-workspace');
    Object.assign(again, { server: '', token: TOKEN, autosaveDelay: 150, fetcher });
    again.style.cssText = 'position:absolute;left:0;top:0;width:1100px;height:700px';
    again.datasetId = 'ws-offline';
    document.body.append(again);
    await until(async () => (await again.outbox?.entries())?.length === 1, 'the staged edit');
    const [entry] = (await again.outbox?.entries()) ?? [];
    expect(entry?.itemId).to.equal('img-1.png');
    expect(entry?.document?.shapes).to.have.length(1);

    const saved = waitFor<LabelSaveDetail>(again, 'label-save', 20000);
    offline = false;
    window.dispatchEvent(new Event('online'));
    expect((await saved).items).to.deep.equal(['img-1.png']);
    const client = new WorkspaceClient({ server: '', dataset: 'ws-offline', token: TOKEN });
    const { document: stored } = await client.readItem('img-1.png');
    expect(stored?.shapes).to.have.length(1);
    await until(() => again.currentItem === 'img-1.png' && again.canvas?.document?.shapes.length === 1, 'the item');
  });

  it('prefetches the next embedding with the pixels the canvas will give when it opens (one key, a cache hit); prefetch=false does not', async () => {
    const calls: { kind: 'prefetch' | 'setImage'; key: string }[] = [];
    // A digest of what the segmenter receives: the caches key by exactly these bytes.
    const keyOf = async (image: unknown) =>
      image instanceof ImageData
        ? `${image.width}x${image.height}:${Array.from(
            new Uint8Array(await crypto.subtle.digest('SHA-256', image.data)),
          )
            .map((b) => b.toString(16).padStart(2, '0'))
            .join('')}`
        : `url:${String(image)}`;
    const spy = {
      prefetch: async (image: unknown) => void calls.push({ kind: 'prefetch', key: await keyOf(image) }),
      setImage: async (image: unknown) => void calls.push({ kind: 'setImage', key: await keyOf(image) }),
      segment: async () => {
        throw new Error('not used');
      },
    };
    const el = await mount('ws-nav', { segmenter: spy as unknown as LabelWorkspace['segmenter'] });
    await until(() => calls.some((c) => c.kind === 'prefetch'), 'a prefetch of the next item');
    const ahead = calls.find((c) => c.kind === 'prefetch')?.key;
    expect(ahead).to.match(/^\d+x\d+:[0-9a-f]{64}$/, 'decoded pixels, not a URL');
    el.canvas!.focus();
    const changed = waitFor<LabelItemChangeDetail>(el, 'label-item-change');
    await sendKeys({ press: ']' });
    await changed;
    await until(() => calls.filter((c) => c.kind === 'setImage').length === 2, 'the next item handed to the model');
    expect(calls.filter((c) => c.kind === 'setImage')[1]?.key).to.equal(ahead);
    el.remove();

    calls.length = 0;
    const off = await mount('ws-nav', { segmenter: spy as unknown as LabelWorkspace['segmenter'], prefetch: false });
    await until(() => calls.some((c) => c.kind === 'setImage'), 'the first item handed to the model');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.filter((c) => c.kind === 'prefetch')).to.have.length(0);
    expect(off.prefetching).to.equal(undefined);
    off.remove();
  });

  it('keyboard: ] and PageDown go to the next item, [ back, u to the next unlabeled', async () => {
    const el = await mount('ws-nav');
    el.canvas!.focus();
    const step = async (key: string) => {
      const changed = waitFor<LabelItemChangeDetail>(el, 'label-item-change');
      await sendKeys({ press: key });
      return (await changed).item.id;
    };
    expect(el.prefetching).to.contain('img-2.png');
    expect(await step(']')).to.equal('img-2.png');
    expect(el.prefetching).to.contain('img-3.png');
    expect(await step('PageDown')).to.equal('img-3.png');
    expect(await step('[')).to.equal('img-2.png');
    expect(await step('PageUp')).to.equal('img-1.png');
    // Label img-2 and mark it done: u skips it.
    await step(']');
    await drawBox(el, [10, 10], [50, 50]);
    button(el, 'done').click();
    await step('[');
    el.canvas!.focus();
    expect(await step('u')).to.equal('img-3.png');
    expect(shadow(el).querySelector('button[data-item="img-2.png"]')!.getAttribute('aria-label')).to.contain('Done');
  });

  it('history: revert a commit; export downloads the zip through a blob link', async () => {
    const el = await mount('ws-history');
    const saved = waitFor<LabelSaveDetail>(el, 'label-save');
    await drawBox(el, [30, 30], [90, 90]);
    const { commit } = await saved;
    button(el, 'history').click();
    await until(() => !!shadow(el).querySelector(`li[data-hash="${commit}"]`), 'the commit in the history');
    shadow(el).querySelector<HTMLButtonElement>(`li[data-hash="${commit}"] button.commit`)!.click();
    await until(() => !!button(el, 'revert'), 'the commit detail');
    expect(shadow(el).querySelector('[part=history] .detail')!.textContent).to.contain('img-1.png');
    const reverted = waitFor<LabelSaveDetail>(el, 'label-save');
    button(el, 'revert').click();
    await reverted;
    await until(() => el.canvas?.document?.shapes.length === 0, 'the reverted item');

    button(el, 'export').click();
    await until(() => !!shadow(el).querySelector('a[part=download]'), 'the download link', 20000);
    const link = shadow(el).querySelector<HTMLAnchorElement>('a[part=download]')!;
    expect(link.download).to.match(/^ws-history-[0-9a-f]+-coco\.zip$/);
    const zip = new Uint8Array(await (await fetch(link.href)).arrayBuffer());
    expect([zip[0], zip[1]]).to.deep.equal([0x50, 0x4b]);
  });

  it('conflict: the server version is shown read-only, the user keeps theirs in the outbox, "Keep mine" sends it', async () => {
    const el = await mount('ws-conflict');
    const first = waitFor<LabelSaveDetail>(el, 'label-save');
    await drawBox(el, [20, 20], [60, 60]);
    const { commit: base } = await first;
    const shape = el.canvas!.document!.shapes[0] as Box;
    // Someone else moves the same box and commits first.
    const other = new WorkspaceClient({ server: '', dataset: 'ws-conflict', token: TOKEN });
    const theirs = structuredClone(el.canvas!.document!);
    theirs.shapes = [{ ...shape, x: 200 }];
    await other.commit({ parent: base, items: { 'img-1.png': theirs } });
    // The user moves it elsewhere, on the older version.
    const conflicted = waitFor<LabelConflictDetail>(el, 'label-conflict');
    el.canvas!.commit({ added: [], updated: [[shape, { ...shape, x: 5 } as Shape]], removed: [] });
    const c = await conflicted;
    expect(c).to.include({ item: 'img-1.png', reason: 'both-modified' });
    expect((c.theirs?.shapes[0] as Box | undefined)?.x).to.equal(200);
    expect((c.mine?.shapes[0] as Box | undefined)?.x).to.equal(5);
    await until(() => (el.canvas!.document?.shapes[0] as Box | undefined)?.x === 200, 'their version shown');
    expect(el.canvas!.readonly).to.equal(true);
    expect(saveState(el).getAttribute('data-state')).to.equal('conflict');
    const [kept] = (await el.outbox!.entries()) ?? [];
    expect((kept?.document?.shapes[0] as Box | undefined)?.x).to.equal(5);

    const saved = waitFor<LabelSaveDetail>(el, 'label-save');
    button(el, 'keep-mine').click();
    await saved;
    const { document: stored } = await other.readItem('img-1.png');
    expect((stored?.shapes[0] as Box | undefined)?.x).to.equal(5);
    await until(() => el.canvas!.readonly === false, 'the editor editable again');
  });

  it('every control has an accessible name (axe-core)', async () => {
    const el = await mount('ws-a11y');
    button(el, 'history').click();
    await until(() => !!shadow(el).querySelector('[part=history]'), 'the history panel');
    if (!(window as { axe?: unknown }).axe) {
      const script = document.createElement('script');
      script.src = '/node_modules/axe-core/axe.min.js';
      const loaded = new Promise((r, j) => {
        script.onload = r;
        script.onerror = j;
      });
      document.head.append(script);
      await loaded;
    }
    const axe = (
      window as unknown as {
        axe: {
          run(
            n: Element,
            o: object,
          ): Promise<Record<'violations' | 'passes', { id: string; nodes: { html: string }[] }[]>>;
        };
      }
    ).axe;
    const result = await axe.run(el, {
      runOnly: {
        type: 'rule',
        values: [
          'button-name',
          'select-name',
          'label',
          'link-name',
          'aria-allowed-attr',
          'aria-valid-attr-value',
          'list',
          'listitem',
        ],
      },
    });
    const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' ')}`);
    expect(found).to.deep.equal([]);
    // Not vacuous: axe did look into the shadow root's buttons and selects.
    const checked = (id: string) => result.passes.find((p) => p.id === id)?.nodes.length ?? 0;
    expect(checked('button-name')).to.be.greaterThan(10);
    expect(checked('select-name')).to.be.greaterThan(2);
  });
});
