import { defineElement } from '../../internal/define.ts';
import type { LabelConflictDetail, LabelItemChangeDetail, LabelSaveDetail } from './events.ts';
import { LabelWorkspace } from './workspace.component.ts';
import '../canvas/define.ts';
import '../list/define.ts';
import '../toolbar/define.ts';

defineElement('label-workspace', LabelWorkspace);

declare global {
  interface HTMLElementTagNameMap {
    'label-workspace': LabelWorkspace;
  }
  interface GlobalEventHandlersEventMap {
    'label-save': CustomEvent<LabelSaveDetail>;
    'label-conflict': CustomEvent<LabelConflictDetail>;
    'label-item-change': CustomEvent<LabelItemChangeDetail>;
  }
}
