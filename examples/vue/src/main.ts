/**
 * LabelKit in a Vue 3 app. The `labelKit` plugin tells Vue's template compiler that `label-*` tags are custom
 * elements; properties are bound with `.prop` (`:document.prop`), events with `@label-change`, and
 * `labelEvent()` gives a handler the typed detail. The document is controlled: Vue state holds it.
 * (This example compiles its template at run time; with Vite + SFCs pass `isCustomElement` to the plugin.)
 */
import type { AnnotationDocument, LabelDef } from '@labelkit/core';
import { labelEvent, labelKit } from '@labelkit/elements/vue';
import { createApp, defineComponent, ref, shallowRef } from 'vue';

const LABELS: LabelDef[] = [
  { id: 'disc', name: 'Disc', color: '#e6194b' },
  { id: 'square', name: 'Square', color: '#3cb44b' },
];

const App = defineComponent({
  setup() {
    const doc = shallowRef<AnnotationDocument | undefined>(undefined);
    const status = ref('Loading…');
    const onLoad = labelEvent('label-load', ({ width, height }) => {
      status.value = `Loaded ${width}×${height}`;
    });
    const onChange = labelEvent('label-change', ({ document, origin }) => {
      doc.value = document;
      status.value = `${document.shapes.length} shapes (${origin} change)`;
    });
    const onError = labelEvent('label-error', ({ error }) => {
      status.value = `Error: ${error.message}`;
    });
    const clear = () => {
      if (doc.value) doc.value = { ...doc.value, shapes: [] };
    };
    return { labels: LABELS, doc, status, onLoad, onChange, onError, clear };
  },
  template: `
    <main>
      <h1>Vue</h1>
      <div class="editor">
        <label-toolbar for="canvas"></label-toolbar>
        <label-canvas id="canvas" src="/assets/shapes.png" tool="box" aria-label="Image to annotate"
          style="height: 100%" :labels.prop="labels" :document.prop="doc"
          @label-load="onLoad" @label-change="onChange" @label-error="onError"></label-canvas>
        <label-list for="canvas" aria-label="Shapes"></label-list>
      </div>
      <p role="status" id="status">{{ status }}</p>
      <button type="button" @click="clear">Remove all shapes</button>
      <pre id="json">{{ doc ? JSON.stringify(doc.shapes) : '' }}</pre>
    </main>`,
});

createApp(App).use(labelKit).mount('#root');
