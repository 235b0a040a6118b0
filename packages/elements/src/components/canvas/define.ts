import { defineElement } from '../../internal/define.ts';
import type {
  LabelCanvas,
  LabelChangeDetail,
  LabelErrorDetail,
  LabelLoadDetail,
  LabelSelectDetail,
  LabelToolChangeDetail,
} from './canvas.component.ts';
import { LabelCanvas as Canvas } from './canvas.component.ts';

defineElement('label-canvas', Canvas);

declare global {
  interface HTMLElementTagNameMap {
    'label-canvas': LabelCanvas;
  }
  interface GlobalEventHandlersEventMap {
    'label-load': CustomEvent<LabelLoadDetail>;
    'label-error': CustomEvent<LabelErrorDetail>;
    'label-change': CustomEvent<LabelChangeDetail>;
    'label-select': CustomEvent<LabelSelectDetail>;
    'label-tool-change': CustomEvent<LabelToolChangeDetail>;
  }
}
