import { defineElement } from '../../internal/define.ts';
import { LabelList } from './list.component.ts';

defineElement('label-list', LabelList);

declare global {
  interface HTMLElementTagNameMap {
    'label-list': LabelList;
  }
}
