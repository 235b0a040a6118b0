import { defineElement } from '../../internal/define.ts';
import { LabelCanvas } from './canvas.component.ts';

defineElement('label-canvas', LabelCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'label-canvas': LabelCanvas;
  }
  interface GlobalEventHandlersEventMap {
    'label-load': CustomEvent<import('./canvas.component.ts').LabelLoadDetail>;
    'label-error': CustomEvent<import('./canvas.component.ts').LabelErrorDetail>;
  }
}
