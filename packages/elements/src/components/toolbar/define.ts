import { defineElement } from '../../internal/define.ts';
import { LabelToolbar } from './toolbar.component.ts';

defineElement('label-toolbar', LabelToolbar);

declare global {
  interface HTMLElementTagNameMap {
    'label-toolbar': LabelToolbar;
  }
}
