/**
 * React components for LabelKit's elements (@lit/react): properties are set as properties, events are `on*`
 * props with typed details.
 *
 * ```tsx
 * import { LabelCanvas } from '@labelkit/elements/react';
 * <LabelCanvas src={url} tool="box" document={doc} onLabelChange={(e) => save(e.detail.diff)} />
 * ```
 */
import * as React from 'react';
import {
  createLabelKitComponents,
  type LabelCanvasEvents,
  type LabelKitComponents,
  type LabelWorkspaceEvents,
} from './components.ts';

export const { LabelCanvas, LabelToolbar, LabelList, LabelWorkspace } = createLabelKitComponents(React);
export { createLabelKitComponents, type LabelCanvasEvents, type LabelKitComponents, type LabelWorkspaceEvents };
