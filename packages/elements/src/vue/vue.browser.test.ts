import type { AnnotationDocument, Shape } from '@labelkit/core';
import { expect } from 'chai';
// Vue's full build (with the runtime template compiler), as an in-page app would load it.
import { createApp, nextTick, ref } from 'vue/dist/vue.esm-browser.js';
import type { LabelCanvas, LabelChangeDetail } from '../index.ts';
import { drag, pngDataUrl } from '../test-support/canvas-fixture.ts';
import { isCustomElement, labelEvent, labelKit } from './index.ts';

describe('Vue usage (@labelkit/elements/vue)', () => {
  let host: HTMLDivElement;
  afterEach(() => host?.remove());

  it('the plugin makes Vue render <label-canvas> as a custom element with .prop bindings and typed events', async () => {
    host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:0;top:0';
    document.body.append(host);
    const doc: AnnotationDocument = { version: 1, item: { id: 'i', width: 400, height: 300 }, shapes: [] };
    const added = ref<string[]>([]);
    let loaded!: () => void;
    const load = new Promise<void>((r) => (loaded = r));
    const warnings: string[] = [];
    const app = createApp({
      setup: () => ({
        src: pngDataUrl(400, 300),
        doc,
        added,
        onLoad: () => loaded(),
        onChange: labelEvent('label-change', (d: LabelChangeDetail) => {
          added.value = [...added.value, ...d.diff.added.map((s: Shape) => s.type)];
        }),
      }),
      template: `<div>
        <label-canvas id="cv" :src="src" tool="point" :document.prop="doc" style="display:block;width:400px;height:300px"
          @label-load="onLoad" @label-change="onChange"></label-canvas>
        <ul id="added"><li v-for="t in added">{{ t }}</li></ul>
      </div>`,
    });
    app.config.warnHandler = (msg: string) => warnings.push(msg);
    app.use(labelKit);
    app.mount(host);
    await load;
    const el = host.querySelector('label-canvas') as LabelCanvas;
    expect(el).to.be.instanceOf(customElements.get('label-canvas')!);
    expect(el.document).to.deep.equal(doc);
    await el.updateComplete;
    const r = el.getBoundingClientRect();
    await drag([r.left + 30, r.top + 40], [r.left + 30, r.top + 40], 1);
    await nextTick();
    expect(host.querySelector('#added')!.textContent).to.equal('point');
    expect(warnings.filter((w) => w.includes('resolve component'))).to.deep.equal([]);
    expect(isCustomElement('label-list') && !isCustomElement('my-widget')).to.equal(true);
  });
});
