/**
 * Vue support for LabelKit's elements. Vue renders custom elements as they are once its template compiler knows
 * they are not Vue components:
 *
 * ```ts
 * // Runtime template compiler (vue/dist/vue.esm-browser.js, in-DOM templates):
 * import { labelKit } from '@labelkit/elements/vue';
 * createApp(App).use(labelKit).mount('#app');
 * // Build-time templates (Vite): vue({ template: { compilerOptions: { isCustomElement } } })
 * import { isCustomElement } from '@labelkit/elements/vue';
 * ```
 *
 * Bind properties with `.prop` (`:document.prop="doc"`, `:labels.prop="labels"`) and listen with
 * `@label-change="onChange"`; `labelEvent()` gives the typed detail.
 */
import type { App } from 'vue';
import type {
  LabelChangeDetail,
  LabelErrorDetail,
  LabelLoadDetail,
  LabelSelectDetail,
  LabelToolChangeDetail,
} from '../components/canvas/canvas.component.ts';
import '../components/canvas/define.ts';
import '../components/list/define.ts';
import '../components/toolbar/define.ts';
import '../components/workspace/define.ts';
import type { LabelConflictDetail, LabelItemChangeDetail, LabelSaveDetail } from '../components/workspace/events.ts';

const TAGS: ReadonlySet<string> = new Set(['label-canvas', 'label-toolbar', 'label-list', 'label-workspace']);

/** Tells Vue's template compiler that LabelKit's tags are custom elements. */
export const isCustomElement = (tag: string): boolean => TAGS.has(tag);

/** A Vue plugin: marks LabelKit's tags as custom elements, keeping any rule the app already has. */
export const labelKit = {
  install(app: App): void {
    const options = app.config.compilerOptions;
    const previous = options.isCustomElement;
    options.isCustomElement = (tag: string) => isCustomElement(tag) || previous?.(tag) === true;
  },
};

/** Event name -> detail of LabelKit's events. */
export interface LabelEventDetails {
  'label-change': LabelChangeDetail;
  'label-select': LabelSelectDetail;
  'label-load': LabelLoadDetail;
  'label-error': LabelErrorDetail;
  'label-tool-change': LabelToolChangeDetail;
  'label-save': LabelSaveDetail;
  'label-conflict': LabelConflictDetail;
  'label-item-change': LabelItemChangeDetail;
}

/**
 * Types a handler for `@label-...` in a template: `@label-change="labelEvent('label-change', (d) => save(d.diff))"`.
 */
export function labelEvent<K extends keyof LabelEventDetails>(
  _name: K,
  handler: (detail: LabelEventDetails[K], event: CustomEvent<LabelEventDetails[K]>) => void,
): (event: Event) => void {
  return (event) => {
    const e = event as CustomEvent<LabelEventDetails[K]>;
    handler(e.detail, e);
  };
}
