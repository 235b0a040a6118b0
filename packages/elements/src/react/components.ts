/**
 * React components for LabelKit's elements, made with @lit/react: properties are set as properties (not
 * attributes) and events are `on*` props with typed details. `index.ts` calls this with the app's React;
 * call it yourself to use another copy of React.
 */
import { createComponent, type EventName, type ReactWebComponent } from '@lit/react';
import type ReactNS from 'react';
import type {
  LabelChangeDetail,
  LabelErrorDetail,
  LabelLoadDetail,
  LabelSelectDetail,
  LabelToolChangeDetail,
} from '../components/canvas/canvas.component.ts';
import { LabelCanvas as LabelCanvasElement } from '../components/canvas/canvas.component.ts';
import { LabelList as LabelListElement } from '../components/list/list.component.ts';
import { LabelToolbar as LabelToolbarElement } from '../components/toolbar/toolbar.component.ts';
import type { LabelConflictDetail, LabelItemChangeDetail, LabelSaveDetail } from '../components/workspace/events.ts';
import { LabelWorkspace as LabelWorkspaceElement } from '../components/workspace/workspace.component.ts';
import '../components/canvas/define.ts';
import '../components/list/define.ts';
import '../components/toolbar/define.ts';
import '../components/workspace/define.ts';

/** The events of `<label-canvas>` as React props. */
export type LabelCanvasEvents = {
  onLabelChange: EventName<CustomEvent<LabelChangeDetail>>;
  onLabelSelect: EventName<CustomEvent<LabelSelectDetail>>;
  onLabelLoad: EventName<CustomEvent<LabelLoadDetail>>;
  onLabelError: EventName<CustomEvent<LabelErrorDetail>>;
  onLabelToolChange: EventName<CustomEvent<LabelToolChangeDetail>>;
};

/** The events of `<label-workspace>` as React props. */
export type LabelWorkspaceEvents = {
  onLabelSave: EventName<CustomEvent<LabelSaveDetail>>;
  onLabelConflict: EventName<CustomEvent<LabelConflictDetail>>;
  onLabelItemChange: EventName<CustomEvent<LabelItemChangeDetail>>;
  onLabelError: EventName<CustomEvent<LabelErrorDetail>>;
};

/**
 * The components' types are spelled out: inferred, the bundled .d.ts lost the element classes (every prop
 * but the events became untyped `HTMLElement` ones for users of the built package).
 */
export interface LabelKitComponents {
  LabelCanvas: ReactWebComponent<LabelCanvasElement, LabelCanvasEvents>;
  LabelToolbar: ReactWebComponent<LabelToolbarElement>;
  LabelList: ReactWebComponent<LabelListElement>;
  LabelWorkspace: ReactWebComponent<LabelWorkspaceElement, LabelWorkspaceEvents>;
}

export function createLabelKitComponents(react: typeof ReactNS): LabelKitComponents {
  const LabelCanvas = createComponent({
    tagName: 'label-canvas',
    elementClass: LabelCanvasElement,
    react,
    events: {
      onLabelChange: 'label-change' as EventName<CustomEvent<LabelChangeDetail>>,
      onLabelSelect: 'label-select' as EventName<CustomEvent<LabelSelectDetail>>,
      onLabelLoad: 'label-load' as EventName<CustomEvent<LabelLoadDetail>>,
      onLabelError: 'label-error' as EventName<CustomEvent<LabelErrorDetail>>,
      onLabelToolChange: 'label-tool-change' as EventName<CustomEvent<LabelToolChangeDetail>>,
    },
  });
  const LabelToolbar = createComponent({ tagName: 'label-toolbar', elementClass: LabelToolbarElement, react });
  const LabelList = createComponent({ tagName: 'label-list', elementClass: LabelListElement, react });
  const LabelWorkspace = createComponent({
    tagName: 'label-workspace',
    elementClass: LabelWorkspaceElement,
    react,
    events: {
      onLabelSave: 'label-save' as EventName<CustomEvent<LabelSaveDetail>>,
      onLabelConflict: 'label-conflict' as EventName<CustomEvent<LabelConflictDetail>>,
      onLabelItemChange: 'label-item-change' as EventName<CustomEvent<LabelItemChangeDetail>>,
      onLabelError: 'label-error' as EventName<CustomEvent<LabelErrorDetail>>,
    },
  });
  return { LabelCanvas, LabelToolbar, LabelList, LabelWorkspace };
}
